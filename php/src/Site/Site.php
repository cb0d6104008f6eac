<?php

declare(strict_types=1);

namespace GlpiKey\Site;

use GlpiKey\GlpiVersion;
use GlpiKey\KeyKind;
use GlpiKey\TrustedKey;
use GlpiKey\TrustException;
use GlpiKey\TrustStore;
use GlpiKey\UnverifiedRevocationList;
use GlpiKey\VerificationException;

/**
 * A site kept in a directory (spec/SITE.md section 6), shared safely by processes (PHP-FPM
 * workers):
 *
 * ```
 * DIR/state                       the state record (SiteState::toBytes()), mode 0600
 * DIR/lists/<keyid>-<seq>.glpirl  the file form of each installed revocation list
 * DIR/lock                        the lock file (flock), never replaced
 * ```
 *
 * Every operation, reads included, holds an exclusive `flock` on DIR/lock from reading the
 * record to the end of its writes. Every file is written to a new temporary file in the same
 * directory, created exclusively (`fopen(…, 'x')`: O_CREAT|O_EXCL, so an existing file or
 * symbolic link there is an error, never followed) with mode 0600, flushed with `fsync`,
 * renamed over the target, and the directory is flushed. Files are read only when `lstat`
 * says they are regular files, and the opened file must be the one `lstat` saw. A record that
 * does not read is an error naming the file, never a reset.
 */
final class Site
{
    private const STATE = 'state';
    private const LOCK = 'lock';
    private const LISTS = 'lists';

    private static int $tempCounter = 0;

    private function __construct(private readonly string $dir)
    {
    }

    /**
     * Creates a site in `$dir` (created if missing, mode 0700).
     *
     * @throws SiteException `site-exists`, `io`
     */
    public static function create(string $dir, TrustStore $trust, SitePolicy $policy): self
    {
        $dir = rtrim($dir, '/');
        if (!is_dir($dir) && !@mkdir($dir, 0700, true) && !is_dir($dir)) {
            throw SiteException::io($dir, 'cannot create the directory');
        }
        $site = new self($dir);
        $site->locked(static function () use ($site, $dir, $trust, $policy): void {
            if (file_exists("$dir/" . self::STATE) || is_link("$dir/" . self::STATE)) {
                throw SiteException::exists($dir);
            }
            if (!is_dir("$dir/" . self::LISTS) && !@mkdir("$dir/" . self::LISTS, 0700) && !is_dir("$dir/" . self::LISTS)) {
                throw SiteException::io("$dir/" . self::LISTS, 'cannot create the directory');
            }
            $site->writeAtomic($dir, self::STATE, SiteState::create($trust, $policy)->toBytes());
        });
        return $site;
    }

    /** @throws SiteException `not-a-site`, … */
    public static function open(string $dir): self
    {
        $dir = rtrim($dir, '/');
        $site = new self($dir);
        $site->state();
        return $site;
    }

    public function directory(): string
    {
        return $this->dir;
    }

    /** The state as recorded (changes nothing). @throws SiteException */
    public function state(): SiteState
    {
        return $this->locked(fn (): SiteState => $this->readState());
    }

    /**
     * Installs a revocation list given in text or file form.
     *
     * @return array{bool, InstalledList} whether it is new (false: unchanged), and the slot
     * @throws VerificationException the list is refused (the clock mark is still recorded)
     * @throws SiteException
     */
    public function installRevocations(string $textOrFile, int $now): array
    {
        return $this->locked(function () use ($textOrFile, $now): array {
            $state = $this->readState();
            $before = $state->toBytes();
            try {
                $list = str_starts_with($textOrFile, UnverifiedRevocationList::FILE_MAGIC)
                    ? UnverifiedRevocationList::fromFileBytes($textOrFile)
                    : UnverifiedRevocationList::parseText($textOrFile);
                [$new, $installed] = $state->installRevocations($list, $now);
            } catch (VerificationException $e) {
                $this->saveIfChanged($state, $before);
                throw $e;
            }
            if ($new) {
                // The list file first, then the record: the record's rename commits both.
                $this->writeAtomic("$this->dir/" . self::LISTS, $installed->fileName(), $list->fileBytes());
            }
            $this->saveIfChanged($state, $before);
            if ($new) {
                $this->removeUnreferencedLists($state);
            }
            return [$new, $installed];
        });
    }

    /**
     * Verifies a key with the whole policy (spec/SITE.md section 4).
     *
     * @throws VerificationException with the class and the administrator's message
     * @throws SiteException
     */
    public function verify(string $text, int $now, KeyKind $kind, InstanceCheck $instance, ?GlpiVersion $glpiVersion = null): SiteVerdict
    {
        return $this->locked(function () use ($text, $now, $kind, $instance, $glpiVersion): SiteVerdict {
            $state = $this->readState();
            $before = $state->toBytes();
            $lists = [];
            foreach ($state->installedLists() as $installed) {
                // A missing or unreadable list file is left out: the state then reports
                // installed-list-missing for its slot.
                $bytes = $this->readRegular("$this->dir/" . self::LISTS . '/' . $installed->fileName());
                if ($bytes !== null) {
                    try {
                        $lists[] = UnverifiedRevocationList::fromFileBytes($bytes);
                    } catch (VerificationException) {
                    }
                }
            }
            try {
                return $state->verify($text, $now, $kind, $instance, $glpiVersion, $lists);
            } finally {
                $this->saveIfChanged($state, $before);
            }
        });
    }

    /**
     * Distrusts an issuer key from `$from` on (the date only moves earlier).
     *
     * @throws SiteException
     */
    public function distrust(string $keyId, int $from): int
    {
        return $this->locked(function () use ($keyId, $from): int {
            $state = $this->readState();
            $before = $state->toBytes();
            try {
                $since = $state->distrust($keyId, $from);
            } catch (TrustException $e) {
                throw SiteException::trust($e->getMessage());
            }
            $this->saveIfChanged($state, $before);
            return $since;
        });
    }

    /** Trusts one more issuer key. @throws SiteException */
    public function addTrustedKey(TrustedKey $key): void
    {
        $this->locked(function () use ($key): void {
            $state = $this->readState();
            $before = $state->toBytes();
            try {
                $state->addTrustedKey($key);
            } catch (TrustException $e) {
                throw SiteException::trust($e->getMessage());
            }
            $this->saveIfChanged($state, $before);
        });
    }

    /**
     * Runs `$f` holding the exclusive lock of the site.
     *
     * @template T
     * @param callable(): T $f
     * @return T
     */
    private function locked(callable $f): mixed
    {
        $path = "$this->dir/" . self::LOCK;
        if (is_link($path)) {
            throw SiteException::notARegularFile($path);
        }
        if (!is_dir($this->dir)) {
            throw SiteException::notASite($this->dir);
        }
        $old = umask(0077);
        $lock = @fopen($path, 'c');
        umask($old);
        if ($lock === false) {
            throw SiteException::io($path, 'cannot open the lock file');
        }
        try {
            if (!flock($lock, LOCK_EX)) {
                throw SiteException::io($path, 'cannot lock it');
            }
            return $f();
        } finally {
            flock($lock, LOCK_UN);
            fclose($lock);
        }
    }

    private function readState(): SiteState
    {
        $path = "$this->dir/" . self::STATE;
        $bytes = $this->readRegular($path) ?? throw SiteException::notASite($this->dir);
        return SiteState::fromBytes($bytes, $path);
    }

    private function saveIfChanged(SiteState $state, string $before): void
    {
        $after = $state->toBytes();
        if ($after !== $before) {
            $this->writeAtomic($this->dir, self::STATE, $after);
        }
    }

    /** The content of a regular file, null when it does not exist; a symlink is refused. */
    private function readRegular(string $path): ?string
    {
        clearstatcache(true, $path);
        $seen = @lstat($path);
        if ($seen === false) {
            return null;
        }
        if (($seen['mode'] & 0170000) !== 0100000) {
            throw SiteException::notARegularFile($path);
        }
        $f = @fopen($path, 'rb');
        if ($f === false) {
            throw SiteException::io($path, 'cannot open it');
        }
        try {
            $opened = fstat($f);
            if ($opened === false || $opened['ino'] !== $seen['ino'] || $opened['dev'] !== $seen['dev']) {
                throw SiteException::notARegularFile($path);
            }
            $bytes = stream_get_contents($f);
            if ($bytes === false) {
                throw SiteException::io($path, 'cannot read it');
            }
            return $bytes;
        } finally {
            fclose($f);
        }
    }

    /** Replaces `$dir/$name` atomically: exclusive temporary file, fsync, rename, fsync dir. */
    private function writeAtomic(string $dir, string $name, string $bytes): void
    {
        $target = "$dir/$name";
        $f = false;
        $temp = '';
        for ($attempt = 0; $attempt < 64 && $f === false; $attempt++) {
            $temp = sprintf('%s/.%s.tmp.%d.%d', $dir, $name, getmypid(), self::$tempCounter++);
            $old = umask(0077);
            $f = @fopen($temp, 'x');
            umask($old);
        }
        if ($f === false) {
            throw SiteException::io($temp, 'cannot create a temporary file');
        }
        try {
            $ok = fwrite($f, $bytes) === strlen($bytes) && fflush($f) && fsync($f);
        } finally {
            fclose($f);
        }
        if (!$ok || !@rename($temp, $target)) {
            @unlink($temp);
            throw SiteException::io($target, 'cannot write it');
        }
        $d = @fopen($dir, 'r');
        if ($d !== false) {
            @fsync($d);
            fclose($d);
        }
    }

    /** Removes list files no slot refers to, and temporary files left by a crash. */
    private function removeUnreferencedLists(SiteState $state): void
    {
        $keep = [];
        foreach ($state->installedLists() as $l) {
            $keep[$l->fileName()] = true;
        }
        $dir = "$this->dir/" . self::LISTS;
        foreach (scandir($dir) ?: [] as $name) {
            $listFile = preg_match('/^[0-9a-f]{8}-[0-9]+\.glpirl$/D', $name) === 1;
            $tempFile = preg_match('/^\..+\.tmp\.[0-9]+\.[0-9]+$/D', $name) === 1 && !str_contains($name, '.tmp.' . getmypid() . '.');
            if (($listFile && !isset($keep[$name])) || $tempFile) {
                @unlink("$dir/$name");
            }
        }
    }
}

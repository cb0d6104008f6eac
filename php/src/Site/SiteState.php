<?php

declare(strict_types=1);

namespace GlpiKey\Site;

use GlpiKey\GlpiVersion;
use GlpiKey\KeyKind;
use GlpiKey\Serial;
use GlpiKey\TrustedKey;
use GlpiKey\TrustException;
use GlpiKey\TrustStore;
use GlpiKey\Unsigned;
use GlpiKey\UnverifiedKey;
use GlpiKey\UnverifiedRevocationList;
use GlpiKey\VerificationException;
use GlpiKey\VerifyOptions;

/**
 * What a site remembers, and the whole policy applied to it (spec/SITE.md sections 1 to 5 and
 * 7): the trust store with distrust dates, one list slot per issuer key, the clock mark and the
 * superseded serials. Byte-for-byte the state record of the Rust core, version 1
 * ({@see fromBytes()}, {@see toBytes()}). {@see Site} keeps it in a directory; a host without a
 * file system may keep the bytes elsewhere and pass the installed lists' bodies itself.
 */
final class SiteState
{
    public const MAGIC = 'GLPISITE';
    public const VERSION = 1;
    public const MAX_SUPERSEDED = 64;
    private const CHECK_LEN = 16;
    private const DIGEST_LEN = 32;

    /** @var list<TrustedKey> trust-store order */
    private array $keys;
    /** @var list<?InstalledList> one slot per key, same order */
    private array $lists;
    private ?TrustStore $store = null;
    /** @var array<int, int> superseded serial => serial of the key that renewed it, increasing */
    private array $superseded = [];

    private function __construct(private readonly SitePolicy $policy, array $keys, private ?int $mark = null)
    {
        $this->keys = $keys;
        $this->lists = array_fill(0, count($keys), null);
    }

    /** A new site trusting these keys (with their windows and distrust dates). */
    public static function create(TrustStore $trust, SitePolicy $policy): self
    {
        return new self($policy, $trust->keys());
    }

    public function policy(): SitePolicy
    {
        return $this->policy;
    }

    public function trust(): TrustStore
    {
        return $this->store ??= TrustStore::of(...$this->keys);
    }

    /** The latest time the site has seen, null before its first operation. */
    public function clockMark(): ?int
    {
        return $this->mark;
    }

    /** @return list<InstalledList> the installed lists, in trust-store order */
    public function installedLists(): array
    {
        return array_values(array_filter($this->lists));
    }

    public function installedList(string $keyId): ?InstalledList
    {
        $slot = $this->slotOf($keyId);
        return $slot === null ? null : $this->lists[$slot];
    }

    /** @return array<int, int> superseded serial => serial that renewed it, increasing */
    public function superseded(): array
    {
        return $this->superseded;
    }

    /** Trusts one more issuer key (a rotation). @throws TrustException */
    public function addTrustedKey(TrustedKey $key): void
    {
        $this->store = TrustStore::of(...$this->keys, ...[$key]);
        $this->keys[] = $key;
        $this->lists[] = null;
    }

    /**
     * Distrusts an issuer key from `$from` (site time) on; the date only moves earlier. Returns
     * the date in force.
     *
     * @throws TrustException when the key is not trusted here
     */
    public function distrust(string $keyId, int $from): int
    {
        $slot = $this->slotOf($keyId) ?? throw TrustException::notTrusted($keyId);
        $current = $this->keys[$slot]->distrustedFrom;
        $since = $current === null || Unsigned::compare($from, $current) < 0 ? $from : $current;
        $this->keys[$slot] = $this->keys[$slot]->withDistrust($since);
        $this->store = null;
        return $since;
    }

    /**
     * The clock guard (REVOCATION.md 2.2): refuses `$now` more than the tolerance before the
     * mark, else moves the mark to max(mark, now) and returns it.
     *
     * @throws VerificationException `clock-rollback`
     */
    public function observeClock(int $now): int
    {
        $tolerance = $this->policy->clockToleranceSecs;
        if ($this->mark !== null && Unsigned::compare(Unsigned::saturatingAdd($now, $tolerance), $this->mark) < 0) {
            throw VerificationException::clockRollback($now, $this->mark, $tolerance);
        }
        if ($this->mark === null || Unsigned::compare($now, $this->mark) > 0) {
            $this->mark = $now;
        }
        return $this->mark;
    }

    /**
     * Installs a revocation list (sections 3 and 5): clock guard, verification, distrust of its
     * issuer key, then the sequence rule of that key's slot. A refused list leaves the slot as
     * it was (the mark may have moved: persist the state whenever its bytes changed).
     *
     * @return array{bool, InstalledList} whether it is new (false: the same list again), and the slot
     * @throws VerificationException
     */
    public function installRevocations(UnverifiedRevocationList $list, int $now): array
    {
        $at = $this->observeClock($now);
        $verified = $list->verify($this->trust());
        $keyId = $verified->issuerKeyId;
        $slot = $this->slotOf($keyId) ?? throw VerificationException::unknownIssuer($keyId);
        $this->honoured($this->keys[$slot], $at);
        $new = new InstalledList($keyId, $verified->sequence, $verified->issuedAt, $verified->nextUpdate, $verified->count(), self::digest($list->bytes()));
        $current = $this->lists[$slot];
        if ($current !== null && $current->sequence === $new->sequence && $current->digest === $new->digest) {
            return [false, $current];
        }
        if ($current !== null && Unsigned::compare($new->sequence, $current->sequence) <= 0) {
            throw VerificationException::revocationListRollback($new->sequence, $current->sequence);
        }
        $this->lists[$slot] = $new;
        return [true, $new];
    }

    /**
     * Verifies a key with the whole policy, in the order of section 4. `$lists` are the bodies
     * of the installed lists, in any order; each installed slot's digest must be matched.
     *
     * @param list<UnverifiedRevocationList> $lists
     * @throws VerificationException
     */
    public function verify(string $text, int $now, KeyKind $kind, InstanceCheck $instance, ?GlpiVersion $glpiVersion, array $lists): SiteVerdict
    {
        $at = $this->observeClock($now);
        $trust = $this->trust();
        $key = UnverifiedKey::parseWithTrust($text, $trust);
        [$claims, $issuer] = $key->signedClaims($trust, $kind);
        $this->honoured($issuer, $at);

        $given = [];
        foreach ($lists as $list) {
            $given[self::digest($list->bytes())] = $list;
        }
        $noList = true;
        $due = null;
        foreach ($this->keys as $slot => $trusted) {
            $installed = $this->lists[$slot];
            if ($installed === null || !$trusted->honouredAt($at)) {
                continue;
            }
            $body = $given[$installed->digest] ?? throw VerificationException::installedListMissing($installed->keyId);
            try {
                $verified = $body->verify($trust);
            } catch (VerificationException) {
                throw VerificationException::installedListMissing($installed->keyId);
            }
            $verified->check($claims->serial);
            $noList = false;
            if ($verified->isDue($at)) {
                $next = (int) $verified->nextUpdate;
                $due = $due === null || Unsigned::compare($next, $due) < 0 ? $next : $due;
            }
        }
        if (isset($this->superseded[$claims->serial->value])) {
            throw VerificationException::superseded($claims->serial, Serial::of($this->superseded[$claims->serial->value]));
        }
        $options = VerifyOptions::at($at)
            ->withKind($kind)
            ->withGraceSecs($this->policy->graceSecs)
            ->withClockToleranceSecs($this->policy->clockToleranceSecs)
            ->withInstance($instance->instance);
        $license = UnverifiedKey::checkClaims($claims, $issuer, $options);
        $warnings = [];
        if ($claims->instance !== null && $instance->instance === null) {
            if (!$instance->skip) {
                throw VerificationException::instanceRequired($claims->instance);
            }
            $warnings[] = SiteVerdict::INSTANCE_NOT_CHECKED;
        }
        if ($claims->glpiVersions !== null && $glpiVersion !== null && !$claims->glpiVersions->contains($glpiVersion)) {
            throw VerificationException::unsupportedGlpiVersion($glpiVersion, $claims->glpiVersions);
        }
        $old = $claims->supersedes;
        if ($old !== null && $old->value !== $claims->serial->value && !isset($this->superseded[$old->value])) {
            if (count($this->superseded) >= self::MAX_SUPERSEDED) {
                throw VerificationException::siteStateFull(self::MAX_SUPERSEDED);
            }
            $this->superseded[$old->value] = $claims->serial->value;
            ksort($this->superseded);
        }
        if ($license->status->inGrace) {
            $warnings[] = SiteVerdict::IN_GRACE;
        }
        if ($due !== null) {
            $warnings[] = SiteVerdict::LIST_UPDATE_DUE;
        }
        if ($noList) {
            $warnings[] = SiteVerdict::NO_REVOCATION_LIST;
        }
        sort($warnings);
        return new SiteVerdict($license, $at, $warnings, $license->status->graceUntil, $due);
    }

    /** The first 32 bytes of SHA-512 of a list body. */
    public static function digest(string $body): string
    {
        return substr(hash('sha512', $body, true), 0, self::DIGEST_LEN);
    }

    /** The state record, version 1 (section 7). */
    public function toBytes(): string
    {
        $body = pack('JJ', $this->policy->graceSecs, $this->policy->clockToleranceSecs) . self::opt64($this->mark);
        $body .= chr(count($this->keys));
        foreach ($this->keys as $slot => $k) {
            $body .= $k->publicKey . self::opt64($k->validFrom) . self::opt64($k->validUntil) . self::opt64($k->distrustedFrom);
            $l = $this->lists[$slot];
            $body .= $l === null ? "\0"
                : "\1" . pack('JJ', $l->sequence, $l->issuedAt) . self::opt64($l->nextUpdate) . pack('N', $l->serials) . $l->digest;
        }
        $body .= pack('n', count($this->superseded));
        foreach ($this->superseded as $serial => $by) {
            $body .= pack('JJ', $serial, $by);
        }
        $signed = self::MAGIC . chr(self::VERSION) . $body;
        return $signed . substr(hash('sha512', $signed, true), 0, self::CHECK_LEN);
    }

    /**
     * Reads a state record; anything else than exactly a version-1 record is an error, never
     * a reset.
     *
     * @param string $where what to name in messages (the file)
     * @throws SiteException `site-state-corrupted`, `site-state-version`
     */
    public static function fromBytes(string $bytes, string $where = 'record'): self
    {
        $len = strlen($bytes);
        if ($len < 9 + self::CHECK_LEN) {
            throw SiteException::corrupted($where, 'it is cut short');
        }
        if (!str_starts_with($bytes, self::MAGIC)) {
            throw SiteException::corrupted($where, 'it does not start with the site record header');
        }
        if (ord($bytes[8]) !== self::VERSION) {
            throw SiteException::version($where, ord($bytes[8]));
        }
        $signed = substr($bytes, 0, $len - self::CHECK_LEN);
        if (!hash_equals(substr(hash('sha512', $signed, true), 0, self::CHECK_LEN), substr($bytes, -self::CHECK_LEN))) {
            throw SiteException::corrupted($where, 'its check value does not match its content');
        }
        $r = new RecordReader($signed, 9, $where);
        $grace = $r->u64();
        $tolerance = $r->u64();
        if ($grace < 0 || $tolerance < 0) {
            throw SiteException::corrupted($where, 'the grace period or clock tolerance is out of range');
        }
        $mark = $r->opt64();
        $count = $r->u8();
        if ($count > TrustStore::MAX_KEYS) {
            throw SiteException::corrupted($where, 'it lists more than ' . TrustStore::MAX_KEYS . ' issuer keys');
        }
        $keys = [];
        $lists = [];
        for ($i = 0; $i < $count; $i++) {
            $pk = $r->bytes(32);
            [$from, $until, $distrust] = [$r->opt64(), $r->opt64(), $r->opt64()];
            try {
                $key = TrustedKey::fromPublicKeyBytes($pk, $from, $until)->withDistrust($distrust);
            } catch (TrustException $e) {
                throw SiteException::corrupted($where, 'issuer key ' . ($i + 1) . ': ' . $e->getMessage());
            }
            $keys[] = $key;
            $lists[] = $r->u8Tag() ? new InstalledList($key->keyId, $r->u64(), $r->u64(), $r->opt64(), $r->u32(), $r->bytes(self::DIGEST_LEN)) : null;
        }
        $state = new self(new SitePolicy($grace, $tolerance), $keys, $mark);
        try {
            $state->store = TrustStore::of(...$keys);
        } catch (TrustException $e) {
            throw SiteException::corrupted($where, $e->getMessage());
        }
        $state->lists = $lists;
        $n = $r->u16();
        if ($n > self::MAX_SUPERSEDED) {
            throw SiteException::corrupted($where, 'it records more than ' . self::MAX_SUPERSEDED . ' superseded serials');
        }
        $previous = -1;
        for ($i = 0; $i < $n; $i++) {
            [$serial, $by] = [$r->u64(), $r->u64()];
            if ($serial < 0 || $serial > Serial::MAX || $by < 0 || $by > Serial::MAX) {
                throw SiteException::corrupted($where, 'a superseded serial is larger than 60 bits');
            }
            if ($serial <= $previous) {
                throw SiteException::corrupted($where, 'the superseded serials are not strictly increasing');
            }
            $state->superseded[$serial] = $by;
            $previous = $serial;
        }
        $r->end();
        return $state;
    }

    private static function opt64(?int $v): string
    {
        return $v === null ? "\0" : "\1" . pack('J', $v);
    }

    private function slotOf(string $keyId): ?int
    {
        foreach ($this->keys as $i => $k) {
            if ($k->keyId === $keyId) {
                return $i;
            }
        }
        return null;
    }

    /** @throws VerificationException `issuer-key-distrusted` */
    private function honoured(TrustedKey $key, int $at): void
    {
        if (!$key->honouredAt($at)) {
            throw VerificationException::issuerKeyDistrusted($key->keyId, (int) $key->distrustedFrom, $at);
        }
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey\Site;

/**
 * A site directory or state record could not be used (the Rust core's `SiteError` and
 * `StateError` apart from refusals, which are {@see \GlpiKey\VerificationException}).
 * `$errorCode` is one of `io`, `not-a-regular-file`, `site-state-corrupted`,
 * `site-state-version`, `not-a-site`, `site-exists`, `trust-store`. Never a reason to reset.
 */
final class SiteException extends \RuntimeException
{
    private function __construct(public readonly string $errorCode, string $message)
    {
        parent::__construct($message);
    }

    public static function io(string $path, string $what): self
    {
        return new self('io', "cannot read or write $path: $what; check that the site directory exists and that this user may write it");
    }

    public static function notARegularFile(string $path): self
    {
        return new self('not-a-regular-file', "$path is a symbolic link or not a regular file: refused (site files are never followed through links); remove it and restore the site directory from a backup");
    }

    public static function corrupted(string $where, string $reason): self
    {
        return new self('site-state-corrupted', "the site state $where is corrupted ($reason): it was not reset, since that would undo the site's memory of lists and time; restore the site directory from a backup, or re-create the site and install the current revocation list");
    }

    public static function version(string $where, int $found): self
    {
        return new self('site-state-version', "the site state $where has version $found, which this software does not read: use the software that wrote it, or re-create the site");
    }

    public static function notASite(string $dir): self
    {
        return new self('not-a-site', "$dir holds no site (no state record): create the site first");
    }

    public static function exists(string $dir): self
    {
        return new self('site-exists', "$dir already holds a site: open it, or choose another directory");
    }

    public static function trust(string $message): self
    {
        return new self('trust-store', $message);
    }
}

<?php
/**
 * GLPI registration key verification for PHP, through the glpi-key C library and PHP's FFI
 * extension (built into Debian's php-cli; enable it with `-d ffi.enable=1` outside the CLI).
 *
 * Usage, the way GLPI code would call it:
 *
 *     $verifier = new GlpiKey([hex2bin(VENDOR_PUBLIC_KEY_HEX)], '/usr/lib/libglpi_key_ffi.so');
 *     $result = $verifier->verify($pastedKey, 'instance-registration', instanceUuid: $instanceUuid, glpiVersion: GLPI_VERSION);
 *     if ($result['valid']) { $tier = $result['claims']['tier']; } else { echo $result['message']; }
 *
 * The kind is required: there is no "any kind" (an agent enrollment key, copied to many
 * endpoints by design, must not pass as an instance registration). A key bound to an instance is
 * refused (`instance-required`) when no `instanceUuid` is given, unless the caller passes
 * `insecureSkipInstanceBinding: true`, and the result then carries the warning
 * `instance-not-checked`. `GlpiKey` is stateless; a
 * host that can keep a directory uses `GlpiKeySite` below (revocation lists that cannot be
 * rolled back, a clock guard, renewals remembered, bound keys refused without the instance id).
 *
 * `verify()` never throws for a bad key: every refusal is an array with `status` (the stable
 * error class of spec/FORMAT.md, e.g. `expired`, `checksum`) and a `message` for the
 * administrator. The constructor throws `RuntimeException` when the library cannot be loaded or
 * a trusted key is refused. One instance can verify any number of keys.
 *
 * An instance owns one native verifier and frees it in its destructor, so it cannot be cloned
 * (`clone` fails with an Error): a copy would free the same pointer twice. Share the instance
 * instead. For GLPI itself prefer the pure-PHP package in `php/` (no FFI, which stock PHP
 * disables in web requests); see `php/README.md` for when this wrapper is still the better choice.
 */
final class GlpiKey
{
    public const TIERS = ['free', 'starter', 'basic', 'standard', 'advanced'];
    public const KINDS = ['instance-registration' => 1, 'agent-enrollment' => 2];
    /** GLPI_INSECURE_SKIP_INSTANCE_BINDING of glpi_key.h (the `flags` of both verify functions). */
    public const INSECURE_SKIP_INSTANCE_BINDING = 1;
    public const KIND_NAMES = [1 => 'instance-registration', 2 => 'agent-enrollment'];
    private const ENTITLEMENTS = [1 => 'marketplace', 2 => 'network-plugins', 4 => 'l3-support'];

    private \FFI $ffi;
    /** @var \FFI\CData GlpiVerifier*, owned by this object and freed in __destruct */
    private \FFI\CData $verifier;

    /**
     * @param string[] $trustedPublicKeys issuer Ed25519 public keys, 32 raw bytes each
     * @param string $library path to libglpi_key_ffi.so
     * @param string|null $header path to glpi_key.h (default: ffi/include/glpi_key.h of this repository)
     */
    public function __construct(array $trustedPublicKeys, string $library, ?string $header = null)
    {
        $this->ffi = self::load($library, $header);

        $count = count($trustedPublicKeys);
        $keys = $this->ffi->new('uint8_t[' . max(1, 32 * $count) . ']');
        foreach (array_values($trustedPublicKeys) as $i => $key) {
            if (!is_string($key) || strlen($key) !== 32) {
                throw new \RuntimeException('trusted key ' . ($i + 1) . ' is not 32 raw bytes (use hex2bin on a 64-digit hex key)');
            }
            \FFI::memcpy(\FFI::addr($keys[32 * $i]), $key, 32);
        }
        $out = $this->ffi->new('GlpiVerifier*');
        $error = $this->ffi->new('GlpiError');
        $status = $this->ffi->glpi_verifier_new($keys, $count, \FFI::addr($out), \FFI::addr($error));
        if ($status !== 0) {
            throw new \RuntimeException(\FFI::string($error->message));
        }
        $this->verifier = $out;
    }

    /**
     * The C library, loaded once per library and header.
     *
     * @internal also used by GlpiKeySite
     */
    public static function load(string $library, ?string $header = null): \FFI
    {
        static $loaded = [];
        $header ??= __DIR__ . '/../../ffi/include/glpi_key.h';
        if (!isset($loaded["$library\0$header"])) {
            $text = @file_get_contents($header);
            if ($text === false) {
                throw new \RuntimeException("cannot read the C header $header");
            }
            $loaded["$library\0$header"] = \FFI::cdef(self::cdefFromHeader($text), $library);
        }
        return $loaded["$library\0$header"];
    }

    /**
     * The number of a required kind.
     *
     * @internal also used by GlpiKeySite
     */
    public static function kindNumber(string $kind): int
    {
        return self::KINDS[$kind] ?? throw new \InvalidArgumentException(
            "unknown key kind '$kind': pass 'instance-registration' or 'agent-enrollment' (there is no \"any kind\")"
        );
    }

    /**
     * A UUID as 16 bytes for C, or null.
     *
     * @internal also used by GlpiKeySite
     */
    public static function instanceBytes(\FFI $ffi, ?string $instanceUuid): ?\FFI\CData
    {
        if ($instanceUuid === null) {
            return null;
        }
        $hex = str_replace(['-', '{', '}'], '', $instanceUuid);
        if (!preg_match('/^[0-9a-fA-F]{32}$/', $hex)) {
            throw new \InvalidArgumentException("not a UUID: $instanceUuid");
        }
        $instance = $ffi->new('uint8_t[16]');
        \FFI::memcpy($instance, hex2bin($hex), 16);
        return $instance;
    }

    /**
     * Bytes as a C buffer (at least one byte long, so that an empty string is not NULL).
     *
     * @internal also used by GlpiKeySite
     */
    public static function buffer(\FFI $ffi, string $bytes): \FFI\CData
    {
        $buf = $ffi->new('uint8_t[' . max(1, strlen($bytes)) . ']');
        if ($bytes !== '') {
            \FFI::memcpy($buf, $bytes, strlen($bytes));
        }
        return $buf;
    }

    /**
     * A refusal as the array `verify()` returns.
     *
     * @internal also used by GlpiKeySite
     */
    public static function refusal(\FFI $ffi, int $status, \FFI\CData $error): array
    {
        return [
            'valid' => false,
            'status' => $ffi->glpi_status_name($status), // const char * arrives as a PHP string
            'message' => \FFI::string($error->message),
            'claims' => null,
            'position' => $error->position ?: null,
            'suggestion' => $error->suggestion === "\0" ? null : $error->suggestion,
            'suggestion_confirmed' => $error->suggestion_confirmed,
        ];
    }

    /**
     * Cloning is forbidden: the copy would hold the same native pointer, and the second
     * destructor would free it again (a use-after-free, then a double free). Private rather than
     * throwing: PHP destroys a half-made clone whose `__clone` throws, which would run the
     * destructor on the shared pointer all the same.
     */
    private function __clone()
    {
    }

    public function __destruct()
    {
        if (isset($this->verifier)) {
            $this->ffi->glpi_verifier_free($this->verifier);
        }
    }

    /**
     * Verifies a key as pasted by an administrator. Stateless: see `GlpiKeySite` for a site that
     * remembers revocation lists, the clock and renewals.
     *
     * @param string $key the key text (white space, quotes, grouping and lowercase are tolerated)
     * @param string $kind required: 'instance-registration' or 'agent-enrollment'
     * @param int|null $now Unix seconds; default: the system clock
     * @param string|null $instanceUuid this GLPI instance's UUID; a key bound to another is refused,
     *        and without it a key bound to an instance is refused (`instance-required`)
     * @param string|null $glpiVersion this GLPI version ("10.0" or "10.0.17")
     * @param bool $insecureSkipInstanceBinding INSECURE: accept bound keys without checking the
     *        binding when there is no instance UUID (a key bound to another instance passes too);
     *        the result carries the warning `instance-not-checked`. Not with `$instanceUuid`.
     * @return array{valid: bool, status: string, message: ?string, claims: ?array, warnings: list<string>, position: ?int, suggestion: ?string, suggestion_confirmed: bool}
     */
    public function verify(string $key, string $kind, ?int $now = null, ?string $instanceUuid = null, ?string $glpiVersion = null, bool $insecureSkipInstanceBinding = false): array
    {
        $kindNumber = self::kindNumber($kind);
        $text = self::buffer($this->ffi, $key);
        $instance = self::instanceBytes($this->ffi, $instanceUuid);
        $license = $this->ffi->new('GlpiLicense');
        $error = $this->ffi->new('GlpiError');
        $status = $this->ffi->glpi_verify(
            $this->verifier,
            $text,
            strlen($key),
            $now ?? time(),
            $kindNumber,
            $instance,
            $insecureSkipInstanceBinding ? self::INSECURE_SKIP_INSTANCE_BINDING : 0,
            $glpiVersion,
            \FFI::addr($license),
            \FFI::addr($error),
        );
        if ($status !== 0) {
            return self::refusal($this->ffi, $status, $error) + ['warnings' => []];
        }
        return [
            'valid' => true,
            'status' => $this->ffi->glpi_status_name($status),
            'message' => null,
            'claims' => self::claims($license),
            'warnings' => $license->instance_not_checked ? ['instance-not-checked'] : [],
            'position' => null,
            'suggestion' => null,
            'suggestion_confirmed' => false,
        ];
    }

    /**
     * The claims of a filled `GlpiLicense`.
     *
     * @internal also used by GlpiKeySite
     */
    public static function claims(\FFI\CData $l): array
    {
        $entitlements = [];
        foreach (self::ENTITLEMENTS as $bit => $name) {
            if ($l->entitlements & $bit) {
                $entitlements[] = $name;
            }
        }
        $uuid = null;
        if ($l->has_instance) {
            $hex = bin2hex(\FFI::string($l->instance, 16));
            $uuid = implode('-', [substr($hex, 0, 8), substr($hex, 8, 4), substr($hex, 12, 4), substr($hex, 16, 4), substr($hex, 20)]);
        }
        return [
            'serial' => sprintf('%016x', $l->serial),
            'short_id' => \FFI::string($l->short_id),
            'kind' => self::KIND_NAMES[$l->kind],
            'tier' => self::TIERS[$l->tier],
            'owner' => \FFI::string($l->owner, $l->owner_len),
            'issued_at' => $l->issued_at,
            'not_before' => $l->not_before,
            'expires_at' => $l->has_expires_at ? $l->expires_at : null,
            'instance' => $uuid,
            'entitlements' => $entitlements,
            'entitlement_bits' => $l->entitlements,
            'glpi_versions' => $l->has_glpi_versions ? [
                'min' => $l->glpi_version_min[0] . '.' . $l->glpi_version_min[1],
                'max' => $l->glpi_version_max[0] . '.' . $l->glpi_version_max[1],
            ] : null,
            'max_assets' => $l->has_max_assets ? $l->max_assets : null,
            'entity' => $l->has_entity ? $l->entity : null,
            'supersedes' => $l->has_supersedes ? sprintf('%016x', $l->supersedes) : null,
            'issuer_key_id' => bin2hex(\FFI::string($l->issuer_key_id, 4)),
        ];
    }

    /**
     * PHP's FFI parser takes declarations only, without a preprocessor: keep the C branches of
     * the generated header (`#ifndef X` taken, `#ifdef __cplusplus` and `#if` C23 tests not),
     * drop includes, and replace the numeric `#define` constants by their values.
     */
    private static function cdefFromHeader(string $header): string
    {
        $defines = [];
        $taken = [];
        $out = [];
        foreach (explode("\n", $header) as $line) {
            $t = trim($line);
            $active = !in_array(false, $taken, true);
            if (preg_match('/^#\s*(ifndef|ifdef|if)\b/', $t, $m)) {
                $taken[] = $m[1] === 'ifndef';
            } elseif (preg_match('/^#\s*else\b/', $t)) {
                $taken[] = !array_pop($taken);
            } elseif (preg_match('/^#\s*endif\b/', $t)) {
                array_pop($taken);
            } elseif (preg_match('/^#\s*define\s+(\w+)\s+(\d+)\s*$/', $t, $m)) {
                if ($active) {
                    $defines[$m[1]] = $m[2];
                }
            } elseif (str_starts_with($t, '#')) {
                continue; // include guard define, includes
            } elseif ($active) {
                $out[] = $line;
            }
        }
        $code = implode("\n", $out);
        foreach ($defines as $name => $value) {
            $code = preg_replace('/\b' . $name . '\b/', $value, $code);
        }
        return $code;
    }
}

/**
 * A failure to create, open or change a site (the library's status name in `$status`, e.g.
 * `not-a-site`, `site-exists`, `site-state-corrupted`, `permission-denied`).
 */
final class GlpiKeySiteException extends \RuntimeException
{
    public function __construct(public readonly string $status, string $message)
    {
        parent::__construct("$status: $message");
    }
}

/**
 * An offline site over the C library (`glpi_site_*`): the trusted issuer keys, the installed
 * revocation lists, the clock mark and the renewals, kept in a directory that the library locks
 * per call (several PHP-FPM workers may share it) and writes atomically.
 *
 *     $site = GlpiKeySite::open('/var/lib/glpi/key-site', '/usr/lib/libglpi_key_ffi.so');
 *     $r = $site->verify($storedKey, 'instance-registration', $instanceUuid, glpiVersion: GLPI_VERSION);
 *     if ($r['valid']) { $tier = $r['claims']['tier']; $warnings = $r['warnings']; } else { echo $r['message']; }
 *
 * `verify()` and `installRevocations()` never throw for a refused key or list: the array says
 * `status` (the error class, e.g. `revoked`, `revocation-list-rollback`, `clock-rollback`,
 * `instance-required`) and `message`. Creating, opening and `status()` throw
 * `GlpiKeySiteException`. Like `GlpiKey`, an instance owns a native handle and cannot be cloned.
 */
final class GlpiKeySite
{
    private \FFI $ffi;
    /** @var \FFI\CData GlpiSite*, owned by this object and freed in __destruct */
    private \FFI\CData $site;

    private function __construct(\FFI $ffi, \FFI\CData $site)
    {
        $this->ffi = $ffi;
        $this->site = $site;
    }

    /**
     * Creates a site in `$dir` (never over an existing one).
     *
     * @param array<string|array{public_key: string, valid_from?: ?int, valid_until?: ?int, distrusted_from?: ?int}> $trustedKeys
     *        32 raw bytes each, or with the key's signing window and distrust date (Unix seconds)
     */
    public static function create(string $dir, array $trustedKeys, int $graceSecs, int $clockToleranceSecs, string $library, ?string $header = null): self
    {
        $ffi = GlpiKey::load($library, $header);
        $count = count($trustedKeys);
        $keys = $ffi->new('GlpiTrustedKey[' . max(1, $count) . ']');
        foreach (array_values($trustedKeys) as $i => $key) {
            $key = is_string($key) ? ['public_key' => $key] : $key;
            if (!is_string($key['public_key'] ?? null) || strlen($key['public_key']) !== 32) {
                throw new \InvalidArgumentException('trusted key ' . ($i + 1) . ' is not 32 raw bytes (use hex2bin on a 64-digit hex key)');
            }
            \FFI::memcpy($keys[$i]->public_key, $key['public_key'], 32);
            foreach (['valid_from', 'valid_until', 'distrusted_from'] as $field) {
                $value = $key[$field] ?? null;
                $keys[$i]->{"has_$field"} = $value !== null;
                $keys[$i]->$field = $value ?? 0;
            }
        }
        $out = $ffi->new('GlpiSite*');
        $error = $ffi->new('GlpiError');
        $status = $ffi->glpi_site_create_with_keys($dir, $keys, $count, $graceSecs, $clockToleranceSecs, \FFI::addr($out), \FFI::addr($error));
        self::throwUnlessOk($ffi, $status, $error);
        return new self($ffi, $out);
    }

    /** Opens the site in `$dir`; a damaged state throws (`site-state-corrupted`), never resets. */
    public static function open(string $dir, string $library, ?string $header = null): self
    {
        $ffi = GlpiKey::load($library, $header);
        $out = $ffi->new('GlpiSite*');
        $error = $ffi->new('GlpiError');
        $status = $ffi->glpi_site_open($dir, \FFI::addr($out), \FFI::addr($error));
        self::throwUnlessOk($ffi, $status, $error);
        return new self($ffi, $out);
    }

    private static function throwUnlessOk(\FFI $ffi, int $status, \FFI\CData $error): void
    {
        if ($status !== 0) {
            throw new GlpiKeySiteException($ffi->glpi_status_name($status), \FFI::string($error->message));
        }
    }

    /** See GlpiKey::__clone: a copy would free the native handle twice. */
    private function __clone()
    {
    }

    public function __destruct()
    {
        if (isset($this->site)) {
            $this->ffi->glpi_site_free($this->site);
        }
    }

    /**
     * Installs a revocation list (its text `GLPI-…` or its `.glpirl` file bytes).
     *
     * @return array{installed: bool, new: bool, status: string, message: ?string, list: ?array}
     *         `new` false: this very list was already installed
     */
    public function installRevocations(string $list, ?int $now = null): array
    {
        $bytes = GlpiKey::buffer($this->ffi, $list);
        $info = $this->ffi->new('GlpiInstallInfo');
        $error = $this->ffi->new('GlpiError');
        $status = $this->ffi->glpi_site_install_revocations($this->site, $bytes, strlen($list), $now ?? time(), \FFI::addr($info), \FFI::addr($error));
        if ($status !== 0) {
            return ['installed' => false, 'new' => false, 'status' => $this->ffi->glpi_status_name($status), 'message' => \FFI::string($error->message), 'list' => null];
        }
        return ['installed' => true, 'new' => $info->is_new, 'status' => 'valid', 'message' => null, 'list' => self::listArray($info->list)];
    }

    /**
     * Verifies a key with the site's whole policy.
     *
     * @param string $kind required: 'instance-registration' or 'agent-enrollment'
     * @param string|null $instanceUuid this instance's UUID; without it a key bound to an instance is refused (`instance-required`)
     * @param bool $insecureSkipInstanceBinding INSECURE: accept bound keys without checking the binding (warning `instance-not-checked`)
     * @return array{valid: bool, status: string, message: ?string, claims: ?array, warnings: list<string>, in_grace_until: ?int, list_update_due_at: ?int, checked_at: ?int}
     */
    public function verify(string $key, string $kind, ?string $instanceUuid = null, ?int $now = null, ?string $glpiVersion = null, bool $insecureSkipInstanceBinding = false): array
    {
        $kindNumber = GlpiKey::kindNumber($kind);
        $text = GlpiKey::buffer($this->ffi, $key);
        $instance = GlpiKey::instanceBytes($this->ffi, $instanceUuid);
        $license = $this->ffi->new('GlpiLicense');
        $warnings = $this->ffi->new('GlpiSiteWarnings');
        $error = $this->ffi->new('GlpiError');
        $status = $this->ffi->glpi_site_verify(
            $this->site,
            $text,
            strlen($key),
            $kindNumber,
            $instance,
            $insecureSkipInstanceBinding ? GlpiKey::INSECURE_SKIP_INSTANCE_BINDING : 0,
            $glpiVersion,
            $now ?? time(),
            \FFI::addr($license),
            \FFI::addr($warnings),
            \FFI::addr($error),
        );
        if ($status !== 0) {
            return GlpiKey::refusal($this->ffi, $status, $error) + ['warnings' => [], 'in_grace_until' => null, 'list_update_due_at' => null, 'checked_at' => null];
        }
        $names = [];
        foreach (['in_grace' => 'in-grace', 'instance_not_checked' => 'instance-not-checked', 'list_update_due' => 'list-update-due', 'no_revocation_list' => 'no-revocation-list'] as $field => $name) {
            if ($warnings->$field) {
                $names[] = $name;
            }
        }
        return [
            'valid' => true,
            'status' => 'valid',
            'message' => null,
            'claims' => GlpiKey::claims($license),
            'warnings' => $names,
            'in_grace_until' => $warnings->in_grace ? $warnings->in_grace_until : null,
            'list_update_due_at' => $warnings->list_update_due ? $warnings->list_update_due_at : null,
            'checked_at' => $warnings->checked_at,
        ];
    }

    /**
     * The site's state.
     *
     * @return array{grace_secs: int, clock_tolerance_secs: int, clock_mark: ?int, trusted_keys: list<array>, lists: list<array>, superseded: list<array{serial: int, by: int}>}
     */
    public function status(): array
    {
        $st = $this->ffi->new('GlpiSiteStatus');
        $error = $this->ffi->new('GlpiError');
        self::throwUnlessOk($this->ffi, $this->ffi->glpi_site_status($this->site, \FFI::addr($st), \FFI::addr($error)), $error);
        $keys = [];
        for ($i = 0; $i < $st->trusted_key_count; $i++) {
            $k = $st->trusted_keys[$i];
            $keys[] = [
                'key_id' => bin2hex(\FFI::string($st->trusted_key_ids[$i], 4)),
                'public_key_hex' => bin2hex(\FFI::string($k->public_key, 32)),
                'valid_from' => $k->has_valid_from ? $k->valid_from : null,
                'valid_until' => $k->has_valid_until ? $k->valid_until : null,
                'distrusted_from' => $k->has_distrusted_from ? $k->distrusted_from : null,
            ];
        }
        $lists = [];
        for ($i = 0; $i < $st->list_count; $i++) {
            $lists[] = self::listArray($st->lists[$i]);
        }
        $superseded = [];
        for ($i = 0; $i < $st->superseded_count; $i++) {
            $superseded[] = ['serial' => $st->superseded[$i]->serial, 'by' => $st->superseded[$i]->by];
        }
        return [
            'grace_secs' => $st->grace_secs,
            'clock_tolerance_secs' => $st->clock_tolerance_secs,
            'clock_mark' => $st->has_clock_mark ? $st->clock_mark : null,
            'trusted_keys' => $keys,
            'lists' => $lists,
            'superseded' => $superseded,
        ];
    }

    /** Distrusts an issuer key (8 hex digits) from `$from` (site time) on; returns the date in force. */
    public function distrust(string $keyIdHex, int $from): int
    {
        if (strlen($keyIdHex) !== 8 || !ctype_xdigit($keyIdHex)) {
            throw new \InvalidArgumentException("not a key id (8 hex digits): $keyIdHex");
        }
        $id = GlpiKey::buffer($this->ffi, hex2bin($keyIdHex));
        $inForce = $this->ffi->new('uint64_t');
        $error = $this->ffi->new('GlpiError');
        self::throwUnlessOk($this->ffi, $this->ffi->glpi_site_distrust($this->site, $id, $from, \FFI::addr($inForce), \FFI::addr($error)), $error);
        return $inForce->cdata;
    }

    private static function listArray(\FFI\CData $l): array
    {
        return [
            'issuer_key_id' => bin2hex(\FFI::string($l->issuer_key_id, 4)),
            'sequence' => $l->sequence,
            'issued_at' => $l->issued_at,
            'next_update' => $l->has_next_update ? $l->next_update : null,
            'serials' => $l->serials,
        ];
    }
}

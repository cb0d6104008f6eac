<?php
/**
 * GLPI registration key verification for PHP, through the glpi-key C library and PHP's FFI
 * extension (built into Debian's php-cli; enable it with `-d ffi.enable=1` outside the CLI).
 *
 * Usage, the way GLPI code would call it:
 *
 *     $verifier = new GlpiKey([hex2bin(VENDOR_PUBLIC_KEY_HEX)], '/usr/lib/libglpi_key_ffi.so');
 *     $result = $verifier->verify($pastedKey, instanceUuid: $instanceUuid, glpiVersion: GLPI_VERSION);
 *     if ($result['valid']) { $tier = $result['claims']['tier']; } else { echo $result['message']; }
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
    private const TIERS = ['free', 'starter', 'basic', 'standard', 'advanced'];
    private const KINDS = [null => 0, 'instance-registration' => 1, 'agent-enrollment' => 2];
    private const KIND_NAMES = [1 => 'instance-registration', 2 => 'agent-enrollment'];
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
        $header ??= __DIR__ . '/../../ffi/include/glpi_key.h';
        $text = @file_get_contents($header);
        if ($text === false) {
            throw new \RuntimeException("cannot read the C header $header");
        }
        $this->ffi = \FFI::cdef(self::cdefFromHeader($text), $library);

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
     * Verifies a key as pasted by an administrator.
     *
     * @param string $key the key text (white space, quotes, grouping and lowercase are tolerated)
     * @param int|null $now Unix seconds; default: the system clock
     * @param string|null $instanceUuid this GLPI instance's UUID; a key bound to another is refused
     * @param string|null $glpiVersion this GLPI version ("10.0" or "10.0.17")
     * @param string|null $kind 'instance-registration' or 'agent-enrollment' to require one kind
     * @return array{valid: bool, status: string, message: ?string, claims: ?array, position: ?int, suggestion: ?string, suggestion_confirmed: bool}
     */
    public function verify(string $key, ?int $now = null, ?string $instanceUuid = null, ?string $glpiVersion = null, ?string $kind = null): array
    {
        if (!array_key_exists($kind ?? '', self::KINDS)) {
            throw new \InvalidArgumentException("unknown key kind $kind");
        }
        $text = $this->ffi->new('uint8_t[' . max(1, strlen($key)) . ']');
        if ($key !== '') {
            \FFI::memcpy($text, $key, strlen($key));
        }
        $instance = null;
        if ($instanceUuid !== null) {
            $hex = str_replace(['-', '{', '}'], '', $instanceUuid);
            if (!preg_match('/^[0-9a-fA-F]{32}$/', $hex)) {
                throw new \InvalidArgumentException("not a UUID: $instanceUuid");
            }
            $instance = $this->ffi->new('uint8_t[16]');
            \FFI::memcpy($instance, hex2bin($hex), 16);
        }
        $license = $this->ffi->new('GlpiLicense');
        $error = $this->ffi->new('GlpiError');
        $status = $this->ffi->glpi_verify(
            $this->verifier,
            $text,
            strlen($key),
            $now ?? time(),
            self::KINDS[$kind ?? ''],
            $instance,
            $glpiVersion,
            \FFI::addr($license),
            \FFI::addr($error),
        );
        $name = $this->ffi->glpi_status_name($status); // const char * arrives as a PHP string
        if ($status !== 0) {
            return [
                'valid' => false,
                'status' => $name,
                'message' => \FFI::string($error->message),
                'claims' => null,
                'position' => $error->position ?: null,
                'suggestion' => $error->suggestion === "\0" ? null : $error->suggestion,
                'suggestion_confirmed' => $error->suggestion_confirmed,
            ];
        }
        return [
            'valid' => true,
            'status' => $name,
            'message' => null,
            'claims' => self::claims($license),
            'position' => null,
            'suggestion' => null,
            'suggestion_confirmed' => false,
        ];
    }

    private static function claims(\FFI\CData $l): array
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

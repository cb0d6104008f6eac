<?php
/**
 * Reference verifier of GLPI keys, written from spec/FORMAT.md alone (section numbers below
 * refer to it). It does not call the Rust library: Crockford base32, the bech32m check, the
 * claims decoder and the verification order are implemented here, and Ed25519 is PHP's sodium
 * extension (libsodium). Its purpose is to show that the format is a specification.
 *
 * It also reads and verifies revocation lists (spec/REVOCATION.md section 1) and applies the
 * policy of REVOCATION.md section 2 (issuer key windows, revoked, issued in the future, grace,
 * the clock guard), so that it runs every published vector.
 *
 * Usage:
 *   php verify.php <issuer-public-key-hex> <key-text> [now-unix-seconds]
 *   php verify.php --test <keys.json> [<ed25519-speccheck.json>]
 *   php verify.php --test-policy <policy.json>
 *   php verify.php --test-lists <revocation/vectors.txt>
 *
 * --test runs every vector and checks the outcome class (and, for valid keys, every claim),
 * then the 12 ed25519-speccheck cases (libsodium must accept only case 3, like the Rust crate's
 * strict verification). --test-policy and --test-lists run the policy and revocation-list
 * vectors. Exit status 0 when everything agrees.
 */
declare(strict_types=1);

final class KeyError extends Exception
{
    /** @param string $class an error class of FORMAT.md section 10 */
    public function __construct(public readonly string $class, string $detail = '')
    {
        parent::__construct($detail === '' ? $class : "$class: $detail");
    }
}

final class ReferenceVerifier
{
    const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';          // 2.2
    const MAX_INPUT_BYTES = 4096;                                  // 2.1 step 1
    const MIN_BODY_LEN = 85, MAX_BODY_LEN = 300;                   // 2.3, 4
    const MIN_LIST_LEN = 74, MAX_TEXT_LIST_LEN = 630;              // REVOCATION.md 1.4, 1.6
    const LIST_MAGIC = "GLPI-RL\n";                                 // REVOCATION.md 1.5
    const CHECK_LEN = 6;                                           // 2.4
    const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    const BECH32M = 0x2bc830a3;
    const HEADER_LEN = 6, SIGNATURE_LEN = 64;                      // 3
    const KINDS = [1 => 'instance-registration', 2 => 'agent-enrollment', 3 => 'revocation-list'];
    const TAGS = [1 => 'glpi-key/v1/instance-registration', 2 => 'glpi-key/v1/agent-enrollment',
                  3 => 'glpi-key/v1/revocation-list'];             // 6
    const TIERS = ['free', 'starter', 'basic', 'standard', 'advanced'];
    const ENTITLEMENTS = [0 => 'marketplace', 1 => 'network-plugins', 2 => 'l3-support'];
    const MAX_OWNER_LEN = 96, MAX_EXTENSIONS_LEN = 64;
    /** 2.1 step 2: wrapping = Unicode White_Space, the byte-order mark and these quote marks. */
    const WRAPPING = '[\p{Z}\t\n\x{0B}\f\r\x{85}\x{FEFF}"\'`<>\x{2018}\x{2019}\x{201C}\x{201D}\x{AB}\x{BB}]';
    /** 5.2: characters an owner must not contain (controls, separators, bidi formatting). */
    const OWNER_UNSAFE = '/[\x{0}-\x{1F}\x{7F}-\x{9F}\x{061C}\x{200E}\x{200F}\x{2028}-\x{202E}\x{2066}-\x{2069}]/u';

    /** @var array<string, string> key id (8 hex) => 32-byte public key */
    private array $trust = [];
    /** @var array<string, array{?int, ?int}> key id => signing window [from, until) in seconds */
    private array $windows = [];

    /**
     * @param string[] $publicKeys 32-byte Ed25519 public keys
     * @param array{?int, ?int} $window one signing window [valid_from, valid_until) in Unix
     *   seconds (null: open) for every key (section 7; SITE.md section 2)
     */
    public function __construct(array $publicKeys, array $window = [null, null])
    {
        foreach ($publicKeys as $pk) {
            $id = self::keyId($pk);
            if (strlen($pk) !== SODIUM_CRYPTO_SIGN_PUBLICKEYBYTES || isset($this->trust[$id])) {
                throw new InvalidArgumentException('a trusted key is not 32 bytes, or is given twice');
            }
            $this->trust[$id] = $pk;
            $this->windows[$id] = $window;
        }
    }

    /** Section 7: issued_at (seconds) must lie in the issuer key's window. */
    private function checkWindow(string $keyId, int $issuedAt): void
    {
        [$from, $until] = $this->windows[$keyId];
        if (($from !== null && $issuedAt < $from) || ($until !== null && $issuedAt >= $until)) {
            throw new KeyError('issuer-key-not-valid', $keyId);
        }
    }

    /** Section 7: the first 4 bytes of SHA-512("glpi-key/v1/key-id" || 0x00 || public key). */
    public static function keyId(string $publicKey): string
    {
        return bin2hex(substr(hash('sha512', "glpi-key/v1/key-id\0" . $publicKey, true), 0, 4));
    }

    /**
     * Section 9. Returns the claims of a valid key; throws KeyError with the error class.
     * @param ?string $kind required kind name, or null for either
     * @param ?string $instance this instance's UUID, or null
     * @param ?string $glpiVersion this GLPI version ("10.0" or "10.0.17"), or null
     */
    public function verify(string $text, int $now, ?string $kind = null, ?string $instance = null, ?string $glpiVersion = null, array $policy = []): array
    {
        // $policy (REVOCATION.md): 'revoked' => serials (16 hex) of an installed list,
        // 'tolerance' => clock tolerance in seconds, 'grace' => grace period in seconds.
        // 1-5. Read the text into symbol values (2.1), short ID (2.3), length, check, unpack.
        $symbols = self::readSymbols($text, intdiv(8 * self::MAX_BODY_LEN + 4, 5) + self::CHECK_LEN);
        if (count($symbols) === 12 + self::CHECK_LEN && self::checkValid('glpi-id', $symbols)) {
            throw new KeyError('short-id');
        }
        $n = count($symbols) - self::CHECK_LEN;
        $bytes = intdiv(5 * max($n, 0), 8);
        if ($n <= 0 || intdiv(8 * $bytes + 4, 5) !== $n || $bytes < self::MIN_BODY_LEN || $bytes > self::MAX_BODY_LEN) {
            throw new KeyError('wrong-length', "$n body symbols");
        }
        if (!self::checkValid('glpi', $symbols)) {
            throw new KeyError('checksum', self::suggestion($symbols));
        }
        $body = self::unpack(array_slice($symbols, 0, $n));

        // 6. Header (section 3).
        [$version, $kindByte] = [ord($body[0]), ord($body[1])];
        if ($version !== 1) {
            throw new KeyError('unsupported-version', "version $version");
        }
        if (!isset(self::KINDS[$kindByte])) {
            throw new KeyError('unknown-object-kind', "kind $kindByte");
        }
        if ($kindByte === 3 || ($kind !== null && self::KINDS[$kindByte] !== $kind)) {
            throw new KeyError('wrong-object-kind', self::KINDS[$kindByte]);
        }
        // 7. Issuer.
        $keyId = bin2hex(substr($body, 2, 4));
        $publicKey = $this->trust[$keyId] ?? throw new KeyError('unknown-issuer', $keyId);
        // 8. Strict Ed25519 over domain tag || 0x00 || header || payload. Nothing before this
        // line reads the claims.
        $signed = substr($body, 0, -self::SIGNATURE_LEN);
        $signature = substr($body, -self::SIGNATURE_LEN);
        if (!sodium_crypto_sign_verify_detached($signature, self::TAGS[$kindByte] . "\0" . $signed, $publicKey)) {
            throw new KeyError('bad-signature');
        }
        // 9. Claims (section 5).
        $c = self::decodeClaims(substr($signed, self::HEADER_LEN), $kindByte);
        $c['issuer_key_id'] = $keyId;
        // After 9: revoked (REVOCATION.md 1.9).
        if (in_array($c['serial'], $policy['revoked'] ?? [], true)) {
            throw new KeyError('revoked', $c['short_id']);
        }
        // 10. Issuer key window.
        $this->checkWindow($keyId, $c['issued_at']);
        // After 10: issued in the future (REVOCATION.md 2.3).
        if (isset($policy['tolerance']) && $c['issued_at'] > $now + $policy['tolerance']) {
            throw new KeyError('issued-in-future');
        }
        // 11-13. Time (with grace, REVOCATION.md 2.1), instance, GLPI version.
        if ($now < $c['not_before']) {
            throw new KeyError('not-yet-valid');
        }
        $c['status'] = 'active';
        if ($c['expires_at'] !== null && $now >= $c['expires_at']) {
            if ($now >= $c['expires_at'] + ($policy['grace'] ?? 0)) {
                throw new KeyError('expired');
            }
            $c['status'] = 'in-grace';
        }
        if ($instance !== null && $c['instance'] !== null && self::uuidBytes($instance) !== self::uuidBytes($c['instance'])) {
            throw new KeyError('wrong-instance');
        }
        if ($glpiVersion !== null && $c['glpi_versions'] !== null) {
            $v = self::versionTuple($glpiVersion);
            $min = self::versionTuple($c['glpi_versions']['min']);
            $max = self::versionTuple($c['glpi_versions']['max']);
            if ($v < $min || $v > $max) {
                throw new KeyError('unsupported-glpi-version');
            }
        }
        return $c; // 14. Valid.
    }

    /**
     * REVOCATION.md 1.4 to 1.6: reads a list in text form or file form ($file) and verifies it.
     * Returns ['sequence' => 8-byte big-endian, 'serials' => 16-hex strings, 'key_id' => hex].
     */
    public function verifyList(string $input, bool $file): array
    {
        if ($file) {
            if (!str_starts_with($input, self::LIST_MAGIC)) {
                throw new KeyError('not-a-revocation-list-file');
            }
            $body = substr($input, strlen(self::LIST_MAGIC));
            if (strlen($body) < self::MIN_LIST_LEN) {
                throw new KeyError('malformed-revocation-list', 'body too short');
            }
        } else {
            $max = intdiv(8 * self::MAX_TEXT_LIST_LEN + 4, 5);
            $symbols = self::readSymbols($input, $max + self::CHECK_LEN);
            $n = count($symbols) - self::CHECK_LEN;
            $bytes = intdiv(5 * max($n, 0), 8);
            if ($n <= 0 || intdiv(8 * $bytes + 4, 5) !== $n || $bytes < self::MIN_LIST_LEN || $bytes > self::MAX_TEXT_LIST_LEN) {
                throw new KeyError('wrong-length', "$n body symbols");
            }
            if (!self::checkValid('glpi', $symbols)) {
                throw new KeyError('checksum');
            }
            $body = self::unpack(array_slice($symbols, 0, $n));
        }
        [$version, $kindByte] = [ord($body[0]), ord($body[1])];
        if ($version !== 1) {
            throw new KeyError('unsupported-version');
        }
        if (!isset(self::KINDS[$kindByte])) {
            throw new KeyError('unknown-object-kind');
        }
        if ($kindByte !== 3) {
            throw new KeyError('wrong-object-kind');
        }
        $keyId = bin2hex(substr($body, 2, 4));
        $publicKey = $this->trust[$keyId] ?? throw new KeyError('unknown-issuer', $keyId);
        $header = substr($body, 0, self::HEADER_LEN);
        $payload = substr($body, self::HEADER_LEN, -self::SIGNATURE_LEN);
        $message = self::TAGS[3] . "\0" . $header . hash('sha512', $payload, true);
        if (!sodium_crypto_sign_verify_detached(substr($body, -self::SIGNATURE_LEN), $message, $publicKey)) {
            throw new KeyError('bad-signature');
        }
        // 1.1, 1.2: the payload, with ListReader's minimal u64 varints (8-byte big-endian).
        $r = new ClaimsReader($payload, 'malformed-revocation-list');
        $sequence = $r->varint64();
        $issuedAt = $r->varint64();
        $tag = $r->u8();
        $next = match ($tag) { 0 => null, 1 => $r->varint64(), default => throw new KeyError('malformed-revocation-list', 'option tag') };
        if ($next !== null && strcmp($next, $issuedAt) <= 0) {
            throw new KeyError('malformed-revocation-list', 'next_update not after issued_at');
        }
        $serials = $r->raw($r->varint(5));
        if (!$r->atEnd() || strlen($serials) % 8 !== 0 || strlen($serials) > 8 << 20) {
            throw new KeyError('malformed-revocation-list', 'serials');
        }
        $list = [];
        for ($i = 0; $i < strlen($serials); $i += 8) {
            $s = substr($serials, $i, 8);
            if (ord($s[0]) & 0xf0 || ($i > 0 && strcmp($s, substr($serials, $i - 8, 8)) <= 0)) {
                throw new KeyError('malformed-revocation-list', 'serial over 60 bits, unsorted or repeated');
            }
            $list[] = bin2hex($s);
        }
        // 1.6 step 6: the window, on issued_at in seconds (a value over 2^63 is after any window end).
        $issued = unpack('J', $issuedAt)[1];
        $this->checkWindow($keyId, $issued < 0 ? PHP_INT_MAX : $issued);
        return ['sequence' => $sequence, 'serials' => $list, 'key_id' => $keyId];
    }

    /** 2.1: the forgiving reader. Returns symbol values, check included. */
    private static function readSymbols(string $text, int $maxSymbols): array
    {
        // Section 11: readers that take bytes refuse invalid UTF-8 first, then 2.1 step 1.
        if (!mb_check_encoding($text, 'UTF-8')) {
            throw new KeyError('invalid-utf8');
        }
        if (strlen($text) > self::MAX_INPUT_BYTES) {
            throw new KeyError('too-long');
        }
        $chars = preg_split('//u', $text, -1, PREG_SPLIT_NO_EMPTY);
        $wrapping = '/^' . self::WRAPPING . '$/u';
        $start = 0;
        $end = count($chars);
        while ($start < $end && preg_match($wrapping, $chars[$start])) {
            $start++;
        }
        while ($end > $start && preg_match($wrapping, $chars[$end - 1])) {
            $end--;
        }
        if ($start === $end) {
            throw new KeyError('empty');
        }
        if ($end - $start < 4 || strtoupper(implode('', array_slice($chars, $start, 4))) !== 'GLPI') {
            throw new KeyError('not-a-glpi-key');
        }
        $symbols = [];
        for ($i = $start + 4; $i < $end; $i++) {
            $ch = $chars[$i];
            if (in_array($ch, ['-', ' ', "\t", "\r", "\n"], true)) {
                continue;
            }
            $up = strlen($ch) === 1 ? strtr(strtoupper($ch), 'OIL', '011') : '';
            $value = $up === '' ? false : strpos(self::ALPHABET, $up);
            if ($value === false) {
                throw new KeyError('invalid-character', sprintf('%s at position %d', json_encode($ch), $i + 1));
            }
            $symbols[] = $value;
            if (count($symbols) > $maxSymbols) {
                throw new KeyError('too-long');
            }
        }
        return $symbols;
    }

    /** 2.4: the bech32m polymod. */
    private static function polymod(array $values, int $c = 1): int
    {
        foreach ($values as $v) {
            $top = $c >> 25;
            $c = (($c & 0x1ffffff) << 5) ^ $v;
            for ($i = 0; $i < 5; $i++) {
                if (($top >> $i) & 1) {
                    $c ^= self::GEN[$i];
                }
            }
        }
        return $c;
    }

    private static function hrpExpand(string $hrp): array
    {
        $b = array_map('ord', str_split($hrp));
        return [...array_map(fn ($x) => $x >> 5, $b), 0, ...array_map(fn ($x) => $x & 31, $b)];
    }

    private static function checkValid(string $hrp, array $symbols): bool
    {
        return self::polymod([...self::hrpExpand($hrp), ...$symbols]) === self::BECH32M;
    }

    /** 2.4, locating a typo: the one (position, value) change that makes the check pass. */
    private static function suggestion(array $symbols): string
    {
        $residue = self::polymod([...self::hrpExpand('glpi'), ...$symbols]) ^ self::BECH32M;
        $found = [];
        for ($e = 1; $e < 32; $e++) {
            $r = self::polymod([$e], 0); // e at distance 0 from the end, then shifted by zeros
            for ($d = 0; $d < count($symbols); $d++) {
                if ($r === $residue) {
                    $found[] = [count($symbols) - 1 - $d, $e];
                }
                $r = self::polymod([0], $r);
            }
        }
        if (count($found) !== 1) {
            return 'no single symbol suspected';
        }
        [$i, $e] = $found[0];
        return sprintf('symbol %d should probably be %s', $i + 1, self::ALPHABET[$symbols[$i] ^ $e]);
    }

    /** 2.2: 5 bits per symbol, most significant first; leftover bits must be zero. */
    private static function unpack(array $values): string
    {
        [$acc, $bits, $out] = [0, 0, ''];
        foreach ($values as $v) {
            $acc = (($acc << 5) | $v) & 0xfff;
            $bits += 5;
            if ($bits >= 8) {
                $bits -= 8;
                $out .= chr(($acc >> $bits) & 0xff);
            }
        }
        if (($acc & ((1 << $bits) - 1)) !== 0) {
            throw new KeyError('non-canonical');
        }
        return $out;
    }

    /** 5.2 and 5.3: the claims, rejecting every non-canonical or invalid form. */
    private static function decodeClaims(string $p, int $kind): array
    {
        $r = new ClaimsReader($p);
        $serial = $r->raw(8);
        if (ord($serial[0]) & 0xf0) {
            throw new KeyError('malformed-claims', 'serial over 60 bits');
        }
        $tier = $r->u8();
        $presence = $r->u8();
        if ($tier > 4 || $presence & 0x80) {
            throw new KeyError('malformed-claims', 'tier or reserved presence bit');
        }
        $entitlements = $r->varint(5);
        $owner = $r->bytes();
        if (strlen($owner) < 1 || strlen($owner) > self::MAX_OWNER_LEN || !preg_match('//u', $owner)
            || preg_match(self::OWNER_UNSAFE, $owner)) {
            throw new KeyError('malformed-claims', 'owner');
        }
        $issued = $r->varint(5);
        $z = $r->varint(5);
        $notBefore = $issued + (($z >> 1) ^ -($z & 1)); // zigzag(i32)
        if ($notBefore < 0) {
            throw new KeyError('malformed-claims', 'not_before before 1970');
        }
        $c = [
            'serial' => bin2hex($serial),
            'short_id' => self::shortId($serial),
            'kind' => self::KINDS[$kind],
            'tier' => self::TIERS[$tier],
            'owner' => $owner,
            'issued_at' => $issued * 60,
            'not_before' => $notBefore * 60,
            'expires_at' => null,
            'instance' => null,
            'entitlements' => array_values(array_filter(self::ENTITLEMENTS, fn ($bit) => ($entitlements >> $bit) & 1, ARRAY_FILTER_USE_KEY)),
            'entitlement_bits' => $entitlements,
            'glpi_versions' => null,
            'max_assets' => null,
            'entity' => null,
            'supersedes' => null,
            'extensions' => [],
        ];
        if ($presence & 1) {
            $validity = $r->varint(5);
            if ($validity === 0) {
                throw new KeyError('malformed-claims', 'empty validity');
            }
            $c['expires_at'] = ($notBefore + $validity) * 60;
        }
        if ($presence & 2) {
            $c['instance'] = self::uuidText($r->raw(16));
        }
        if ($presence & 4) {
            [$a, $b, $x, $y] = array_map('ord', str_split($r->raw(4)));
            if ([$a, $b] > [$x, $y]) {
                throw new KeyError('malformed-claims', 'inverted GLPI version range');
            }
            $c['glpi_versions'] = ['min' => "$a.$b", 'max' => "$x.$y"];
        }
        if ($presence & 8) {
            $c['max_assets'] = $r->varint(5);
        }
        if ($presence & 16) {
            if ($kind !== 2) {
                throw new KeyError('malformed-claims', 'entity on an instance key');
            }
            $c['entity'] = $r->varint(5);
        }
        if ($presence & 32) {
            $s = $r->raw(8);
            if (ord($s[0]) & 0xf0) {
                throw new KeyError('malformed-claims', 'supersedes over 60 bits');
            }
            $c['supersedes'] = bin2hex($s);
        }
        if ($presence & 64) {
            $c['extensions'] = self::extensions($r->bytes());
        }
        if (!$r->atEnd()) {
            throw new KeyError('malformed-claims', 'trailing bytes');
        }
        return $c;
    }

    /** 5.4: sorted (tag, value) entries; an odd (critical) tag is unknown to version 1. */
    private static function extensions(string $block): array
    {
        if ($block === '' || strlen($block) > self::MAX_EXTENSIONS_LEN) {
            throw new KeyError('malformed-claims', 'extension block length');
        }
        $r = new ClaimsReader($block);
        [$out, $last] = [[], -1];
        while (!$r->atEnd()) {
            $tag = $r->varint(3, 0xffff);
            if ($tag <= $last || $tag % 2 === 1) {
                throw new KeyError('malformed-claims', "extension tag $tag");
            }
            $out[] = ['tag' => $tag, 'value_hex' => bin2hex($r->bytes())];
            $last = $tag;
        }
        return $out;
    }

    /** Section 8: GLPI- + 12 symbols of the serial + - + check over hrp "glpi-id". */
    private static function shortId(string $serial): string
    {
        $v = hexdec(bin2hex($serial));
        $symbols = [];
        for ($i = 11; $i >= 0; $i--) {
            $symbols[] = ($v >> (5 * $i)) & 31;
        }
        $p = self::polymod([...self::hrpExpand('glpi-id'), ...$symbols, 0, 0, 0, 0, 0, 0]) ^ self::BECH32M;
        $check = array_map(fn ($i) => ($p >> (5 * (5 - $i))) & 31, range(0, 5));
        $text = fn ($values) => implode('', array_map(fn ($x) => self::ALPHABET[$x], $values));
        return 'GLPI-' . $text($symbols) . '-' . $text($check);
    }

    private static function uuidText(string $b): string
    {
        $h = bin2hex($b);
        return implode('-', [substr($h, 0, 8), substr($h, 8, 4), substr($h, 12, 4), substr($h, 16, 4), substr($h, 20)]);
    }

    private static function uuidBytes(string $uuid): string
    {
        return strtolower(str_replace(['-', '{', '}'], '', $uuid));
    }

    /** "10.0" or "10.0.17" (the patch does not matter) to [major, minor]. */
    private static function versionTuple(string $v): array
    {
        if (!preg_match('/^(\d+)\.(\d+)(\.\d+)?$/', trim($v), $m)) {
            throw new InvalidArgumentException("not a GLPI version: $v");
        }
        return [(int) $m[1], (int) $m[2]];
    }
}

/** 5.1: postcard primitives over a byte string, refusing short input and non-minimal varints. */
final class ClaimsReader
{
    private int $at = 0;

    /** @param string $class the error class of a decoding failure */
    public function __construct(private readonly string $bytes, private readonly string $class = 'malformed-claims')
    {
    }

    /** A minimal LEB128 u64 (at most 10 bytes, the 10th at most 1), as 8 bytes big-endian. */
    public function varint64(): string
    {
        [$value, $shift] = [0, 0];
        for ($i = 0; $i < 10; $i++) {
            $b = $this->u8();
            $value |= ($b & 0x7f) << $shift; // PHP ints are 64-bit: bits past 63 are checked below
            $shift += 7;
            if (($b & 0x80) === 0) {
                if (($i > 0 && $b === 0) || ($i === 9 && $b > 1)) {
                    throw new KeyError($this->class, 'varint not minimal or over 64 bits');
                }
                return pack('J', $value);
            }
        }
        throw new KeyError($this->class, 'varint too long');
    }

    public function atEnd(): bool
    {
        return $this->at === strlen($this->bytes);
    }

    public function raw(int $n): string
    {
        if ($this->at + $n > strlen($this->bytes)) {
            throw new KeyError($this->class, 'truncated');
        }
        $out = substr($this->bytes, $this->at, $n);
        $this->at += $n;
        return $out;
    }

    public function u8(): int
    {
        return ord($this->raw(1));
    }

    /** Unsigned LEB128 of at most $maxBytes bytes and at most $max, in its shortest form. */
    public function varint(int $maxBytes, int $max = 0xffffffff): int
    {
        [$value, $shift] = [0, 0];
        for ($i = 0; $i < $maxBytes; $i++) {
            $b = $this->u8();
            $value |= ($b & 0x7f) << $shift;
            $shift += 7;
            if (($b & 0x80) === 0) {
                if ($value > $max || ($i > 0 && $b === 0)) {
                    throw new KeyError($this->class, 'varint out of range or not minimal');
                }
                return $value;
            }
        }
        throw new KeyError($this->class, 'varint too long');
    }

    public function bytes(): string
    {
        return $this->raw($this->varint(5));
    }
}

/** --test: every vector, then the Ed25519 edge cases. Returns the number of disagreements. */
function run_tests(string $vectorsFile, ?string $speccheckFile): int
{
    $file = json_decode(file_get_contents($vectorsFile), true, 512, JSON_THROW_ON_ERROR);
    $verifier = new ReferenceVerifier(array_map(fn ($t) => hex2bin($t['public_key_hex']), $file['trust']));
    foreach ($file['trust'] as $t) {
        if (ReferenceVerifier::keyId(hex2bin($t['public_key_hex'])) !== $t['key_id']) {
            fwrite(STDERR, "FAIL key id of {$t['public_key_hex']}\n");
            return 1;
        }
    }
    [$bad, $agreed] = [0, 0];
    foreach ($file['vectors'] as $v) {
        try {
            $claims = $verifier->verify($v['key'], $v['now'], $v['kind'], $v['instance'], $v['glpi_version']);
            $got = 'valid';
        } catch (KeyError $e) {
            [$claims, $got] = [null, $e->class];
        }
        $ok = $got === $v['expect'];
        foreach ($ok && $claims !== null ? $v['claims'] : [] as $field => $want) {
            if ($claims[$field] !== $want) {
                $ok = false;
                fwrite(STDERR, "FAIL {$v['name']}: $field = " . json_encode($claims[$field]) . ', expected ' . json_encode($want) . "\n");
            }
        }
        if ($got !== $v['expect']) {
            fwrite(STDERR, "FAIL {$v['name']}: expected {$v['expect']}, got " . ($e ?? null)?->getMessage() . "\n");
        }
        $ok ? $agreed++ : $bad++;
        unset($e);
    }
    printf("PHP reference: %d/%d vectors agree\n", $agreed, count($file['vectors']));
    if ($speccheckFile !== null) {
        // Section 6: strict verification accepts only case 3 of the 12 (counting from 0).
        $cases = json_decode(file_get_contents($speccheckFile), true, 512, JSON_THROW_ON_ERROR);
        $accepted = [];
        foreach ($cases as $i => $case) {
            try {
                $ok = sodium_crypto_sign_verify_detached(hex2bin($case['signature']), hex2bin($case['message']), hex2bin($case['pub_key']));
            } catch (SodiumException) {
                $ok = false;
            }
            if ($ok) {
                $accepted[] = $i;
            }
        }
        $match = count($cases) === 12 && $accepted === [3];
        printf("PHP reference: ed25519-speccheck, libsodium accepts cases [%s] of %d (expected [3]): %s\n", implode(', ', $accepted), count($cases), $match ? 'agree' : 'DISAGREE');
        $bad += $match ? 0 : 1;
    }
    return $bad;
}

/** --test-policy: the vectors of policy.json (windows, grace, tolerance, lists, clock, bytes). */
function run_policy_tests(string $policyFile): int
{
    $file = json_decode(file_get_contents($policyFile), true, 512, JSON_THROW_ON_ERROR);
    $dir = dirname($policyFile);
    $keys = array_map(fn ($t) => hex2bin($t['public_key_hex']), $file['trust']);
    [$bad, $agreed] = [0, 0];
    foreach ($file['vectors'] as $v) {
        $window = [$v['issuer_window']['valid_from'] ?? null, $v['issuer_window']['valid_until'] ?? null];
        $verifier = new ReferenceVerifier($keys, $window);
        $status = null;
        try {
            switch ($v['check']) {
                case 'clock': // REVOCATION.md 2.2
                    if ($v['clock_mark'] !== null && $v['now'] + $v['clock_tolerance_secs'] < $v['clock_mark']) {
                        throw new KeyError('clock-rollback');
                    }
                    break;
                case 'clock-file': // REVOCATION.md 2.2: exactly the canonical line
                    $bytes = hex2bin($v['file_hex']);
                    $ok = preg_match('/\Aglpi-key-clock v1 (0|[1-9][0-9]{0,19}) ([0-9a-f]{16})\n\z/', $bytes, $m)
                        && (strlen($m[1]) < 20 || strcmp($m[1], '18446744073709551615') <= 0)
                        && bin2hex(substr(hash('sha512', "glpi-key-clock v1 {$m[1]}", true), 0, 8)) === $m[2];
                    if (!$ok) {
                        throw new KeyError('clock-file-corrupted');
                    }
                    break;
                case 'list':
                    $verifier->verifyList(file_get_contents("$dir/{$v['list']}"), str_ends_with($v['list'], '.glpirl'));
                    break;
                default:
                    $text = $v['key'] ?? hex2bin($v['key_hex']);
                    $policy = ['grace' => $v['grace_secs']];
                    if ($v['clock_tolerance_secs'] !== null) {
                        $policy['tolerance'] = $v['clock_tolerance_secs'];
                    }
                    if ($v['revocation_list'] !== null) {
                        $list = (new ReferenceVerifier($keys))->verifyList(file_get_contents("$dir/{$v['revocation_list']}"), str_ends_with($v['revocation_list'], '.glpirl'));
                        $policy['revoked'] = $list['serials'];
                    }
                    $status = $verifier->verify($text, $v['now'], null, null, null, $policy)['status'];
            }
            $got = 'valid';
        } catch (KeyError $e) {
            $got = $e->class;
        }
        $ok = $got === $v['expect'] && ($status === null || $status === $v['status']);
        if (!$ok) {
            fwrite(STDERR, "FAIL policy {$v['name']}: expected {$v['expect']}" . (isset($v['status']) ? "/{$v['status']}" : '') . ", got $got" . ($status !== null ? "/$status" : '') . "\n");
        }
        $ok ? $agreed++ : $bad++;
    }
    printf("PHP reference: %d/%d policy vectors agree\n", $agreed, count($file['vectors']));
    return $bad;
}

/** --test-lists: the revocation list vectors (revocation/vectors.txt, tab-separated). */
function run_list_tests(string $manifest): int
{
    $dir = dirname($manifest);
    $lines = file($manifest, FILE_IGNORE_NEW_LINES);
    $trust = null;
    foreach ($lines as $line) {
        if (str_starts_with($line, '# trust ')) {
            $trust = hex2bin(trim(substr($line, 8)));
        }
    }
    $verifier = new ReferenceVerifier([$trust]);
    [$bad, $agreed] = [0, 0];
    foreach ($lines as $line) {
        if ($line === '' || $line[0] === '#') {
            continue;
        }
        [$name, $kind, $file, $installed, $now, $expect] = explode("\t", $line);
        $read = fn ($f) => $verifier->verifyList(file_get_contents("$dir/$f"), str_ends_with($f, '.glpirl'));
        try {
            if ($kind === 'list') {
                $list = $read($file);
                // 1.8: a lower sequence than the installed one is a rollback.
                if ($installed !== '-' && strcmp($list['sequence'], pack('J', (int) $installed)) < 0) {
                    throw new KeyError('revocation-list-rollback');
                }
            } else {
                $revoked = $read($installed)['serials'];
                $verifier->verify(trim(file_get_contents("$dir/$file")), (int) $now, null, null, null, ['revoked' => $revoked]);
            }
            $got = 'valid';
        } catch (KeyError $e) {
            $got = $e->class;
        }
        if ($got !== $expect) {
            fwrite(STDERR, "FAIL list $name: expected $expect, got $got\n");
        }
        $got === $expect ? $agreed++ : $bad++;
    }
    printf("PHP reference: %d/%d revocation vectors agree\n", $agreed, $agreed + $bad);
    return $bad;
}

if (PHP_SAPI === 'cli' && realpath($argv[0] ?? '') === __FILE__) {
    if (($argv[1] ?? '') === '--test' && isset($argv[2])) {
        exit(run_tests($argv[2], $argv[3] ?? null) === 0 ? 0 : 1);
    }
    if (($argv[1] ?? '') === '--test-policy' && isset($argv[2])) {
        exit(run_policy_tests($argv[2]) === 0 ? 0 : 1);
    }
    if (($argv[1] ?? '') === '--test-lists' && isset($argv[2])) {
        exit(run_list_tests($argv[2]) === 0 ? 0 : 1);
    }
    if (count($argv) < 3) {
        fwrite(STDERR, "usage: php verify.php <issuer-public-key-hex> <key-text> [now]\n       php verify.php --test <keys.json> [<ed25519-speccheck.json>]\n");
        exit(2);
    }
    try {
        $claims = (new ReferenceVerifier([hex2bin($argv[1])]))->verify($argv[2], (int) ($argv[3] ?? time()));
        echo json_encode(['expect' => 'valid', 'claims' => $claims], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
    } catch (KeyError $e) {
        echo json_encode(['expect' => $e->class, 'detail' => $e->getMessage()], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
        exit(1);
    }
}

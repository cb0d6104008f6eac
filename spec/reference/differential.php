<?php
/**
 * Differential test: the reference verifier (verify.php, from the spec alone) against the Rust
 * crate (through the C library and examples/php/GlpiKey.php) on thousands of mutated keys that
 * the test issuer re-signs, so the mutations reach the header and claims decoders instead of
 * stopping at the check symbols or the signature. Both must report the same error class.
 *
 * Usage: php -d ffi.enable=1 differential.php <libglpi_key_ffi.so> <keys.json> [count] [seed]
 */
declare(strict_types=1);
require __DIR__ . '/verify.php';
require __DIR__ . '/../../examples/php/GlpiKey.php';

[$library, $vectorsFile] = [$argv[1] ?? null, $argv[2] ?? null];
if ($library === null || $vectorsFile === null) {
    fwrite(STDERR, "usage: php -d ffi.enable=1 differential.php <libglpi_key_ffi.so> <keys.json> [count] [seed]\n");
    exit(2);
}
$count = (int) ($argv[3] ?? 3000);
mt_srand((int) ($argv[4] ?? 1));
$file = json_decode(file_get_contents($vectorsFile), true, 512, JSON_THROW_ON_ERROR);
$publicKeys = array_map(fn ($t) => hex2bin($t['public_key_hex']), $file['trust']);
$reference = new ReferenceVerifier($publicKeys);
$rust = new GlpiKey($publicKeys, $library);
$secret = sodium_crypto_sign_secretkey(sodium_crypto_sign_seed_keypair(hex2bin($file['test_issuer_secret_key_hex'])));

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TAGS = [1 => 'glpi-key/v1/instance-registration', 2 => 'glpi-key/v1/agent-enrollment', 3 => 'glpi-key/v1/revocation-list'];

/** Encodes a body as canonical key text (section 2: base32, zero padding, bech32m check). */
function key_text(string $body): string
{
    [$acc, $bits, $symbols] = [0, 0, []];
    foreach (str_split($body) as $byte) {
        $acc = (($acc << 8) | ord($byte)) & 0xfff;
        for ($bits += 8; $bits >= 5; $bits -= 5) {
            $symbols[] = ($acc >> ($bits - 5)) & 31;
        }
    }
    if ($bits > 0) {
        $symbols[] = ($acc << (5 - $bits)) & 31;
    }
    $polymod = function (array $values): int {
        $gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        $c = 1;
        foreach ($values as $v) {
            $top = $c >> 25;
            $c = (($c & 0x1ffffff) << 5) ^ $v;
            for ($i = 0; $i < 5; $i++) {
                $c ^= (($top >> $i) & 1) ? $gen[$i] : 0;
            }
        }
        return $c;
    };
    $hrp = [3, 3, 3, 3, 0, 7, 12, 16, 9]; // "glpi" expanded (2.4)
    $p = $polymod([...$hrp, ...$symbols, 0, 0, 0, 0, 0, 0]) ^ 0x2bc830a3;
    $check = array_map(fn ($i) => ($p >> (5 * (5 - $i))) & 31, range(0, 5));
    $text = fn ($vs) => implode('', array_map(fn ($v) => ALPHABET[$v], $vs));
    return 'GLPI-' . $text($symbols) . '-' . $text($check);
}

/** Decodes canonical key text back to its body (the vectors' valid keys). */
function key_body(string $text): string
{
    $clean = strtr(strtoupper(preg_replace('/[-\s"\'`<>]/', '', $text)), 'OIL', '011');
    $symbols = array_map(fn ($c) => strpos(ALPHABET, $c), str_split(substr($clean, 4)));
    $symbols = array_slice($symbols, 0, -6);
    [$acc, $bits, $out] = [0, 0, ''];
    foreach ($symbols as $v) {
        $acc = (($acc << 5) | $v) & 0xfff;
        if (($bits += 5) >= 8) {
            $out .= chr(($acc >> ($bits -= 8)) & 0xff);
        }
    }
    return $out;
}

function mutate(string $payload): string
{
    $n = strlen($payload);
    $at = mt_rand(0, max(0, $n - 1));
    switch (mt_rand(0, 6)) {
        case 0: // flip one bit
            $payload[$at] = chr(ord($payload[$at]) ^ (1 << mt_rand(0, 7)));
            return $payload;
        case 1: // replace a byte
            $payload[$at] = chr(mt_rand(0, 255));
            return $payload;
        case 2: // insert a byte
            return substr($payload, 0, $at) . chr(mt_rand(0, 255)) . substr($payload, $at);
        case 3: // delete a byte
            return substr($payload, 0, $at) . substr($payload, $at + 1);
        case 4: // set the presence byte (offset 9) to random bits
            $payload[9] = chr(mt_rand(0, 255));
            return $payload;
        case 5: // append bytes
            return $payload . random_bytes(mt_rand(1, 3));
        default: // a byte at a field boundary-prone value
            $payload[$at] = chr([0x00, 0x7f, 0x80, 0xff, 0x01][mt_rand(0, 4)]);
            return $payload;
    }
}

$seeds = array_values(array_filter($file['vectors'], fn ($v) => $v['expect'] === 'valid'));
[$agree, $classes, $disagreements] = [0, [], 0];
for ($i = 0; $i < $count; $i++) {
    $seed = $seeds[mt_rand(0, count($seeds) - 1)];
    $body = key_body($seed['key']);
    $header = substr($body, 0, 6);
    $payload = substr($body, 6, -64);
    for ($m = mt_rand(1, 3); $m > 0; $m--) {
        $payload = mutate($payload);
    }
    if (mt_rand(0, 9) === 0) { // now and then, the header's version or kind
        $header[mt_rand(0, 1)] = chr(mt_rand(0, 4));
    }
    $tag = TAGS[ord($header[1])] ?? TAGS[1];
    $signed = $header . $payload;
    $text = key_text($signed . sodium_crypto_sign_detached($tag . "\0" . $signed, $secret));
    // The C API requires a kind (there is no "any"): both verifiers get the seed key's own.
    $kind = $seed['kind'] ?? $seed['claims']['kind'];
    $args = [$text, $seed['now'], $kind, $seed['instance'], $seed['glpi_version']];
    try {
        $refClaims = $reference->verify(...$args);
        $ref = 'valid';
    } catch (KeyError $e) {
        [$refClaims, $ref] = [null, $e->class];
    }
    // The reference checks a binding only against a given instance (spec/FORMAT.md); the C API
    // refuses a bound key without one unless told not to check: say so, as the reference does.
    $result = $rust->verify($text, $kind, $seed['now'], $seed['instance'], $seed['glpi_version'], insecureSkipInstanceBinding: $seed['instance'] === null);
    $got = $result['status'];
    $classes[$got] = ($classes[$got] ?? 0) + 1;
    if ($ref === 'valid' && $got === 'valid') {
        // Same claims too (the C API does not expose extension blocks).
        // The reference's `status` (active or in grace) is a verdict, not a claim.
        unset($refClaims['extensions'], $refClaims['status']);
        $got = array_intersect_key($result['claims'], $refClaims) === $refClaims ? 'valid' : 'valid, other claims';
    }
    if ($ref === $got) {
        $agree++;
    } elseif (++$disagreements <= 10) {
        fwrite(STDERR, "DISAGREE on $text: reference $ref, Rust $got\n");
    }
}
ksort($classes);
printf("differential: %d/%d mutated, re-signed keys get the same class from the reference and the Rust crate\n", $agree, $count);
echo '  classes seen: ', json_encode($classes), "\n";
exit($agree === $count ? 0 : 1);

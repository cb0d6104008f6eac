<?php
/**
 * Runs every vector of spec/vectors/keys.json through GlpiKey (the C library over FFI) and checks
 * the outcome, and for valid keys every claim, then a few bad inputs. Exits 1 on any mismatch.
 *
 * Usage: php -d ffi.enable=1 examples/php/test.php <libglpi_key_ffi.so> [keys.json]
 */
declare(strict_types=1);
require __DIR__ . '/GlpiKey.php';

$library = $argv[1] ?? exit("usage: php test.php <libglpi_key_ffi.so> [keys.json]\n");
$file = json_decode(file_get_contents($argv[2] ?? __DIR__ . '/../../spec/vectors/keys.json'), true, 512, JSON_THROW_ON_ERROR);
$verifier = new GlpiKey(array_map(fn ($t) => hex2bin($t['public_key_hex']), $file['trust']), $library);

$failures = 0;
$fail = function (string $what) use (&$failures): void {
    $failures++;
    fwrite(STDERR, "FAIL $what\n");
};

$agreed = 0;
foreach ($file['vectors'] as $v) {
    $r = $verifier->verify($v['key'], $v['now'], $v['instance'], $v['glpi_version'], $v['kind']);
    $ok = $r['status'] === $v['expect'];
    if ($ok && $v['expect'] === 'valid') {
        foreach ($v['claims'] as $field => $expected) {
            if ($field === 'extensions') {
                continue; // the C API does not expose extension blocks (version 1 defines none)
            }
            if ($r['claims'][$field] !== $expected) {
                $ok = false;
                $fail("{$v['name']}: claim $field is " . json_encode($r['claims'][$field]) . ', expected ' . json_encode($expected));
            }
        }
    } elseif ($ok && $v['message'] !== null && $r['message'] !== $v['message']) {
        $ok = false;
        $fail("{$v['name']}: message '{$r['message']}', expected '{$v['message']}'");
    }
    if (!$ok && $r['status'] !== $v['expect']) {
        $fail("{$v['name']}: expected {$v['expect']}, got {$r['status']} ({$r['message']})");
    }
    $agreed += $ok ? 1 : 0;
}
printf("PHP (FFI): %d/%d vectors agree\n", $agreed, count($file['vectors']));

// Bad input at the boundary: never a crash, always a status and a message.
$now = $file['vectors'][0]['now'];
$cases = [
    ["GLPI-\xC3\x28", 'invalid-utf8'],
    ['', 'empty'],
    [str_repeat('A', 100000), 'too-long'],
    ["GLPI-\0\0", 'invalid-character'],
];
foreach ($cases as [$input, $expect]) {
    $r = $verifier->verify($input, $now);
    if ($r['status'] !== $expect || strlen((string) $r['message']) < 20) {
        $fail("bad input " . json_encode(substr(bin2hex($input), 0, 20)) . ": got {$r['status']}, expected $expect");
    }
}
// A typo gets a suggestion confirmed by the signature.
$key = $file['vectors'][0]['key'];
$typo = substr_replace($key, $key[10] === 'A' ? 'B' : 'A', 10, 1);
$r = $verifier->verify($typo, $now);
if ($r['status'] !== 'checksum' || $r['position'] !== 11 || $r['suggestion'] !== $key[10] || !$r['suggestion_confirmed']) {
    $fail('typo suggestion: ' . json_encode($r));
}
try {
    new GlpiKey([str_repeat("\0", 32)], $library);
    $fail('a weak trusted key was accepted');
} catch (RuntimeException $e) {
    if (!str_contains($e->getMessage(), 'small-order')) {
        $fail('weak key message: ' . $e->getMessage());
    }
}

// Cloning is refused before any copy exists (a copy would free the native verifier twice), and
// the original stays usable.
try {
    $copy = clone $verifier;
    $fail('cloning a GlpiKey was allowed');
} catch (\Error $e) {
    if (!str_contains($e->getMessage(), '__clone')) {
        $fail('clone refusal message: ' . $e->getMessage());
    }
}
unset($copy);
$r = $verifier->verify($file['vectors'][0]['key'], $now);
if ($r['status'] !== $file['vectors'][0]['expect']) {
    $fail('the verifier is unusable after a refused clone: ' . json_encode($r));
}
try {
    (new ReflectionClass(GlpiKey::class))->getMethod('__clone')->isPrivate() || $fail('__clone is not private');
} catch (ReflectionException $e) {
    $fail('GlpiKey has no __clone guard');
}

if ($failures > 0) {
    fwrite(STDERR, "PHP (FFI): $failures failure(s)\n");
    exit(1);
}
echo "PHP (FFI): all checks passed\n";

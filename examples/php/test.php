<?php
/**
 * Runs every vector of spec/vectors/keys.json through GlpiKey (the C library over FFI) and checks
 * the outcome, and for valid keys every claim, then a few bad inputs; then every step of every
 * scenario of spec/vectors/site-scenarios.json through GlpiKeySite on a site directory. Exits 1
 * on any mismatch.
 *
 * Usage: php -d ffi.enable=1 examples/php/test.php <libglpi_key_ffi.so> [keys.json] [site-scenarios.json]
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

/**
 * The kind to require: the vector's, else what the key says (the vectors' null is "any", which
 * the C API does not have): its claims, else the object kind byte of its header.
 */
function kind_for(array $v): string
{
    $kind = $v['kind'] ?? $v['claims']['kind'] ?? null;
    if ($kind !== null) {
        return $kind;
    }
    $at = stripos($v['key'], 'GLPI-');
    $symbols = $at === false ? '' : strtr(strtoupper(substr($v['key'], $at + 5)), ['O' => '0', 'I' => '1', 'L' => '1']);
    $bits = 0;
    $n = 0;
    foreach (str_split($symbols) as $c) {
        $value = strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', $c);
        if ($value !== false && $n < 4) {
            $bits = ($bits << 5) | $value;
            $n++;
        }
    }
    return $n === 4 && (($bits >> 4) & 0xff) === 2 ? 'agent-enrollment' : 'instance-registration';
}

// The vectors check no instance binding unless they give an instance: say so explicitly with the
// insecure option (without it, a bound key is refused: checked below).
$agreed = 0;
foreach ($file['vectors'] as $v) {
    $r = $verifier->verify($v['key'], kind_for($v), $v['now'], $v['instance'], $v['glpi_version'], insecureSkipInstanceBinding: $v['instance'] === null);
    $ok = $r['status'] === $v['expect'];
    if ($ok && $v['expect'] === 'valid') {
        $unchecked = $v['claims']['instance'] !== null && $v['instance'] === null;
        if ($r['warnings'] !== ($unchecked ? ['instance-not-checked'] : [])) {
            $ok = false;
            $fail("{$v['name']}: warnings " . json_encode($r['warnings']));
        }
    }
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

// A key bound to an instance: refused without one, accepted with the insecure option and its
// warning, accepted with its instance, and the option with an instance is refused.
$bound = 0;
foreach ($file['vectors'] as $v) {
    if ($v['expect'] !== 'valid' || $v['claims']['instance'] === null || $v['instance'] !== null) {
        continue;
    }
    $bound++;
    $kind = kind_for($v);
    $r = $verifier->verify($v['key'], $kind, $v['now'], glpiVersion: $v['glpi_version']);
    if ($r['status'] !== 'instance-required' || !str_contains((string) $r['message'], $v['claims']['instance'])) {
        $fail("{$v['name']} without instance: {$r['status']} ({$r['message']})");
    }
    $r = $verifier->verify($v['key'], $kind, $v['now'], glpiVersion: $v['glpi_version'], insecureSkipInstanceBinding: true);
    if ($r['status'] !== 'valid' || $r['warnings'] !== ['instance-not-checked'] || $r['claims']['instance'] !== $v['claims']['instance']) {
        $fail("{$v['name']} with insecureSkipInstanceBinding: " . json_encode($r));
    }
    $r = $verifier->verify($v['key'], $kind, $v['now'], $v['claims']['instance'], $v['glpi_version']);
    if ($r['status'] !== 'valid' || $r['warnings'] !== []) {
        $fail("{$v['name']} with its instance: " . json_encode($r));
    }
    $r = $verifier->verify($v['key'], $kind, $v['now'], $v['claims']['instance'], $v['glpi_version'], insecureSkipInstanceBinding: true);
    if ($r['status'] !== 'invalid-argument' || !str_contains((string) $r['message'], 'both given')) {
        $fail("{$v['name']} with instance and insecureSkipInstanceBinding: {$r['status']} ({$r['message']})");
    }
}
$bound >= 10 || $fail("only $bound bound valid vectors");
printf("PHP (FFI): %d bound keys refused without instance, accepted with insecureSkipInstanceBinding\n", $bound);

// Bad input at the boundary: never a crash, always a status and a message.
$now = $file['vectors'][0]['now'];
$cases = [
    ["GLPI-\xC3\x28", 'invalid-utf8'],
    ['', 'empty'],
    [str_repeat('A', 100000), 'too-long'],
    ["GLPI-\0\0", 'invalid-character'],
];
foreach ($cases as [$input, $expect]) {
    $r = $verifier->verify($input, 'instance-registration', $now);
    if ($r['status'] !== $expect || strlen((string) $r['message']) < 20) {
        $fail("bad input " . json_encode(substr(bin2hex($input), 0, 20)) . ": got {$r['status']}, expected $expect");
    }
}
// A typo gets a suggestion confirmed by the signature.
$key = $file['vectors'][0]['key'];
$typo = substr_replace($key, $key[10] === 'A' ? 'B' : 'A', 10, 1);
$r = $verifier->verify($typo, 'instance-registration', $now);
if ($r['status'] !== 'checksum' || $r['position'] !== 11 || $r['suggestion'] !== $key[10] || !$r['suggestion_confirmed']) {
    $fail('typo suggestion: ' . json_encode($r));
}
// The kind is required: there is no "any kind".
try {
    $verifier->verify($key, 'any', $now);
    $fail('the kind "any" was accepted');
} catch (InvalidArgumentException $e) {
    str_contains($e->getMessage(), 'instance-registration') || $fail('kind message: ' . $e->getMessage());
}
$r = $verifier->verify($key, 'agent-enrollment', $now);
$r['status'] === 'wrong-object-kind' || $fail('a registration key passed as an agent key: ' . json_encode($r));
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
$r = $verifier->verify($file['vectors'][0]['key'], 'instance-registration', $now, $file['vectors'][0]['claims']['instance']);
if ($r['status'] !== $file['vectors'][0]['expect']) {
    $fail('the verifier is unusable after a refused clone: ' . json_encode($r));
}
try {
    (new ReflectionClass(GlpiKey::class))->getMethod('__clone')->isPrivate() || $fail('__clone is not private');
} catch (ReflectionException $e) {
    $fail('GlpiKey has no __clone guard');
}

// ---- the site: every scenario of spec/vectors/site-scenarios.json on a directory ----
$doc = json_decode(file_get_contents($argv[3] ?? __DIR__ . '/../../spec/vectors/site-scenarios.json'), true, 512, JSON_THROW_ON_ERROR);
$issuer = fn (string $name): string => hex2bin($doc['issuers'][$name]);
$removeTree = function (string $dir) use (&$removeTree): void {
    foreach (is_dir($dir) && !is_link($dir) ? array_diff(scandir($dir), ['.', '..']) : [] as $entry) {
        $path = "$dir/$entry";
        is_dir($path) && !is_link($path) ? $removeTree($path) : unlink($path);
    }
    is_dir($dir) && rmdir($dir);
};
[$steps, $agreedSteps] = [0, 0];
foreach ($doc['scenarios'] as $scenario) {
    $base = sys_get_temp_dir() . '/glpi-php-site-' . getmypid() . '-' . $scenario['name'];
    $removeTree($base);
    $dir = "$base/site";
    mkdir($base, 0700);
    $trust = array_map(fn ($t) => [
        'public_key' => $issuer($t['issuer']),
        'valid_from' => $t['valid_from'],
        'valid_until' => $t['valid_until'],
        'distrusted_from' => $t['distrusted_from'],
    ], $scenario['site']['trust']);
    $site = GlpiKeySite::create($dir, $trust, $scenario['site']['grace_secs'], $scenario['site']['clock_tolerance_secs'], $library);
    $keyId = function (string $name) use (&$site, $doc): string {
        foreach ($site->status()['trusted_keys'] as $k) {
            if ($k['public_key_hex'] === $doc['issuers'][$name]) {
                return $k['key_id'];
            }
        }
        throw new RuntimeException("issuer $name is not trusted");
    };
    foreach ($scenario['steps'] as $i => $step) {
        $where = "{$scenario['name']} step " . ($i + 1);
        $steps++;
        $ok = false;
        switch ($step['op']) {
            case 'install':
                $r = $site->installRevocations($doc['lists'][$step['list']], $step['now']);
                $got = $r['installed'] ? ($r['new'] ? 'installed' : 'unchanged') : $r['status'];
                $ok = $got === $step['expect'];
                $ok || $fail("$where: install {$step['list']}: expected {$step['expect']}, got $got ({$r['message']})");
                break;
            case 'verify':
                $r = $site->verify($doc['keys'][$step['key']], $step['kind'], $step['instance'], $step['now'], $step['glpi'], $step['insecure_skip_instance']);
                $ok = $r['status'] === $step['expect'];
                if ($ok && $r['valid']) {
                    $ok = $r['warnings'] === $step['warnings'] && $r['claims']['tier'] === $step['tier'];
                }
                $ok || $fail("$where: verify {$step['key']}: expected {$step['expect']}, got {$r['status']} " . json_encode($r['warnings']) . " ({$r['message']})");
                break;
            case 'distrust':
                $ok = $site->distrust($keyId($step['issuer']), $step['from']) <= $step['from'];
                $ok || $fail("$where: distrust");
                break;
            case 'reopen':
                $site = null; // frees the handle
                $site = GlpiKeySite::open($dir, $library);
                $ok = true;
                break;
            case 'status':
                $st = $site->status();
                $sequences = [];
                foreach ($step['sequences'] as $name => $n) {
                    $sequences[$keyId($name)] = $n;
                }
                $got = [];
                foreach ($st['lists'] as $l) {
                    $got[$l['issuer_key_id']] = $l['sequence'];
                }
                ksort($sequences);
                ksort($got);
                $ok = $st['clock_mark'] === $step['mark'] && $got === $sequences
                    && array_column($st['superseded'], 'serial') === $step['superseded'];
                $ok || $fail("$where: status " . json_encode($st));
                break;
            default:
                $fail("$where: unknown op {$step['op']}");
        }
        $agreedSteps += $ok ? 1 : 0;
    }
    $site = null;
    $removeTree($base);
}
printf("PHP (FFI): %d/%d site scenario steps agree\n", $agreedSteps, $steps);
$steps >= 60 || $fail("only $steps site scenario steps");

// A damaged site is an exception naming the status, never a reset; a site is never overwritten.
$base = sys_get_temp_dir() . '/glpi-php-site-' . getmypid() . '-damaged';
$removeTree($base);
mkdir($base, 0700);
$site = GlpiKeySite::create("$base/site", [$issuer('B')], 0, 600, $library);
try {
    GlpiKeySite::create("$base/site", [$issuer('B')], 0, 600, $library);
    $fail('a site was created over another');
} catch (GlpiKeySiteException $e) {
    $e->status === 'site-exists' || $fail('site exists: ' . $e->getMessage());
}
$state = file_get_contents("$base/site/state");
file_put_contents("$base/site/state", substr($state, 0, -1) . chr(ord($state[-1]) ^ 1));
try {
    GlpiKeySite::open("$base/site", $library);
    $fail('a damaged site opened');
} catch (GlpiKeySiteException $e) {
    $e->status === 'site-state-corrupted' || $fail('damaged site: ' . $e->getMessage());
}
$r = $site->verify($doc['keys']['good'], 'instance-registration', null, 1814400000);
$r['status'] === 'site-state-corrupted' || $fail('verify on a damaged site: ' . json_encode($r));
try {
    $copy = clone $site;
    $fail('cloning a GlpiKeySite was allowed');
} catch (\Error $e) {
    str_contains($e->getMessage(), '__clone') || $fail('site clone refusal: ' . $e->getMessage());
}
unset($copy);
$site = null;
$removeTree($base);

if ($failures > 0) {
    fwrite(STDERR, "PHP (FFI): $failures failure(s)\n");
    exit(1);
}
echo "PHP (FFI): all checks passed\n";

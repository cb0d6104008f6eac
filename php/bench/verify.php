<?php

/**
 * Benchmark: the package's full verification of the typical key (text to License) against raw
 * sodium_crypto_sign_verify_detached over the same signed bytes, interleaved in one run, so
 * that the ratio holds whatever the machine's load. Optionally the Rust core on the same key
 * (the differential generator's `bench` mode, when built).
 *
 *   php php/bench/verify.php [ROUNDS] [PER_ROUND]
 *
 * Prints the median time per operation of each and the ratio. Not run by CI (timings are not
 * tests); the figures in php/README.md come from it.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use GlpiKey\TrustStore;
use GlpiKey\UnverifiedKey;
use GlpiKey\VerifyOptions;

$rounds = (int) ($argv[1] ?? 60);
$perRound = (int) ($argv[2] ?? 200);
$root = __DIR__ . '/../..';
$text = trim((string) file_get_contents("$root/spec/vectors/sample-standard.key"));
$trust = TrustStore::fromHex(trim((string) file_get_contents("$root/spec/vectors/test-issuer.pub.hex")));
$options = VerifyOptions::at(1_811_808_000);

// The same bytes the package verifies: signing input and signature of the sample key.
$body = UnverifiedKey::parse($text)->bytes();
$message = 'glpi-key/v1/instance-registration' . "\0" . substr($body, 0, -64);
$signature = substr($body, -64);
$publicKey = $trust->keys()[0]->publicKey;
if (!sodium_crypto_sign_verify_detached($signature, $message, $publicKey)) {
    exit("the sample key's signature does not verify\n");
}

$parsed = UnverifiedKey::parse($text);
$cases = [
    'raw sodium_crypto_sign_verify_detached' => static function () use ($signature, $message, $publicKey): void {
        sodium_crypto_sign_verify_detached($signature, $message, $publicKey);
    },
    'full verification from text (parse + verify)' => static function () use ($text, $trust, $options): void {
        UnverifiedKey::parse($text)->verify($trust, $options);
    },
    'parse only (text, check, envelope)' => static function () use ($text): void {
        UnverifiedKey::parse($text);
    },
    'verify only (signature, claims, checks)' => static function () use ($parsed, $trust, $options): void {
        $parsed->verify($trust, $options);
    },
];
// Wall time per round, and CPU time (user + system) per round: on a shared machine the CPU
// time is what the process itself spent, whoever else was running.
$cpu = static function (): float {
    $u = getrusage();
    return $u['ru_utime.tv_sec'] * 1e6 + $u['ru_utime.tv_usec'] + $u['ru_stime.tv_sec'] * 1e6 + $u['ru_stime.tv_usec'];
};
$samples = array_fill_keys(array_keys($cases), []);
$cpuSamples = array_fill_keys(array_keys($cases), []);
for ($r = 0; $r < $rounds; $r++) {
    foreach ($cases as $name => $f) {
        $c = $cpu();
        $t = hrtime(true);
        for ($i = 0; $i < $perRound; $i++) {
            $f();
        }
        $samples[$name][] = (hrtime(true) - $t) / $perRound / 1000;
        $cpuSamples[$name][] = ($cpu() - $c) / $perRound;
    }
}
$median = static function (array $xs): float {
    sort($xs);
    $n = count($xs);
    return $n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
};
$rawName = 'raw sodium_crypto_sign_verify_detached';
$raw = $median($samples[$rawName]);
$rawMin = min($samples[$rawName]);
$rawCpu = array_sum($cpuSamples[$rawName]);
printf("PHP %s, libsodium %s, key of %d characters, %d interleaved rounds of %d\n", PHP_VERSION, SODIUM_LIBRARY_VERSION, strlen($text), $rounds, $perRound);
printf("  %-46s %21s %21s %19s\n", '', 'wall, median of rounds', 'wall, fastest round', 'CPU time, all rounds');
foreach ($samples as $name => $xs) {
    $m = $median($xs);
    $min = min($xs);
    $c = array_sum($cpuSamples[$name]) / count($cpuSamples[$name]);
    printf("  %-46s %8.2f us (%.3f x) %8.2f us (%.3f x) %7.2f us (%.3f x)\n", $name, $m, $m / $raw, $min, $min / $rawMin, $c, array_sum($cpuSamples[$name]) / $rawCpu);
}
$rust = "$root/php/differential/target/release/glpi-key-php-differential";
if (is_executable($rust)) {
    $out = shell_exec(escapeshellarg($rust) . ' bench ' . escapeshellarg($text) . ' ' . escapeshellarg(bin2hex($publicKey)) . ' 2>&1');
    echo '  Rust core (same key, same machine, run after): ', trim((string) $out), "\n";
}

<?php

/**
 * Benchmark: the package's full verification of the typical key (text to License) against raw
 * sodium_crypto_sign_verify_detached over the same signed bytes, interleaved in one run, so
 * that the ratio holds whatever the machine's load. Optionally the Rust core on the same key
 * (the differential generator's `bench` mode, when built).
 *
 *   php php/bench/verify.php [ROUNDS] [PER_ROUND] [--stages]
 *   php -d opcache.enable_cli=1 php/bench/verify.php ...                         (as PHP-FPM runs)
 *   php -d opcache.enable_cli=1 -d opcache.jit=tracing -d opcache.jit_buffer_size=64M php/bench/verify.php ...
 *
 * Every round runs each case PER_ROUND times, one case after the other, and the ratio of a
 * case is taken within each round (its time over raw sodium's in the same round); the figure
 * printed is the median of those per-round ratios, which a load that changes between rounds
 * does not move. Also printed: the median wall time per operation and the CPU time the process
 * itself spent (user + system) over all rounds. `--stages` adds the stages of a verification
 * measured apart (their sum is a little below the whole: the whole also pays for evicting
 * libsodium's data from the CPU cache).
 *
 * Not run by CI (timings are not tests); the figures in php/README.md come from it.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use GlpiKey\Crypto\StrictEd25519;
use GlpiKey\KeyKind;
use GlpiKey\Text\Scan;
use GlpiKey\TrustStore;
use GlpiKey\UnverifiedKey;
use GlpiKey\VerifyOptions;
use GlpiKey\Wire\ClaimsDecoder;
use GlpiKey\Wire\Envelope;

$args = array_values(array_filter(array_slice($argv, 1), static fn (string $a): bool => $a !== '--stages'));
$stages = in_array('--stages', $argv, true);
$rounds = (int) ($args[0] ?? 60);
$perRound = (int) ($args[1] ?? 200);
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
$rawName = 'raw sodium_crypto_sign_verify_detached';
$cases = [
    $rawName => static function () use ($signature, $message, $publicKey): void {
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
if ($stages) {
    $scan = Scan::read($text, UnverifiedKey::MAX_SYMBOLS);
    $envelope = Envelope::split($body);
    $claims = ClaimsDecoder::decode(KeyKind::InstanceRegistration, $envelope->payload);
    $issuer = $trust->keys()[0];
    $cases += [
        '  stage: read the text (Scan::read)' => static function () use ($text): void {
            Scan::read($text, UnverifiedKey::MAX_SYMBOLS);
        },
        '  stage: check and base32 (Scan::decode)' => static function () use ($scan): void {
            $scan->decode(UnverifiedKey::HRP, UnverifiedKey::MIN_BODY_LEN, UnverifiedKey::MAX_BODY_LEN);
        },
        '  stage: envelope (Envelope::split)' => static function () use ($body): void {
            Envelope::split($body);
        },
        '  stage: strict Ed25519 (checks + sodium)' => static function () use ($signature, $message, $publicKey): void {
            StrictEd25519::verify($signature, $message, $publicKey);
        },
        '  stage: claims (ClaimsDecoder::decode)' => static function () use ($envelope): void {
            ClaimsDecoder::decode(KeyKind::InstanceRegistration, $envelope->payload);
        },
        '  stage: policy (checkClaims)' => static function () use ($claims, $issuer, $options): void {
            UnverifiedKey::checkClaims($claims, $issuer, $options);
        },
    ];
}
// Wall time per round, and CPU time (user + system) per round: on a shared machine the CPU
// time is what the process itself spent, whoever else was running.
$cpu = static function (): float {
    $u = getrusage();
    return $u['ru_utime.tv_sec'] * 1e6 + $u['ru_utime.tv_usec'] + $u['ru_stime.tv_sec'] * 1e6 + $u['ru_stime.tv_usec'];
};
foreach ($cases as $f) {
    for ($i = 0; $i < 50; $i++) {
        $f(); // warm up (and, with the JIT, compile)
    }
}
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
$raw = $samples[$rawName];
$rawCpu = array_sum($cpuSamples[$rawName]);
$opcache = function_exists('opcache_get_status') && is_array($status = opcache_get_status(false)) && ($status['opcache_enabled'] ?? false);
$jit = $opcache && ($status['jit']['on'] ?? false);
printf(
    "PHP %s, libsodium %s, OPcache %s, JIT %s; key of %d characters, %d interleaved rounds of %d\n",
    PHP_VERSION,
    SODIUM_LIBRARY_VERSION,
    $opcache ? 'on' : 'off',
    $jit ? 'on (' . ini_get('opcache.jit') . ')' : 'off',
    strlen($text),
    $rounds,
    $perRound,
);
printf("  %-46s %21s %19s %19s\n", '', 'ratio, median of rounds', 'wall, median', 'CPU time, all rounds');
foreach ($samples as $name => $xs) {
    $ratios = array_map(static fn (float $x, float $r): float => $x / $r, $xs, $raw);
    printf(
        "  %-46s %16.3f x %11.2f us %11.2f us (%.3f x)\n",
        $name,
        $median($ratios),
        $median($xs),
        array_sum($cpuSamples[$name]) / count($cpuSamples[$name]),
        array_sum($cpuSamples[$name]) / $rawCpu,
    );
}
$rust = "$root/php/differential/target/release/glpi-key-php-differential";
if (is_executable($rust)) {
    $out = shell_exec(escapeshellarg($rust) . ' bench ' . escapeshellarg($text) . ' ' . escapeshellarg(bin2hex($publicKey)) . ' 2>&1');
    echo '  Rust core (same key, same machine, run after): ', trim((string) $out), "\n";
}

<?php

/**
 * Differential test, PHP side: reads the JSON lines of the Rust generator
 * (php/differential/src/main.rs) on stdin, verifies every key and list with the PHP package
 * and compares the verdict with the Rust core's: the same class, the same administrator's
 * message, and for valid objects the same claims (or list contents), field by field.
 *
 *   glpi-key-php-differential 100000 1 | php php/differential/run.php [--allow=KIND,...]
 *                                        [--reference=spec/reference/verify.php] [--show=N]
 *                                        [--progress=N]  (a line on stderr every N cases)
 *
 * Divergences are grouped by kind (object type, Rust class -> PHP class and reason). The exit
 * status is 1 when a divergence of a kind not named in --allow is found.
 *
 * Known kind (spec/FORMAT.md section 5.1, one byte form; issue 14):
 *   extension-varints  the core accepts non-minimal varints inside the extension block
 *                      (`82 00 00`, `02 80 00`); the package refuses them (malformed-claims).
 *
 * --reference compares spec/reference/verify.php instead (class only, keys only, and only
 * cases within what the reference implements: no list, grace or clock tolerance, and issuer
 * windows left aside). It finds the reference's divergences, such as its 84-byte minimum body.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use GlpiKey\GlpiVersion;
use GlpiKey\InstanceId;
use GlpiKey\KeyKind;
use GlpiKey\License;
use GlpiKey\RevocationList;
use GlpiKey\TrustedKey;
use GlpiKey\TrustStore;
use GlpiKey\Unsigned;
use GlpiKey\UnverifiedKey;
use GlpiKey\UnverifiedRevocationList;
use GlpiKey\VerificationException;
use GlpiKey\VerifyOptions;

/** A u64 in decimal as PHP's int holds it (two's complement above 2^63). */
function u64(string $decimal): int
{
    $hi = 0;
    $lo = 0;
    foreach (str_split($decimal) as $digit) {
        $lo = $lo * 10 + (int) $digit;
        $hi = ($hi * 10 + ($lo >> 32)) & 0xffffffff;
        $lo &= 0xffffffff;
    }
    return ($hi << 32) | $lo;
}

/** Arrays with their keys sorted, at every level (serde_json writes objects sorted). */
function canonical(mixed $v): mixed
{
    if (!is_array($v)) {
        return $v;
    }
    if (!array_is_list($v)) {
        ksort($v);
    }
    return array_map('canonical', $v);
}

/** @return array<string, mixed> */
function licenseJson(License $l): array
{
    $json = $l->claims->toArray();
    $json['issuer'] = $l->issuerKeyId;
    $json['status'] = $l->status->inGrace ? ['expired_at' => $l->status->expiredAt, 'until' => $l->status->graceUntil] : 'active';
    return $json;
}

/** @return array<string, mixed> */
function listJson(RevocationList $l): array
{
    return [
        'issuer' => $l->issuerKeyId,
        'sequence' => Unsigned::toString($l->sequence),
        'issued_at' => Unsigned::toString($l->issuedAt),
        'next_update' => $l->nextUpdate === null ? null : Unsigned::toString($l->nextUpdate),
        'serials_hex' => implode('', array_map(static fn ($s): string => $s->hex(), $l->serials())),
    ];
}

/**
 * @param array<string, mixed> $c
 * @return array{string, ?string, mixed, string} class, message, value, PHP reason
 */
function verdict(array $c, TrustStore $trust): array
{
    try {
        if ($c['type'] === 'key') {
            $options = VerifyOptions::at($c['now'])->withGraceSecs($c['grace']);
            if ($c['kind'] !== null) {
                $options = $options->withKind(KeyKind::from($c['kind']));
            }
            if ($c['instance'] !== null) {
                $options = $options->withInstance(InstanceId::parse($c['instance']));
            }
            if ($c['glpi_version'] !== null) {
                $options = $options->withGlpiVersion(GlpiVersion::parse($c['glpi_version']));
            }
            if ($c['tolerance'] !== null) {
                $options = $options->withClockToleranceSecs($c['tolerance']);
            }
            $key = UnverifiedKey::parseWithTrust($c['text'], $trust);
            $list = $c['list_file_hex'] === null ? null
                : UnverifiedRevocationList::fromFileBytes((string) hex2bin($c['list_file_hex']))->verify($trust);
            return ['valid', null, licenseJson($key->verifyWithRevocations($trust, $options, $list)), ''];
        }
        $unverified = $c['file_hex'] !== null
            ? UnverifiedRevocationList::fromFileBytes((string) hex2bin($c['file_hex']))
            : UnverifiedRevocationList::parseText($c['text']);
        $list = $unverified->verify($trust);
        if ($c['installed'] !== null) {
            $list->checkNotOlderThan(u64($c['installed']));
        }
        return ['valid', null, listJson($list), ''];
    } catch (VerificationException $e) {
        return [$e->errorCode(), $e->getMessage(), null, $e->reason];
    }
}

/**
 * The reference verifier's class, or null when the case is outside what it implements.
 *
 * @param array<string, mixed> $c
 */
function referenceVerdict(array $c, object $reference): ?string
{
    if ($c['type'] !== 'key' || $c['list_file_hex'] !== null || $c['grace'] !== 0 || $c['tolerance'] !== null
        || in_array($c['expect'], ['issuer-key-not-valid'], true)) {
        return null;
    }
    try {
        $reference->verify($c['text'], $c['now'], $c['kind'], $c['instance'], $c['glpi_version']);
        return 'valid';
    } catch (\KeyError $e) {
        return $e->class;
    } catch (\Throwable $e) {
        return 'exception:' . $e::class;
    }
}

$options = getopt('', ['allow:', 'reference:', 'show:', 'progress:']);
$progress = (int) ($options['progress'] ?? 0);
$allowed = array_filter(explode(',', (string) ($options['allow'] ?? '')));
$show = (int) ($options['show'] ?? 3);
$reference = null;

$in = fopen('php://stdin', 'r');
$header = json_decode((string) fgets($in), true, 512, JSON_THROW_ON_ERROR);
$trust = TrustStore::of(...array_map(
    static fn (array $t): TrustedKey => TrustedKey::fromHex($t['public_key_hex'], $t['valid_from'], $t['valid_until']),
    $header['trust'],
));
if (isset($options['reference'])) {
    require_once $options['reference'];
    $reference = new \ReferenceVerifier(array_map(static fn (array $t): string => (string) hex2bin($t['public_key_hex']), $header['trust']));
}

$started = hrtime(true);
$cases = 0;
$compared = 0;
$classes = [];
$divergences = [];
while (($line = fgets($in)) !== false) {
    $c = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
    $cases++;
    if ($progress > 0 && $cases % $progress === 0) {
        fprintf(STDERR, "%d cases, %d divergence kind(s) so far: %s\n", $cases, count($divergences), json_encode(array_map('count', $divergences)));
    }
    $rust = [$c['expect'], $c['message'], $c['type'] === 'key' ? $c['claims'] : $c['list']];
    if ($reference !== null) {
        $got = referenceVerdict($c, $reference);
        if ($got === null) {
            continue;
        }
        $compared++;
        $classes["{$c['type']} {$rust[0]}"] = ($classes["{$c['type']} {$rust[0]}"] ?? 0) + 1;
        if ($got !== $rust[0]) {
            $kind = "{$c['type']}: rust {$rust[0]} -> reference $got";
            $divergences[$kind][] = $c;
        }
        continue;
    }
    $compared++;
    [$class, $message, $value, $reason] = verdict($c, $trust);
    $classes["{$c['type']} {$rust[0]}"] = ($classes["{$c['type']} {$rust[0]}"] ?? 0) + 1;
    if ($reason === 'malformed-extensions:varint-not-minimal' && ($class !== $rust[0] || $message !== $rust[1])) {
        $kind = 'extension-varints';
    } elseif ($class !== $rust[0]) {
        $kind = "{$c['type']}: rust {$rust[0]} -> php $class" . ($reason === '' ? '' : " ($reason)");
    } elseif ($message !== $rust[1]) {
        $kind = "{$c['type']} $class: message";
        $c['php_message'] = $message;
    } elseif (json_encode(canonical($value)) !== json_encode(canonical($rust[2]))) {
        $kind = "{$c['type']}: claims";
        $c['php_value'] = $value;
    } else {
        continue;
    }
    $divergences[$kind][] = $c;
}
$seconds = (hrtime(true) - $started) / 1e9;

ksort($classes);
printf("%d cases read, %d compared (%s) in %.1f s, %.0f cases/s\n", $cases, $compared, $reference === null ? 'PHP package against the Rust core' : 'reference verifier against the Rust core', $seconds, $compared / max($seconds, 1e-9));
echo 'Rust verdicts: ', implode(', ', array_map(static fn ($k, $v) => "$k $v", array_keys($classes), $classes)), "\n";
$failed = false;
if ($divergences === []) {
    echo "no divergence\n";
}
foreach ($divergences as $kind => $list) {
    $known = in_array($kind, $allowed, true);
    $failed = $failed || !$known;
    printf("DIVERGENCE%s: %s: %d case(s)\n", $known ? ' (known, allowed)' : '', $kind, count($list));
    foreach (array_slice($list, 0, $show) as $c) {
        echo '  ', json_encode($c, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
    }
}
exit($failed ? 1 : 0);

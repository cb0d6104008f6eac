<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\GlpiVersion;
use GlpiKey\InstanceId;
use GlpiKey\KeyKind;
use GlpiKey\Site\InstanceCheck;
use GlpiKey\Site\Site;
use GlpiKey\Site\SitePolicy;
use GlpiKey\Site\SiteState;
use GlpiKey\TrustedKey;
use GlpiKey\TrustStore;
use GlpiKey\VerificationException;
use PHPUnit\Framework\TestCase;

/**
 * The site scenarios of spec/vectors/site-scenarios.json (spec/SITE.md section 8), run on a
 * site directory, step by step. GLPI_SITE_SCENARIOS may name another copy of the file.
 */
final class SiteScenariosTest extends TestCase
{
    private static function file(): ?string
    {
        $path = getenv('GLPI_SITE_SCENARIOS') ?: __DIR__ . '/../../spec/vectors/site-scenarios.json';
        return is_file($path) ? $path : null;
    }

    /** @return array<string, array{array<string, mixed>, array<string, mixed>}> */
    public static function scenarios(): array
    {
        $path = self::file();
        if ($path === null) {
            return ['no scenario file' => [[], []]];
        }
        $file = json_decode((string) file_get_contents($path), true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        $out = [];
        foreach ($file['scenarios'] as $s) {
            $out[$s['name']] = [$s, $file];
        }
        return $out;
    }

    private static function u64(mixed $v): ?int
    {
        if ($v === null) {
            return null;
        }
        if (is_int($v)) {
            return $v;
        }
        $hi = 0;
        $lo = 0;
        foreach (str_split((string) $v) as $d) {
            $lo = $lo * 10 + (int) $d;
            $hi = ($hi * 10 + ($lo >> 32)) & 0xffffffff;
            $lo &= 0xffffffff;
        }
        return ($hi << 32) | $lo;
    }

    /**
     * @dataProvider scenarios
     * @param array<string, mixed> $scenario
     * @param array<string, mixed> $file
     */
    public function testScenario(array $scenario, array $file): void
    {
        if ($scenario === []) {
            self::markTestSkipped('spec/vectors/site-scenarios.json is not in this tree yet (written by the site branch)');
        }
        $dir = sys_get_temp_dir() . '/glpi-site-scenario-' . getmypid() . '-' . bin2hex(random_bytes(4));
        $names = [];
        $keys = [];
        foreach ($scenario['site']['trust'] as $t) {
            $key = TrustedKey::fromHex($file['issuers'][$t['issuer']], self::u64($t['valid_from']), self::u64($t['valid_until']))
                ->withDistrust(self::u64($t['distrusted_from'] ?? null));
            $keys[] = $key;
            $names[$t['issuer']] = $key->keyId;
        }
        $site = Site::create($dir, TrustStore::of(...$keys), new SitePolicy((int) $scenario['site']['grace_secs'], (int) $scenario['site']['clock_tolerance_secs']));
        try {
            foreach ($scenario['steps'] as $i => $step) {
                $where = "{$scenario['name']}, step " . ($i + 1) . " ({$step['op']})";
                $got = 'ok';
                $verdict = null;
                try {
                    switch ($step['op']) {
                        case 'install':
                            [$new] = $site->installRevocations($file['lists'][$step['list']], (int) self::u64($step['now']));
                            $got = $new ? 'installed' : 'unchanged';
                            break;
                        case 'verify':
                            $instance = match (true) {
                                $step['insecure_skip_instance'] ?? false => InstanceCheck::insecureSkipBinding(),
                                ($step['instance'] ?? null) !== null => InstanceCheck::this(InstanceId::parse($step['instance'])),
                                default => InstanceCheck::unknown(),
                            };
                            $verdict = $site->verify(
                                $file['keys'][$step['key']],
                                (int) self::u64($step['now']),
                                KeyKind::from($step['kind']),
                                $instance,
                                ($step['glpi'] ?? null) === null ? null : GlpiVersion::parse($step['glpi']),
                            );
                            $got = 'valid';
                            break;
                        case 'distrust':
                            $site->distrust($names[$step['issuer']], (int) self::u64($step['from']));
                            break;
                        case 'reopen':
                            $site = Site::open($dir);
                            SiteState::fromBytes(SiteState::fromBytes((string) file_get_contents("$dir/state"))->toBytes());
                            break;
                        case 'status':
                            $state = $site->state();
                            self::assertSame(self::u64($step['mark']), $state->clockMark(), "$where: mark");
                            $sequences = [];
                            foreach ($names as $issuer => $keyId) {
                                $l = $state->installedList($keyId);
                                if ($l !== null) {
                                    $sequences[$issuer] = $l->sequence;
                                }
                            }
                            $expected = array_map(self::u64(...), $step['sequences']);
                            ksort($expected);
                            ksort($sequences);
                            self::assertSame($expected, $sequences, "$where: sequences");
                            self::assertSame(array_map(self::u64(...), $step['superseded']), array_keys($state->superseded()), "$where: superseded");
                            break;
                        default:
                            self::fail("$where: unknown op");
                    }
                } catch (VerificationException $e) {
                    $got = $e->errorCode();
                    $message = $e->getMessage();
                }
                self::assertSame($step['expect'] ?? 'ok', $got, "$where" . (isset($message) ? ": $message" : ''));
                unset($message);
                if ($verdict !== null) {
                    if (isset($step['warnings'])) {
                        self::assertSame($step['warnings'], $verdict->warnings, "$where: warnings");
                    }
                    if (isset($step['tier'])) {
                        self::assertSame($step['tier'], $verdict->license->tier()->label(), "$where: tier");
                    }
                }
            }
        } finally {
            exec('rm -rf ' . escapeshellarg($dir));
        }
    }
}

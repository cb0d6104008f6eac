<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\GlpiVersion;
use GlpiKey\InstanceId;
use GlpiKey\KeyKind;
use GlpiKey\TrustStore;
use GlpiKey\UnverifiedKey;
use GlpiKey\VerificationException;
use GlpiKey\VerifyOptions;
use PHPUnit\Framework\TestCase;

/** Every key vector of spec/vectors/keys.json: same outcome, class, message and claims as the core. */
final class VectorsTest extends TestCase
{
    public const VECTORS = __DIR__ . '/../../spec/vectors/keys.json';

    /** @return array<string, array{array<string, mixed>}> */
    public static function vectors(): array
    {
        $file = json_decode((string) file_get_contents(self::VECTORS), true, 512, JSON_THROW_ON_ERROR);
        $out = [];
        foreach ($file['vectors'] as $v) {
            $out[$v['name']] = [$v];
        }
        return $out;
    }

    public static function trust(): TrustStore
    {
        $file = json_decode((string) file_get_contents(self::VECTORS), true, 512, JSON_THROW_ON_ERROR);
        return TrustStore::fromHex(...array_map(static fn (array $t): string => $t['public_key_hex'], $file['trust']));
    }

    public function testThereAreVectors(): void
    {
        self::assertGreaterThanOrEqual(39, count(self::vectors()));
    }

    /**
     * @dataProvider vectors
     * @param array<string, mixed> $v
     */
    public function testVector(array $v): void
    {
        $trust = self::trust();
        $options = VerifyOptions::at($v['now']);
        if ($v['kind'] !== null) {
            $options = $options->withKind(KeyKind::from($v['kind']));
        }
        if ($v['instance'] !== null) {
            $options = $options->withInstance(InstanceId::parse($v['instance']));
        }
        if ($v['glpi_version'] !== null) {
            $options = $options->withGlpiVersion(GlpiVersion::parse($v['glpi_version']));
        }
        try {
            $license = UnverifiedKey::parseWithTrust($v['key'], $trust)->verify($trust, $options);
        } catch (VerificationException $e) {
            self::assertSame($v['expect'], $e->errorCode(), $e->getMessage());
            self::assertSame($v['message'], $e->getMessage());
            return;
        }
        self::assertSame('valid', $v['expect'], 'accepted a key the core refuses');
        self::assertSame($v['claims'], $license->claims->toArray());
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\Tests\Support\TestIssuer;
use GlpiKey\UnverifiedKey;
use GlpiKey\VerificationException;
use GlpiKey\VerifyOptions;
use PHPUnit\Framework\TestCase;

/**
 * The two divergences of issue 14, settled by the spec's one-byte-form rule (FORMAT.md 5.1,
 * 5.3) and its lengths (2.3, 4), on keys signed by the TEST-ONLY issuer of keys.json. The
 * texts are fixed (Ed25519 signing is deterministic): the same keys are proposed as vectors
 * for spec/vectors/keys.json.
 */
final class OneByteFormTest extends TestCase
{
    private const SECRET = 'e4f7dc203dcedb9a259c4df9f852d8f13289acb6c7a2167f00419ef6331b34a2';
    private const NOW = 1_800_000_000;

    /** serial 42, Standard, no optional field but the extensions, owner "x", issued 2026-11-02. */
    private static function claims(string $presence, string $tail, int $issuedMinutes = 29_892_960): string
    {
        return pack('J', 42) . "\x03" . $presence . "\x00" . "\x01x" . TestIssuer::varint($issuedMinutes) . "\x00" . $tail;
    }

    /** @return array<string, array{string, string, ?string}> extension block, expected class, message */
    public static function blocks(): array
    {
        $malformed = 'the key is signed but its contents are malformed (the extension block is malformed): ask the vendor for a new key';
        return [
            'tag 2, empty value, one byte form (02 00)' => ["\x02\x00", 'valid', null],
            'tag 2 in two bytes (82 00 00)' => ["\x82\x00\x00", 'malformed-claims', $malformed],
            'empty length in two bytes (02 80 00)' => ["\x02\x80\x00", 'malformed-claims', $malformed],
            'tag 4 in three bytes (84 80 00 00)' => ["\x84\x80\x00\x00", 'malformed-claims', $malformed],
        ];
    }

    /** @dataProvider blocks */
    public function testExtensionVarintsHaveOneByteForm(string $block, string $expect, ?string $message): void
    {
        $issuer = new TestIssuer((string) hex2bin(self::SECRET));
        $key = $issuer->keyOfClaims(self::claims("\x40", TestIssuer::varint(strlen($block)) . $block));
        try {
            $license = UnverifiedKey::parse($key)->verify(VectorsTest::trust(), VerifyOptions::at(self::NOW));
            self::assertSame('valid', $expect, $key);
            self::assertSame([['tag' => 2, 'value_hex' => '']], $license->claims->toArray()['extensions']);
        } catch (VerificationException $e) {
            self::assertSame([$expect, $message], [$e->errorCode(), $e->getMessage()], $key);
        }
    }

    /**
     * The shortest claims are 15 bytes (every varint in one byte: issued within the first 128
     * minutes of 1970), body 85; a validly signed body of 84 bytes is `wrong-length`.
     */
    public function testMinimumBodyIs85Bytes(): void
    {
        $issuer = new TestIssuer((string) hex2bin(self::SECRET));
        $shortest = $issuer->keyOfClaims(self::claims("\x00", '', 100));
        self::assertSame(85, strlen(UnverifiedKey::parse($shortest)->bytes()));
        UnverifiedKey::parse($shortest)->verify(VectorsTest::trust(), VerifyOptions::at(self::NOW));
        // 14 bytes of claims (the not-before offset left out), validly signed: 84-byte body.
        $short = $issuer->keyOfClaims(substr(self::claims("\x00", '', 100), 0, -1));
        try {
            UnverifiedKey::parse($short);
            self::fail('an 84-byte body was read');
        } catch (VerificationException $e) {
            self::assertSame('wrong-length', $e->errorCode());
            self::assertSame('the key has a wrong length (141 symbols after GLPI-): a symbol was probably left out or typed twice, or the key was cut off; copy it again in full', $e->getMessage());
        }
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\CorrectionStatus;
use GlpiKey\ShortId;
use GlpiKey\UnverifiedKey;
use GlpiKey\UnverifiedRevocationList;
use GlpiKey\VerificationException;
use GlpiKey\VerifyOptions;
use PHPUnit\Framework\TestCase;

/** Inputs no person types: huge, not UTF-8, binary, NUL bytes, look-alikes; and typo reports. */
final class HostileInputTest extends TestCase
{
    private static function sample(): string
    {
        return trim((string) file_get_contents(__DIR__ . '/../../spec/vectors/sample-standard.key'));
    }

    private static function refusal(string $text): VerificationException
    {
        try {
            UnverifiedKey::parseWithTrust($text, VectorsTest::trust())->verify(VectorsTest::trust(), VerifyOptions::at(1_800_000_000));
        } catch (VerificationException $e) {
            return $e;
        }
        self::fail('accepted: ' . substr($text, 0, 80));
    }

    public function testOverFourKibibytesIsTooLongBeforeAnythingElse(): void
    {
        foreach ([str_repeat('A', 4097), self::sample() . str_repeat(' ', 4097), str_repeat("\xff", 5000), str_repeat("\0", 4097)] as $text) {
            $e = self::refusal($text);
            self::assertSame('too-long', $e->errorCode());
            self::assertSame('this text is too long to be a GLPI key (more than 4096): check that only one key was pasted', $e->getMessage());
        }
        // Exactly 4096 bytes of wrapping is not too long: it is empty.
        self::assertSame('empty', self::refusal(str_repeat(' ', 4096))->errorCode());
    }

    public function testTooManySymbolsIsReportedBeforeALaterBadCharacter(): void
    {
        $e = self::refusal('GLPI-' . str_repeat('A', 487) . "\u{0410}");
        self::assertSame('too-long', $e->errorCode());
        self::assertStringContainsString('more than 486', $e->getMessage());
        $e = self::refusal('GLPI-' . str_repeat('A', 486) . "\u{0410}");
        self::assertSame('invalid-character', $e->errorCode());
    }

    public function testInvalidUtf8(): void
    {
        foreach (["GLPI-\xC3\x28", "\xed\xa0\x80GLPI", "GLPI-AB\xf8", "GLPI-\xc0\xaf", "\x80"] as $text) {
            self::assertSame('invalid-utf8', self::refusal($text)->errorCode(), bin2hex($text));
        }
        self::assertStringContainsString('offset 5', self::refusal("GLPI-\xC3\x28")->getMessage());
    }

    public function testBinaryAndNulBytes(): void
    {
        $e = self::refusal("GLPI-ABC\0DEF");
        self::assertSame('invalid-character', $e->errorCode());
        self::assertSame("invalid character '\\0' at position 9: a key holds only the letters and digits of its base32 alphabet, hyphens and spaces (retype that character; look-alike letters from other alphabets are not accepted)", $e->getMessage());
        self::assertSame('not-a-glpi-key', self::refusal("\0GLPI-ABC")->errorCode());
        for ($i = 0; $i < 200; $i++) {
            $bytes = random_bytes(random_int(1, 600));
            $code = self::refusal('GLPI-' . $bytes)->errorCode();
            self::assertContains($code, ['invalid-utf8', 'invalid-character', 'wrong-length', 'checksum', 'empty', 'too-long', 'short-id'], bin2hex($bytes));
        }
    }

    public function testLookAlikesAreNotMapped(): void
    {
        $key = self::sample();
        // Cyrillic A at the first A of the body, full-width digit, zero-width space.
        foreach (["\u{0410}" => "'А'", "\u{FF10}" => "'０'", "\u{200B}" => "'\\u{200b}'", "\u{00A0}" => "'\\u{a0}'"] as $char => $shown) {
            $text = substr($key, 0, 10) . $char . substr($key, 10);
            $e = self::refusal($text);
            self::assertSame('invalid-character', $e->errorCode());
            self::assertStringStartsWith("invalid character $shown at position 11:", $e->getMessage());
        }
    }

    public function testToleratedForms(): void
    {
        $key = self::sample();
        $trust = VectorsTest::trust();
        $expected = UnverifiedKey::parse($key)->bytes();
        $grouped = UnverifiedKey::parse($key)->text(true);
        foreach ([
            strtolower($key),
            "  \"$key\"\r\n",
            "\u{201C}$key\u{201D}",
            "\u{AB} $key \u{BB}",
            "\u{3000}'$key'\t",
            str_replace(['0', '1'], ['O', 'l'], $key),
            substr($key, 0, 40) . "\n  " . substr($key, 40),
            $grouped,
            str_replace('-', ' ', $grouped),
        ] as $variant) {
            self::assertSame($expected, UnverifiedKey::parseWithTrust($variant, $trust)->bytes(), $variant);
        }
    }

    public function testTypoIsLocatedAndConfirmed(): void
    {
        $grouped = UnverifiedKey::parse(self::sample())->text(true);
        // Third character of the second group.
        $pos = strpos($grouped, '-', 5) + 3;
        $original = $grouped[$pos];
        $typo = $original === 'X' ? 'Y' : 'X';
        $bad = substr_replace($grouped, $typo, $pos, 1);
        $e = self::refusal("  $bad");
        self::assertSame('checksum', $e->errorCode());
        $c = $e->correction;
        self::assertNotNull($c);
        self::assertSame($pos + 3, $c->position);
        self::assertSame([2, 3], [$c->group, $c->positionInGroup]);
        self::assertSame([$typo, $original], [$c->found, $c->replacement]);
        self::assertSame(CorrectionStatus::ConfirmedBySignature, $c->status);
        self::assertStringContainsString('should almost certainly be', $e->getMessage());
        // Without the trust store, the suggestion stays unconfirmed.
        try {
            UnverifiedKey::parse($bad);
            self::fail('typo accepted');
        } catch (VerificationException $e) {
            self::assertSame(CorrectionStatus::Unconfirmed, $e->correction?->status);
        }
    }

    public function testShortIds(): void
    {
        $license = UnverifiedKey::parse(self::sample())->verify(VectorsTest::trust(), VerifyOptions::at(1_800_000_000));
        $id = (string) $license->shortId();
        self::assertSame('GLPI-28T5CY4TQKFF-ZNJMKB', $id);
        self::assertSame($license->serial()->value, ShortId::parse(strtolower($id))->serial->value);
        $e = self::refusal($id);
        self::assertSame('short-id', $e->errorCode());
        try {
            UnverifiedRevocationList::parseText($id);
            self::fail('a short ID read as a list');
        } catch (VerificationException $e) {
            self::assertSame('wrong-length', $e->errorCode());
        }
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\Crypto\StrictEd25519;
use GlpiKey\ObjectKind;
use GlpiKey\Tests\Support\TestIssuer;
use GlpiKey\Text\TextWriter;
use GlpiKey\UnverifiedKey;
use GlpiKey\VerificationException;
use GlpiKey\VerifyOptions;
use GlpiKey\Wire\Envelope;
use PHPUnit\Framework\TestCase;

/**
 * The shortcuts of the hot path give the verdicts of the long way: the strict Ed25519 checks
 * by lookup, the owner's printable-ASCII shortcut, the domain tags by kind byte, the canonical
 * text's shortcut in the reader.
 */
final class FastPathTest extends TestCase
{
    private const NOW = 1_800_000_000;

    public function testDomainTagsByKindByteAreTheKindsTags(): void
    {
        foreach (ObjectKind::cases() as $kind) {
            self::assertSame($kind->domainTag() . "\0", Envelope::DOMAIN_TAGS[$kind->value]);
        }
        self::assertCount(count(ObjectKind::cases()), Envelope::DOMAIN_TAGS);
    }

    /** S < L through the top-byte shortcut and through the full comparison (top byte 0x10). */
    public function testScalarBoundOnEitherSideOfTheTopByteShortcut(): void
    {
        $issuer = new TestIssuer("\x07");
        $message = 'message';
        $pair = sodium_crypto_sign_seed_keypair(str_repeat("\x07", 32));
        $signature = sodium_crypto_sign_detached($message, sodium_crypto_sign_secretkey($pair));
        self::assertTrue(StrictEd25519::verify($signature, $message, $issuer->publicKey));
        $l = "\xed\xd3\xf5\x5c\x1a\x63\x12\x58\xd6\x9c\xf7\xa2\xde\xf9\xde\x14" . str_repeat("\0", 15) . "\x10";
        $r = substr($signature, 0, 32);
        // S = L, S = L + 1 and S = 2^252 + 2^253 (top bytes 0x10, 0x10, 0x30): refused before libsodium.
        $lPlusOne = "\xee" . substr($l, 1);
        foreach ([$l, $lPlusOne, str_repeat("\0", 31) . "\x30", str_repeat("\xff", 32)] as $s) {
            self::assertFalse(StrictEd25519::isCanonicalScalar($s));
            self::assertFalse(StrictEd25519::verify($r . $s, $message, $issuer->publicKey));
        }
        // S = L - 1 (top byte 0x10) is canonical; with this R it is simply a wrong signature.
        $lMinusOne = "\xec" . substr($l, 1);
        self::assertTrue(StrictEd25519::isCanonicalScalar($lMinusOne));
        self::assertFalse(StrictEd25519::verify($r . $lMinusOne, $message, $issuer->publicKey));
    }

    /** Each of the 7 small-order encodings is found with its sign bit clear and set; nothing else is. */
    public function testSmallOrderLookupHasBothSignsOfEachEncoding(): void
    {
        $encodings = [
            str_repeat("\0", 32),
            "\x01" . str_repeat("\0", 31),
            (string) hex2bin('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'),
            (string) hex2bin('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'),
            "\xec" . str_repeat("\xff", 30) . "\x7f",
            "\xed" . str_repeat("\xff", 30) . "\x7f",
            "\xee" . str_repeat("\xff", 30) . "\x7f",
        ];
        foreach ($encodings as $e) {
            self::assertTrue(StrictEd25519::hasSmallOrder($e), bin2hex($e));
            $signed = $e;
            $signed[31] = chr(ord($e[31]) | 0x80);
            self::assertTrue(StrictEd25519::hasSmallOrder($signed), bin2hex($signed));
            $other = $e;
            $other[0] = chr(ord($e[0]) ^ 0x40);
            self::assertFalse(StrictEd25519::hasSmallOrder($other), bin2hex($other));
        }
        self::assertFalse(StrictEd25519::hasSmallOrder(substr($encodings[0], 1)));
        self::assertFalse(StrictEd25519::hasSmallOrder(''));
    }

    /** Owners outside printable ASCII take the regular expressions, with the same verdicts as before. */
    public function testOwnersInsideAndOutsidePrintableAscii(): void
    {
        $issuer = new TestIssuer("\x09");
        $trust = \GlpiKey\TrustStore::of($issuer->trusted());
        $cases = [
            'ACME Corp' => null,
            '~ !"#$%&()*+,-./09:;<=>?@AZ[\\]^_`az{|}' => null,
            'Société Générale' => null,
            "ACME\u{202E}Corp" => 'owner-character',
            "ACME\tCorp" => 'owner-character',
            "ACME\x7fCorp" => 'owner-character',
            "ACME\u{85}Corp" => 'owner-character',
            "ACME\xc3Corp" => 'truncated:owner',
            "ACME\xed\xa0\x80" => 'truncated:owner',
        ];
        foreach ($cases as $owner => $expect) {
            $text = $issuer->key(1, ['owner' => (string) $owner]);
            try {
                $license = UnverifiedKey::parse($text)->verify($trust, VerifyOptions::at(self::NOW));
                self::assertNull($expect, "owner $owner was accepted");
                self::assertSame((string) $owner, $license->owner());
            } catch (VerificationException $e) {
                self::assertNotNull($expect, "owner $owner: " . $e->getMessage());
                self::assertSame(['malformed-claims', $expect], [$e->errorCode(), $e->reason]);
                if ($expect === 'owner-character') {
                    self::assertStringContainsString('control or bidirectional formatting character', $e->getMessage());
                } else {
                    self::assertStringContainsString('field `owner` is cut short or badly encoded', $e->getMessage());
                }
            }
        }
    }

    /** The canonical text's shortcut and the general reader agree, in every form of the same key. */
    public function testCanonicalShortcutAgreesWithTheGeneralReader(): void
    {
        $issuer = new TestIssuer("\x0b");
        $text = $issuer->key(77, ['expires' => 1_900_000_020]);
        $body = UnverifiedKey::parse($text)->bytes();
        $grouped = TextWriter::ofBody($body, true);
        foreach ([$text, $grouped, strtolower($grouped), " \"$text\"\n", str_replace('-', ' ', $grouped), 'glpi' . substr($text, 4)] as $form) {
            self::assertSame($body, UnverifiedKey::parse($form)->bytes(), $form);
        }
        // A non-ASCII byte after a canonical start is the general reader's error, not a shortcut's.
        try {
            UnverifiedKey::parse($text . "\xc3\xa9");
            self::fail('accepted');
        } catch (VerificationException $e) {
            self::assertSame('invalid-character', $e->errorCode());
        }
        try {
            UnverifiedKey::parse($text . "\xc3");
            self::fail('accepted');
        } catch (VerificationException $e) {
            self::assertSame('invalid-utf8', $e->errorCode());
        }
    }

    /**
     * The trust store's shortcut through libsodium gives the verdicts of the field arithmetic:
     * real keys, random 32-byte strings (points and non-points, mixed order, either sign), every
     * non-canonical y from p to 2^255 - 1 with either sign, the small-order encodings, and each
     * real key with its y pushed past p where that still fits.
     */
    public function testPublicKeyShortcutAgreesWithTheFieldArithmetic(): void
    {
        $inputs = [];
        for ($n = 0; $n < 24; $n++) {
            $inputs[] = sodium_crypto_sign_publickey(sodium_crypto_sign_keypair());
            $inputs[] = random_bytes(32);
        }
        for ($k = 0; $k < 19; $k++) {
            $y = chr(0xed + $k) . str_repeat("\xff", 30) . "\x7f"; // p + k
            $inputs[] = $y;
            $inputs[] = substr($y, 0, 31) . "\xff";
            $small = chr($k) . str_repeat("\0", 31); // y = k
            $inputs[] = $small;
            $inputs[] = substr($small, 0, 31) . "\x80";
        }
        $kinds = [];
        foreach ($inputs as $a) {
            $fast = StrictEd25519::checkPublicKey($a);
            self::assertSame(StrictEd25519::checkPublicKeyByFieldArithmetic($a), $fast, bin2hex($a));
            $kinds[$fast] = true;
        }
        // Every verdict occurred (so the shortcut and the long way were both taken).
        self::assertCount(4, $kinds);
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\Crypto\StrictEd25519;
use GlpiKey\TrustedKey;
use GlpiKey\TrustException;
use PHPUnit\Framework\TestCase;

/**
 * Strict Ed25519: libsodium's verdicts plus the package's own checks, each tested on the
 * ed25519-speccheck cases (what each case exercises: tests/data/README.md) and on Wycheproof.
 */
final class Ed25519Test extends TestCase
{
    /** @return list<array{message: string, pub_key: string, signature: string}> */
    private static function speccheck(): array
    {
        $cases = json_decode((string) file_get_contents(__DIR__ . '/data/ed25519-speccheck/cases.json'), true, 512, JSON_THROW_ON_ERROR);
        self::assertCount(12, $cases);
        return $cases;
    }

    /** The core (ed25519-dalek `verify_strict`) and libsodium accept only case 3; so must we. */
    public function testSpeccheckOnlyCase3IsAccepted(): void
    {
        $accepted = [];
        foreach (self::speccheck() as $i => $c) {
            if (StrictEd25519::verify(hex2bin($c['signature']), hex2bin($c['message']), hex2bin($c['pub_key']))) {
                $accepted[] = $i;
            }
        }
        self::assertSame([3], $accepted);
    }

    /** Check added here: S < L. Cases 6 and 7 have S >= L; every other case has S < L. */
    public function testCanonicalScalarCheck(): void
    {
        foreach (self::speccheck() as $i => $c) {
            $s = substr(hex2bin($c['signature']), 32);
            self::assertSame(!in_array($i, [6, 7], true), StrictEd25519::isCanonicalScalar($s), "case $i");
        }
        $l = hex2bin('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
        self::assertFalse(StrictEd25519::isCanonicalScalar($l));
        $lMinusOne = $l;
        $lMinusOne[0] = "\xec";
        self::assertTrue(StrictEd25519::isCanonicalScalar($lMinusOne));
        self::assertTrue(StrictEd25519::isCanonicalScalar(str_repeat("\0", 32)));
        self::assertFalse(StrictEd25519::isCanonicalScalar(str_repeat("\xff", 32)));
    }

    /**
     * Check added here: R not of small order. Cases 0 and 2 have a small-order R; cases 8 and 9
     * have R = the order-2 point (0, -1) with its sign bit set (non-canonical and small-order).
     */
    public function testSmallOrderRCheck(): void
    {
        foreach (self::speccheck() as $i => $c) {
            $r = substr(hex2bin($c['signature']), 0, 32);
            self::assertSame(in_array($i, [0, 2, 8, 9], true), StrictEd25519::hasSmallOrder($r), "case $i");
        }
        // The sign bit does not matter: the identity with its sign bit set is still small-order.
        self::assertTrue(StrictEd25519::hasSmallOrder("\x01" . str_repeat("\0", 30) . "\x80"));
    }

    /** Check added here, at loading: the core's trust-store rules for the public key A. */
    public function testPublicKeyLoadingFollowsTheCore(): void
    {
        foreach (self::speccheck() as $i => $c) {
            $verdict = StrictEd25519::checkPublicKey(hex2bin($c['pub_key']));
            $expected = match ($i) {
                0, 1 => StrictEd25519::SMALL_ORDER_KEY,
                10, 11 => StrictEd25519::NON_CANONICAL,
                default => StrictEd25519::PUBLIC_KEY_OK,
            };
            self::assertSame($expected, $verdict, "case $i");
        }
        $reason = static function (string $pk): string {
            try {
                TrustedKey::fromPublicKeyBytes($pk);
                return 'ok';
            } catch (TrustException $e) {
                return $e->reason;
            }
        };
        self::assertSame('small-order', $reason(str_repeat("\0", 32)));
        self::assertSame('small-order', $reason("\x01" . str_repeat("\0", 31)));
        // y = p + 1 encodes the identity non-canonically.
        self::assertSame('non-canonical', $reason("\xee" . str_repeat("\xff", 30) . "\x7f"));
        // y = 2 is not the y coordinate of any point.
        self::assertSame('not-a-point', $reason("\x02" . str_repeat("\0", 31)));
        // The identity with its sign bit set: x = 0 cannot be negative.
        self::assertSame('non-canonical', $reason("\x01" . str_repeat("\0", 30) . "\x80"));
        self::assertSame('not-a-point', $reason('short'));
        // Random real keys load.
        for ($n = 0; $n < 20; $n++) {
            $pk = sodium_crypto_sign_publickey(sodium_crypto_sign_keypair());
            self::assertSame('ok', $reason($pk));
        }
    }

    /** The curve test agrees with libsodium on random y values (where libsodium can tell). */
    public function testPointDecodingAgreesWithLibsodium(): void
    {
        $points = 0;
        for ($n = 0; $n < 64; $n++) {
            $y = random_bytes(32);
            $y[31] = chr(ord($y[31]) & 0x3f); // below p: canonical
            $verdict = StrictEd25519::checkPublicKey($y);
            // libsodium's conversion accepts exactly the canonical points of prime order;
            // random points are of mixed order 7 times in 8, so only "not a point" must agree.
            if ($verdict === StrictEd25519::NOT_A_POINT) {
                try {
                    sodium_crypto_sign_ed25519_pk_to_curve25519($y);
                    self::fail('libsodium decoded a y the package says is not on the curve: ' . bin2hex($y));
                } catch (\SodiumException) {
                }
            } else {
                $points++;
            }
        }
        self::assertGreaterThan(10, $points);
        self::assertLessThan(54, $points);
        for ($n = 0; $n < 16; $n++) {
            $pk = sodium_crypto_sign_publickey(sodium_crypto_sign_keypair());
            self::assertSame(StrictEd25519::PUBLIC_KEY_OK, StrictEd25519::checkPublicKey($pk));
        }
    }

    /** Wycheproof: every invalid signature refused, every valid one accepted, no key refused. */
    public function testWycheproof(): void
    {
        $data = json_decode((string) file_get_contents(__DIR__ . '/data/wycheproof/ed25519.json'), true, 512, JSON_THROW_ON_ERROR);
        $valid = $invalid = 0;
        foreach ($data['groups'] as $g) {
            $pk = hex2bin($g['pk']);
            self::assertSame(StrictEd25519::PUBLIC_KEY_OK, StrictEd25519::checkPublicKey($pk));
            foreach ($g['tests'] as $t) {
                $sig = hex2bin($t['sig']);
                $ok = strlen($sig) === 64 && StrictEd25519::verify($sig, hex2bin($t['msg']), $pk);
                self::assertSame($t['result'] === 'valid', $ok, "tcId {$t['tcId']} ({$t['comment']})");
                $t['result'] === 'valid' ? $valid++ : $invalid++;
            }
        }
        self::assertGreaterThanOrEqual(50, $invalid);
        self::assertGreaterThan(0, $valid);
    }
}

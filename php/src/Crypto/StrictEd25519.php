<?php

declare(strict_types=1);

namespace GlpiKey\Crypto;

/**
 * Strict Ed25519 verification (spec/FORMAT.md section 6): libsodium's
 * `crypto_sign_verify_detached` plus the checks this package makes itself, so that the verdict
 * does not depend on how libsodium was built (a library compiled with `ED25519_COMPAT`, or
 * older than 1.0.16, skips some of them).
 *
 * What libsodium 1.0.16+ checks in `crypto_sign_verify_detached`: S < L (canonical scalar), R
 * not of small order, A canonical and not of small order, then the non-cofactored equation
 * `[S]B = R + [k]A`, comparing the canonical encoding of the computed R with the signature's
 * bytes (which refuses a non-canonical R).
 *
 * What this class adds before calling it:
 * - S < L, checked here on the 32 bytes ({@see isCanonicalScalar()});
 * - R not of small order: the 7 encodings (sign bit ignored) of libsodium's
 *   `ge25519_has_small_order` list, which includes the non-canonical encodings of 0 and 1
 *   ({@see hasSmallOrder()});
 * - at trust-store loading, for the public key A, exactly the checks of the Rust core's
 *   `TrustedKey::from_public_key_bytes` in its order: A decodes to a curve point
 *   (`not a point`), its encoding is canonical (`non-canonical`), and it is not of small order
 *   (`small-order`) ({@see checkPublicKey()}). A mixed-order A (a point with a torsion part)
 *   is accepted, as ed25519-dalek's `verify_strict` and libsodium accept it.
 * A non-canonical R needs no check of its own: the final comparison refuses it in every
 * libsodium build.
 *
 * @internal
 */
final class StrictEd25519
{
    /** The group order L, little-endian. */
    private const L = "\xed\xd3\xf5\x5c\x1a\x63\x12\x58\xd6\x9c\xf7\xa2\xde\xf9\xde\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10";

    /** Encodings of points of small order, without their sign bit (libsodium's list). */
    private const SMALL_ORDER = [
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        "\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        "\x26\xe8\x95\x8f\xc2\xb2\x27\xb0\x45\xc3\xf4\x89\xf2\xef\x98\xf0\xd5\xdf\xac\x05\xd3\xc6\x33\x39\xb1\x38\x02\x88\x6d\x53\xfc\x05",
        "\xc7\x17\x6a\x70\x3d\x4d\xd8\x4f\xba\x3c\x0b\x76\x0d\x10\x67\x0f\x2a\x20\x53\xfa\x2c\x39\xcc\xc6\x4e\xc7\xfd\x77\x92\xac\x03\x7a",
        "\xec\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
        "\xed\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
        "\xee\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
    ];

    public const PUBLIC_KEY_OK = 'ok';
    public const NOT_A_POINT = 'not-a-point';
    public const NON_CANONICAL = 'non-canonical';
    public const SMALL_ORDER_KEY = 'small-order';

    private function __construct()
    {
    }

    /**
     * Whether `$signature` (64 bytes) is a strictly valid signature of `$message` by `$publicKey`
     * (32 bytes, already accepted by {@see checkPublicKey()}).
     */
    public static function verify(string $signature, string $message, string $publicKey): bool
    {
        if (strlen($signature) !== 64 || strlen($publicKey) !== 32) {
            return false;
        }
        if (!self::isCanonicalScalar(substr($signature, 32)) || self::hasSmallOrder(substr($signature, 0, 32))) {
            return false;
        }
        return sodium_crypto_sign_verify_detached($signature, $message, $publicKey);
    }

    /** Whether the 32-byte little-endian scalar is below L. */
    public static function isCanonicalScalar(string $s): bool
    {
        // Compare from the most significant byte down.
        for ($i = 31; $i >= 0; $i--) {
            $a = ord($s[$i]);
            $b = ord(self::L[$i]);
            if ($a !== $b) {
                return $a < $b;
            }
        }
        return false; // S = L
    }

    /** Whether the point encoding is one of a small-order point (sign bit ignored). */
    public static function hasSmallOrder(string $point): bool
    {
        $unsigned = substr($point, 0, 31) . chr(ord($point[31]) & 0x7f);
        return in_array($unsigned, self::SMALL_ORDER, true);
    }

    /**
     * Checks an issuer public key as the Rust core's trust store does, in its order.
     *
     * @return string one of the PUBLIC_KEY_OK, NOT_A_POINT, NON_CANONICAL, SMALL_ORDER_KEY constants
     */
    public static function checkPublicKey(string $a): string
    {
        if (strlen($a) !== 32) {
            return self::NOT_A_POINT;
        }
        $y = Field25519::fromBytes($a); // the top (sign) bit is dropped; y may be >= p
        if (!Field25519::isYOnCurve($y)) {
            return self::NOT_A_POINT;
        }
        $canonicalY = Field25519::toBytes($y);
        $sign = ord($a[31]) >> 7;
        // x = 0 exactly when y = 1 or y = -1; its sign bit must then be 0.
        $xIsZero = Field25519::isOneOrMinusOne($y);
        $expected = $canonicalY;
        if (!$xIsZero && $sign === 1) {
            $expected[31] = chr(ord($expected[31]) | 0x80);
        }
        if ($expected !== $a) {
            return self::NON_CANONICAL;
        }
        if (self::hasSmallOrder($a)) {
            return self::SMALL_ORDER_KEY;
        }
        return self::PUBLIC_KEY_OK;
    }
}

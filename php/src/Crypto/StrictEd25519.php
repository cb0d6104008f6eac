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
    /** p = 2^255 - 19, its bytes reversed (big-endian), for one `strcmp`. */
    private const P_REVERSED = "\x7f\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xed";
    /** The group order L, its bytes reversed (big-endian), for one `strcmp`. */
    private const L_REVERSED = "\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14\xde\xf9\xde\xa2\xf7\x9c\xd6\x58\x12\x63\x1a\x5c\xf5\xd3\xed";

    /**
     * Encodings of points of small order (libsodium's list of 7), each with its sign bit clear
     * and set: 14 keys, looked up with one hash probe instead of comparing 7 strings.
     */
    private const SMALL_ORDER = [
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" => true,
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" => true,
        "\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" => true,
        "\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" => true,
        "\x26\xe8\x95\x8f\xc2\xb2\x27\xb0\x45\xc3\xf4\x89\xf2\xef\x98\xf0\xd5\xdf\xac\x05\xd3\xc6\x33\x39\xb1\x38\x02\x88\x6d\x53\xfc\x05" => true,
        "\x26\xe8\x95\x8f\xc2\xb2\x27\xb0\x45\xc3\xf4\x89\xf2\xef\x98\xf0\xd5\xdf\xac\x05\xd3\xc6\x33\x39\xb1\x38\x02\x88\x6d\x53\xfc\x85" => true,
        "\xc7\x17\x6a\x70\x3d\x4d\xd8\x4f\xba\x3c\x0b\x76\x0d\x10\x67\x0f\x2a\x20\x53\xfa\x2c\x39\xcc\xc6\x4e\xc7\xfd\x77\x92\xac\x03\x7a" => true,
        "\xc7\x17\x6a\x70\x3d\x4d\xd8\x4f\xba\x3c\x0b\x76\x0d\x10\x67\x0f\x2a\x20\x53\xfa\x2c\x39\xcc\xc6\x4e\xc7\xfd\x77\x92\xac\x03\xfa" => true,
        "\xec\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f" => true,
        "\xec\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" => true,
        "\xed\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f" => true,
        "\xed\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" => true,
        "\xee\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f" => true,
        "\xee\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" => true,
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
        // S < L: L's top byte is 0x10, so a smaller top byte decides at once (all but a few
        // signatures in 2^124); otherwise the full comparison.
        $top = ord($signature[63]);
        if ($top > 0x10 || ($top === 0x10 && !self::isCanonicalScalar(substr($signature, 32)))) {
            return false;
        }
        if (isset(self::SMALL_ORDER[substr($signature, 0, 32)])) {
            return false;
        }
        return sodium_crypto_sign_verify_detached($signature, $message, $publicKey);
    }

    /** Whether the 32-byte little-endian scalar is below L. */
    public static function isCanonicalScalar(string $s): bool
    {
        // Little-endian: compare the reversed bytes, most significant first.
        return strlen($s) === 32 && strcmp(strrev($s), self::L_REVERSED) < 0;
    }

    /** Whether the point encoding is one of a small-order point (sign bit ignored). */
    public static function hasSmallOrder(string $point): bool
    {
        return isset(self::SMALL_ORDER[$point]);
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
        // Shortcut (about 0.1 ms instead of 10): libsodium's conversion to X25519 decodes A
        // (y taken modulo p, as below) and refuses it when it is not a point, of small order,
        // or outside the prime-order subgroup. When it accepts A and A is not in the
        // small-order list, A is a point with x != 0, so the only question left is whether its
        // y is canonical (below p): the verdict of the long way below, which answers every
        // other key (those libsodium refuses, mixed-order keys among them).
        if (!self::hasSmallOrder($a) && self::libsodiumDecodes($a)) {
            $y = $a;
            $y[31] = chr(ord($a[31]) & 0x7f);
            return strcmp(strrev($y), self::P_REVERSED) < 0 ? self::PUBLIC_KEY_OK : self::NON_CANONICAL;
        }
        return self::checkPublicKeyByFieldArithmetic($a);
    }

    /**
     * {@see checkPublicKey()} the long way, with the field arithmetic of {@see Field25519} only
     * (no shortcut through libsodium); a test checks that both give the same verdicts.
     *
     * @internal
     */
    public static function checkPublicKeyByFieldArithmetic(string $a): string
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

    private static function libsodiumDecodes(string $a): bool
    {
        try {
            return strlen(sodium_crypto_sign_ed25519_pk_to_curve25519($a)) === 32;
        } catch (\SodiumException) {
            return false;
        }
    }
}

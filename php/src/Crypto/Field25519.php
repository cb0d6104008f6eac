<?php

declare(strict_types=1);

namespace GlpiKey\Crypto;

/**
 * Just enough arithmetic modulo p = 2^255 - 19 to decide whether a y coordinate belongs to a
 * point of edwards25519 (PHP's sodium extension exposes no point decoding). Sixteen 16-bit
 * limbs, little-endian. Used only when an issuer public key is loaded and libsodium refused to
 * decode it (a key it accepts is checked without this class: see
 * {@see StrictEd25519::checkPublicKey()}), so it favours being short and obviously right over
 * being fast (about 10 ms per key).
 *
 * @internal
 */
final class Field25519
{
    /** d = -121665/121666 mod p, little-endian bytes. */
    private const D = "\xa3\x78\x59\x13\xca\x4d\xeb\x75\xab\xd8\x41\x41\x4d\x0a\x70\x00\x98\xe8\x79\x77\x79\x40\xc7\x8c\x73\xfe\x6f\x2b\xee\x6c\x03\x52";
    /** p, little-endian bytes. */
    private const P = "\xed\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f";

    private function __construct()
    {
    }

    /**
     * The element of 32 little-endian bytes, top bit dropped (not reduced).
     *
     * @return list<int>
     */
    public static function fromBytes(string $b): array
    {
        $b[31] = chr(ord($b[31]) & 0x7f);
        return array_values(unpack('v16', $b));
    }

    /** The canonical (fully reduced) 32-byte encoding. */
    public static function toBytes(array $a): string
    {
        $a = self::carry($a);
        $p = self::fromBytes(self::P);
        for ($round = 0; $round < 3; $round++) {
            // Subtract p when a >= p.
            $diff = [];
            $borrow = 0;
            for ($i = 0; $i < 16; $i++) {
                $v = $a[$i] - $p[$i] - $borrow;
                $borrow = $v < 0 ? 1 : 0;
                $diff[$i] = $v & 0xffff;
            }
            if ($borrow === 1) {
                break;
            }
            $a = $diff;
        }
        return pack('v16', ...$a);
    }

    /** Whether `y` is the y coordinate of a curve point: (y^2 - 1)/(d y^2 + 1) is a square or 0. */
    public static function isYOnCurve(array $y): bool
    {
        $one = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        $y2 = self::mul($y, $y);
        $u = self::sub($y2, $one);
        $v = self::add(self::mul(self::fromBytes(self::D), $y2), $one);
        // u/v is a square exactly when u*v is (v^2 is a nonzero square): Euler's criterion.
        $chi = self::toBytes(self::pow(self::mul($u, $v), self::halfPMinusOne()));
        return $chi === pack('v16', ...array_fill(0, 16, 0)) || $chi === pack('v16', ...$one);
    }

    /** Whether y is 1 or p - 1 (the two points with x = 0). */
    public static function isOneOrMinusOne(array $y): bool
    {
        $c = self::toBytes($y);
        $one = pack('v16', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        $minusOne = "\xec" . substr(self::P, 1);
        return $c === $one || $c === $minusOne;
    }

    /** (p - 1) / 2 = 2^254 - 10, as little-endian bytes. */
    private static function halfPMinusOne(): string
    {
        return "\xf6" . str_repeat("\xff", 30) . "\x3f";
    }

    private static function pow(array $base, string $exponent): array
    {
        $result = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        for ($i = 255; $i >= 0; $i--) {
            $result = self::mul($result, $result);
            if ((ord($exponent[$i >> 3]) >> ($i & 7)) & 1) {
                $result = self::mul($result, $base);
            }
        }
        return $result;
    }

    private static function mul(array $a, array $b): array
    {
        $r = array_fill(0, 32, 0);
        for ($i = 0; $i < 16; $i++) {
            $ai = $a[$i];
            for ($j = 0; $j < 16; $j++) {
                $r[$i + $j] += $ai * $b[$j];
            }
        }
        // 2^256 = 38 (mod p): fold the upper half onto the lower.
        for ($i = 0; $i < 16; $i++) {
            $r[$i] += 38 * $r[$i + 16];
        }
        return self::carry(array_slice($r, 0, 16));
    }

    private static function add(array $a, array $b): array
    {
        $r = [];
        for ($i = 0; $i < 16; $i++) {
            $r[$i] = $a[$i] + $b[$i];
        }
        return self::carry($r);
    }

    private static function sub(array $a, array $b): array
    {
        // a - b + 2p keeps every limb non-negative before the carry.
        $twoP = [0xffda, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff];
        $r = [];
        for ($i = 0; $i < 16; $i++) {
            $r[$i] = $a[$i] + 2 * $twoP[$i] - $b[$i]; // adds 4p: same residue
        }
        return self::carry($r);
    }

    /** Carries every limb into 16 bits (the value stays below 2^256 + small, same residue). */
    private static function carry(array $r): array
    {
        for ($round = 0; $round < 3; $round++) {
            $c = 0;
            for ($i = 0; $i < 16; $i++) {
                $v = $r[$i] + $c;
                $r[$i] = $v & 0xffff;
                $c = $v >> 16;
            }
            $r[0] += 38 * $c;
        }
        return $r;
    }
}

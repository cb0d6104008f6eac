<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * Unsigned 64-bit values in PHP's signed int: the spec's u64 fields (list sequence numbers and
 * times) keep their 64 bits, values from 2^63 up coming out negative, as with PHP's own
 * `unpack('J')`. These helpers compare and print them as unsigned.
 *
 * @internal
 */
final class Unsigned
{
    private function __construct()
    {
    }

    /** -1, 0 or 1 as `$a` is below, equal to or above `$b`, both read as unsigned. */
    public static function compare(int $a, int $b): int
    {
        return ($a ^ PHP_INT_MIN) <=> ($b ^ PHP_INT_MIN);
    }

    public static function toString(int $v): string
    {
        return sprintf('%u', $v);
    }

    /** `$a + $b` as unsigned 64-bit values, saturating at 2^64 - 1 (PHP's -1). */
    public static function saturatingAdd(int $a, int $b): int
    {
        $la = $a & PHP_INT_MAX;
        $lb = $b & PHP_INT_MAX;
        if ($la > PHP_INT_MAX - $lb) {
            $low = $la - (PHP_INT_MAX - $lb) - 1; // $la + $lb - 2^63
            $carry = 1;
        } else {
            $low = $la + $lb;
            $carry = 0;
        }
        $top = (($a >> 63) & 1) + (($b >> 63) & 1) + $carry;
        if ($top >= 2) {
            return -1;
        }
        return $top === 1 ? $low | PHP_INT_MIN : $low;
    }

    /**
     * Unsigned division with remainder by a positive divisor.
     *
     * @return array{int, int} quotient (fits a signed int for divisors above 1) and remainder
     */
    public static function divMod(int $v, int $divisor): array
    {
        if ($v >= 0) {
            return [intdiv($v, $divisor), $v % $divisor];
        }
        $low = $v & PHP_INT_MAX; // $v = 2^63 + $low; 2^63 = PHP_INT_MAX + 1
        $q = intdiv($low, $divisor) + intdiv(PHP_INT_MAX, $divisor);
        $r = $low % $divisor + PHP_INT_MAX % $divisor + 1;
        return [$q + intdiv($r, $divisor), $r % $divisor];
    }
}

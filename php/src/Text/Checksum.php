<?php

declare(strict_types=1);

namespace GlpiKey\Text;

/**
 * The bech32m check (BIP-350) over 5-bit symbol values, spec/FORMAT.md section 2.4: 6 check
 * symbols, human-readable part `glpi` for keys and lists, `glpi-id` for short IDs.
 *
 * @internal
 */
final class Checksum
{
    public const CHECK_LEN = 6;
    public const BECH32M = 0x2bc830a3;
    private const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    private const LOWEST_BIT = [1 => 0, 2 => 1, 4 => 2, 8 => 3, 16 => 4];

    /** XOR of the generator words selected by each 5-bit top value of the state. */
    public const TABLE = [
        0x00000000, 0x3b6a57b2, 0x26508e6d, 0x1d3ad9df, 0x1ea119fa, 0x25cb4e48, 0x38f19797, 0x039bc025,
        0x3d4233dd, 0x0628646f, 0x1b12bdb0, 0x2078ea02, 0x23e32a27, 0x18897d95, 0x05b3a44a, 0x3ed9f3f8,
        0x2a1462b3, 0x117e3501, 0x0c44ecde, 0x372ebb6c, 0x34b57b49, 0x0fdf2cfb, 0x12e5f524, 0x298fa296,
        0x1756516e, 0x2c3c06dc, 0x3106df03, 0x0a6c88b1, 0x09f74894, 0x329d1f26, 0x2fa7c6f9, 0x14cd914b,
    ];
    /** @var array<string, int> the state after each human-readable part */
    private static array $start = [];

    private function __construct()
    {
    }

    /** The polymod state after the expansion of `$hrp`. */
    public static function start(string $hrp): int
    {
        if (isset(self::$start[$hrp])) {
            return self::$start[$hrp];
        }
        $bytes = array_values(unpack('C*', $hrp));
        $values = [...array_map(static fn (int $b): int => $b >> 5, $bytes), 0, ...array_map(static fn (int $b): int => $b & 31, $bytes)];
        return self::$start[$hrp] = self::push(1, $values);
    }

    /**
     * Feeds symbol values into the polymod state `$c`.
     *
     * @param array<int, int> $values
     */
    public static function push(int $c, array $values): int
    {
        $t = self::TABLE;
        foreach ($values as $v) {
            $c = (($c & 0x1ffffff) << 5) ^ $v ^ $t[$c >> 25];
        }
        return $c;
    }

    /**
     * The 6 check symbols for `$values` in domain `$hrp`.
     *
     * @param array<int, int> $values
     * @return list<int>
     */
    public static function checkSymbols(string $hrp, array $values): array
    {
        $r = self::push(self::start($hrp), [...$values, 0, 0, 0, 0, 0, 0]) ^ self::BECH32M;
        $out = [];
        for ($i = 0; $i < self::CHECK_LEN; $i++) {
            $out[] = ($r >> (5 * (self::CHECK_LEN - 1 - $i))) & 31;
        }
        return $out;
    }

    /**
     * The one single-symbol change that makes a failed check pass, as the core finds it: the
     * code is linear, so the symbol `d` places from the end changed by XOR `e` changes the
     * residue by `e * x^d mod g`. Null when no change or more than one does.
     *
     * @return array{int, int}|null 0-based symbol index (among body and check symbols) and XOR delta
     */
    public static function locateSingleError(int $residue, int $len): ?array
    {
        $syndrome = $residue ^ self::BECH32M;
        if ($syndrome === 0) {
            return null;
        }
        $found = null;
        $count = 0;
        $basis = [1, 2, 4, 8, 16];
        for ($d = 0; $d < $len; $d++) {
            $table = [0];
            for ($e = 1; $e < 32; $e++) {
                $low = $e & ($e - 1);
                $value = $table[$low] ^ $basis[self::LOWEST_BIT[$e & -$e]];
                $table[$e] = $value;
                if ($value === $syndrome) {
                    $count++;
                    $found = [$len - 1 - $d, $e];
                }
            }
            foreach ($basis as $i => $b) {
                $basis[$i] = self::push($b, [0]);
            }
        }
        return $count === 1 ? $found : null;
    }
}

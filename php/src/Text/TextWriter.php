<?php

declare(strict_types=1);

namespace GlpiKey\Text;

/**
 * Writes `GLPI-<symbols>-<check>`: bodies as keys or lists (domain `glpi`), serials as short
 * IDs (domain `glpi-id`).
 *
 * @internal
 */
final class TextWriter
{
    public const GROUP_LEN = 5;

    private function __construct()
    {
    }

    /**
     * @param list<int> $values symbol values
     */
    public static function write(string $hrp, array $values, bool $grouped = false): string
    {
        $symbols = '';
        foreach ($values as $i => $v) {
            if ($i === 0 || ($grouped && $i % self::GROUP_LEN === 0)) {
                $symbols .= '-';
            }
            $symbols .= Scan::ALPHABET[$v];
        }
        $check = '';
        foreach (Checksum::checkSymbols($hrp, $values) as $v) {
            $check .= Scan::ALPHABET[$v];
        }
        return "GLPI$symbols-$check";
    }

    /**
     * The symbol values of a body: 5 bits each, most significant first, the last padded with
     * zero bits.
     *
     * @return list<int>
     */
    public static function symbolsOf(string $body): array
    {
        $bits = '';
        foreach (unpack('C*', $body) ?: [] as $b) {
            $bits .= sprintf('%08b', $b);
        }
        $bits .= str_repeat('0', (5 - strlen($bits) % 5) % 5);
        return array_map('bindec', str_split($bits, 5) ?: []);
    }

    /** A body as key text (`glpi` domain). */
    public static function ofBody(string $body, bool $grouped = false): string
    {
        return self::write('glpi', $body === '' ? [] : self::symbolsOf($body), $grouped);
    }
}

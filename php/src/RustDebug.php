<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * One character quoted as Rust's `{:?}` quotes a `char` (the core's messages do this): `'A'`,
 * `'\n'`, `'\''`, and `'\u{200b}'` for characters Rust does not print as they are (controls,
 * format characters, separators but the space, unassigned and private-use code points, and
 * combining marks).
 *
 * @internal
 */
final class RustDebug
{
    private function __construct()
    {
    }

    /** @param string $char one character, UTF-8 */
    public static function char(string $char): string
    {
        $escaped = match ($char) {
            "\0" => '\0',
            "\t" => '\t',
            "\r" => '\r',
            "\n" => '\n',
            '\\' => '\\\\',
            "'" => "\\'",
            default => null,
        };
        if ($escaped !== null) {
            return "'$escaped'";
        }
        if ($char !== ' ' && preg_match('/^[\p{C}\p{Z}\p{Grapheme_Extend}]$/u', $char) === 1) {
            return sprintf("'\\u{%x}'", self::codePoint($char));
        }
        return "'$char'";
    }

    private static function codePoint(string $char): int
    {
        $b = array_values(unpack('C*', $char));
        return match (count($b)) {
            1 => $b[0],
            2 => (($b[0] & 0x1f) << 6) | ($b[1] & 0x3f),
            3 => (($b[0] & 0x0f) << 12) | (($b[1] & 0x3f) << 6) | ($b[2] & 0x3f),
            default => (($b[0] & 0x07) << 18) | (($b[1] & 0x3f) << 12) | (($b[2] & 0x3f) << 6) | ($b[3] & 0x3f),
        };
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey\Text;

use GlpiKey\Correction;
use GlpiKey\CorrectionStatus;
use GlpiKey\VerificationException;

/**
 * The forgiving reader of spec/FORMAT.md section 2.1: a text whose prefix and characters have
 * been checked, with its symbol values read. Tolerates what mail clients and web forms do to
 * keys (white space and quote marks around it, any grouping with hyphens, spaces, tabs and
 * line breaks, lowercase, `O` for 0 and `I`/`L` for 1) and nothing else.
 *
 * @internal
 */
final class Scan
{
    /** The longest raw text accepted, in bytes, before any other work is done. */
    public const MAX_INPUT_LEN = 4096;
    public const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    private const SEPARATORS = ['-', ' ', "\t", "\r", "\n"];
    /** Characters that may surround a key: Unicode White_Space and the quote marks of 2.1. */
    private const WRAPPING = [
        "\t" => 1, "\n" => 1, "\x0B" => 1, "\x0C" => 1, "\r" => 1, ' ' => 1, '"' => 1, "'" => 1,
        '`' => 1, '<' => 1, '>' => 1, "\u{85}" => 1, "\u{A0}" => 1, "\u{AB}" => 1, "\u{BB}" => 1,
        "\u{1680}" => 1, "\u{2000}" => 1, "\u{2001}" => 1, "\u{2002}" => 1, "\u{2003}" => 1,
        "\u{2004}" => 1, "\u{2005}" => 1, "\u{2006}" => 1, "\u{2007}" => 1, "\u{2008}" => 1,
        "\u{2009}" => 1, "\u{200A}" => 1, "\u{2018}" => 1, "\u{2019}" => 1, "\u{201C}" => 1,
        "\u{201D}" => 1, "\u{2028}" => 1, "\u{2029}" => 1, "\u{202F}" => 1, "\u{205F}" => 1,
        "\u{3000}" => 1,
    ];
    /** Longest match of UTF-8 that Rust's `str::from_utf8` accepts (no surrogates, no overlongs). */
    private const VALID_UTF8 = '/\A(?:[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2})*+/';

    /** @var array<string, string> input symbol character => its 5 bits as text */
    private static array $bits = [];
    private static string $accepted = '';

    /**
     * @param string $rest everything after the prefix (symbols and separators only)
     * @param int $offset characters of the original input before `$rest`
     * @param string $symbols the symbols in canonical (uppercase) form, check included
     */
    private function __construct(
        public readonly string $rest,
        public readonly int $offset,
        public readonly string $symbols,
    ) {
    }

    /**
     * Checks the input's size, encoding, prefix and every character; more than `$maxSymbols`
     * symbols is `too-long`, found as soon as the one too many is.
     *
     * @throws VerificationException
     */
    public static function read(string $input, int $maxSymbols): self
    {
        if (strlen($input) > self::MAX_INPUT_LEN) {
            throw VerificationException::tooLong(self::MAX_INPUT_LEN);
        }
        if (!preg_match('//u', $input)) {
            preg_match(self::VALID_UTF8, $input, $m);
            throw VerificationException::invalidUtf8(strlen($m[0]));
        }
        [$leading, $text] = self::unwrap($input);
        if ($text === '') {
            throw VerificationException::empty();
        }
        if (strlen($text) < 4 || strncasecmp($text, 'GLPI', 4) !== 0) {
            throw VerificationException::notAGlpiKey();
        }
        $rest = substr($text, 4);
        $offset = $leading + 4;
        if (self::$accepted === '') {
            self::init();
        }
        $good = strspn($rest, self::$accepted);
        $symbols = str_replace(self::SEPARATORS, '', $good === strlen($rest) ? $rest : substr($rest, 0, $good));
        if (strlen($symbols) > $maxSymbols) {
            throw VerificationException::tooLong($maxSymbols);
        }
        if ($good !== strlen($rest)) {
            // Every byte before was ASCII, so the byte index is also the character index.
            preg_match('/./su', $rest, $m, 0, $good);
            throw VerificationException::invalidCharacter($m[0], $offset + $good + 1);
        }
        return new self($rest, $offset, strtoupper(strtr($symbols, 'OoIiLl', '001111')));
    }

    /** Symbols found, check included. */
    public function count(): int
    {
        return strlen($this->symbols);
    }

    /** @return list<int> the symbol values, check included */
    public function values(): array
    {
        return array_values(unpack('C*', strtr($this->symbols, self::ALPHABET, self::valueBytes())));
    }

    /**
     * Checks the length (`wrong-length`), the check symbols in domain `$hrp` (`checksum`, with
     * the suspect symbol when exactly one is found) and the padding (`non-canonical`), and
     * returns the body bytes.
     *
     * @throws VerificationException
     */
    public function decode(string $hrp, int $minBytes, int $maxBytes): string
    {
        $n = strlen($this->symbols);
        $body = $n - Checksum::CHECK_LEN;
        $bytes = intdiv(5 * max($body, 0), 8);
        if ($body < 0 || intdiv(8 * $bytes + 4, 5) !== $body || $bytes < $minBytes || $bytes > $maxBytes) {
            throw VerificationException::wrongLength($n);
        }
        $residue = Checksum::push(Checksum::start($hrp), $this->values());
        if ($residue !== Checksum::BECH32M) {
            throw $this->checksumError($residue);
        }
        $bits = strtr(substr($this->symbols, 0, $body), self::$bits);
        if (strpos($bits, '1', 8 * $bytes) !== false) {
            throw VerificationException::nonCanonical();
        }
        return hex2bin(strtr(substr($bits, 0, 8 * $bytes), self::NIBBLES));
    }

    /**
     * Checks the check symbols in domain `$hrp` over all symbols read.
     *
     * @throws VerificationException `checksum`
     */
    public function verifyCheck(string $hrp): void
    {
        $residue = Checksum::push(Checksum::start($hrp), $this->values());
        if ($residue !== Checksum::BECH32M) {
            throw $this->checksumError($residue);
        }
    }

    /** Whether the check symbols are valid in domain `$hrp`. */
    public function checkValid(string $hrp): bool
    {
        return Checksum::push(Checksum::start($hrp), $this->values()) === Checksum::BECH32M;
    }

    private function checksumError(int $residue): VerificationException
    {
        $located = Checksum::locateSingleError($residue, strlen($this->symbols));
        return VerificationException::checksum($located === null ? null : $this->correction(...$located));
    }

    /** Where the symbol at `$index` (among symbols) is, for a person, and what it should be. */
    private function correction(int $index, int $delta): ?Correction
    {
        $symbol = 0;
        $group = 0;
        $inGroup = 0;
        $previousWasSymbol = false;
        $len = strlen($this->rest);
        for ($i = 0; $i < $len; $i++) {
            $c = $this->rest[$i];
            if (in_array($c, self::SEPARATORS, true)) {
                $previousWasSymbol = false;
                continue;
            }
            if (!$previousWasSymbol) {
                $group++;
                $inGroup = 0;
            }
            $inGroup++;
            $previousWasSymbol = true;
            if ($symbol === $index) {
                $value = strpos(self::ALPHABET, strtoupper(strtr($c, 'OoIiLl', '001111')));
                return new Correction($this->offset + $i + 1, $group, $inGroup, $c, self::ALPHABET[$value ^ $delta], CorrectionStatus::Unconfirmed);
            }
            $symbol++;
        }
        return null;
    }

    /** The canonical text with one symbol changed as `$c` suggests. */
    public function corrected(Correction $c): string
    {
        $index = $c->position - $this->offset - 1;
        $rest = substr($this->rest, 0, $index) . $c->replacement . substr($this->rest, $index + 1);
        return 'GLPI-' . strtoupper(strtr(str_replace(self::SEPARATORS, '', $rest), 'OoIiLl', '001111'));
    }

    /**
     * The input without the wrapping around it, and how many characters were dropped in front.
     *
     * @return array{int, string}
     */
    private static function unwrap(string $text): array
    {
        $leading = 0;
        $start = 0;
        $end = strlen($text);
        while ($start < $end) {
            $w = self::wrappingAt($text, $start, $end);
            if ($w === 0) {
                break;
            }
            $start += $w;
            $leading++;
        }
        while ($end > $start) {
            $w = 0;
            for ($len = 1; $len <= 3 && $len <= $end - $start; $len++) {
                if (isset(self::WRAPPING[substr($text, $end - $len, $len)])) {
                    $w = $len;
                    break;
                }
            }
            if ($w === 0) {
                break;
            }
            $end -= $w;
        }
        return [$leading, substr($text, $start, $end - $start)];
    }

    /** Bytes of the wrapping character at byte `$at`, 0 if none. */
    private static function wrappingAt(string $text, int $at, int $end): int
    {
        for ($len = 1; $len <= 3 && $len <= $end - $at; $len++) {
            if (isset(self::WRAPPING[substr($text, $at, $len)])) {
                return $len;
            }
        }
        return 0;
    }

    private static function valueBytes(): string
    {
        $out = '';
        for ($v = 0; $v < 32; $v++) {
            $out .= chr($v);
        }
        return $out;
    }

    private const NIBBLES = [
        '0000' => '0', '0001' => '1', '0010' => '2', '0011' => '3', '0100' => '4', '0101' => '5',
        '0110' => '6', '0111' => '7', '1000' => '8', '1001' => '9', '1010' => 'a', '1011' => 'b',
        '1100' => 'c', '1101' => 'd', '1110' => 'e', '1111' => 'f',
    ];

    private static function init(): void
    {
        for ($v = 0; $v < 32; $v++) {
            self::$bits[self::ALPHABET[$v]] = sprintf('%05b', $v);
        }
        self::$accepted = self::ALPHABET . strtolower(self::ALPHABET) . 'OoIiLl' . implode('', self::SEPARATORS);
    }
}

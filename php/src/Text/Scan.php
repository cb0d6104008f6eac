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
    /** The symbol values 0 to 31 as bytes, in alphabet order (for `strtr`). */
    private const VALUES = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f";
    private const SEPARATORS = ['-', ' ', "\t", "\r", "\n"];
    /** Characters that may surround a key: Unicode White_Space, the quote marks of 2.1 and the byte-order mark U+FEFF. */
    private const WRAPPING = [
        "\t" => 1, "\n" => 1, "\x0B" => 1, "\x0C" => 1, "\r" => 1, ' ' => 1, '"' => 1, "'" => 1,
        '`' => 1, '<' => 1, '>' => 1, "\u{85}" => 1, "\u{A0}" => 1, "\u{AB}" => 1, "\u{BB}" => 1,
        "\u{1680}" => 1, "\u{2000}" => 1, "\u{2001}" => 1, "\u{2002}" => 1, "\u{2003}" => 1,
        "\u{2004}" => 1, "\u{2005}" => 1, "\u{2006}" => 1, "\u{2007}" => 1, "\u{2008}" => 1,
        "\u{2009}" => 1, "\u{200A}" => 1, "\u{2018}" => 1, "\u{2019}" => 1, "\u{201C}" => 1,
        "\u{201D}" => 1, "\u{2028}" => 1, "\u{2029}" => 1, "\u{202F}" => 1, "\u{205F}" => 1,
        "\u{3000}" => 1, "\u{FEFF}" => 1,
    ];
    /** Longest match of UTF-8 that Rust's `str::from_utf8` accepts (no surrogates, no overlongs). */
    private const VALID_UTF8 = '/\A(?:[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2})*+/';

    /** Canonical symbols and the hyphen: what issuers write. */
    private const CANONICAL = '0123456789ABCDEFGHJKMNPQRSTVWXYZ-';
    /** Every character allowed after the prefix: symbols in both cases, aliases, separators. */
    private const ACCEPTED = '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyzOoIiLl-' . " \t\r\n";

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
        // Fast path: a key as issuers write it (canonical symbols and hyphens, nothing around),
        // which is ASCII and so valid UTF-8. `ltrim` with a character list scans through a
        // 256-entry mask, linear in the input (`strspn` compares each byte with each character
        // of the list).
        if (strncmp($input, 'GLPI-', 5) === 0 && ltrim($rest = substr($input, 4), self::CANONICAL) === '') {
            $symbols = str_replace('-', '', $rest);
            if (strlen($symbols) > $maxSymbols) {
                throw VerificationException::tooLong($maxSymbols);
            }
            return new self($rest, 4, $symbols);
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
        $good = strlen($rest) - strlen(ltrim($rest, self::ACCEPTED));
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
        return array_values(unpack('C*', strtr($this->symbols, self::ALPHABET, self::VALUES)));
    }

    /**
     * Checks the length (`wrong-length`), the check symbols in domain `$hrp` (`checksum`, with
     * the suspect symbol when exactly one is found) and the padding (`non-canonical`), and
     * returns the body bytes.
     *
     * The hot path of every verification: eight symbols (40 bits, five body bytes) per step,
     * the check through the tables of {@see ChecksumTables} (four lookups a step), the bytes
     * collected as 64-bit words for one `pack`.
     *
     * @throws VerificationException
     */
    public function decode(string $hrp, int $minBytes, int $maxBytes): string
    {
        $n = strlen($this->symbols);
        $bodySymbols = $n - Checksum::CHECK_LEN;
        $bytes = intdiv(5 * max($bodySymbols, 0), 8);
        if ($bodySymbols < 0 || intdiv(8 * $bytes + 4, 5) !== $bodySymbols || $bytes < $minBytes || $bytes > $maxBytes) {
            throw VerificationException::wrongLength($n);
        }
        // All symbols, check included, as values (one per byte), padded with zero values to
        // whole steps of eight: the steps are then all alike, and the body's bytes are the first
        // bytes of the bit stream (eight symbols are five bytes).
        $chunks = ($n + 7) >> 3;
        $pad = 8 * $chunks - $n;
        $values = strtr($this->symbols, self::ALPHABET, self::VALUES);
        if ($pad > 0) {
            $values .= substr("\0\0\0\0\0\0\0", 0, $pad);
        }
        $a = ChecksumTables::A;
        $b = ChecksumTables::B;
        $c = ChecksumTables::C;
        $r = ChecksumTables::R;
        $state = Checksum::start($hrp);
        // The bit stream in 64-bit words for one `pack('J*')`: `$acc` holds its last `$n` bits
        // (fewer than 64) at the top.
        $out = [];
        $acc = 0;
        $n = 0;
        // Eight symbol values (one per byte) per 64-bit word, squeezed into 40 bits.
        foreach (unpack('J*', $values) as $w) {
            $w = ($w & 0x001f001f001f001f) | (($w >> 3) & 0x03e003e003e003e0);
            $w = ($w & 0x000003ff000003ff) | (($w >> 6) & 0x000ffc00000ffc00);
            $x = ($w & 0xfffff) | (($w >> 12) & 0xfffff00000);
            $state = $a[$state >> 20] ^ $b[($state >> 10) & 1023] ^ $c[$state & 1023] ^ $r[$x >> 30] ^ ($x & 0x3fffffff);
            if ($n >= 24) {
                $out[] = $acc | ($x >> ($n - 24));
                $n -= 24;
                $acc = $x << (64 - $n); // 0 when $n is 0 (a shift by 64 gives 0 in PHP)
            } else {
                $acc |= $x << (24 - $n);
                $n += 40;
            }
        }
        if ($n > 0) {
            $out[] = $acc;
        }
        // The padding fed `$pad` zero values after the check: a valid text leaves the bech32m
        // constant times x^pad.
        if ($state !== ChecksumTables::PADDED_BECH32M[$pad]) {
            throw $this->checksumError(Checksum::push(Checksum::start($hrp), $this->values()));
        }
        $stream = pack('J*', ...$out);
        // The bits of the last body symbol beyond the last whole byte must be zero.
        $padding = 5 * $bodySymbols - 8 * $bytes;
        if ($padding > 0 && (ord($stream[$bytes]) >> (8 - $padding)) !== 0) {
            throw VerificationException::nonCanonical();
        }
        return substr($stream, 0, $bytes);
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
}

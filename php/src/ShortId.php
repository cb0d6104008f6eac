<?php

declare(strict_types=1);

namespace GlpiKey;

use GlpiKey\Text\Scan;
use GlpiKey\Text\TextWriter;

/**
 * A key's public short ID, `GLPI-XXXXXXXXXXXX-YYYYYY` (spec/FORMAT.md section 8): the serial
 * as 12 symbols and 6 check symbols in the `glpi-id` domain. It names a key in support
 * tickets and revocation lists; it carries no signature.
 */
final class ShortId implements \Stringable
{
    public const SYMBOLS = 12;
    public const HRP = 'glpi-id';

    public function __construct(public readonly Serial $serial)
    {
    }

    /**
     * Reads a short ID with the tolerance of keys.
     *
     * @throws VerificationException
     */
    public static function parse(string $text): self
    {
        $scan = Scan::read($text, self::SYMBOLS + 6);
        if ($scan->count() !== self::SYMBOLS + 6) {
            throw VerificationException::wrongLength($scan->count());
        }
        $scan->verifyCheck(self::HRP);
        return self::fromSymbols($scan->symbols);
    }

    /** @internal from canonical symbols (the first 12 are the serial) */
    public static function fromSymbols(string $symbols): self
    {
        $value = 0;
        for ($i = 0; $i < self::SYMBOLS; $i++) {
            $value = ($value << 5) | strpos(Scan::ALPHABET, $symbols[$i]);
        }
        return new self(Serial::of($value));
    }

    public function __toString(): string
    {
        $values = [];
        for ($i = self::SYMBOLS - 1; $i >= 0; $i--) {
            $values[] = ($this->serial->value >> (5 * $i)) & 31;
        }
        return TextWriter::write(self::HRP, $values);
    }
}

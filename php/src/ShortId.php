<?php

declare(strict_types=1);

namespace GlpiKey;

use GlpiKey\Text\TextWriter;

/**
 * A key's public short ID, `GLPI-XXXXXXXXXXXX-YYYYYY` (spec/FORMAT.md section 8): the serial
 * as 12 symbols and 6 check symbols in the `glpi-id` domain. It names a key in support
 * tickets and revocation lists; it carries no signature.
 */
final class ShortId implements \Stringable
{
    public const SYMBOLS = 12;

    public function __construct(public readonly Serial $serial)
    {
    }

    public function __toString(): string
    {
        $values = [];
        for ($i = self::SYMBOLS - 1; $i >= 0; $i--) {
            $values[] = ($this->serial->value >> (5 * $i)) & 31;
        }
        return TextWriter::write('glpi-id', $values);
    }
}

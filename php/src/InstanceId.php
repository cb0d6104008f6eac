<?php

declare(strict_types=1);

namespace GlpiKey;

/** A GLPI instance's UUID, to which a key may be bound. */
final class InstanceId implements \Stringable
{
    private function __construct(public readonly string $bytes)
    {
    }

    /** From the 16 raw bytes. */
    public static function fromBytes(string $bytes): self
    {
        if (strlen($bytes) !== 16) {
            throw new \InvalidArgumentException('an instance UUID is 16 bytes');
        }
        return new self($bytes);
    }

    /**
     * Reads a UUID as the core does: hyphenated or not, either case, optionally in braces.
     *
     * @throws \InvalidArgumentException when it is not a UUID
     */
    public static function parse(string $text): self
    {
        $s = trim($text);
        if (strlen($s) >= 2 && $s[0] === '{' && $s[-1] === '}') {
            $s = substr($s, 1, -1);
        }
        $hex = str_replace('-', '', $s);
        if (substr_count($s, '-') > 4 || strlen($hex) !== 32 || strspn($hex, '0123456789abcdefABCDEF') !== 32) {
            throw new \InvalidArgumentException("not a UUID: $text");
        }
        return new self(hex2bin($hex));
    }

    public function equals(self $other): bool
    {
        return hash_equals($this->bytes, $other->bytes);
    }

    /** The canonical lowercase hyphenated form. */
    public function __toString(): string
    {
        $h = bin2hex($this->bytes);
        return substr($h, 0, 8) . '-' . substr($h, 8, 4) . '-' . substr($h, 12, 4) . '-' . substr($h, 16, 4) . '-' . substr($h, 20);
    }
}

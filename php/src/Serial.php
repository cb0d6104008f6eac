<?php

declare(strict_types=1);

namespace GlpiKey;


/** A key's 60-bit serial, unique per vendor; its {@see ShortId} names the key publicly. */
final class Serial
{
    public const BITS = 60;
    public const MAX = (1 << self::BITS) - 1;

    private function __construct(public readonly int $value)
    {
    }

    /** @throws \InvalidArgumentException when the value is negative or over 60 bits */
    public static function of(int $value): self
    {
        if ($value < 0 || $value > self::MAX) {
            throw new \InvalidArgumentException("serial $value is not a 60-bit value");
        }
        return new self($value);
    }

    /** From 8 big-endian bytes (the first 8 of a longer string); null when a top bit is set. */
    public static function fromBytes(string $bytes): ?self
    {
        $v = unpack('J', $bytes)[1];
        return ($v >> self::BITS) === 0 ? new self($v) : null;
    }

    public function toBytes(): string
    {
        return pack('J', $this->value);
    }

    /** 16 lowercase hex digits, as the vectors write serials. */
    public function hex(): string
    {
        return sprintf('%016x', $this->value);
    }

    public function shortId(): ShortId
    {
        return new ShortId($this);
    }

    public function equals(self $other): bool
    {
        return $this->value === $other->value;
    }
}

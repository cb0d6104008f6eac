<?php

declare(strict_types=1);

namespace GlpiKey\Site;

/**
 * Big-endian fields of the state record, one after another; a record shorter than its fields
 * say, or with an option tag other than 00/01, is corrupted.
 *
 * @internal
 */
final class RecordReader
{
    public function __construct(private readonly string $bytes, private int $at, private readonly string $where)
    {
    }

    public function bytes(int $n): string
    {
        if (strlen($this->bytes) - $this->at < $n) {
            throw SiteException::corrupted($this->where, 'it is cut short');
        }
        $out = substr($this->bytes, $this->at, $n);
        $this->at += $n;
        return $out;
    }

    public function u8(): int
    {
        return ord($this->bytes(1));
    }

    /** An option tag: 00 (false) or 01 (true). */
    public function u8Tag(): bool
    {
        return match ($this->u8()) {
            0 => false,
            1 => true,
            default => throw SiteException::corrupted($this->where, 'an option tag is neither 00 nor 01'),
        };
    }

    public function u16(): int
    {
        return unpack('n', $this->bytes(2))[1];
    }

    public function u32(): int
    {
        return unpack('N', $this->bytes(4))[1];
    }

    /** Unsigned 64-bit, in PHP's int bit for bit. */
    public function u64(): int
    {
        return unpack('J', $this->bytes(8))[1];
    }

    public function opt64(): ?int
    {
        return $this->u8Tag() ? $this->u64() : null;
    }

    public function end(): void
    {
        if ($this->at !== strlen($this->bytes)) {
            throw SiteException::corrupted($this->where, 'bytes are left over after the last field');
        }
    }
}

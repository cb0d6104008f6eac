<?php

declare(strict_types=1);

namespace GlpiKey\Wire;

/**
 * Reads postcard 1.x primitives (spec/FORMAT.md section 5.1) one after another, with
 * postcard's own limits: a varint of type T has at most ceil(bits/7) bytes and its last byte
 * may not carry bits beyond T. Like postcard, it accepts non-minimal varints but remembers
 * that it met one (`$minimal`): the caller refuses them, as the spec's canonical-form rule says.
 *
 * Failures are reported as `null` (the caller names the field).
 *
 * @internal
 */
final class Reader
{
    public const U16 = [3, 0x03];
    public const U32 = [5, 0x0f];
    public const U64 = [10, 0x01];

    private int $at = 0;
    private readonly int $len;
    /** False once a varint was read in a longer form than needed. */
    public bool $minimal = true;

    public function __construct(private readonly string $bytes)
    {
        $this->len = strlen($bytes);
    }

    public function atEnd(): bool
    {
        return $this->at === $this->len;
    }

    public function remaining(): int
    {
        return $this->len - $this->at;
    }

    /** `$n` raw bytes (a `[u8; N]` or a `u8`), or null when fewer are left. */
    public function raw(int $n): ?string
    {
        if ($n < 0 || $n > $this->len - $this->at) {
            return null;
        }
        $out = substr($this->bytes, $this->at, $n);
        $this->at += $n;
        return $out;
    }

    /**
     * An unsigned LEB128 varint of the type given by `$limits` (one of the constants). The
     * value of a u64 comes back in PHP's int bit for bit (see {@see \GlpiKey\Unsigned}).
     *
     * @param array{int, int} $limits most bytes, largest value of the last possible byte
     */
    public function varint(array $limits): ?int
    {
        [$maxBytes, $lastMax] = $limits;
        $value = 0;
        for ($i = 0; $i < $maxBytes; $i++) {
            if ($this->at >= $this->len) {
                return null;
            }
            $b = ord($this->bytes[$this->at++]);
            $value |= ($b & 0x7f) << (7 * $i);
            if (($b & 0x80) === 0) {
                if ($i === $maxBytes - 1 && $b > $lastMax) {
                    return null;
                }
                if ($i > 0 && $b === 0) {
                    $this->minimal = false;
                }
                return $value;
            }
        }
        return null;
    }

    /** A postcard byte string: a u64 varint length (postcard's `usize`), then the bytes. */
    public function bytes(): ?string
    {
        $n = $this->varint(self::U64);
        return $n === null ? null : $this->raw($n);
    }
}

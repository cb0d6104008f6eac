<?php

declare(strict_types=1);

namespace GlpiKey;

/** A GLPI version, `major.minor` (patch releases do not change what a key covers). */
final class GlpiVersion implements \Stringable
{
    public function __construct(public readonly int $major, public readonly int $minor)
    {
        if ($major < 0 || $major > 255 || $minor < 0 || $minor > 255) {
            throw new \InvalidArgumentException("GLPI version $major.$minor is out of range (0 to 255 each)");
        }
    }

    /**
     * Reads `10.0` or `10.0.17` (the patch is ignored), as the core does.
     *
     * @throws \InvalidArgumentException
     */
    public static function parse(string $text): self
    {
        if (!preg_match('/^\+?(\d+)\.\+?(\d+)(?:\.\+?\d+)?$/D', trim($text), $m)
            || (int) $m[1] > 255 || (int) $m[2] > 255 || strlen(ltrim($m[1], '0')) > 3 || strlen(ltrim($m[2], '0')) > 3) {
            throw new \InvalidArgumentException("not a GLPI version: $text (expected MAJOR.MINOR, for example 10.0)");
        }
        return new self((int) $m[1], (int) $m[2]);
    }

    public function compare(self $other): int
    {
        return [$this->major, $this->minor] <=> [$other->major, $other->minor];
    }

    public function __toString(): string
    {
        return "{$this->major}.{$this->minor}";
    }
}

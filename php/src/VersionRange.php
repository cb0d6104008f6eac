<?php

declare(strict_types=1);

namespace GlpiKey;

/** The GLPI versions a key covers, both ends included. */
final class VersionRange implements \Stringable
{
    public function __construct(public readonly GlpiVersion $min, public readonly GlpiVersion $max)
    {
    }

    public function contains(GlpiVersion $v): bool
    {
        return $this->min->compare($v) <= 0 && $v->compare($this->max) <= 0;
    }

    /** `10.0 to 11.0`, or `10.0` when both ends are the same. */
    public function __toString(): string
    {
        return $this->min->compare($this->max) === 0 ? (string) $this->min : "{$this->min} to {$this->max}";
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey;

/** The subscription tier; the backing value is the wire byte, so tiers compare by value. */
enum Tier: int
{
    case Free = 0;
    case Starter = 1;
    case Basic = 2;
    case Standard = 3;
    case Advanced = 4;

    /** The lowercase name (`free`, `standard`, …). */
    public function label(): string
    {
        return strtolower($this->name);
    }

    /** Whether this tier is at least `$other` (Advanced includes Standard, …). */
    public function atLeast(self $other): bool
    {
        return $this->value >= $other->value;
    }
}

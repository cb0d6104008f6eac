<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * One extension claim (spec/FORMAT.md section 5.4). Version 1 defines no tags; an odd
 * (critical) tag is refused when read, so only even, informational tags reach this object.
 */
final class Extension
{
    public function __construct(public readonly int $tag, public readonly string $value)
    {
    }
}

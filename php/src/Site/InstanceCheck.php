<?php

declare(strict_types=1);

namespace GlpiKey\Site;

use GlpiKey\InstanceId;

/**
 * What the host says about its instance (spec/SITE.md section 4.1). There is no default that
 * skips the check silently.
 */
final class InstanceCheck
{
    private function __construct(public readonly ?InstanceId $instance, public readonly bool $skip)
    {
    }

    /** This GLPI instance is `$id`: a key bound to another is `wrong-instance`. */
    public static function this(InstanceId $id): self
    {
        return new self($id, false);
    }

    /** This host has no instance id: a bound key is `instance-required`. */
    public static function unknown(): self
    {
        return new self(null, false);
    }

    /** Risky: bound keys pass unchecked, with the warning `instance-not-checked`. */
    public static function insecureSkipBinding(): self
    {
        return new self(null, true);
    }
}

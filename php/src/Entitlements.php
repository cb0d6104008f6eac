<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * What the key entitles its holder to, as flags. Bits this version does not name are kept (a
 * newer issuer may grant more) and shown as `bit N`.
 */
final class Entitlements implements \Stringable
{
    public const MARKETPLACE = 1 << 0;
    public const NETWORK_PLUGINS = 1 << 1;
    public const L3_SUPPORT = 1 << 2;
    /** The named entitlements, in bit order. */
    public const NAMES = [self::MARKETPLACE => 'marketplace', self::NETWORK_PLUGINS => 'network-plugins', self::L3_SUPPORT => 'l3-support'];

    /** @param int $bits all 32 bits as sent */
    public function __construct(public readonly int $bits)
    {
    }

    /** Whether every entitlement in `$flags` is granted. */
    public function contains(int $flags): bool
    {
        return ($this->bits & $flags) === $flags;
    }

    /** @return list<string> the names of the granted, named entitlements */
    public function names(): array
    {
        $out = [];
        foreach (self::NAMES as $bit => $name) {
            if ($this->bits & $bit) {
                $out[] = $name;
            }
        }
        return $out;
    }

    /** Comma-separated names (unnamed bits as `bit N`), `none` when empty. */
    public function __toString(): string
    {
        $parts = [];
        for ($bit = 0; $bit < 32; $bit++) {
            if ($this->bits & (1 << $bit)) {
                $parts[] = self::NAMES[1 << $bit] ?? "bit $bit";
            }
        }
        return $parts === [] ? 'none' : implode(', ', $parts);
    }
}

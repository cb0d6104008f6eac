<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * Whether a valid key is active or expired but inside the host's grace period
 * (spec/REVOCATION.md section 2.1).
 */
final class KeyStatus implements \Stringable
{
    private function __construct(
        public readonly bool $inGrace,
        /** When the key expired (in grace only). */
        public readonly ?int $expiredAt = null,
        /** The end of the grace period (in grace only). */
        public readonly ?int $graceUntil = null,
    ) {
    }

    public static function active(): self
    {
        // Immutable, so one instance serves every active key.
        static $active = null;
        return $active ??= new self(false);
    }

    public static function inGrace(int $expiredAt, int $until): self
    {
        return new self(true, $expiredAt, $until);
    }

    /** `active`, or the core's sentence for a key in grace. */
    public function __toString(): string
    {
        if (!$this->inGrace) {
            return 'active';
        }
        return sprintf(
            'expired on %s, usable during the grace period until %s: renew the subscription',
            UtcTime::format((int) $this->expiredAt),
            UtcTime::format((int) $this->graceUntil),
        );
    }
}

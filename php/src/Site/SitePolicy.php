<?php

declare(strict_types=1);

namespace GlpiKey\Site;

/** A site's policy, fixed at its creation (spec/SITE.md section 1). */
final class SitePolicy
{
    public function __construct(
        /** Grace period after expiry, in seconds. */
        public readonly int $graceSecs = 0,
        /** How far the clock may go back without `clock-rollback`, in seconds. */
        public readonly int $clockToleranceSecs = 300,
    ) {
        if ($graceSecs < 0 || $clockToleranceSecs < 0) {
            throw new \InvalidArgumentException('grace and clock tolerance must not be negative');
        }
    }
}

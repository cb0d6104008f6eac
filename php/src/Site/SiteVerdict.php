<?php

declare(strict_types=1);

namespace GlpiKey\Site;

use GlpiKey\License;

/** An accepted key at a site, the site's time it was judged at, and the warnings to show. */
final class SiteVerdict
{
    public const IN_GRACE = 'in-grace';
    public const LIST_UPDATE_DUE = 'list-update-due';
    public const NO_REVOCATION_LIST = 'no-revocation-list';
    public const INSTANCE_NOT_CHECKED = 'instance-not-checked';

    /**
     * @param list<string> $warnings sorted warning names (the constants above)
     */
    public function __construct(
        public readonly License $license,
        /** The site's clock mark the key was judged at. */
        public readonly int $checkedAt,
        public readonly array $warnings,
        /** The end of the grace period, when in grace. */
        public readonly ?int $inGraceUntil = null,
        /** The earliest announced next update that has passed, when one has. */
        public readonly ?int $listUpdateDue = null,
    ) {
    }
}

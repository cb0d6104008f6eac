<?php

declare(strict_types=1);

namespace GlpiKey\Site;

/** The slot of one issuer key: the highest-sequence list installed from it (spec/SITE.md 3). */
final class InstalledList
{
    public function __construct(
        /** The issuer key id, 8 hex digits. */
        public readonly string $keyId,
        /** Unsigned 64-bit, in PHP's int bit for bit. */
        public readonly int $sequence,
        public readonly int $issuedAt,
        public readonly ?int $nextUpdate,
        public readonly int $serials,
        /** The first 32 bytes of SHA-512 of the list body. */
        public readonly string $digest,
    ) {
    }

    /** The file name of the list in a site directory: `<keyid>-<sequence>.glpirl`. */
    public function fileName(): string
    {
        return sprintf('%s-%u.glpirl', $this->keyId, $this->sequence);
    }
}

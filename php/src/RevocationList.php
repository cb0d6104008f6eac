<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * A verified revocation list (spec/REVOCATION.md): only
 * {@see UnverifiedRevocationList::verify()} makes one. Serials are looked up by binary search
 * over the verified bytes; nothing is decoded ahead of time. Sequence numbers and times are
 * unsigned 64-bit values held in PHP ints (from 2^63 up they read as negative; see
 * {@see sequenceString()}).
 */
final class RevocationList
{
    /** @internal */
    public function __construct(
        /** The issuer key id (8 hex digits) that signed it. */
        public readonly string $issuerKeyId,
        public readonly int $sequence,
        /** Unix seconds. */
        public readonly int $issuedAt,
        /** Unix seconds, or null when no next list was announced. */
        public readonly ?int $nextUpdate,
        /** The serials, 8 big-endian bytes each, strictly increasing. */
        private readonly string $serials,
    ) {
    }

    public function count(): int
    {
        return intdiv(strlen($this->serials), 8);
    }

    /** The sequence number in decimal (unsigned). */
    public function sequenceString(): string
    {
        return Unsigned::toString($this->sequence);
    }

    /** Whether the next list is announced and `$now` has reached it (the host should warn). */
    public function isDue(int $now): bool
    {
        return $this->nextUpdate !== null && Unsigned::compare($now, $this->nextUpdate) >= 0;
    }

    public function contains(Serial $serial): bool
    {
        $target = $serial->toBytes();
        $lo = 0;
        $hi = $this->count();
        while ($lo < $hi) {
            $mid = ($lo + $hi) >> 1;
            $cmp = strcmp(substr($this->serials, 8 * $mid, 8), $target);
            if ($cmp === 0) {
                return true;
            }
            if ($cmp < 0) {
                $lo = $mid + 1;
            } else {
                $hi = $mid;
            }
        }
        return false;
    }

    /** @throws VerificationException `revoked` */
    public function check(Serial $serial): void
    {
        if ($this->contains($serial)) {
            throw VerificationException::revoked($serial, $this->sequence);
        }
    }

    /**
     * Refuses a list older than the one installed (spec/REVOCATION.md section 1.8).
     *
     * @throws VerificationException `revocation-list-rollback`
     */
    public function checkNotOlderThan(int $installedSequence): void
    {
        if (Unsigned::compare($this->sequence, $installedSequence) < 0) {
            throw VerificationException::revocationListRollback($this->sequence, $installedSequence);
        }
    }

    /** @return list<Serial> */
    public function serials(): array
    {
        $out = [];
        foreach (str_split($this->serials, 8) as $bytes) {
            if ($bytes !== '') {
                $out[] = Serial::fromBytes($bytes);
            }
        }
        return array_values(array_filter($out));
    }
}

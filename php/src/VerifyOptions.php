<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * What the host knows when it verifies: `now` (the library has no clock), and optionally the
 * key kind it requires, its instance UUID, its GLPI version, a grace period and a clock
 * tolerance (spec/FORMAT.md section 9, spec/REVOCATION.md section 2). Immutable: the `with…`
 * methods return a copy.
 */
final class VerifyOptions
{
    private function __construct(
        /** Unix seconds. */
        public readonly int $now,
        public readonly ?KeyKind $kind = null,
        public readonly ?InstanceId $instance = null,
        public readonly ?GlpiVersion $glpiVersion = null,
        public readonly int $graceSecs = 0,
        public readonly ?int $clockToleranceSecs = null,
    ) {
    }

    /** @param int $now Unix seconds, not negative */
    public static function at(int $now): self
    {
        if ($now < 0) {
            throw new \InvalidArgumentException('now must not be negative');
        }
        return new self($now);
    }

    /** At the system clock's time. */
    public static function now(): self
    {
        return new self(time());
    }

    public function withNow(int $now): self
    {
        return new self(self::at($now)->now, $this->kind, $this->instance, $this->glpiVersion, $this->graceSecs, $this->clockToleranceSecs);
    }

    public function withKind(?KeyKind $kind): self
    {
        return new self($this->now, $kind, $this->instance, $this->glpiVersion, $this->graceSecs, $this->clockToleranceSecs);
    }

    public function withInstance(?InstanceId $instance): self
    {
        return new self($this->now, $this->kind, $instance, $this->glpiVersion, $this->graceSecs, $this->clockToleranceSecs);
    }

    public function withGlpiVersion(?GlpiVersion $version): self
    {
        return new self($this->now, $this->kind, $this->instance, $version, $this->graceSecs, $this->clockToleranceSecs);
    }

    public function withGraceSecs(int $secs): self
    {
        if ($secs < 0) {
            throw new \InvalidArgumentException('the grace period must not be negative');
        }
        return new self($this->now, $this->kind, $this->instance, $this->glpiVersion, $secs, $this->clockToleranceSecs);
    }

    public function withClockToleranceSecs(?int $secs): self
    {
        if ($secs !== null && $secs < 0) {
            throw new \InvalidArgumentException('the clock tolerance must not be negative');
        }
        return new self($this->now, $this->kind, $this->instance, $this->glpiVersion, $this->graceSecs, $secs);
    }
}

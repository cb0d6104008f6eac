<?php

declare(strict_types=1);

namespace GlpiKey;

/** A verified key: only {@see UnverifiedKey::verify()} makes one. */
final class License
{
    /** @internal */
    public function __construct(
        public readonly Claims $claims,
        /** The issuer key id (8 hex digits) whose signature verified. */
        public readonly string $issuerKeyId,
        public readonly KeyStatus $status,
    ) {
    }

    public function tier(): Tier
    {
        return $this->claims->tier;
    }

    public function owner(): string
    {
        return $this->claims->owner;
    }

    public function kind(): KeyKind
    {
        return $this->claims->kind;
    }

    public function serial(): Serial
    {
        return $this->claims->serial;
    }

    public function shortId(): ShortId
    {
        return $this->claims->serial->shortId();
    }

    public function expiresAt(): ?int
    {
        return $this->claims->expiresAt;
    }
}

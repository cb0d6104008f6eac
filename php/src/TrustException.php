<?php

declare(strict_types=1);

namespace GlpiKey;

/** An issuer public key or a trust store was refused (the Rust core's `TrustError`). */
final class TrustException extends \InvalidArgumentException
{
    private function __construct(public readonly string $reason, string $message)
    {
        parent::__construct($message);
    }

    public static function notAPoint(): self
    {
        return new self('not-a-point', 'the issuer public key is not a valid Ed25519 public key: check that the right file was given');
    }

    public static function nonCanonical(): self
    {
        return new self('non-canonical', 'the issuer public key is not canonically encoded: it was not made by a standard Ed25519 implementation and is refused');
    }

    public static function smallOrder(): self
    {
        return new self('small-order', 'the issuer public key is a weak (small-order) Ed25519 key that anyone can forge signatures for: it is refused');
    }

    public static function emptyWindow(): self
    {
        return new self('empty-window', "the issuer key's validity window ends before it starts");
    }

    public static function duplicateKeyId(string $keyId): self
    {
        return new self('duplicate-key-id', "two trusted issuer keys have the same key id $keyId: remove the duplicate");
    }

    public static function full(): self
    {
        return new self('full', 'too many trusted issuer keys (at most ' . TrustStore::MAX_KEYS . ')');
    }

    public static function notTrusted(string $keyId): self
    {
        return new self('not-trusted', "issuer key $keyId is not trusted here: nothing to distrust");
    }
}

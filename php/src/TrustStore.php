<?php

declare(strict_types=1);

namespace GlpiKey;

/** The issuer public keys a verifier trusts (at most 16, key ids distinct). Immutable. */
final class TrustStore
{
    public const MAX_KEYS = 16;

    /** @param array<string, TrustedKey> $keys by key id */
    private function __construct(private readonly array $keys)
    {
    }

    /**
     * @param list<TrustedKey> $keys
     * @throws TrustException on a duplicate key id or more than 16 keys
     */
    public static function of(TrustedKey ...$keys): self
    {
        $byId = [];
        foreach ($keys as $key) {
            if (isset($byId[$key->keyId])) {
                throw TrustException::duplicateKeyId($key->keyId);
            }
            if (count($byId) === self::MAX_KEYS) {
                throw TrustException::full();
            }
            $byId[$key->keyId] = $key;
        }
        return new self($byId);
    }

    /**
     * From public keys in hex (64 digits each), without validity windows.
     *
     * @throws TrustException
     */
    public static function fromHex(string ...$hex): self
    {
        return self::of(...array_map(static fn (string $h): TrustedKey => TrustedKey::fromHex($h), $hex));
    }

    /** The trusted key with this key id (8 lowercase hex digits), if any. */
    public function get(string $keyId): ?TrustedKey
    {
        return $this->keys[$keyId] ?? null;
    }

    /** @return list<TrustedKey> */
    public function keys(): array
    {
        return array_values($this->keys);
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey;

use GlpiKey\Crypto\StrictEd25519;

/**
 * An issuer public key the verifier trusts, with its key id (spec/FORMAT.md section 7) and an
 * optional validity window `[validFrom, validUntil)` that must contain the `issued_at` of every
 * key and list it signs (spec/REVOCATION.md section 3).
 */
final class TrustedKey
{
    public const KEY_ID_DOMAIN = 'glpi-key/v1/key-id';

    private function __construct(
        /** The 32-byte Ed25519 public key. */
        public readonly string $publicKey,
        /** The key id: 8 lowercase hex digits. */
        public readonly string $keyId,
        /** Unix seconds, or null for no lower bound. */
        public readonly ?int $validFrom = null,
        /** Unix seconds (exclusive), or null for no upper bound. */
        public readonly ?int $validUntil = null,
        /**
         * From this moment of the verifier's clock on, nothing the key signed is honoured
         * (spec/SITE.md section 2); null when not distrusted.
         */
        public readonly ?int $distrustedFrom = null,
    ) {
    }

    /**
     * Accepts a public key only if it decodes to a curve point, is canonically encoded and is
     * not of small order, as the Rust core does.
     *
     * @param string $publicKey 32 raw bytes
     * @throws TrustException
     */
    public static function fromPublicKeyBytes(string $publicKey, ?int $validFrom = null, ?int $validUntil = null): self
    {
        if (strlen($publicKey) !== 32) {
            throw TrustException::notAPoint();
        }
        match (StrictEd25519::checkPublicKey($publicKey)) {
            StrictEd25519::NOT_A_POINT => throw TrustException::notAPoint(),
            StrictEd25519::NON_CANONICAL => throw TrustException::nonCanonical(),
            StrictEd25519::SMALL_ORDER_KEY => throw TrustException::smallOrder(),
            default => null,
        };
        if ($validFrom !== null && $validUntil !== null && $validUntil <= $validFrom) {
            throw TrustException::emptyWindow();
        }
        return new self($publicKey, self::keyIdOf($publicKey), $validFrom, $validUntil);
    }

    /**
     * @param string $hex 64 hex digits
     * @throws TrustException
     */
    public static function fromHex(string $hex, ?int $validFrom = null, ?int $validUntil = null): self
    {
        $hex = trim($hex);
        if (strlen($hex) !== 64 || !ctype_xdigit($hex)) {
            throw TrustException::notAPoint();
        }
        return self::fromPublicKeyBytes(hex2bin($hex), $validFrom, $validUntil);
    }

    /** The same key with another validity window. @throws TrustException */
    public function withValidity(?int $validFrom, ?int $validUntil): self
    {
        if ($validFrom !== null && $validUntil !== null && $validUntil <= $validFrom) {
            throw TrustException::emptyWindow();
        }
        return new self($this->publicKey, $this->keyId, $validFrom, $validUntil, $this->distrustedFrom);
    }

    /** The same key distrusted from `$from` (Unix seconds), or trusted again with null. */
    public function withDistrust(?int $from): self
    {
        return new self($this->publicKey, $this->keyId, $this->validFrom, $this->validUntil, $from);
    }

    /** Whether what the key signed is honoured at `$at` (before its distrust date, if any). */
    public function honouredAt(int $at): bool
    {
        return $this->distrustedFrom === null || Unsigned::compare($at, $this->distrustedFrom) < 0;
    }

    /** The key id of a public key: the first 4 bytes of SHA-512(domain || 0x00 || key), in hex. */
    public static function keyIdOf(string $publicKey): string
    {
        return bin2hex(substr(hash('sha512', self::KEY_ID_DOMAIN . "\0" . $publicKey, true), 0, 4));
    }

    /** Whether the window contains the time `$t` (Unix seconds, unsigned 64-bit). */
    public function covers(int $t): bool
    {
        return ($this->validFrom === null || Unsigned::compare($t, $this->validFrom) >= 0)
            && ($this->validUntil === null || Unsigned::compare($t, $this->validUntil) < 0);
    }
}

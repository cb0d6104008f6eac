<?php

declare(strict_types=1);

namespace GlpiKey\Wire;

use GlpiKey\ObjectKind;
use GlpiKey\VerificationException;

/**
 * The signed envelope shared by keys and lists (spec/FORMAT.md section 3):
 * `version || kind || key id (4) || payload || signature (64)`.
 *
 * @internal
 */
final class Envelope
{
    public const FORMAT_VERSION = 1;
    public const HEADER_LEN = 6;
    public const SIGNATURE_LEN = 64;
    /**
     * The domain tag of each object kind followed by its 0x00 separator (section 6), by kind
     * byte; {@see ObjectKind::domainTag()} says the same (a test checks).
     */
    public const DOMAIN_TAGS = [
        1 => "glpi-key/v1/instance-registration\0",
        2 => "glpi-key/v1/agent-enrollment\0",
        3 => "glpi-key/v1/revocation-list\0",
    ];

    private function __construct(
        public readonly ObjectKind $kind,
        /** 8 lowercase hex digits. */
        public readonly string $keyId,
        public readonly string $header,
        public readonly string $payload,
        public readonly string $signature,
    ) {
    }

    /**
     * Splits a body of at least 70 bytes and checks its version and kind.
     *
     * @throws VerificationException `unsupported-version`, `unknown-object-kind`
     */
    public static function split(string $body): self
    {
        $version = ord($body[0]);
        if ($version !== self::FORMAT_VERSION) {
            throw VerificationException::unsupportedVersion($version);
        }
        $kindByte = ord($body[1]);
        $kind = ObjectKind::tryFrom($kindByte) ?? throw VerificationException::unknownObjectKind($kindByte);
        $header = substr($body, 0, self::HEADER_LEN);
        return new self(
            $kind,
            bin2hex(substr($body, 2, 4)),
            $header,
            substr($body, self::HEADER_LEN, -self::SIGNATURE_LEN),
            substr($body, -self::SIGNATURE_LEN),
        );
    }

    /** The signed message of section 6: domain tag || 0x00 || header || payload. */
    public static function signingInput(ObjectKind $kind, string $header, string $payload): string
    {
        return self::DOMAIN_TAGS[$kind->value] . $header . $payload;
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey;

use GlpiKey\Crypto\StrictEd25519;
use GlpiKey\Text\Scan;
use GlpiKey\Text\TextWriter;
use GlpiKey\Wire\ClaimsDecoder;
use GlpiKey\Wire\Envelope;

/**
 * A key read from text whose signature has not been checked yet. Only {@see verify()} makes a
 * {@see License}; everything read before that says "unverified" in its name.
 *
 * ```php
 * $trust = TrustStore::fromHex($vendorKeyHex);
 * $license = UnverifiedKey::parseWithTrust($pasted, $trust)
 *     ->verify($trust, VerifyOptions::at(time())->withInstance(InstanceId::parse($uuid)));
 * echo $license->tier()->label(), ' for ', $license->owner();
 * ```
 */
final class UnverifiedKey
{
    public const MIN_BODY_LEN = Envelope::HEADER_LEN + ClaimsDecoder::MIN_CLAIMS_LEN + Envelope::SIGNATURE_LEN; // 85
    public const MAX_BODY_LEN = Envelope::HEADER_LEN + ClaimsDecoder::MAX_CLAIMS_LEN + Envelope::SIGNATURE_LEN; // 300
    /** Most symbols after the prefix: 480 body symbols and 6 check symbols. */
    public const MAX_SYMBOLS = 486;
    public const HRP = 'glpi';

    private function __construct(
        private readonly string $body,
        private readonly Envelope $envelope,
        private readonly KeyKind $kind,
    ) {
    }

    /**
     * Reads a key as pasted (spec/FORMAT.md section 2), without checking its signature.
     *
     * @throws VerificationException with the class and the administrator's message
     */
    public static function parse(string $text): self
    {
        $scan = Scan::read($text, self::MAX_SYMBOLS);
        if (strlen($scan->symbols) === ShortId::SYMBOLS + 6 && $scan->checkValid(ShortId::HRP)) {
            throw VerificationException::shortId(ShortId::fromSymbols($scan->symbols));
        }
        return self::fromBody($scan->decode(self::HRP, self::MIN_BODY_LEN, self::MAX_BODY_LEN));
    }

    /**
     * Like {@see parse()}, and on a mistyped key confirms the suggested correction with the
     * trusted keys: a correction whose key verifies is "almost certainly" right; one that gives
     * no valid key is dropped.
     *
     * @throws VerificationException
     */
    public static function parseWithTrust(string $text, TrustStore $trust): self
    {
        try {
            return self::parse($text);
        } catch (VerificationException $e) {
            $c = $e->correction;
            if ($e->errorClass !== ErrorClass::Checksum || $c === null) {
                throw $e;
            }
        }
        $suggestion = null;
        try {
            $key = self::parse(Scan::read($text, self::MAX_SYMBOLS)->corrected($c));
            $issuer = $trust->get($key->envelope->keyId);
            if ($issuer === null) {
                $suggestion = $c;
            } elseif ($key->signatureValid($issuer)) {
                $suggestion = $c->withStatus(CorrectionStatus::ConfirmedBySignature);
            }
        } catch (VerificationException) {
            // The corrected text is no valid key either: the suggestion cannot be right.
        }
        throw VerificationException::checksum($suggestion);
    }

    /** @throws VerificationException */
    private static function fromBody(string $body): self
    {
        $envelope = Envelope::split($body);
        $kind = KeyKind::fromObjectKind($envelope->kind)
            ?? throw VerificationException::wrongObjectKind($envelope->kind, null);
        return new self($body, $envelope, $kind);
    }

    /**
     * Checks the signature and the claims, then the host's conditions (section 9).
     *
     * @throws VerificationException
     */
    public function verify(TrustStore $trust, VerifyOptions $options): License
    {
        return $this->verifyWithRevocations($trust, $options, null);
    }

    /**
     * {@see verify()} with an installed revocation list: a listed serial is `revoked`, checked
     * right after the claims are decoded (spec/REVOCATION.md section 1.9).
     *
     * @throws VerificationException
     */
    public function verifyWithRevocations(TrustStore $trust, VerifyOptions $options, ?RevocationList $revocations): License
    {
        if ($options->kind !== null && $options->kind !== $this->kind) {
            throw VerificationException::wrongObjectKind($this->kind->objectKind(), $options->kind->objectKind());
        }
        $issuer = $trust->get($this->envelope->keyId)
            ?? throw VerificationException::unknownIssuer($this->envelope->keyId);
        if (!$this->signatureValid($issuer)) {
            throw VerificationException::badSignature();
        }
        $claims = ClaimsDecoder::decode($this->kind, $this->envelope->payload);
        $revocations?->check($claims->serial);
        return self::checkClaims($claims, $issuer, $options);
    }

    /**
     * Steps 3 to 6 of spec/SITE.md section 4 (kind, issuer, signature, claims), for the site.
     *
     * @internal
     * @return array{Claims, TrustedKey}
     * @throws VerificationException
     */
    public function signedClaims(TrustStore $trust, KeyKind $kind): array
    {
        if ($kind !== $this->kind) {
            throw VerificationException::wrongObjectKind($this->kind->objectKind(), $kind->objectKind());
        }
        $issuer = $trust->get($this->envelope->keyId)
            ?? throw VerificationException::unknownIssuer($this->envelope->keyId);
        if (!$this->signatureValid($issuer)) {
            throw VerificationException::badSignature();
        }
        return [ClaimsDecoder::decode($this->kind, $this->envelope->payload), $issuer];
    }

    private function signatureValid(TrustedKey $issuer): bool
    {
        // The signed message of FORMAT.md section 6, domain tag || 0x00 || header || payload,
        // straight from the body (header and payload are its bytes before the signature).
        $message = Envelope::DOMAIN_TAGS[$this->envelope->kind->value] . substr($this->body, 0, -Envelope::SIGNATURE_LEN);
        return StrictEd25519::verify($this->envelope->signature, $message, $issuer->publicKey);
    }

    /**
     * Steps 10 to 13 of spec/FORMAT.md section 9 (with the time policy of REVOCATION.md).
     *
     * @internal
     * @throws VerificationException
     */
    public static function checkClaims(Claims $claims, TrustedKey $issuer, VerifyOptions $options): License
    {
        if (!$issuer->covers($claims->issuedAt)) {
            throw VerificationException::issuerKeyNotValid($issuer->keyId, $claims->issuedAt);
        }
        $now = $options->now;
        $tolerance = $options->clockToleranceSecs;
        if ($tolerance !== null && Unsigned::compare($claims->issuedAt, Unsigned::saturatingAdd($now, $tolerance)) > 0) {
            throw VerificationException::issuedInFuture($claims->issuedAt, $now, $tolerance);
        }
        if ($now < $claims->notBefore) {
            throw VerificationException::notYetValid($claims->notBefore, $now);
        }
        $status = KeyStatus::active();
        $expiredAt = $claims->expiresAt;
        if ($expiredAt !== null && $now >= $expiredAt) {
            $until = Unsigned::saturatingAdd($expiredAt, $options->graceSecs);
            if (Unsigned::compare($now, $until) >= 0) {
                throw VerificationException::expired($expiredAt, $now);
            }
            $status = KeyStatus::inGrace($expiredAt, $until);
        }
        if ($claims->instance !== null && $options->instance !== null && !$claims->instance->equals($options->instance)) {
            throw VerificationException::wrongInstance($claims->instance, $options->instance);
        }
        if ($claims->glpiVersions !== null && $options->glpiVersion !== null && !$claims->glpiVersions->contains($options->glpiVersion)) {
            throw VerificationException::unsupportedGlpiVersion($options->glpiVersion, $claims->glpiVersions);
        }
        return new License($claims, $issuer->keyId, $status);
    }

    /** The body bytes (header, claims, signature). */
    public function bytes(): string
    {
        return $this->body;
    }

    /** The canonical text (compact, or grouped by 5). */
    public function text(bool $grouped = false): string
    {
        return TextWriter::ofBody($this->body, $grouped);
    }

    public function unverifiedKind(): KeyKind
    {
        return $this->kind;
    }

    /** The issuer key id named in the header (8 hex digits), before any check. */
    public function unverifiedKeyId(): string
    {
        return $this->envelope->keyId;
    }

    /** The short ID read from the unverified claims, if the serial is in range. */
    public function unverifiedShortId(): ?ShortId
    {
        return Serial::fromBytes(substr($this->envelope->payload, 0, 8))?->shortId();
    }

    /**
     * The claims WITHOUT checking the signature: for display by support tools only, labelled as
     * unverified. Never decide anything from them.
     *
     * @throws VerificationException `malformed-claims`
     */
    public function unverifiedClaims(): Claims
    {
        return ClaimsDecoder::decode($this->kind, $this->envelope->payload);
    }
}

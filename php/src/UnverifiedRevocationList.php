<?php

declare(strict_types=1);

namespace GlpiKey;

use GlpiKey\Crypto\StrictEd25519;
use GlpiKey\Text\Scan;
use GlpiKey\Text\TextWriter;
use GlpiKey\Wire\Envelope;
use GlpiKey\Wire\Reader;

/**
 * A revocation list read from its text form (small lists, `GLPI-…`) or its file form
 * (`GLPI-RL\n` + body, `.glpirl`), not verified yet (spec/REVOCATION.md section 1).
 */
final class UnverifiedRevocationList
{
    public const FILE_MAGIC = "GLPI-RL\n";
    /** The longest body of the text form (bech32m code length 1023). */
    public const MAX_TEXT_LEN = 630;
    public const MAX_SERIALS = 1 << 20;
    private const MIN_PAYLOAD_LEN = 4;
    private const MIN_BODY_LEN = Envelope::HEADER_LEN + self::MIN_PAYLOAD_LEN + Envelope::SIGNATURE_LEN;
    /** Most symbols of the text form after the prefix (1008 body and 6 check symbols). */
    public const MAX_TEXT_SYMBOLS = 1014;

    private function __construct(private readonly string $body, private readonly Envelope $envelope)
    {
    }

    /** @throws VerificationException */
    public static function parseText(string $text): self
    {
        $scan = Scan::read($text, self::MAX_TEXT_SYMBOLS);
        return self::fromBody($scan->decode(UnverifiedKey::HRP, self::MIN_BODY_LEN, self::MAX_TEXT_LEN));
    }

    /** @throws VerificationException `not-a-revocation-list-file`, … */
    public static function fromFileBytes(string $file): self
    {
        if (!str_starts_with($file, self::FILE_MAGIC)) {
            throw VerificationException::notARevocationListFile();
        }
        return self::fromBody(substr($file, strlen(self::FILE_MAGIC)));
    }

    /** @throws VerificationException */
    public static function fromBody(string $body): self
    {
        if (strlen($body) < self::MIN_BODY_LEN) {
            throw VerificationException::malformedRevocationList('field `header` is cut short or badly encoded', 'truncated:header');
        }
        $envelope = Envelope::split($body);
        if ($envelope->kind !== ObjectKind::RevocationList) {
            throw VerificationException::wrongObjectKind($envelope->kind, ObjectKind::RevocationList);
        }
        return new self($body, $envelope);
    }

    public function unverifiedKeyId(): string
    {
        return $this->envelope->keyId;
    }

    /** The body bytes. */
    public function bytes(): string
    {
        return $this->body;
    }

    /** The file form (`GLPI-RL\n` + body). */
    public function fileBytes(): string
    {
        return self::FILE_MAGIC . $this->body;
    }

    /** The text form, or null when the list is too long for it. */
    public function text(bool $grouped = false): ?string
    {
        return strlen($this->body) <= self::MAX_TEXT_LEN ? TextWriter::ofBody($this->body, $grouped) : null;
    }

    /**
     * Checks the issuer, the strict signature over SHA-512 of the payload, the payload's rules
     * and the issuer key's window (section 1.6).
     *
     * @throws VerificationException
     */
    public function verify(TrustStore $trust): RevocationList
    {
        $keyId = $this->envelope->keyId;
        $issuer = $trust->get($keyId) ?? throw VerificationException::unknownIssuer($keyId);
        $message = Envelope::signingInput(ObjectKind::RevocationList, $this->envelope->header, hash('sha512', $this->envelope->payload, true));
        if (!StrictEd25519::verify($this->envelope->signature, $message, $issuer->publicKey)) {
            throw VerificationException::badSignature();
        }
        $list = self::decode($keyId, $this->envelope->payload);
        if (!$issuer->covers($list->issuedAt)) {
            throw VerificationException::issuerKeyNotValid($keyId, $list->issuedAt);
        }
        return $list;
    }

    /** @throws VerificationException `malformed-revocation-list` */
    private static function decode(string $keyId, string $payload): RevocationList
    {
        $r = new Reader($payload);
        $sequence = $r->varint(Reader::U64) ?? throw self::truncated('sequence');
        $issuedAt = $r->varint(Reader::U64) ?? throw self::truncated('issued_at');
        $tag = $r->raw(1) ?? throw self::truncated('next_update');
        $nextUpdate = match ($tag) {
            "\0" => null,
            "\1" => $r->varint(Reader::U64) ?? throw self::truncated('next_update'),
            default => throw self::truncated('next_update'),
        };
        $serials = $r->bytes() ?? throw self::truncated('serials');
        if (!$r->atEnd()) {
            throw self::problem('bytes are left over after the serials', 'trailing-bytes');
        }
        if ($nextUpdate !== null && Unsigned::compare($nextUpdate, $issuedAt) <= 0) {
            throw self::problem('the next update is not after the issue time', 'next-update-not-after-issue');
        }
        if (!$r->minimal) {
            throw self::problem('the fields are not in canonical form', 'not-canonical');
        }
        self::checkSerials($serials);
        return new RevocationList($keyId, $sequence, $issuedAt, $nextUpdate, $serials);
    }

    /** Serials: whole 8-byte values, 60 bits, strictly increasing, at most 2^20. */
    private static function checkSerials(string $serials): void
    {
        $len = strlen($serials);
        $previous = null;
        for ($index = 0, $at = 0; $at < $len; $index++, $at += 8) {
            if ($len - $at < 8) {
                throw self::problem("the serials take $len bytes, which is not a whole number of 8-byte serials", 'serials-length');
            }
            $bytes = substr($serials, $at, 8);
            $serial = Serial::fromBytes($bytes)
                ?? throw self::problem('serial number ' . ($index + 1) . ' is larger than 60 bits', 'serial-out-of-range');
            if ($previous !== null) {
                $cmp = strcmp($previous, $bytes);
                if ($cmp === 0) {
                    throw self::problem(sprintf('serial %d (%s) is listed twice', $serial->value, $serial->shortId()), 'duplicate');
                }
                if ($cmp > 0) {
                    throw self::problem('serial number ' . ($index + 1) . ' is smaller than the one before it (serials must be sorted)', 'unsorted');
                }
            }
            $previous = $bytes;
            if ($index + 1 > self::MAX_SERIALS) {
                throw self::problem(sprintf('%d serials are more than a list may hold (%d)', $index + 1, self::MAX_SERIALS), 'too-many-serials');
            }
        }
    }

    private static function truncated(string $field): VerificationException
    {
        return self::problem("field `$field` is cut short or badly encoded", "truncated:$field");
    }

    private static function problem(string $problem, string $reason): VerificationException
    {
        return VerificationException::malformedRevocationList($problem, $reason);
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * A key or revocation list was refused. `$errorClass` is the stable class of the spec (the
 * Rust core's `Error::code()`); the message is the core's message for the administrator,
 * word for word: what went wrong and what to do.
 */
final class VerificationException extends \RuntimeException
{
    /**
     * @param string $reason a finer machine-readable reason within the class (for example
     *                       `truncated:owner` under `malformed-claims`); not part of the spec
     */
    private function __construct(
        public readonly ErrorClass $errorClass,
        string $message,
        public readonly string $reason = '',
        public readonly ?Correction $correction = null,
    ) {
        parent::__construct($message);
    }

    /** The error class as its spec string (`checksum`, `expired`, …). */
    public function errorCode(): string
    {
        return $this->errorClass->value;
    }

    /** @internal */
    public static function invalidUtf8(int $offset): self
    {
        return new self(ErrorClass::InvalidUtf8, "the key text is not valid UTF-8 (bad byte at offset $offset): pass the key as UTF-8 text");
    }

    /** @internal */
    public static function empty(): self
    {
        return new self(ErrorClass::Empty, 'no key was given: paste the whole key, starting with GLPI-');
    }

    /** @internal */
    public static function notAGlpiKey(): self
    {
        return new self(ErrorClass::NotAGlpiKey, 'this is not a GLPI key: a key starts with GLPI- (paste the whole key, including its beginning)');
    }

    /** @internal */
    public static function invalidCharacter(string $character, int $position): self
    {
        return new self(ErrorClass::InvalidCharacter, sprintf(
            'invalid character %s at position %d: a key holds only the letters and digits of its base32 alphabet, hyphens and spaces (retype that character; look-alike letters from other alphabets are not accepted)',
            RustDebug::char($character),
            $position,
        ));
    }

    /** @internal */
    public static function tooLong(int $max): self
    {
        return new self(ErrorClass::TooLong, "this text is too long to be a GLPI key (more than $max): check that only one key was pasted");
    }

    /** @internal */
    public static function wrongLength(int $symbols): self
    {
        return new self(ErrorClass::WrongLength, "the key has a wrong length ($symbols symbols after GLPI-): a symbol was probably left out or typed twice, or the key was cut off; copy it again in full");
    }

    /** @internal */
    public static function checksum(?Correction $c): self
    {
        if ($c === null) {
            return new self(ErrorClass::Checksum, 'the key was mistyped or damaged (its check symbols do not match): copy it again from the original, or compare it symbol by symbol');
        }
        $howSure = $c->status === CorrectionStatus::ConfirmedBySignature ? 'almost certainly' : 'probably';
        return new self(ErrorClass::Checksum, sprintf(
            'the key was mistyped (its check symbols do not match): the character %s at position %d (group %d, character %d of that group) should %s be %s; correct it and try again',
            RustDebug::char($c->found),
            $c->position,
            $c->group,
            $c->positionInGroup,
            $howSure,
            RustDebug::char($c->replacement),
        ), '', $c);
    }

    /** @internal */
    public static function nonCanonical(): self
    {
        return new self(ErrorClass::NonCanonical, 'the key is not in canonical form (its last symbol before the check has stray bits): it was not produced by a GLPI key issuer');
    }

    /** @internal */
    public static function shortId(ShortId $id): self
    {
        return new self(ErrorClass::ShortId, "$id is a short key ID, not a key: it names a key in support tickets and revocation lists but cannot be verified; paste the full key instead");
    }

    /** @internal */
    public static function unsupportedVersion(int $found): self
    {
        return new self(ErrorClass::UnsupportedVersion, "this key uses format version $found, which this software does not support (it supports version 1): update the software that checks the key");
    }

    /** @internal */
    public static function unknownObjectKind(int $found): self
    {
        return new self(ErrorClass::UnknownObjectKind, "this text holds an object of unknown kind $found: it may come from newer software; update the software that checks it");
    }

    /** @internal */
    public static function wrongObjectKind(ObjectKind $found, ?ObjectKind $expected): self
    {
        return new self(ErrorClass::WrongObjectKind, $expected === null
            ? "this is {$found->withArticle()}, not a registration key"
            : "this is {$found->withArticle()}, but {$expected->withArticle()} is needed here");
    }

    /** @internal */
    public static function unknownIssuer(string $keyId): self
    {
        return new self(ErrorClass::UnknownIssuer, "the key was signed by issuer key $keyId, which is not trusted here: install that issuer's public key, or ask the vendor for a key signed by a key you trust");
    }

    /** @internal */
    public static function issuerKeyNotValid(string $keyId, int $issuedAt): self
    {
        return new self(ErrorClass::IssuerKeyNotValid, sprintf(
            'the key says it was issued on %s, when issuer key %s was not valid: the issuer key was retired or not yet in service; ask the vendor for a new key',
            UtcTime::format($issuedAt),
            $keyId,
        ));
    }

    /** @internal */
    public static function badSignature(): self
    {
        return new self(ErrorClass::BadSignature, "the key's signature is not valid: the key was altered or was not issued by a trusted issuer; copy it again from the original, or ask the vendor for a new one");
    }

    /** @internal */
    public static function malformedClaims(string $problem, string $reason): self
    {
        return new self(ErrorClass::MalformedClaims, "the key is signed but its contents are malformed ($problem): ask the vendor for a new key", $reason);
    }

    /** @internal */
    public static function notYetValid(int $notBefore, int $now): self
    {
        return new self(ErrorClass::NotYetValid, sprintf(
            "the key is not valid yet: it becomes valid on %s (now is %s); wait, or check this machine's clock",
            UtcTime::format($notBefore),
            UtcTime::format($now),
        ));
    }

    /** @internal */
    public static function expired(int $expiredAt, int $now): self
    {
        return new self(ErrorClass::Expired, sprintf(
            "the key expired on %s (now is %s): renew the subscription and install the new key, or check this machine's clock",
            UtcTime::format($expiredAt),
            UtcTime::format($now),
        ));
    }

    /** @internal */
    public static function wrongInstance(InstanceId $boundTo, InstanceId $thisInstance): self
    {
        return new self(ErrorClass::WrongInstance, "the key is bound to GLPI instance $boundTo, not to this one ($thisInstance): use the key issued for this instance");
    }

    /** @internal */
    public static function unsupportedGlpiVersion(GlpiVersion $version, VersionRange $supported): self
    {
        return new self(ErrorClass::UnsupportedGlpiVersion, "the key covers GLPI $supported, not GLPI $version: ask the vendor for a key covering this version");
    }

    /** @internal */
    public static function malformedRevocationList(string $problem, string $reason): self
    {
        return new self(ErrorClass::MalformedRevocationList, "the revocation list is signed but its contents are malformed ($problem): ask the vendor for a new list", $reason);
    }

    /** @internal */
    public static function notARevocationListFile(): self
    {
        return new self(ErrorClass::NotARevocationListFile, 'this file is not a GLPI revocation list (it does not start with the revocation list file header): check that the right file was given');
    }

    /** @internal */
    public static function revoked(Serial $serial, int $sequence): self
    {
        return new self(ErrorClass::Revoked, sprintf(
            'the key %s (serial %d) was revoked by revocation list %s: it can no longer be used; install a current key from the vendor',
            $serial->shortId(),
            $serial->value,
            Unsigned::toString($sequence),
        ));
    }

    /** @internal */
    public static function revocationListRollback(int $sequence, int $installed): self
    {
        $s = Unsigned::toString($sequence);
        $i = Unsigned::toString($installed);
        return new self(ErrorClass::RevocationListRollback, "revocation list $s is older than the one already installed ($i): keep the installed list, or install a list numbered $i or higher");
    }

    /** @internal */
    public static function clockRollback(int $now, int $lastSeen, int $toleranceSecs): self
    {
        return new self(ErrorClass::ClockRollback, sprintf(
            "this machine's clock was set back: it says %s, but %s was already seen (more than %d seconds later); correct the clock and try again",
            UtcTime::format($now),
            UtcTime::format($lastSeen),
            $toleranceSecs,
        ));
    }

    /** @internal */
    public static function issuedInFuture(int $issuedAt, int $now, int $toleranceSecs): self
    {
        return new self(ErrorClass::IssuedInFuture, sprintf(
            "the key says it was issued on %s, after now (%s, more than %d seconds ahead): this machine's clock is probably set back; correct it and try again",
            UtcTime::format($issuedAt),
            UtcTime::format($now),
            $toleranceSecs,
        ));
    }

    /** @internal */
    public static function issuerKeyDistrusted(string $keyId, int $since, int $now): self
    {
        return new self(ErrorClass::IssuerKeyDistrusted, sprintf(
            'issuer key %s is distrusted on this site since %s (the site\'s time is %s): nothing it signed is accepted, whatever dates it carries; use a key or revocation list signed by another issuer key',
            $keyId,
            UtcTime::format($since),
            UtcTime::format($now),
        ));
    }

    /** @internal */
    public static function superseded(Serial $serial, Serial $by): self
    {
        return new self(ErrorClass::Superseded, "the key {$serial->shortId()} was renewed by the key {$by->shortId()}, which this site has already accepted: use the newer key");
    }

    /** @internal */
    public static function instanceRequired(InstanceId $boundTo): self
    {
        return new self(ErrorClass::InstanceRequired, "the key is bound to GLPI instance $boundTo, but no instance id was given to check it against: give this instance's UUID");
    }

    /** @internal */
    public static function installedListMissing(string $keyId): self
    {
        return new self(ErrorClass::InstalledListMissing, "the revocation list installed from issuer key $keyId is missing or was changed: install the current revocation list again");
    }

    /** @internal */
    public static function siteStateFull(int $capacity): self
    {
        return new self(ErrorClass::SiteStateFull, "the site already records $capacity renewed keys, as many as its state holds: re-create the site and install the current revocation list");
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * The stable error classes: the strings of the Rust core's `Error::code()` (spec/FORMAT.md
 * section 10, spec/REVOCATION.md section 5), plus `invalid-utf8`, the boundary class of
 * bindings that take raw bytes (a PHP string is bytes).
 */
enum ErrorClass: string
{
    case InvalidUtf8 = 'invalid-utf8';
    case Empty = 'empty';
    case NotAGlpiKey = 'not-a-glpi-key';
    case InvalidCharacter = 'invalid-character';
    case TooLong = 'too-long';
    case WrongLength = 'wrong-length';
    case Checksum = 'checksum';
    case NonCanonical = 'non-canonical';
    case ShortId = 'short-id';
    case UnsupportedVersion = 'unsupported-version';
    case UnknownObjectKind = 'unknown-object-kind';
    case WrongObjectKind = 'wrong-object-kind';
    case UnknownIssuer = 'unknown-issuer';
    case IssuerKeyNotValid = 'issuer-key-not-valid';
    case BadSignature = 'bad-signature';
    case MalformedClaims = 'malformed-claims';
    case NotYetValid = 'not-yet-valid';
    case Expired = 'expired';
    case WrongInstance = 'wrong-instance';
    case UnsupportedGlpiVersion = 'unsupported-glpi-version';
    case MalformedRevocationList = 'malformed-revocation-list';
    case NotARevocationListFile = 'not-a-revocation-list-file';
    case Revoked = 'revoked';
    case RevocationListRollback = 'revocation-list-rollback';
    case ClockRollback = 'clock-rollback';
    case IssuedInFuture = 'issued-in-future';
    // spec/SITE.md section 9
    case IssuerKeyDistrusted = 'issuer-key-distrusted';
    case Superseded = 'superseded';
    case InstanceRequired = 'instance-required';
    case InstalledListMissing = 'installed-list-missing';
    case SiteStateFull = 'site-state-full';
}

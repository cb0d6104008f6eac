<?php

declare(strict_types=1);

namespace GlpiKey\Wire;

use GlpiKey\Claims;
use GlpiKey\Entitlements;
use GlpiKey\Extension;
use GlpiKey\GlpiVersion;
use GlpiKey\InstanceId;
use GlpiKey\KeyKind;
use GlpiKey\Serial;
use GlpiKey\Tier;
use GlpiKey\VerificationException;
use GlpiKey\VersionRange;

/**
 * Decodes signed claims (spec/FORMAT.md section 5) and accepts only their one canonical byte
 * form. Problems are reported in the order the Rust core meets them, with its words, so that
 * both give the same `malformed-claims` message.
 *
 * @internal
 */
final class ClaimsDecoder
{
    public const MAX_OWNER_LEN = 96;
    public const MAX_EXTENSIONS_LEN = 64;
    public const MIN_CLAIMS_LEN = 15;
    public const MAX_CLAIMS_LEN = 230;

    private const EXPIRES = 1;
    private const INSTANCE = 2;
    private const GLPI_VERSIONS = 4;
    private const MAX_ASSETS = 8;
    private const ENTITY = 16;
    private const SUPERSEDES = 32;
    private const EXTENSIONS = 64;
    private const RESERVED = 0x80;

    private function __construct()
    {
    }

    /** @throws VerificationException `malformed-claims` */
    public static function decode(KeyKind $kind, string $bytes): Claims
    {
        $r = new Reader($bytes);
        $serial = Serial::fromBytes($r->raw(8) ?? throw self::truncated('serial'))
            ?? throw self::problem('the serial is larger than 60 bits', 'serial-out-of-range');
        $tierByte = ord($r->raw(1) ?? throw self::truncated('tier'));
        $tier = Tier::tryFrom($tierByte) ?? throw self::problem("unknown tier $tierByte", 'unknown-tier');
        $presence = ord($r->raw(1) ?? throw self::truncated('presence'));
        if ($presence & self::RESERVED) {
            throw self::problem('a reserved field-presence bit is set', 'reserved-bits');
        }
        $entitlements = $r->varint(Reader::U32) ?? throw self::truncated('entitlements');
        $owner = $r->bytes() ?? throw self::truncated('owner');
        if (preg_match('//u', $owner) !== 1) {
            throw self::truncated('owner');
        }
        $issued = $r->varint(Reader::U32) ?? throw self::truncated('issued_at');
        $zigzag = $r->varint(Reader::U32) ?? throw self::truncated('not_before');
        $offset = ($zigzag >> 1) ^ -($zigzag & 1);
        $notBeforeMinutes = $issued + $offset;
        if ($notBeforeMinutes < 0) {
            throw self::problem('a time is out of range', 'time-out-of-range');
        }
        $validity = null;
        if ($presence & self::EXPIRES) {
            $validity = $r->varint(Reader::U32) ?? throw self::truncated('expires_at');
        }
        $instance = null;
        if ($presence & self::INSTANCE) {
            $instance = InstanceId::fromBytes($r->raw(16) ?? throw self::truncated('instance'));
        }
        $versions = null;
        if ($presence & self::GLPI_VERSIONS) {
            $v = $r->raw(4) ?? throw self::truncated('glpi_versions');
            $versions = [ord($v[0]), ord($v[1]), ord($v[2]), ord($v[3])];
        }
        $maxAssets = null;
        if ($presence & self::MAX_ASSETS) {
            $maxAssets = $r->varint(Reader::U32) ?? throw self::truncated('max_assets');
        }
        $entity = null;
        if ($presence & self::ENTITY) {
            $entity = $r->varint(Reader::U32) ?? throw self::truncated('entity');
        }
        $supersedes = null;
        if ($presence & self::SUPERSEDES) {
            $supersedes = Serial::fromBytes($r->raw(8) ?? throw self::truncated('supersedes'))
                ?? throw self::problem('the serial is larger than 60 bits', 'serial-out-of-range');
        }
        $extensions = [];
        $extensionBlock = '';
        if ($presence & self::EXTENSIONS) {
            $extensionBlock = $r->bytes() ?? throw self::truncated('extensions');
            $extensions = self::extensions($extensionBlock);
        }
        if (!$r->atEnd()) {
            throw self::problem('bytes are left over after the last field', 'trailing-bytes');
        }
        // The rules the core checks when it re-encodes (its encoder's validity checks).
        $ownerLen = strlen($owner);
        if ($ownerLen === 0 || $ownerLen > self::MAX_OWNER_LEN) {
            throw self::problem("the owner is $ownerLen bytes long; it must be 1 to " . self::MAX_OWNER_LEN . ' bytes of UTF-8', 'owner-length');
        }
        if ($entity !== null && $kind !== KeyKind::AgentEnrollment) {
            throw self::problem('an entity is only meaningful on an agent enrollment key', 'entity-on-instance-key');
        }
        if ($versions !== null && [$versions[0], $versions[1]] > [$versions[2], $versions[3]]) {
            throw self::problem('the GLPI version range runs backwards', 'inverted-version-range');
        }
        if ($validity === 0) {
            throw self::problem('the key would expire before it becomes valid', 'empty-validity');
        }
        // Canonical form: every varint and length at its shortest, and no presence bit for an
        // empty extension block (the core re-encodes and compares).
        if (!$r->minimal || (($presence & self::EXTENSIONS) && $extensionBlock === '')) {
            throw self::problem('the claims are not in canonical form', 'not-canonical');
        }
        return new Claims(
            $serial,
            $kind,
            $tier,
            $owner,
            $issued * 60,
            $notBeforeMinutes * 60,
            $validity === null ? null : ($notBeforeMinutes + $validity) * 60,
            $instance,
            new Entitlements($entitlements),
            $versions === null ? null : new VersionRange(new GlpiVersion($versions[0], $versions[1]), new GlpiVersion($versions[2], $versions[3])),
            $maxAssets,
            $entity,
            $supersedes,
            $extensions,
        );
    }

    /**
     * The extension block (section 5.4): entries `(tag: varint u16, value: bytes)`, tags
     * strictly increasing, no critical (odd) tag, at most 64 bytes, every varint minimal.
     *
     * @return list<Extension>
     * @throws VerificationException
     */
    private static function extensions(string $block): array
    {
        if (strlen($block) > self::MAX_EXTENSIONS_LEN) {
            throw self::malformedExtensions('too-long');
        }
        $r = new Reader($block);
        $out = [];
        $last = null;
        while (!$r->atEnd()) {
            $tag = $r->varint(Reader::U16);
            $value = $tag === null ? null : $r->bytes();
            if ($value === null) {
                throw self::malformedExtensions('truncated');
            }
            // The one-byte-form rule of section 5.1 holds inside the block too.
            if (!$r->minimal) {
                throw self::malformedExtensions('varint-not-minimal');
            }
            if ($last !== null && $tag <= $last) {
                throw self::malformedExtensions('unsorted');
            }
            if ($tag % 2 === 1) {
                throw self::problem("critical extension $tag is not known to this version; update the software that checks the key", 'unknown-critical-extension');
            }
            $last = $tag;
            $out[] = new Extension($tag, $value);
        }
        return $out;
    }

    private static function truncated(string $field): VerificationException
    {
        return self::problem("field `$field` is cut short or badly encoded", "truncated:$field");
    }

    private static function malformedExtensions(string $why): VerificationException
    {
        return self::problem('the extension block is malformed', "malformed-extensions:$why");
    }

    private static function problem(string $problem, string $reason): VerificationException
    {
        return VerificationException::malformedClaims($problem, $reason);
    }
}

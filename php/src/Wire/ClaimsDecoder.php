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
        // Read inline with one offset (the hot path of every verification); a varint of one
        // byte is read without a call.
        $len = strlen($bytes);
        $minimal = true;
        if ($len < 8) {
            throw self::truncated('serial');
        }
        $serial = Serial::fromBytes($bytes) // its first 8 bytes
            ?? throw self::problem('the serial is larger than 60 bits', 'serial-out-of-range');
        if ($len < 9) {
            throw self::truncated('tier');
        }
        $tierByte = ord($bytes[8]);
        $tier = Tier::tryFrom($tierByte) ?? throw self::problem("unknown tier $tierByte", 'unknown-tier');
        if ($len < 10) {
            throw self::truncated('presence');
        }
        $presence = ord($bytes[9]);
        if ($presence & self::RESERVED) {
            throw self::problem('a reserved field-presence bit is set', 'reserved-bits');
        }
        $p = 10;
        if ($p < $len && ($x = ord($bytes[$p])) < 0x80) {
            $entitlements = $x;
            $p++;
        } else {
            $entitlements = self::varint($bytes, $p, 5, 0x0f, $minimal) ?? throw self::truncated('entitlements');
        }
        if ($p < $len && ($x = ord($bytes[$p])) < 0x80) {
            $ownerLen = $x;
            $p++;
        } else {
            $ownerLen = self::varint($bytes, $p, 10, 0x01, $minimal) ?? throw self::truncated('owner');
        }
        if ($ownerLen < 0 || $ownerLen > $len - $p) {
            throw self::truncated('owner');
        }
        $owner = substr($bytes, $p, $ownerLen);
        $p += $ownerLen;
        // Printable ASCII (the usual owner) is valid UTF-8 without control or formatting
        // characters: both regular expressions below are then skipped.
        $printableAscii = ltrim($owner, "\x20..\x7e") === '';
        if (!$printableAscii && preg_match('//u', $owner) !== 1) {
            throw self::truncated('owner');
        }
        if ($p < $len && ($x = ord($bytes[$p])) < 0x80) {
            $issued = $x;
            $p++;
        } else {
            $issued = self::varint($bytes, $p, 5, 0x0f, $minimal) ?? throw self::truncated('issued_at');
        }
        if ($p < $len && ($x = ord($bytes[$p])) < 0x80) {
            $zigzag = $x;
            $p++;
        } else {
            $zigzag = self::varint($bytes, $p, 5, 0x0f, $minimal) ?? throw self::truncated('not_before');
        }
        $notBeforeMinutes = $issued + (($zigzag >> 1) ^ -($zigzag & 1));
        if ($notBeforeMinutes < 0) {
            throw self::problem('a time is out of range', 'time-out-of-range');
        }
        $validity = null;
        if ($presence & self::EXPIRES) {
            $validity = self::varint($bytes, $p, 5, 0x0f, $minimal) ?? throw self::truncated('expires_at');
        }
        $instance = null;
        if ($presence & self::INSTANCE) {
            if ($len - $p < 16) {
                throw self::truncated('instance');
            }
            $instance = InstanceId::fromBytes(substr($bytes, $p, 16));
            $p += 16;
        }
        $versions = null;
        if ($presence & self::GLPI_VERSIONS) {
            if ($len - $p < 4) {
                throw self::truncated('glpi_versions');
            }
            $versions = [ord($bytes[$p]), ord($bytes[$p + 1]), ord($bytes[$p + 2]), ord($bytes[$p + 3])];
            $p += 4;
        }
        $maxAssets = null;
        if ($presence & self::MAX_ASSETS) {
            $maxAssets = self::varint($bytes, $p, 5, 0x0f, $minimal) ?? throw self::truncated('max_assets');
        }
        $entity = null;
        if ($presence & self::ENTITY) {
            $entity = self::varint($bytes, $p, 5, 0x0f, $minimal) ?? throw self::truncated('entity');
        }
        $supersedes = null;
        if ($presence & self::SUPERSEDES) {
            if ($len - $p < 8) {
                throw self::truncated('supersedes');
            }
            $supersedes = Serial::fromBytes(substr($bytes, $p, 8))
                ?? throw self::problem('the serial is larger than 60 bits', 'serial-out-of-range');
            $p += 8;
        }
        $extensions = [];
        $extensionBlock = '';
        if ($presence & self::EXTENSIONS) {
            $blockLen = self::varint($bytes, $p, 10, 0x01, $minimal) ?? throw self::truncated('extensions');
            if ($blockLen < 0 || $blockLen > $len - $p) {
                throw self::truncated('extensions');
            }
            $extensionBlock = substr($bytes, $p, $blockLen);
            $p += $blockLen;
            $extensions = self::extensions($extensionBlock);
        }
        if ($p !== $len) {
            throw self::problem('bytes are left over after the last field', 'trailing-bytes');
        }
        // The rules the core checks when it re-encodes (its encoder's validity checks).
        if ($ownerLen === 0 || $ownerLen > self::MAX_OWNER_LEN) {
            throw self::problem("the owner is $ownerLen bytes long; it must be 1 to " . self::MAX_OWNER_LEN . ' bytes of UTF-8', 'owner-length');
        }
        // Control and bidirectional formatting characters could make the owner display as
        // another name (spec 5.2): the same set as the core's `is_unsafe_in_owner`.
        if (!$printableAscii && preg_match('/[\x{0}-\x{1F}\x{7F}-\x{9F}\x{61C}\x{200E}\x{200F}\x{2028}-\x{202E}\x{2066}-\x{2069}]/u', $owner, $m) === 1) {
            // The code point, decoded by hand: the package needs no extension but sodium.
            $b = $m[0];
            $code = match (strlen($b)) {
                1 => ord($b[0]),
                2 => ((ord($b[0]) & 0x1F) << 6) | (ord($b[1]) & 0x3F),
                default => ((ord($b[0]) & 0x0F) << 12) | ((ord($b[1]) & 0x3F) << 6) | (ord($b[2]) & 0x3F),
            };
            throw self::problem(sprintf('the owner contains U+%04X, a control or bidirectional formatting character that could make it display as another name', $code), 'owner-character');
        }
        if ($entity !== null && $kind !== KeyKind::AgentEnrollment) {
            throw self::problem('an entity is only meaningful on an agent enrollment key', 'entity-on-instance-key');
        }
        if ($versions !== null && ($versions[0] > $versions[2] || ($versions[0] === $versions[2] && $versions[1] > $versions[3]))) {
            throw self::problem('the GLPI version range runs backwards', 'inverted-version-range');
        }
        if ($validity === 0) {
            throw self::problem('the key would expire before it becomes valid', 'empty-validity');
        }
        // Canonical form: every varint and length at its shortest, and no presence bit for an
        // empty extension block (the core re-encodes and compares).
        if (!$minimal || (($presence & self::EXTENSIONS) && $extensionBlock === '')) {
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
     * A postcard varint at `$p` (advanced past it) of at most `$maxBytes` bytes, the last at
     * most `$lastMax`; null when cut short or out of range. Clears `$minimal` on a longer
     * form than needed. Values of 64 bits come back in PHP's int bit for bit.
     */
    private static function varint(string $bytes, int &$p, int $maxBytes, int $lastMax, bool &$minimal): ?int
    {
        $len = strlen($bytes);
        $value = 0;
        for ($i = 0; $i < $maxBytes; $i++) {
            if ($p >= $len) {
                return null;
            }
            $b = ord($bytes[$p++]);
            $value |= ($b & 0x7f) << (7 * $i);
            if ($b < 0x80) {
                if ($i === $maxBytes - 1 && $b > $lastMax) {
                    return null;
                }
                if ($i > 0 && $b === 0) {
                    $minimal = false;
                }
                return $value;
            }
        }
        return null;
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

<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * Everything a key says (spec/FORMAT.md section 5). Only {@see License::$claims} exposes
 * verified claims; {@see UnverifiedKey::unverifiedClaims()} names its result as unverified.
 * Times are Unix seconds.
 */
final class Claims
{
    /**
     * @param list<Extension> $extensions informational (even-tag) extensions, in tag order
     */
    public function __construct(
        public readonly Serial $serial,
        public readonly KeyKind $kind,
        public readonly Tier $tier,
        public readonly string $owner,
        public readonly int $issuedAt,
        public readonly int $notBefore,
        /** End of validity (exclusive), null for a perpetual key. */
        public readonly ?int $expiresAt,
        public readonly ?InstanceId $instance,
        public readonly Entitlements $entitlements,
        public readonly ?VersionRange $glpiVersions,
        public readonly ?int $maxAssets,
        public readonly ?int $entity,
        public readonly ?Serial $supersedes,
        public readonly array $extensions,
    ) {
    }

    public function shortId(): ShortId
    {
        return $this->serial->shortId();
    }

    /**
     * The claims as spec/FORMAT.md section 12 writes them in JSON (the vectors' `claims`).
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return [
            'serial' => $this->serial->hex(),
            'short_id' => (string) $this->serial->shortId(),
            'kind' => $this->kind->value,
            'tier' => $this->tier->label(),
            'owner' => $this->owner,
            'issued_at' => $this->issuedAt,
            'not_before' => $this->notBefore,
            'expires_at' => $this->expiresAt,
            'instance' => $this->instance === null ? null : (string) $this->instance,
            'entitlements' => $this->entitlements->names(),
            'entitlement_bits' => $this->entitlements->bits,
            'glpi_versions' => $this->glpiVersions === null ? null
                : ['min' => (string) $this->glpiVersions->min, 'max' => (string) $this->glpiVersions->max],
            'max_assets' => $this->maxAssets,
            'entity' => $this->entity,
            'supersedes' => $this->supersedes?->hex(),
            'extensions' => array_map(
                static fn (Extension $e): array => ['tag' => $e->tag, 'value_hex' => bin2hex($e->value)],
                $this->extensions,
            ),
        ];
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey;

/** What a signed object is (the kind byte of the header, spec/FORMAT.md section 3). */
enum ObjectKind: int
{
    case InstanceRegistration = 1;
    case AgentEnrollment = 2;
    case RevocationList = 3;

    /** The lowercase name (`instance-registration`, …). */
    public function label(): string
    {
        return match ($this) {
            self::InstanceRegistration => 'instance-registration',
            self::AgentEnrollment => 'agent-enrollment',
            self::RevocationList => 'revocation-list',
        };
    }

    /** The domain-separation tag signed in front of objects of this kind (section 6). */
    public function domainTag(): string
    {
        return 'glpi-key/v1/' . $this->label();
    }

    /** @internal the name with an article, as the core's messages use it */
    public function withArticle(): string
    {
        return match ($this) {
            self::InstanceRegistration => 'an instance registration key',
            self::AgentEnrollment => 'an agent enrollment key',
            self::RevocationList => 'a revocation list',
        };
    }
}

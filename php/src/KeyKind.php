<?php

declare(strict_types=1);

namespace GlpiKey;

/** Which kind of key: what it lets its holder do. */
enum KeyKind: string
{
    /** Registers a GLPI instance with the vendor's services. */
    case InstanceRegistration = 'instance-registration';
    /** Enrolls inventory agents into an entity. */
    case AgentEnrollment = 'agent-enrollment';

    public function objectKind(): ObjectKind
    {
        return match ($this) {
            self::InstanceRegistration => ObjectKind::InstanceRegistration,
            self::AgentEnrollment => ObjectKind::AgentEnrollment,
        };
    }

    public static function fromObjectKind(ObjectKind $kind): ?self
    {
        return match ($kind) {
            ObjectKind::InstanceRegistration => self::InstanceRegistration,
            ObjectKind::AgentEnrollment => self::AgentEnrollment,
            ObjectKind::RevocationList => null,
        };
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey;

/** How sure a suggested correction of a mistyped key is. */
enum CorrectionStatus
{
    /** Only the check symbols agree with the correction (a longer typo can also look like this). */
    case Unconfirmed;
    /** With the correction, the key's signature verifies under a trusted issuer key. */
    case ConfirmedBySignature;
}

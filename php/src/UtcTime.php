<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * Unix seconds written as the core writes them in messages: `2031-01-01 00:00 UTC`, seconds
 * only when not zero. Unsigned 64-bit (see {@see Unsigned}).
 *
 * @internal
 */
final class UtcTime
{
    private function __construct()
    {
    }

    public static function format(int $secs): string
    {
        [$days, $rem] = Unsigned::divMod($secs, 86400);
        // Howard Hinnant's civil_from_days, as the core computes it.
        $z = $days + 719468;
        $era = intdiv($z, 146097);
        $doe = $z - $era * 146097;
        $yoe = intdiv($doe - intdiv($doe, 1460) + intdiv($doe, 36524) - intdiv($doe, 146096), 365);
        $doy = $doe - (365 * $yoe + intdiv($yoe, 4) - intdiv($yoe, 100));
        $mp = intdiv(5 * $doy + 2, 153);
        $day = $doy - intdiv(153 * $mp + 2, 5) + 1;
        $month = $mp < 10 ? $mp + 3 : $mp - 9;
        $year = $yoe + $era * 400 + ($month <= 2 ? 1 : 0);
        $out = sprintf('%04d-%02d-%02d %02d:%02d', $year, $month, $day, intdiv($rem, 3600), intdiv($rem % 3600, 60));
        if ($rem % 60 !== 0) {
            $out .= sprintf(':%02d', $rem % 60);
        }
        return $out . ' UTC';
    }
}

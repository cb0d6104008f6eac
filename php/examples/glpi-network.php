<?php

/**
 * What GLPI's "Setup > General > GLPI Network" tab would do with this package, offline.
 *
 *   php php/examples/glpi-network.php [--key=TEXT] [--files=DIR] [--now=UNIX_SECONDS]
 *
 * - The registration key is stored as plain text (it is not a secret): in GLPI, the config
 *   value `glpinetwork_registration_key`; here --key, default the shipped sample key.
 * - On page load the key is verified against a site directory under GLPI's files folder
 *   (GLPI_VAR_DIR, here --files, default a temporary directory): `files/_glpi_key/`. The site
 *   is created on first use with the vendor's public keys compiled into GLPI.
 * - A revocation list arrives with a GLPI update (here the shipped test list); installing it
 *   is idempotent, so GLPI can offer it on every page load after an update.
 * - Shown: tier, owner, expiry and entitlements, or the administrator's message on failure
 *   (GLPI's page would escape them for HTML; this example prints text).
 *
 * The keys and the list are TEST ONLY (spec/vectors/): their issuer's secret key is public.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use GlpiKey\InstanceId;
use GlpiKey\KeyKind;
use GlpiKey\Site\InstanceCheck;
use GlpiKey\Site\Site;
use GlpiKey\Site\SiteException;
use GlpiKey\Site\SitePolicy;
use GlpiKey\Site\SiteVerdict;
use GlpiKey\TrustStore;
use GlpiKey\VerificationException;

$vectors = __DIR__ . '/../../spec/vectors';
$options = getopt('', ['key:', 'files:', 'now:']);

// What GLPI would compile in: the vendor's issuer public keys (here the TEST-ONLY issuer).
const VENDOR_PUBLIC_KEYS = ['9160b3b06568b456cc1d235dab820f257112406bed67726cae5a58cb77995604'];
// GLPI's own instance UUID (Config 'uuid'); bound keys must name it.
const INSTANCE_UUID = '5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b';

// A key that list 15 does not revoke (the shipped sample key is revoked by it: try
// --key="$(cat spec/vectors/sample-standard.key)").
$storedKey = $options['key'] ?? trim((string) file_get_contents("$vectors/revocation/key-not-revoked.txt"));
$filesDir = $options['files'] ?? sys_get_temp_dir() . '/glpi-files-example';
$now = (int) ($options['now'] ?? time());
$siteDir = "$filesDir/_glpi_key";

echo "GLPI Network registration\n=========================\n";
try {
    // First use: create the site. Later page loads open it (a cheap read under a lock).
    $site = is_file("$siteDir/state")
        ? Site::open($siteDir)
        : Site::create($siteDir, TrustStore::fromHex(...VENDOR_PUBLIC_KEYS), new SitePolicy(graceSecs: 30 * 86400, clockToleranceSecs: 300));

    // After a GLPI update that ships a revocation list: install it (same list again: unchanged).
    try {
        [$new, $list] = $site->installRevocations((string) file_get_contents("$vectors/revocation/list-15.txt"), $now);
        printf("Revocation list %s %s\n", $list->sequence, $new ? 'installed' : 'already installed');
    } catch (VerificationException $e) {
        // A list older than the installed one is refused: keep the installed one, say why.
        echo 'Revocation list not installed: ', $e->getMessage(), "\n";
    }

    $verdict = $site->verify($storedKey, $now, KeyKind::InstanceRegistration, InstanceCheck::this(InstanceId::parse(INSTANCE_UUID)));
    $l = $verdict->license;
    $claims = $l->claims;
    echo "Status:        valid\n";
    echo 'Tier:          ', ucfirst($l->tier()->label()), "\n";
    echo 'Owner:         ', $l->owner(), "\n";
    echo 'Key ID:        ', $l->shortId(), " (give this to support; the key itself is not secret either)\n";
    echo 'Entitlements:  ', $claims->entitlements, "\n";
    if ($claims->expiresAt === null) {
        echo "Expires:       never\n";
    } else {
        printf("Expires:       %s (in %d days)\n", gmdate('Y-m-d', $claims->expiresAt), intdiv($claims->expiresAt - $verdict->checkedAt, 86400));
    }
    foreach ($verdict->warnings as $w) {
        echo 'Warning:       ', match ($w) {
            SiteVerdict::IN_GRACE => 'the subscription has expired; the key works until ' . gmdate('Y-m-d', (int) $verdict->inGraceUntil) . ': renew it',
            SiteVerdict::LIST_UPDATE_DUE => 'a newer revocation list was announced: install the latest GLPI update',
            SiteVerdict::NO_REVOCATION_LIST => 'no revocation list installed yet',
            SiteVerdict::INSTANCE_NOT_CHECKED => 'the key is bound to an instance that was not checked',
            default => $w,
        }, "\n";
    }
    exit(0);
} catch (VerificationException $e) {
    // The administrator's message says what went wrong and what to do; the class is for logs.
    echo "Status:        invalid ({$e->errorCode()})\n";
    echo 'Message:       ', $e->getMessage(), "\n";
    exit(1);
} catch (SiteException $e) {
    echo "Status:        the verification state in $siteDir cannot be used ({$e->errorCode})\n";
    echo 'Message:       ', $e->getMessage(), "\n";
    exit(2);
}

<?php

/** Replays the site differential's operations on the PHP SiteState (see src/main.rs). */

declare(strict_types=1);

require __DIR__ . '/../../autoload.php';
use GlpiKey\Site\{SiteState, SitePolicy, InstanceCheck};
use GlpiKey\{TrustStore, TrustedKey, KeyKind, InstanceId, UnverifiedRevocationList, VerificationException};
$in = fopen('php://stdin', 'r');
$h = json_decode(fgets($in), true);
$keys = [TrustedKey::fromHex($h['issuers'][0]), TrustedKey::fromHex($h['issuers'][1])];
$uuid = InstanceId::parse($h['uuid']);
$n = 0; $bad = 0; $st = null; $lists = []; $codes = [];
while (($line = fgets($in)) !== false) {
    $c = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
    if (isset($c['scenario'])) {
        $b = $keys[1]->withValidity(null, $c['b_until']);
        $st = SiteState::create(TrustStore::of($keys[0], $b), new SitePolicy($c['grace'], $c['tolerance']));
        $lists = [];
        if (bin2hex($st->toBytes()) !== $c['record']) { $bad++; echo "new record differs\n"; }
        continue;
    }
    $n++;
    $msg = '';
    try {
        switch ($c['op']) {
            case 'install':
                $l = UnverifiedRevocationList::parseText($c['list']);
                [$new] = $st->installRevocations($l, $c['now']);
                $code = $new ? 'installed' : 'unchanged';
                if ($new) { $lists[] = $l; }
                break;
            case 'verify':
                $inst = match ($c['instance']) { 'this' => InstanceCheck::this($uuid), 'unknown' => InstanceCheck::unknown(), default => InstanceCheck::insecureSkipBinding() };
                $v = $st->verify($c['key'], $c['now'], KeyKind::from($c['kind']), $inst, null, $lists);
                $code = 'valid'; $msg = implode(',', $v->warnings);
                break;
            default:
                $code = 'ok'; $msg = (string) $st->distrust($keys[$c['issuer']]->keyId, $c['from']);
        }
    } catch (VerificationException $e) { $code = $e->errorCode(); $msg = $e->getMessage(); }
    $codes[$c['op'] . ' ' . $c['expect']] = ($codes[$c['op'] . ' ' . $c['expect']] ?? 0) + 1;
    if ($code !== $c['expect'] || $msg !== $c['message'] || bin2hex($st->toBytes()) !== $c['record']) {
        $bad++;
        if ($bad <= 5) { echo "DIFF: rust {$c['expect']} / php $code\n  rust: {$c['message']}\n  php:  $msg\n  record equal: ", var_export(bin2hex($st->toBytes()) === $c['record'], true), "\n"; }
    }
}
ksort($codes);
echo "$n operations, $bad differences\n", json_encode($codes), "\n";
exit($bad === 0 ? 0 : 1);

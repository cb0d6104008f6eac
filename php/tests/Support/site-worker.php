<?php

/**
 * One of two processes working on the same site directory at once (SiteTest): installs its
 * issuer's lists 1..N and accepts N renewals, interleaved with the other process.
 * Usage: php site-worker.php DIR WORKER(0|1) N
 */

declare(strict_types=1);

require __DIR__ . '/../bootstrap.php';

use GlpiKey\KeyKind;
use GlpiKey\Site\InstanceCheck;
use GlpiKey\Site\Site;
use GlpiKey\Tests\Support\TestIssuer;

[, $dir, $worker, $n] = $argv;
$worker = (int) $worker;
$issuer = new TestIssuer($worker === 0 ? "\x41" : "\x42");
$site = Site::open($dir);
$t = 1_800_000_000;
for ($i = 1; $i <= (int) $n; $i++) {
    $site->installRevocations($issuer->listText($i, $t, []), $t + $i);
    $serial = 1000 * ($worker + 1) + $i;
    $site->verify($issuer->key($serial + 500, ['supersedes' => $serial]), $t + $i, KeyKind::InstanceRegistration, InstanceCheck::unknown());
}
echo "ok $n\n";

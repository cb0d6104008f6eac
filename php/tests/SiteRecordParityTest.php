<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\KeyKind;
use GlpiKey\Site\InstanceCheck;
use GlpiKey\Site\SitePolicy;
use GlpiKey\Site\SiteState;
use GlpiKey\TrustStore;
use GlpiKey\UnverifiedRevocationList;
use PHPUnit\Framework\TestCase;

/**
 * The state record is the Rust core's, byte for byte: the same operations on the same inputs
 * give the same bytes. The expected records were written by the Rust core's SiteState (branch
 * site, spec/SITE.md section 7): a new site trusting the test issuer (grace 1 day, tolerance
 * 300 s), after installing list 15 at 1798761600, after verifying key-not-revoked 100 s later.
 */
final class SiteRecordParityTest extends TestCase
{
    private const NEW = '474c504953495445010000000000015180000000000000012c00019160b3b06568b456cc1d235dab820f257112406bed67726cae5a58cb77995604000000000000f0c5ce2af20d02b0dd148c1f098a7f19';
    private const INSTALLED = '474c504953495445010000000000015180000000000000012c01000000006b36ec80019160b3b06568b456cc1d235dab820f257112406bed67726cae5a58cb7799560400000001000000000000000f000000006ae6810001000000006b5fcb0000000003e5e958ae9a76fe56ce4f12054d977df2ccf6745c924ee939e0657579d42a4bd700000b2174c3894a679f6685174f962ac688';
    private const AFTER_VERIFY = '474c504953495445010000000000015180000000000000012c01000000006b36ece4019160b3b06568b456cc1d235dab820f257112406bed67726cae5a58cb7799560400000001000000000000000f000000006ae6810001000000006b5fcb0000000003e5e958ae9a76fe56ce4f12054d977df2ccf6745c924ee939e0657579d42a4bd70000dc7b9d14e3f55b30555712dce3c2a4bd';

    public function testSameOperationsGiveTheCoresBytes(): void
    {
        $dir = __DIR__ . '/../../spec/vectors/revocation/';
        $state = SiteState::create(TrustStore::fromHex('9160b3b06568b456cc1d235dab820f257112406bed67726cae5a58cb77995604'), new SitePolicy(86400, 300));
        self::assertSame(self::NEW, bin2hex($state->toBytes()));
        $list = UnverifiedRevocationList::parseText((string) file_get_contents($dir . 'list-15.txt'));
        $state->installRevocations($list, 1_798_761_600);
        self::assertSame(self::INSTALLED, bin2hex($state->toBytes()));
        $verdict = $state->verify((string) file_get_contents($dir . 'key-not-revoked.txt'), 1_798_761_700, KeyKind::InstanceRegistration, InstanceCheck::unknown(), null, [$list]);
        self::assertSame([], $verdict->warnings);
        self::assertSame(self::AFTER_VERIFY, bin2hex($state->toBytes()));
        // And each record reads back to itself.
        foreach ([self::NEW, self::INSTALLED, self::AFTER_VERIFY] as $hex) {
            self::assertSame($hex, bin2hex(SiteState::fromBytes((string) hex2bin($hex))->toBytes()));
        }
    }
}

<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\InstanceId;
use GlpiKey\KeyKind;
use GlpiKey\Site\InstanceCheck;
use GlpiKey\Site\Site;
use GlpiKey\Site\SiteException;
use GlpiKey\Site\SitePolicy;
use GlpiKey\Site\SiteState;
use GlpiKey\Site\SiteVerdict;
use GlpiKey\Tests\Support\TestIssuer;
use GlpiKey\TrustStore;
use GlpiKey\UnverifiedRevocationList;
use GlpiKey\VerificationException;
use PHPUnit\Framework\TestCase;

/** The site verifier of spec/SITE.md in a directory: state, locking, policy. */
final class SiteTest extends TestCase
{
    private const T = 1_800_000_000; // 2027-01-15
    private const UUID = '5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b';

    private string $dir;
    private TestIssuer $a;
    private TestIssuer $b;

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/glpi-site-test-' . getmypid() . '-' . bin2hex(random_bytes(4));
        $this->a = new TestIssuer("\x41");
        $this->b = new TestIssuer("\x42");
    }

    protected function tearDown(): void
    {
        if (is_dir($this->dir)) {
            exec('rm -rf ' . escapeshellarg($this->dir));
        }
    }

    private function site(int $grace = 0, int $tolerance = 300): Site
    {
        return Site::create($this->dir, TrustStore::of($this->a->trusted(), $this->b->trusted()), new SitePolicy($grace, $tolerance));
    }

    private static function refusal(callable $f): VerificationException
    {
        try {
            $f();
        } catch (VerificationException $e) {
            return $e;
        }
        self::fail('accepted');
    }

    private function verify(Site $site, string $key, int $now, ?InstanceCheck $instance = null, KeyKind $kind = KeyKind::InstanceRegistration): SiteVerdict
    {
        return $site->verify($key, $now, $kind, $instance ?? InstanceCheck::unknown());
    }

    public function testCreateOpenAndTheDirectoryLayout(): void
    {
        $site = $this->site();
        self::assertFileExists("$this->dir/state");
        self::assertFileExists("$this->dir/lock");
        self::assertDirectoryExists("$this->dir/lists");
        self::assertSame(0600, fileperms("$this->dir/state") & 0777);
        $state = Site::open($this->dir)->state();
        self::assertNull($state->clockMark());
        self::assertSame(300, $state->policy()->clockToleranceSecs);
        try {
            $this->site();
            self::fail('created twice');
        } catch (SiteException $e) {
            self::assertSame('site-exists', $e->errorCode);
        }
        try {
            Site::open($this->dir . '-none');
            self::fail('opened a missing site');
        } catch (SiteException $e) {
            self::assertSame('not-a-site', $e->errorCode);
        }
        self::assertSame([], scandir("$this->dir/lists") === false ? null : array_values(array_diff(scandir("$this->dir/lists"), ['.', '..'])));
        unset($site);
    }

    public function testRecordRoundTripAndCorruptionIsNeverReset(): void
    {
        $site = $this->site(86400, 60);
        $site->installRevocations($this->a->listText(7, self::T - 10, [5, 9], self::T + 100), self::T);
        $this->verify($site, $this->a->key(20, ['supersedes' => 19]), self::T + 5);
        $bytes = (string) file_get_contents("$this->dir/state");
        $state = SiteState::fromBytes($bytes);
        self::assertSame($bytes, $state->toBytes());
        self::assertSame(self::T + 5, $state->clockMark());
        self::assertSame([19 => 20], $state->superseded());
        self::assertSame(7, $state->installedList($this->a->keyId())?->sequence);
        $corruptions = [
            'flip' => substr_replace($bytes, chr(ord($bytes[20]) ^ 1), 20, 1),
            'cut' => substr($bytes, 0, -1),
            'empty' => '',
            'trailing' => $bytes . "\0",
        ];
        foreach ($corruptions as $what => $bad) {
            try {
                SiteState::fromBytes($bad);
                self::fail("$what accepted");
            } catch (SiteException $e) {
                self::assertSame('site-state-corrupted', $e->errorCode, $what);
            }
        }
        $v2 = substr_replace($bytes, "\2", 8, 1);
        try {
            SiteState::fromBytes($v2);
            self::fail('version 2 accepted');
        } catch (SiteException $e) {
            self::assertSame('site-state-version', $e->errorCode);
        }
        // A damaged record on disk stays as it is: every operation refuses, nothing resets it.
        file_put_contents("$this->dir/state", $corruptions['flip']);
        foreach ([fn () => $site->state(), fn () => $this->verify($site, $this->a->key(21), self::T + 6)] as $op) {
            try {
                $op();
                self::fail('a corrupted site was used');
            } catch (SiteException $e) {
                self::assertSame('site-state-corrupted', $e->errorCode);
                self::assertStringContainsString('not reset', $e->getMessage());
            }
        }
        self::assertSame($corruptions['flip'], file_get_contents("$this->dir/state"));
    }

    public function testNewSiteRecordIs81BytesWithOneKey(): void
    {
        self::assertSame(81, strlen(SiteState::create(TrustStore::of($this->a->trusted()), new SitePolicy())->toBytes()));
    }

    public function testSymlinkedStateIsRefused(): void
    {
        $this->site();
        rename("$this->dir/state", "$this->dir/real-state");
        symlink("$this->dir/real-state", "$this->dir/state");
        try {
            Site::open($this->dir);
            self::fail('followed a symlink');
        } catch (SiteException $e) {
            self::assertSame('not-a-regular-file', $e->errorCode);
        }
    }

    public function testListSequencesPerIssuerKey(): void
    {
        $site = $this->site();
        [$new] = $site->installRevocations($this->a->listText(10, self::T, [1]), self::T);
        self::assertTrue($new);
        [$new] = $site->installRevocations($this->a->listText(10, self::T, [1]), self::T);
        self::assertFalse($new, 'the same list again is unchanged');
        $file = UnverifiedRevocationList::fromBody($this->a->listBody(12, self::T, [1, 2]))->fileBytes();
        [$new, $slot] = $site->installRevocations($file, self::T);
        self::assertTrue($new);
        self::assertSame(12, $slot->sequence);
        self::assertSame(['.', '..', $slot->fileName()], scandir("$this->dir/lists"), 'the replaced list file is removed');
        foreach ([[11, [1]], [12, [1, 3]]] as [$seq, $serials]) {
            $e = self::refusal(fn () => $site->installRevocations($this->a->listText($seq, self::T, $serials), self::T));
            self::assertSame('revocation-list-rollback', $e->errorCode());
        }
        // Another key's first list is never a rollback.
        [$new] = $site->installRevocations($this->b->listText(1, self::T, [4]), self::T);
        self::assertTrue($new);
        // Union: revoked by either key's list.
        foreach ([2 => 12, 4 => 1] as $serial => $sequence) {
            $e = self::refusal(fn () => $this->verify($site, $this->a->key($serial), self::T + 1));
            self::assertSame('revoked', $e->errorCode());
            self::assertStringContainsString("revocation list $sequence", $e->getMessage());
        }
        $v = $this->verify($site, $this->a->key(3), self::T + 1);
        self::assertSame([], $v->warnings);
        // A list file swapped or removed: the site cannot decide.
        unlink("$this->dir/lists/" . $slot->fileName());
        self::assertSame('installed-list-missing', self::refusal(fn () => $this->verify($site, $this->a->key(3), self::T + 1))->errorCode());
    }

    public function testClockGuardAndTheMarkSurvivesReopening(): void
    {
        $site = $this->site(0, 300);
        $key = $this->a->key(3);
        self::assertSame(self::T, $this->verify($site, $key, self::T)->checkedAt);
        // Within the tolerance: accepted, judged at the mark.
        self::assertSame(self::T, $this->verify($site, $key, self::T - 300)->checkedAt);
        $e = self::refusal(fn () => $this->verify(Site::open($this->dir), $key, self::T - 301));
        self::assertSame('clock-rollback', $e->errorCode());
        // A refused key still moves the mark (the site saw that time).
        self::refusal(fn () => $this->verify($site, 'GLPI-XYZ', self::T + 1000));
        self::assertSame(self::T + 1000, Site::open($this->dir)->state()->clockMark());
    }

    public function testPolicyChecks(): void
    {
        $site = $this->site(30 * 86400);
        $bound = $this->a->key(5, ['instance' => self::UUID]);
        self::assertSame('instance-required', self::refusal(fn () => $this->verify($site, $bound, self::T))->errorCode());
        self::assertSame('wrong-instance', self::refusal(fn () => $this->verify($site, $bound, self::T, InstanceCheck::this(InstanceId::parse('00000000-0000-0000-0000-000000000001'))))->errorCode());
        $v = $this->verify($site, $bound, self::T, InstanceCheck::this(InstanceId::parse(self::UUID)));
        self::assertSame([SiteVerdict::NO_REVOCATION_LIST], $v->warnings);
        $v = $this->verify($site, $bound, self::T, InstanceCheck::insecureSkipBinding());
        self::assertSame([SiteVerdict::INSTANCE_NOT_CHECKED, SiteVerdict::NO_REVOCATION_LIST], $v->warnings);
        self::assertSame('wrong-object-kind', self::refusal(fn () => $this->verify($site, $this->a->key(6), self::T, null, KeyKind::AgentEnrollment))->errorCode());
        // Grace: usable for 30 days after expiry, with the warning.
        $expiring = $this->a->key(7, ['expires' => self::T + 600]);
        $v = $this->verify($site, $expiring, self::T + 86400);
        self::assertSame([SiteVerdict::IN_GRACE, SiteVerdict::NO_REVOCATION_LIST], $v->warnings);
        self::assertSame(self::T + 600 + 30 * 86400, $v->inGraceUntil);
        self::assertSame('expired', self::refusal(fn () => $this->verify($site, $expiring, self::T + 600 + 30 * 86400))->errorCode());
        // List update due.
        $site->installRevocations($this->a->listText(1, self::T, [], self::T + 30 * 86400 + 700), self::T + 30 * 86400 + 600);
        $v = $this->verify($site, $this->a->key(8), self::T + 30 * 86400 + 800);
        self::assertSame([SiteVerdict::LIST_UPDATE_DUE], $v->warnings);
    }

    public function testSupersessionIsRememberedAfterTheRenewalExpires(): void
    {
        $site = $this->site();
        $old = $this->a->key(100);
        $renewal = $this->a->key(200, ['supersedes' => 100, 'expires' => self::T + 3600]);
        $this->verify($site, $old, self::T);
        $this->verify($site, $renewal, self::T + 1);
        $e = self::refusal(fn () => $this->verify($site, $old, self::T + 2));
        self::assertSame('superseded', $e->errorCode());
        self::assertStringContainsString((string) \GlpiKey\Serial::of(200)->shortId(), $e->getMessage());
        self::assertSame('expired', self::refusal(fn () => $this->verify($site, $renewal, self::T + 7200))->errorCode());
        self::assertSame('superseded', self::refusal(fn () => $this->verify(Site::open($this->dir), $old, self::T + 7200))->errorCode());
    }

    public function testDistrustedIssuerKeyIsJudgedAtTheSiteClock(): void
    {
        $site = $this->site();
        $site->installRevocations($this->b->listText(3, self::T, [50]), self::T);
        $stolen = $this->b->key(60, ['issued' => self::T - 86400 * 365]);
        $this->verify($site, $stolen, self::T);
        self::assertSame('revoked', self::refusal(fn () => $this->verify($site, $this->a->key(50), self::T))->errorCode());
        self::assertSame(self::T + 100, $site->distrust($this->b->keyId(), self::T + 100));
        self::assertSame(self::T + 100, $site->distrust($this->b->keyId(), self::T + 500), 'only moves earlier');
        $this->verify($site, $stolen, self::T + 99);
        $e = self::refusal(fn () => $this->verify($site, $stolen, self::T + 100));
        self::assertSame('issuer-key-distrusted', $e->errorCode());
        // Setting the clock back within the tolerance does not undo it: judged at the mark.
        self::assertSame('issuer-key-distrusted', self::refusal(fn () => $this->verify($site, $stolen, self::T + 50))->errorCode());
        // Its installed list no longer counts; its new lists are refused.
        $v = $this->verify($site, $this->a->key(50), self::T + 101);
        self::assertSame([SiteVerdict::NO_REVOCATION_LIST], $v->warnings);
        self::assertSame('issuer-key-distrusted', self::refusal(fn () => $site->installRevocations($this->b->listText(4, self::T, []), self::T + 102))->errorCode());
    }

    public function testTwoProcessesShareOneSite(): void
    {
        $this->site();
        $worker = __DIR__ . '/Support/site-worker.php';
        $procs = [];
        foreach ([0, 1] as $n) {
            $procs[] = proc_open([PHP_BINARY, $worker, $this->dir, (string) $n, '30'], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
            $outputs[] = $pipes;
        }
        foreach ($procs as $i => $p) {
            $out = stream_get_contents($outputs[$i][1]) . stream_get_contents($outputs[$i][2]);
            self::assertSame(0, proc_close($p), $out);
            self::assertSame("ok 30\n", $out);
        }
        $state = Site::open($this->dir)->state();
        // Every renewal each process accepted is remembered: no update was lost.
        self::assertCount(60, $state->superseded());
        self::assertSame(2, count($state->installedLists()));
        self::assertSame(30, $state->installedList($this->a->keyId())?->sequence);
        self::assertSame(30, $state->installedList($this->b->keyId())?->sequence);
    }
}

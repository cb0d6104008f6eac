<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\RevocationList;
use GlpiKey\Serial;
use GlpiKey\TrustStore;
use GlpiKey\UnverifiedKey;
use GlpiKey\UnverifiedRevocationList;
use GlpiKey\VerificationException;
use GlpiKey\VerifyOptions;
use PHPUnit\Framework\TestCase;

/** Every vector of spec/vectors/revocation/vectors.txt (spec/REVOCATION.md section 6). */
final class RevocationVectorsTest extends TestCase
{
    private const DIR = __DIR__ . '/../../spec/vectors/revocation/';

    /** @return array<string, array{list<string>}> */
    public static function vectors(): array
    {
        $out = [];
        foreach (file(self::DIR . 'vectors.txt', FILE_IGNORE_NEW_LINES) ?: [] as $line) {
            if ($line === '' || $line[0] === '#') {
                continue;
            }
            $cols = explode("\t", $line);
            $out[$cols[0]] = [$cols];
        }
        return $out;
    }

    private static function trust(): TrustStore
    {
        preg_match('/^# trust ([0-9a-f]{64})$/m', (string) file_get_contents(self::DIR . 'vectors.txt'), $m);
        return TrustStore::fromHex($m[1]);
    }

    public static function readList(string $file): UnverifiedRevocationList
    {
        $bytes = (string) file_get_contents(self::DIR . $file);
        return str_ends_with($file, '.glpirl')
            ? UnverifiedRevocationList::fromFileBytes($bytes)
            : UnverifiedRevocationList::parseText($bytes);
    }

    public function testThereAreVectors(): void
    {
        self::assertGreaterThanOrEqual(15, count(self::vectors()));
    }

    /**
     * @dataProvider vectors
     * @param list<string> $v name, kind, file, installed, now, expect, description
     */
    public function testVector(array $v): void
    {
        [, $kind, $file, $installed, $now, $expect] = $v;
        $trust = self::trust();
        try {
            if ($kind === 'list') {
                $list = self::readList($file)->verify($trust);
                if ($installed !== '-') {
                    $list->checkNotOlderThan((int) $installed);
                }
            } else {
                $list = self::readList($installed)->verify($trust);
                UnverifiedKey::parseWithTrust((string) file_get_contents(self::DIR . $file), $trust)
                    ->verifyWithRevocations($trust, VerifyOptions::at((int) $now), $list);
            }
        } catch (VerificationException $e) {
            self::assertSame($expect, $e->errorCode(), $e->getMessage());
            return;
        }
        self::assertSame('valid', $expect);
    }

    public function testListContentsAndLookup(): void
    {
        $trust = self::trust();
        $list = self::readList('list-15.txt')->verify($trust);
        self::assertSame(15, $list->sequence);
        self::assertSame(3, $list->count());
        self::assertNotNull($list->nextUpdate);
        $values = array_map(static fn (Serial $x): int => $x->value, $list->serials());
        foreach ($values as $v) {
            self::assertTrue($list->contains(Serial::of($v)));
            foreach ([$v - 1, $v + 1] as $near) {
                if ($near >= 0 && $near <= Serial::MAX && !in_array($near, $values, true)) {
                    self::assertFalse($list->contains(Serial::of($near)));
                }
            }
        }
        $large = self::readList('list-16-large.glpirl')->verify($trust);
        self::assertSame(1000, $large->count());
        foreach ($large->serials() as $i => $s) {
            if ($i % 97 === 0) {
                self::assertTrue($large->contains($s));
            }
        }
        self::assertFalse($large->contains(Serial::of(0)) && $large->serials()[0]->value !== 0);
        // The text form re-written from the body reads back to the same list.
        $text = self::readList('list-15.txt')->text(true);
        self::assertNotNull($text);
        self::assertSame(self::readList('list-15.txt')->bytes(), UnverifiedRevocationList::parseText($text)->bytes());
        self::assertNull(self::readList('list-16-large.glpirl')->text());
        // The rollback message names both numbers.
        try {
            self::readList('list-12.txt')->verify($trust)->checkNotOlderThan(15);
            self::fail('rollback accepted');
        } catch (VerificationException $e) {
            self::assertSame('revocation list 12 is older than the one already installed (15): keep the installed list, or install a list numbered 15 or higher', $e->getMessage());
        }
        self::assertInstanceOf(RevocationList::class, $list);
    }
}

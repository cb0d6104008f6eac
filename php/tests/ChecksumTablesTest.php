<?php

declare(strict_types=1);

namespace GlpiKey\Tests;

use GlpiKey\Text\Checksum;
use GlpiKey\Text\ChecksumTables;
use GlpiKey\Text\Scan;
use GlpiKey\Text\TextWriter;
use GlpiKey\VerificationException;
use PHPUnit\Framework\TestCase;

/** The literal tables of the fast reader are what the single-symbol step gives. */
final class ChecksumTablesTest extends TestCase
{
    public function testLiteralTablesMatchTheComputedOnes(): void
    {
        self::assertSame(
            ChecksumTables::compute(),
            [ChecksumTables::C, ChecksumTables::B, ChecksumTables::A, ChecksumTables::R],
        );
        $t = [];
        for ($top = 0; $top < 32; $top++) {
            $x = 0;
            foreach ([0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3] as $i => $gen) {
                $x ^= (($top >> $i) & 1) ? $gen : 0;
            }
            $t[] = $x;
        }
        self::assertSame($t, Checksum::TABLE);
        // The residue of a valid text after 0 to 7 padding zeros.
        $c = Checksum::BECH32M;
        foreach (ChecksumTables::PADDED_BECH32M as $k => $expected) {
            self::assertSame($c, $expected, "$k zeros");
            $c = Checksum::push($c, [0]);
        }
        self::assertCount(8, ChecksumTables::PADDED_BECH32M);
    }

    /** The eight-at-a-time reader gives the bytes and verdicts of the plain one, every length. */
    public function testFastReaderAgreesWithThePlainCheckAtEveryLength(): void
    {
        for ($len = 1; $len <= 120; $len++) {
            $body = random_bytes($len);
            $text = TextWriter::ofBody($body);
            self::assertSame($body, Scan::read($text, 1014)->decode('glpi', 1, 630), "length $len");
            // One symbol changed: the plain check and the fast reader both refuse it.
            $i = 5 + random_int(0, strlen($text) - 13);
            $bad = substr_replace($text, $text[$i] === 'X' ? 'Y' : 'X', $i, 1);
            $scan = Scan::read($bad, 1014);
            $plain = Checksum::push(Checksum::start('glpi'), $scan->values()) === Checksum::BECH32M;
            self::assertFalse($plain);
            try {
                $scan->decode('glpi', 1, 630);
                self::fail("length $len: typo accepted");
            } catch (VerificationException $e) {
                self::assertSame('checksum', $e->errorCode());
            }
        }
    }
}

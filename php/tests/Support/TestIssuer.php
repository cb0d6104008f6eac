<?php

declare(strict_types=1);

namespace GlpiKey\Tests\Support;

use GlpiKey\Text\TextWriter;
use GlpiKey\TrustedKey;

/**
 * Issues keys and lists for the tests (a test-only encoder of spec/FORMAT.md section 5 and
 * REVOCATION.md section 1; the package itself only verifies). Deterministic from its seed.
 */
final class TestIssuer
{
    public readonly string $publicKey;
    private readonly string $secretKey;

    /** @param string $seed one byte (repeated) or the 32-byte Ed25519 seed */
    public function __construct(string $seed)
    {
        $pair = sodium_crypto_sign_seed_keypair(strlen($seed) === 32 ? $seed : str_repeat($seed, 32));
        $this->publicKey = sodium_crypto_sign_publickey($pair);
        $this->secretKey = sodium_crypto_sign_secretkey($pair);
    }

    public function keyId(): string
    {
        return TrustedKey::keyIdOf($this->publicKey);
    }

    public function trusted(?int $from = null, ?int $until = null): TrustedKey
    {
        return TrustedKey::fromPublicKeyBytes($this->publicKey, $from, $until);
    }

    public static function varint(int $v): string
    {
        $out = '';
        do {
            $b = $v & 0x7f;
            $v = ($v >> 7) & (PHP_INT_MAX >> 6);
            $out .= chr($v !== 0 ? $b | 0x80 : $b);
        } while ($v !== 0);
        return $out;
    }

    /**
     * A key. Times in seconds (whole minutes).
     *
     * @param array{kind?: int, tier?: int, owner?: string, issued?: int, expires?: ?int, instance?: ?string, supersedes?: ?int, versions?: ?array{int,int,int,int}} $c
     */
    public function key(int $serial, array $c = []): string
    {
        $kind = $c['kind'] ?? 1;
        $issued = intdiv($c['issued'] ?? 1_790_000_000 - 1_790_000_000 % 60, 60);
        $presence = 0;
        $optional = '';
        if (($c['expires'] ?? null) !== null) {
            $presence |= 1;
            $optional .= self::varint(intdiv($c['expires'], 60) - $issued);
        }
        if (($c['instance'] ?? null) !== null) {
            $presence |= 2;
            $optional .= hex2bin(str_replace('-', '', $c['instance']));
        }
        if (($c['versions'] ?? null) !== null) {
            $presence |= 4;
            $optional .= pack('C4', ...$c['versions']);
        }
        if (($c['supersedes'] ?? null) !== null) {
            $presence |= 32;
            $optional .= pack('J', $c['supersedes']);
        }
        $owner = $c['owner'] ?? 'ACME Corp';
        $claims = pack('J', $serial) . chr($c['tier'] ?? 3) . chr($presence) . self::varint(7)
            . self::varint(strlen($owner)) . $owner . self::varint($issued) . self::varint(0) . $optional;
        $header = chr(1) . chr($kind) . hex2bin($this->keyId());
        $tag = $kind === 1 ? 'glpi-key/v1/instance-registration' : 'glpi-key/v1/agent-enrollment';
        $sig = sodium_crypto_sign_detached("$tag\0$header$claims", $this->secretKey);
        return TextWriter::ofBody($header . $claims . $sig);
    }

    /** A key of any kind byte and claims bytes (for hand-made claims). */
    public function keyOfClaims(string $claims, int $kind = 1): string
    {
        $header = chr(1) . chr($kind) . hex2bin($this->keyId());
        $tag = $kind === 2 ? 'glpi-key/v1/agent-enrollment' : 'glpi-key/v1/instance-registration';
        return TextWriter::ofBody($header . $claims . sodium_crypto_sign_detached("$tag\0$header$claims", $this->secretKey));
    }

    /**
     * A revocation list body (serials sorted by the caller).
     *
     * @param list<int> $serials
     */
    public function listBody(int $sequence, int $issuedAt, array $serials, ?int $nextUpdate = null): string
    {
        $payload = self::varint($sequence) . self::varint($issuedAt)
            . ($nextUpdate === null ? "\0" : "\1" . self::varint($nextUpdate))
            . self::varint(8 * count($serials)) . ($serials === [] ? '' : pack('J*', ...$serials));
        $header = chr(1) . chr(3) . hex2bin($this->keyId());
        $sig = sodium_crypto_sign_detached("glpi-key/v1/revocation-list\0$header" . hash('sha512', $payload, true), $this->secretKey);
        return $header . $payload . $sig;
    }

    /** @param list<int> $serials */
    public function listText(int $sequence, int $issuedAt, array $serials, ?int $nextUpdate = null): string
    {
        return TextWriter::ofBody($this->listBody($sequence, $issuedAt, $serials, $nextUpdate));
    }
}

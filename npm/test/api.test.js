// The package's API beyond the vectors: typo location, the required kind, the instance
// binding, grace, the clock tolerance, arguments, trust stores and revocation lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import init, {
  GlpiKeyError,
  RevocationList,
  TrustStore,
  correct,
  parse,
  verify,
} from '../node.js';

const vectors = new URL('../../spec/vectors/', import.meta.url);
const file = JSON.parse(readFileSync(new URL('keys.json', vectors), 'utf8'));
const vector = (name) => file.vectors.find((v) => v.name === name);
const pub = readFileSync(new URL('test-issuer.pub.hex', vectors), 'utf8').trim();
const trust = new TrustStore([pub]);
const sample = readFileSync(new URL('sample-standard.key', vectors), 'utf8');
const INSTANCE = '5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b';
const NOW = 1811808000;
const rejects = (f, code) =>
  assert.throws(f, (e) => {
    assert.ok(e instanceof GlpiKeyError, `not a GlpiKeyError: ${e}`);
    assert.equal(e.code, code, e.message);
    return true;
  });

test('the sample key verifies for its instance', async () => {
  await init(); // resolves at once under Node
  const l = verify(sample, trust, { kind: 'instance-registration', instance: INSTANCE, now: NOW });
  assert.equal(l.status, 'active');
  assert.equal(l.claims.owner, 'ACME Corp');
  assert.equal(l.claims.tier, 'standard');
  assert.equal(l.claims.shortId, 'GLPI-28T5CY4TQKFF-ZNJMKB');
  assert.deepEqual(l.claims.entitlements, ['marketplace', 'network-plugins', 'l3-support']);
  assert.equal(l.graceUntil, null);
  assert.equal(l.warning, null);
});

test('now may be a Date or a bigint', () => {
  const kind = 'instance-registration';
  const at = new Date(NOW * 1000 + 999);
  assert.equal(verify(sample, trust, { kind, instance: INSTANCE, now: at }).status, 'active');
  assert.equal(verify(sample, trust, { kind, instance: INSTANCE, now: BigInt(NOW) }).status, 'active');
  rejects(() => verify(sample, trust, { kind, instance: INSTANCE, now: new Date(NaN) }), 'invalid-argument');
  rejects(() => verify(sample, trust, { kind, instance: INSTANCE, now: -1 }), 'invalid-argument');
  rejects(() => verify(sample, trust, { kind, instance: INSTANCE, now: 1.5 }), 'invalid-argument');
});

test('a one-symbol typo is located, and confirmed by the signature when trust is given', () => {
  const typo = vector('typo-one-symbol').key;
  const expected = { position: 31, group: 1, positionInGroup: 26, found: 'Q', replacement: 'C' };
  assert.throws(
    () => verify(typo, trust, { kind: 'instance-registration', now: NOW, instance: INSTANCE }),
    (e) => {
      assert.equal(e.code, 'checksum');
      assert.deepEqual(e.typo, { ...expected, confirmed: true });
      assert.equal(e.message, vector('typo-one-symbol').message);
      return true;
    },
  );
  assert.throws(
    () => parse(typo),
    (e) => e.code === 'checksum' && e.typo.confirmed === false && e.typo.position === 31,
  );
  assert.equal(correct(typo, trust), sample.trim());
  assert.equal(correct(sample, trust), null);
  // A transposition fails the check with no single-symbol fix: no typo, and correct throws.
  const swapped = vector('typo-adjacent-transposition').key;
  assert.throws(() => parse(swapped, trust), (e) => e.code === 'checksum' && e.typo === null);
  rejects(() => correct(swapped, trust), 'checksum');
});

test('parse reads without verifying', () => {
  const p = parse(vector('valid-standard-grouped-lowercase-wrapped').key);
  assert.deepEqual(p, {
    unverifiedKind: 'instance-registration',
    unverifiedKeyId: '6cea30f2',
    unverifiedShortId: 'GLPI-28T5CY4TQKFF-ZNJMKB',
    text: sample.trim(),
    grouped: p.grouped,
  });
  assert.match(p.grouped, /^GLPI-(\w{5}-)+/);
  assert.equal(parse(p.grouped).text, p.text);
  // Parsing checks form only: a tampered key parses, and fails at verify.
  const tampered = vector('tampered-tier').key;
  assert.equal(parse(tampered).unverifiedKind, 'instance-registration');
  rejects(() => verify(tampered, trust, { kind: 'instance-registration', now: NOW, acceptAnyInstanceUnchecked: true }), 'bad-signature');
});

test('the kind is required and checked', () => {
  rejects(() => verify(sample, trust), 'invalid-argument');
  rejects(() => verify(sample, trust, { now: NOW, instance: INSTANCE }), 'invalid-argument');
  rejects(() => verify(sample, trust, { kind: 'any', now: NOW, instance: INSTANCE }), 'invalid-argument');
  rejects(() => verify(sample, trust, { kind: 'agent-enrollment', now: NOW, instance: INSTANCE }), 'wrong-object-kind');
  const agent = vector('valid-agent-enrollment').key;
  rejects(() => verify(agent, trust, { kind: 'instance-registration', now: NOW }), 'wrong-object-kind');
  const l = verify(agent, trust, { kind: 'agent-enrollment', now: NOW });
  assert.equal(l.claims.entity, 7);
  assert.equal(l.claims.maxAssets, 5000);
});

test('a key bound to an instance needs the instance, or an explicit opt-out', () => {
  const kind = 'instance-registration';
  rejects(() => verify(sample, trust, { kind, now: NOW }), 'instance-required');
  rejects(() => verify(sample, trust, { kind, now: NOW, instance: '00000000-0000-4000-8000-000000000001' }), 'wrong-instance');
  rejects(() => verify(sample, trust, { kind, now: NOW, instance: 'not-a-uuid' }), 'invalid-argument');
  rejects(() => verify(sample, trust, { kind, now: NOW, instance: INSTANCE, acceptAnyInstanceUnchecked: true }), 'invalid-argument');
  const l = verify(sample, trust, { kind, now: NOW, acceptAnyInstanceUnchecked: true });
  assert.equal(l.claims.instance, INSTANCE);
  // An unbound key needs no instance.
  const free = vector('valid-free-perpetual').key;
  assert.equal(verify(free, trust, { kind, now: NOW }).claims.expiresAt, null);
});

test('grace after expiry, then expired', () => {
  const expiry = 1924992000;
  const options = { kind: 'instance-registration', instance: INSTANCE, graceSeconds: 86400 };
  const l = verify(sample, trust, { ...options, now: expiry + 10 });
  assert.equal(l.status, 'in-grace');
  assert.equal(l.graceUntil, expiry + 86400);
  assert.match(l.warning, /grace|expired/);
  rejects(() => verify(sample, trust, { ...options, now: expiry + 86400 }), 'expired');
  rejects(() => verify(sample, trust, { ...options, graceSeconds: 0, now: expiry }), 'expired');
});

test('the clock tolerance refuses keys issued after now', () => {
  const issued = 1793577600;
  const options = { kind: 'instance-registration', instance: INSTANCE, clockToleranceSeconds: 60 };
  rejects(() => verify(sample, trust, { ...options, now: issued - 3600 }), 'issued-in-future');
  rejects(() => verify(sample, trust, { ...options, clockToleranceSeconds: undefined, now: issued - 3600 }), 'not-yet-valid');
});

test('the GLPI version is checked when given', () => {
  const every = vector('valid-every-claim');
  const options = { kind: 'instance-registration', instance: INSTANCE, now: NOW };
  assert.deepEqual(verify(every.key, trust, { ...options, glpiVersion: '10.0' }).claims.glpiVersions, { min: '10.0', max: '11.0' });
  rejects(() => verify(every.key, trust, { ...options, glpiVersion: '11.1' }), 'unsupported-glpi-version');
  rejects(() => verify(every.key, trust, { ...options, glpiVersion: 'ten' }), 'invalid-argument');
});

test('trust stores: keys as hex or bytes, windows, refusals', () => {
  const bytes = Uint8Array.from(pub.match(/../g), (h) => parseInt(h, 16));
  const s = new TrustStore();
  assert.deepEqual(s.keyIds, []);
  rejects(() => verify(sample, s, { kind: 'instance-registration', now: NOW, instance: INSTANCE }), 'no-trusted-keys');
  assert.equal(s.add(bytes), '6cea30f2');
  assert.deepEqual(s.keyIds, ['6cea30f2']);
  rejects(() => s.add(pub), 'duplicate-trusted-key');
  rejects(() => s.add('abcd'), 'invalid-argument');
  rejects(() => s.add(new Uint8Array(31)), 'invalid-argument');
  rejects(() => verify(sample, undefined, { kind: 'instance-registration' }), 'invalid-argument');
  assert.throws(() => new TrustStore([new Uint8Array(32)]), (e) => e.code.startsWith('trusted-key-'));
  // A key trusted only for keys issued before 2026-01-01 does not cover the sample (2026-11-02).
  const windowed = new TrustStore([{ publicKey: pub, validUntil: new Date('2026-01-01T00:00:00Z') }]);
  rejects(() => verify(sample, windowed, { kind: 'instance-registration', now: NOW, instance: INSTANCE }), 'issuer-key-not-valid');
  const from = new TrustStore([{ publicKey: pub, validFrom: 0, validUntil: 2n ** 40n }]);
  assert.equal(verify(sample, from, { kind: 'instance-registration', now: NOW, instance: INSTANCE }).status, 'active');
});

test('arguments of the wrong type are GlpiKeyErrors with code invalid-argument', () => {
  rejects(() => parse(42), 'invalid-argument');
  rejects(() => verify(null, trust, { kind: 'instance-registration' }), 'invalid-argument');
  rejects(() => verify(sample, {}, { kind: 'instance-registration' }), 'invalid-argument');
  rejects(() => verify(sample, trust, { kind: 'instance-registration', now: NOW, instance: INSTANCE, revocations: 'list' }), 'invalid-argument');
  rejects(() => RevocationList.read(42, trust), 'invalid-argument');
  assert.throws(() => new RevocationList(), TypeError);
});

test('revocation lists: read, look up, file form, check keys against', () => {
  const dir = new URL('revocation/', vectors);
  const text = readFileSync(new URL('list-15.txt', dir), 'utf8');
  const list = RevocationList.read(text, trust);
  assert.equal(list.sequence, 15n);
  assert.equal(list.issuerKeyId, '6cea30f2');
  assert.equal(list.serials.length, 3);
  assert.deepEqual([...list.serials].sort(), list.serials);
  assert.ok(Object.isFrozen(list));
  for (const s of list.serials) assert.ok(list.contains(s));
  assert.equal(list.contains('0000000000000001'), false);
  rejects(() => list.contains('xyz'), 'not-a-glpi-key');
  const bytes = list.toFileBytes();
  assert.equal(new TextDecoder().decode(bytes.slice(0, 8)), 'GLPI-RL\n');
  const again = RevocationList.read(bytes, trust, { installedSequence: 15 });
  assert.deepEqual(again.serials, list.serials);
  rejects(() => RevocationList.read(bytes, trust, { installedSequence: 16n }), 'revocation-list-rollback');
  rejects(() => RevocationList.read(text, new TrustStore()), 'unknown-issuer');
  const revoked = readFileSync(new URL('key-revoked.txt', dir), 'utf8');
  const id = parse(revoked).unverifiedShortId;
  assert.ok(list.contains(id));
  rejects(
    () => verify(revoked, trust, { kind: 'instance-registration', now: 1798761600, acceptAnyInstanceUnchecked: true, revocations: list }),
    'revoked',
  );
});

// The site verifier: every scenario of spec/vectors/site-scenarios.json (spec/SITE.md section
// 8), step by step, with the state carried from step to step (and through toBytes/fromBytes
// on `reopen`), plus the package's own cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { GlpiKeyError, Site, TrustStore, verify } from '../node.js';

const vectors = new URL('../../spec/vectors/', import.meta.url);
const file = JSON.parse(readFileSync(new URL('site-scenarios.json', vectors), 'utf8'));
const keyIdOf = (hex) => new TrustStore([hex]).keyIds[0];

function newSite(block) {
  const trust = new TrustStore(
    block.trust.map((t) => ({
      publicKey: file.issuers[t.issuer],
      validFrom: t.valid_from ?? undefined,
      validUntil: t.valid_until ?? undefined,
    })),
  );
  const site = Site.create(trust, {
    graceSeconds: block.grace_secs,
    clockToleranceSeconds: block.clock_tolerance_secs,
  });
  for (const t of block.trust) {
    if (t.distrusted_from !== null && t.distrusted_from !== undefined) {
      site.distrust(keyIdOf(file.issuers[t.issuer]), t.distrusted_from);
    }
  }
  return site;
}

function outcome(f) {
  try {
    return { ok: f() };
  } catch (e) {
    if (!(e instanceof GlpiKeyError)) throw e;
    return { code: e.code, message: e.message };
  }
}

test('site-scenarios.json has scenarios', () => {
  assert.equal(file.format, 'glpi-key site scenarios v1');
  assert.ok(file.scenarios.length >= 9);
});

for (const scenario of file.scenarios) {
  test(`site scenario ${scenario.name}`, () => {
    let site = newSite(scenario.site);
    scenario.steps.forEach((step, i) => {
      const where = `${scenario.name} step ${i + 1} (${step.op})`;
      switch (step.op) {
        case 'install': {
          const r = outcome(() => site.installRevocations(file.lists[step.list], step.now));
          if (r.code) assert.equal(r.code, step.expect, `${where}: ${r.message}`);
          else assert.equal(r.ok.outcome, step.expect, where);
          break;
        }
        case 'verify': {
          const r = outcome(() =>
            site.verify(file.keys[step.key], {
              kind: step.kind,
              now: step.now,
              instance: step.instance ?? undefined,
              insecureSkipInstance: step.insecure_skip_instance === true,
              glpiVersion: step.glpi ?? undefined,
            }),
          );
          if (r.code) {
            assert.equal(r.code, step.expect, `${where}: ${r.message}`);
          } else {
            assert.equal('valid', step.expect, where);
            if (step.warnings) assert.deepEqual(r.ok.warnings, step.warnings, where);
            if (step.tier) assert.equal(r.ok.license.claims.tier, step.tier, where);
          }
          break;
        }
        case 'distrust': {
          site.distrust(keyIdOf(file.issuers[step.issuer]), step.from);
          assert.equal('ok', step.expect, where);
          break;
        }
        case 'reopen': {
          site = Site.fromBytes(site.toBytes(), site.installedLists());
          assert.equal(site.changed, false, where);
          break;
        }
        case 'status': {
          const s = site.status();
          if ('mark' in step) assert.equal(s.clockMark, step.mark, where);
          if ('sequences' in step) {
            const seqs = {};
            for (const [name, hex] of Object.entries(file.issuers)) {
              const k = s.trust.find((t) => t.publicKey === hex.toLowerCase());
              if (k?.list) seqs[name] = Number(k.list.sequence);
            }
            assert.deepEqual(seqs, step.sequences, where);
          }
          if ('superseded' in step) {
            assert.deepEqual(
              s.superseded.map((p) => p.serial),
              step.superseded.map((x) => (typeof x === 'number' ? x.toString(16).padStart(16, '0') : x)),
              where,
            );
          }
          break;
        }
        default:
          assert.fail(`${where}: unknown op`);
      }
    });
  });
}

// The package's own cases, on the scenarios' keys and lists (issuer B).
const B = file.issuers.B;
const T = 1814400000;
const rejects = (f, code) =>
  assert.throws(f, (e) => {
    assert.ok(e instanceof GlpiKeyError, `not a GlpiKeyError: ${e}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
const freshSite = () => Site.create(new TrustStore([B]), { clockToleranceSeconds: 600 });
const kind = 'instance-registration';

test('the state round-trips through bytes, with its installed lists', () => {
  const site = freshSite();
  assert.equal(site.changed, true); // never stored yet
  const first = site.toBytes();
  assert.equal(new TextDecoder().decode(first.slice(0, 8)), 'GLPISITE');
  assert.equal(site.changed, false);
  const installed = site.installRevocations(file.lists.b5, T);
  assert.equal(installed.outcome, 'installed');
  assert.equal(typeof installed.list.sequence, 'bigint');
  assert.equal(site.changed, true);
  assert.equal(site.installRevocations(file.lists.b5, T).outcome, 'unchanged');
  rejects(() => site.verify(file.keys['revoked-by-b5'], { kind, now: T }), 'revoked');
  const state = site.toBytes();
  const lists = site.installedLists();
  assert.equal(lists.length, 1);
  assert.equal(new TextDecoder().decode(lists[0].slice(0, 8)), 'GLPI-RL\n');
  const again = Site.fromBytes(state, lists);
  assert.equal(again.changed, false);
  assert.deepEqual(again.status(), site.status());
  rejects(() => again.verify(file.keys['revoked-by-b5'], { kind, now: T }), 'revoked');
  // A newer list replaces the older one: still one list to store.
  site.installRevocations(file.lists.b6, T);
  assert.equal(site.installedLists().length, 1);
  assert.equal(site.status().trust[0].list.sequence, 6n);
  // Without its list, the site cannot decide: it says so rather than skip the list.
  rejects(() => Site.fromBytes(state).verify(file.keys.good, { kind, now: T }), 'installed-list-missing');
});

test('a damaged state is an error, never a reset', () => {
  const state = freshSite().toBytes();
  const damaged = state.slice();
  damaged[damaged.length - 1] ^= 1;
  rejects(() => Site.fromBytes(damaged), 'site-state-corrupted');
  rejects(() => Site.fromBytes(state.slice(0, 20)), 'site-state-corrupted');
  rejects(() => Site.fromBytes(new Uint8Array()), 'site-state-corrupted');
  const other = state.slice();
  other[8] = 2;
  assert.throws(() => Site.fromBytes(other), (e) => e.code === 'site-state-version' || e.code === 'site-state-corrupted');
  rejects(() => Site.fromBytes('GLPISITE'), 'invalid-argument');
});

test('the clock mark: kept on refusals, not moved by unreadable keys', () => {
  const site = freshSite();
  assert.equal(site.status().clockMark, null);
  rejects(() => site.verify(file.keys.bound, { kind, now: T }), 'instance-required');
  assert.equal(site.status().clockMark, T); // the refusal still saw the time
  const typo = file.keys.good.replace(/.(-[^-]+)$/, (m, tail) => (m[0] === 'A' ? 'B' : 'A') + tail);
  assert.throws(() => site.verify(typo, { kind, now: T + 100 }), (e) => e.code === 'checksum');
  assert.equal(site.status().clockMark, T); // a key that does not read changes nothing
  rejects(() => site.verify(file.keys.good, { kind, now: T - 601 }), 'clock-rollback');
  assert.equal(site.observeClock(T + 50), T + 50);
  rejects(() => site.observeClock(T - 1000), 'clock-rollback');
  // Installing starts with the clock guard, even for input that does not read.
  rejects(() => site.installRevocations('GLPI-nonsense', T - 5000), 'clock-rollback');
});

test('site verify: kind required, instance binding explicit, typo confirmed by the signature', () => {
  const site = freshSite();
  rejects(() => site.verify(file.keys.good, { now: T }), 'invalid-argument');
  rejects(() => site.verify(file.keys.good, { kind: 'any', now: T }), 'invalid-argument');
  rejects(() => site.verify(file.keys.bound, { kind, now: T, instance: 'x', insecureSkipInstance: true }), 'invalid-argument');
  const v = site.verify(file.keys.bound, { kind, now: T, insecureSkipInstance: true });
  assert.deepEqual(v.warnings, ['instance-not-checked', 'no-revocation-list']);
  assert.equal(v.checkedAt, T);
  assert.equal(v.license.claims.instance, '5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b');
  // A one-symbol typo in the body: located, and confirmed by the site's trusted key.
  const key = file.keys.good;
  const at = 20;
  const typo = key.slice(0, at) + (key[at] === '0' ? '1' : '0') + key.slice(at + 1);
  assert.throws(
    () => site.verify(typo, { kind, now: T }),
    (e) => e.code === 'checksum' && e.typo?.position === at + 1 && e.typo.confirmed === true,
  );
});

test('distrust and rotation through the site', () => {
  const A = file.issuers.A;
  const site = freshSite();
  const idB = new TrustStore([B]).keyIds[0];
  rejects(() => site.distrust('00000000', T), 'issuer-key-not-trusted');
  const idA = site.addTrustedKey({ publicKey: A, validUntil: 1798675200 });
  rejects(() => site.addTrustedKey(A), 'duplicate-trusted-key');
  assert.deepEqual(site.status().trust.map((k) => k.keyId), [idB, idA]);
  assert.equal(site.distrust(idA, T + 10), T + 10);
  assert.equal(site.distrust(idA, T + 99), T + 10); // only moves earlier
  assert.equal(site.status().trust[1].distrustedFrom, T + 10);
  // The stateless verify knows nothing of the site: it is a separate, stateless check.
  assert.equal(typeof verify, 'function');
});

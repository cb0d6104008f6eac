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

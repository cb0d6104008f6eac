// Every vector of spec/vectors (keys.json and revocation/vectors.txt) through the package's
// Node entry, with Node's built-in test runner: `node --test test/` after `sh build.sh`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { GlpiKeyError, RevocationList, TrustStore, parse, verify } from '../node.js';

const vectors = new URL('../../spec/vectors/', import.meta.url);
const file = JSON.parse(readFileSync(new URL('keys.json', vectors), 'utf8'));
const trust = new TrustStore(file.trust.map((t) => t.public_key_hex));

/** The kind to require: the vector's, else what the key says (the vectors' `null` is "any"). */
function kindFor(v) {
  if (v.kind) return v.kind;
  if (v.claims) return v.claims.kind;
  try {
    return parse(v.key).unverifiedKind;
  } catch {
    return 'instance-registration';
  }
}

/** The vectors' claims use snake_case; the package's use camelCase. */
function camelClaims(c) {
  return {
    serial: c.serial,
    shortId: c.short_id,
    kind: c.kind,
    tier: c.tier,
    owner: c.owner,
    issuedAt: c.issued_at,
    notBefore: c.not_before,
    expiresAt: c.expires_at,
    instance: c.instance,
    entitlements: c.entitlements,
    entitlementBits: c.entitlement_bits,
    glpiVersions: c.glpi_versions,
    maxAssets: c.max_assets,
    entity: c.entity,
    supersedes: c.supersedes,
    extensions: c.extensions.map((e) => ({ tag: e.tag, valueHex: e.value_hex })),
  };
}

for (const v of file.vectors) {
  test(`key vector ${v.name}: ${v.expect}`, () => {
    const options = {
      kind: kindFor(v),
      now: v.now,
      glpiVersion: v.glpi_version ?? undefined,
      // The vectors check no binding unless they give an instance; say so explicitly.
      ...(v.instance ? { instance: v.instance } : { acceptAnyInstanceUnchecked: true }),
    };
    if (v.expect === 'valid') {
      const license = verify(v.key, trust, options);
      assert.equal(license.status, 'active');
      assert.equal(license.issuerKeyId, file.trust[0].key_id);
      assert.deepEqual(license.claims, camelClaims(v.claims));
    } else {
      assert.throws(
        () => verify(v.key, trust, options),
        (e) => {
          assert.ok(e instanceof GlpiKeyError, `not a GlpiKeyError: ${e}`);
          assert.equal(e.code, v.expect);
          if (v.message !== null) assert.equal(e.message, v.message);
          assert.ok(e.message.length > 20, 'the message says what to do');
          return true;
        },
      );
    }
  });
}

// spec/vectors/revocation/vectors.txt: tab-separated, `#` comments, `# trust <hex>`.
const revocationDir = new URL('revocation/', vectors);
const lines = readFileSync(new URL('vectors.txt', revocationDir), 'utf8').split('\n');
const listTrust = new TrustStore(
  lines.filter((l) => l.startsWith('# trust ')).map((l) => l.slice('# trust '.length).trim()),
);

function readList(name) {
  const bytes = readFileSync(new URL(name, revocationDir));
  return name.endsWith('.txt') ? bytes.toString('utf8') : new Uint8Array(bytes);
}

const revocationVectors = lines
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [name, kind, fileName, installed, now, expect, description] = l.split('\t');
    return { name, kind, fileName, installed, now, expect, description };
  });

test('revocation/vectors.txt has list and key vectors', () => {
  assert.ok(revocationVectors.filter((v) => v.kind === 'list').length >= 10);
  assert.ok(revocationVectors.filter((v) => v.kind === 'key').length >= 3);
});

for (const v of revocationVectors) {
  test(`revocation vector ${v.name}: ${v.expect}`, () => {
    let run;
    if (v.kind === 'list') {
      const installedSequence = v.installed === '-' ? undefined : BigInt(v.installed);
      run = () => RevocationList.read(readList(v.fileName), listTrust, { installedSequence });
    } else {
      const list = RevocationList.read(readList(v.installed), listTrust);
      const key = readList(v.fileName);
      run = () =>
        verify(key, listTrust, {
          kind: 'instance-registration',
          now: Number(v.now),
          acceptAnyInstanceUnchecked: true,
          revocations: list,
        });
    }
    if (v.expect === 'valid') {
      const r = run();
      if (v.kind === 'list') {
        assert.ok(r instanceof RevocationList);
        // Every valid list vector revokes serials, except the one that is empty on purpose.
        assert.equal(r.serials.length === 0, v.name === 'valid-empty');
        assert.equal(r.issuerKeyId, file.trust[0].key_id);
      } else {
        assert.equal(r.status, 'active');
      }
    } else {
      assert.throws(run, (e) => e instanceof GlpiKeyError && e.code === v.expect);
    }
  });
}

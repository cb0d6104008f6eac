// The browser entry (index.js), run under Node in its own process (node --test runs each file
// separately): nothing works before `init`, which takes the module's bytes (browsers fetch it
// next to index.js by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import init, { GlpiKeyError, TrustStore, verify } from '../index.js';

const vectors = new URL('../../spec/vectors/', import.meta.url);
const sample = readFileSync(new URL('sample-standard.key', vectors), 'utf8');
const pub = readFileSync(new URL('test-issuer.pub.hex', vectors), 'utf8').trim();

test('calls before init fail with not-initialized', () => {
  assert.throws(() => new TrustStore([pub]), (e) => e instanceof GlpiKeyError && e.code === 'not-initialized');
});

test('after init(bytes), the sample key verifies', async () => {
  await init(readFileSync(new URL('../wasm/glpi_key_js_bg.wasm', import.meta.url)));
  const l = verify(sample, new TrustStore([pub]), {
    kind: 'instance-registration',
    instance: '5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b',
    now: new Date('2027-06-01T00:00:00Z'),
  });
  assert.equal(l.claims.owner, 'ACME Corp');
});

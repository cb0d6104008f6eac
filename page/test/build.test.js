// The page's build script (page/build.mjs), without a browser: the vendor key given with
// --trust is pre-filled, the Content-Security-Policy's hashes are those of the inline script
// and style, and the WebAssembly module inside is the npm package's, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const build = resolve(root, 'page/build.mjs');

function built(t, args) {
  const dir = mkdtempSync(join(tmpdir(), 'glpi-page-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'page.html');
  const log = execFileSync(process.execPath, [build, ...args(dir), '--out', out], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { html: readFileSync(out, 'utf8'), log, out };
}

const sha = (s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

test('build: CSP hashes match the inline script and style; the module is the npm build; size reported', (t) => {
  const { html, log, out } = built(t, () => []);
  const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)[1];
  const script = html.match(/<script type="module">([\s\S]*?)<\/script>/)[1];
  const style = html.match(/<style>([\s\S]*?)<\/style>/)[1];
  assert.match(csp, new RegExp(`script-src ${sha(script).replace(/[+/]/g, '\\$&')} 'wasm-unsafe-eval'`));
  assert.ok(csp.includes(`style-src ${sha(style)}`));
  assert.equal((html.match(/<script/g) ?? []).length, 2, 'one data block and one script');
  const b64 = html.match(/<script type="application\/octet-stream" id="glpi-wasm">([\s\S]*?)<\/script>/)[1];
  const wasm = readFileSync(resolve(root, 'npm/wasm/glpi_key_js_bg.wasm'));
  assert.ok(Buffer.from(b64.replace(/\s+/g, ''), 'base64').equals(wasm));
  assert.match(log, new RegExp(`${out.replace(/[.]/g, '\\.')}: ${Buffer.byteLength(html)} bytes`));
  assert.match(html, /TEST-ONLY issuer key/);
});

test('build: --trust pre-fills another vendor key (hex), and refuses a file without a key', (t) => {
  const other = '5866666666666666666666666666666666666666666666666666666666666666';
  const { html } = built(t, (dir) => {
    writeFileSync(join(dir, 'vendor.hex'), `${other}\n`);
    return ['--trust', join(dir, 'vendor.hex')];
  });
  assert.match(html, new RegExp(`<textarea id="trust"[^>]*>${other}</textarea>`));
  assert.match(html, /Pre-filled with the vendor key of vendor\.hex/);
  assert.doesNotMatch(html, /TEST-ONLY/);
  assert.throws(
    () => built(t, () => ['--trust', resolve(root, 'README.md')]),
    (e) => e.status === 1 && /holds neither a PEM public key nor 64 hex digits/.test(e.stderr.toString()),
  );
});

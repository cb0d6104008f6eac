// End-to-end tests of the offline verifier page in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core), opened from disk (file://) as a person would, with the keys,
// lists and expected outcomes of spec/vectors. Chromium is kept off the network (a dead proxy
// for everything, loopback included, and a host resolver that resolves nothing); every request
// of every page is recorded, and the last test checks that there was none but the page itself.
// Screenshots go to target/page/screenshots/ (not committed).
//
//   node --test page/test/   (after sh page/build.sh; PAGE_FILE overrides the page's path)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const pageFile = resolve(process.env.PAGE_FILE ?? resolve(root, 'target/page/glpi-key-verifier.html'));
const pageUrl = pathToFileURL(pageFile).href;
const shots = resolve(process.env.PAGE_SCREENSHOTS ?? resolve(root, 'target/page/screenshots'));
mkdirSync(shots, { recursive: true });

const vectorsDir = resolve(root, 'spec/vectors');
const keysJson = JSON.parse(readFileSync(resolve(vectorsDir, 'keys.json'), 'utf8'));
const policyJson = JSON.parse(readFileSync(resolve(vectorsDir, 'policy.json'), 'utf8'));
const vector = (name) => {
  const v = keysJson.vectors.find((x) => x.name === name) ?? policyJson.vectors.find((x) => x.name === name);
  assert.ok(v, `vector ${name} is in spec/vectors`);
  return v;
};
const file = (name) => readFileSync(resolve(vectorsDir, name), 'utf8');
const revocationVectors = file('revocation/vectors.txt')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [name, kind, path, installed, now, expect] = l.split('\t');
    return { name, kind, path, installed, now: Number(now), expect };
  });
const revocationVector = (name) => {
  const v = revocationVectors.find((x) => x.name === name);
  assert.ok(v, `revocation vector ${name} is in spec/vectors/revocation/vectors.txt`);
  return v;
};

const sampleKey = file('sample-standard.key').trim();
const testIssuerHex = file('test-issuer.pub.hex').trim();
const testIssuerId = keysJson.trust[0].key_id;
// The Ed25519 base point: a valid public key that is not the test issuer's (another vendor).
const otherVendorHex = '5866666666666666666666666666666666666666666666666666666666666666';
const sample = vector('valid-standard-instance');
const NOW = sample.now; // the vectors' "now" for keys: 2027-06-01 00:00 UTC

// The core's messages are shown with their first letter capitalised.
const shown = (message) => message[0].toUpperCase() + message.slice(1);

let browser;
const requests = []; // every request any page made: [testName, url]
const failures = new Map(); // url -> why it failed (Chromium's reason: 'csp' = blocked by the policy)
const routed = []; // requests that got past the page's own policy towards the network stack
let pageCount = 0;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      // Off the network: every request (loopback too, `<-loopback>`) goes to a closed port,
      // and no host name resolves.
      '--proxy-server=127.0.0.1:9',
      '--proxy-bypass-list=<-loopback>',
      '--host-resolver-rules=MAP * ~NOTFOUND',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-domain-reliability',
      '--disable-sync',
      '--no-pings',
      '--dns-prefetch-disable',
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh page on the built file, its clock paused at `now` (Unix seconds) unless `clock` is false. */
async function open(t, { now = NOW, viewport = { width: 900, height: 1000 }, clock = true } = {}) {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  context.on('request', (r) => requests.push([t.name, r.url()]));
  context.on('websocket', (w) => requests.push([t.name, w.url()]));
  context.on('requestfailed', (r) => failures.set(r.url(), r.failure()?.errorText));
  // Belt and braces: anything that is not the file itself is refused, and recorded.
  await context.route('**/*', (route) => {
    if (route.request().url() === pageUrl) return route.continue();
    routed.push([t.name, route.request().url()]);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  if (clock) await page.clock.install({ time: (now - 60) * 1000 });
  await page.goto(pageUrl);
  await page.waitForSelector('html[data-ready="true"]');
  if (clock) await page.clock.pauseAt(now * 1000);
  pageCount++;
  t.after(async () => {
    await context.close();
  });
  page.problems = problems;
  return page;
}

async function shot(page, name, options = {}) {
  await page.screenshot({ path: resolve(shots, `${name}.png`), fullPage: true, ...options });
}

async function verdict(page) {
  return page.evaluate(() => {
    const v = document.getElementById('verdict');
    const visible = (id) => {
      const e = document.getElementById(id);
      return e.hidden ? null : e.textContent.trim();
    };
    return {
      state: [...v.classList].find((c) => c !== 'verdict'),
      title: document.getElementById('verdict-title').textContent.trim(),
      message: document.getElementById('verdict-message').textContent.trim(),
      extra: visible('verdict-extra'),
      code: visible('verdict-code'),
      live: v.getAttribute('aria-live'),
    };
  });
}

async function claims(page) {
  return page.evaluate(() => {
    const card = document.getElementById('claims');
    if (card.hidden) return null;
    const out = {};
    const dts = card.querySelectorAll('dt');
    for (const dt of dts) out[dt.textContent] = dt.nextElementSibling.textContent.trim();
    return out;
  });
}

/** Waits (up to 10 s, polling from Node: the page's own timers are the paused fake clock). */
async function until(condition) {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('condition not met within 10 s');
}

function noProblems(page) {
  assert.deepEqual(page.problems, [], 'no console error or warning (a CSP violation would be one)');
}

test('valid key: plain verdict, claims card, live countdown, copy button, instance check', async (t) => {
  const page = await open(t);
  await page.fill('#key', sampleKey);
  const v = await verdict(page);
  assert.equal(v.state, 'ok');
  assert.equal(v.title, 'Valid');
  assert.equal(v.live, 'polite');
  assert.match(v.message, /Instance registration key for ACME Corp \(standard tier\), signed by trusted issuer key 6cea30f2\./);
  assert.match(v.extra, /not checked here/);
  const c = await claims(page);
  const want = sample.claims;
  assert.equal(c.Owner, want.owner);
  assert.equal(c.Tier, want.tier);
  assert.equal(c.Kind, 'instance registration');
  assert.equal(c.Entitlements, `${want.entitlements.join(', ')} (flags 0x7)`);
  assert.equal(c.Validity, 'from 2026-11-02 00:00 UTC to 2031-01-01 00:00 UTC (valid through 2030-12-31)');
  assert.equal(c.Issued, '2026-11-02 00:00 UTC');
  assert.equal(c.Instance, `${want.instance} (not checked here)`);
  assert.equal(c['GLPI versions'], 'any');
  assert.equal(c.Serial, want.serial);
  assert.equal(c['Short ID'], want.short_id);
  assert.equal(c['Issuer key ID'], testIssuerId);
  // The countdown: 1924992000 - 1811808000 s = 1310 days; it follows the clock.
  assert.equal(c['Time left'], '1310 days 0 h 0 min 0 s until expiry');
  await page.clock.runFor(61_000);
  assert.equal(await page.textContent('#countdown'), '1309 days 23 h 58 min 59 s until expiry');
  // Copy the short ID.
  await page.click('#copy-short-id');
  await until(async () => (await page.textContent('#copy-status')) !== '');
  assert.equal(await page.textContent('#copy-status'), `Copied ${want.short_id}.`);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), want.short_id);
  await shot(page, 'valid');
  // The README's picture: the top of the page at a modest width.
  await page.setViewportSize({ width: 720, height: 1200 });
  const bottom = await page.evaluate(() => {
    document.activeElement.blur();
    window.scrollTo(0, 0);
    return Math.ceil(document.getElementById('claims').getBoundingClientRect().bottom) + 12;
  });
  await page.screenshot({ path: resolve(shots, 'readme.png'), clip: { x: 0, y: 0, width: 720, height: bottom } });
  // This instance's UUID given: checked, and another UUID is refused by the core.
  await page.fill('#instance', want.instance);
  assert.equal((await claims(page)).Instance, `${want.instance} (matches this instance)`);
  await page.fill('#instance', '00000000-0000-0000-0000-000000000001');
  const w = await verdict(page);
  assert.equal(w.state, 'bad');
  assert.equal(w.code, 'Error class: wrong-instance');
  assert.equal(await claims(page), null);
  noProblems(page);
});

test('one-symbol typo: symbol highlighted in place, fix offered when the signature confirms it, applied', async (t) => {
  const v = vector('typo-one-symbol');
  const page = await open(t, { now: v.now });
  await page.fill('#key', v.key);
  const r = await verdict(page);
  assert.equal(r.state, 'bad');
  assert.equal(r.title, 'Refused: mistyped');
  assert.equal(r.message, shown(v.message));
  assert.equal(r.code, `Error class: ${v.expect}`);
  // The highlight: the 31st character of the text as given, 'Q', in a <mark> in place.
  assert.equal(await page.isVisible('#typo'), true);
  assert.equal(await page.textContent('#typo-mark'), 'Q');
  const around = await page.evaluate(() => {
    const m = document.getElementById('typo-mark');
    return { before: m.previousSibling.textContent, after: m.nextSibling.textContent };
  });
  assert.equal(around.before, v.key.slice(0, 30));
  assert.equal(around.after, v.key.slice(31));
  assert.match(await page.textContent('#typo-text'), /Character 31 of the text \(group 1, character 26 of that group\).*"Q": it should be "C"/);
  assert.match(await page.textContent('#typo-confirm'), /signature verifies/);
  assert.equal(await page.textContent('#apply-fix'), 'Apply fix: "Q" → "C"');
  await shot(page, 'typo');
  // "Select it in the key box" selects exactly the suspect character in the text area.
  await page.click('#select-typo');
  assert.deepEqual(
    await page.evaluate(() => {
      const k = document.getElementById('key');
      return [k.selectionStart, k.selectionEnd, document.activeElement.id];
    }),
    [30, 31, 'key'],
  );
  await page.click('#apply-fix');
  assert.equal(await page.inputValue('#key'), sampleKey);
  const fixed = await verdict(page);
  assert.equal(fixed.state, 'ok');
  assert.equal(fixed.title, 'Valid');
  assert.equal(await page.isVisible('#typo'), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'key');
  await shot(page, 'typo-fixed');

  // The same typo when the vendor key is another one: highlighted, but no fix is offered,
  // because the corrected key's signature cannot be confirmed.
  await page.fill('#key', v.key);
  await page.fill('#trust', otherVendorHex);
  assert.equal(await page.textContent('#typo-mark'), 'Q');
  assert.equal(await page.isVisible('#apply-fix'), false);
  assert.match(await page.textContent('#typo-confirm'), /does not confirm/);
  noProblems(page);
});

test('tampered tier: the signature fails (bad-signature)', async (t) => {
  const v = vector('tampered-tier');
  const page = await open(t, { now: v.now });
  await page.fill('#key', v.key);
  const r = await verdict(page);
  assert.equal(r.state, 'bad');
  assert.equal(r.title, 'Refused: the signature is not valid');
  assert.equal(r.message, shown(v.message));
  assert.equal(r.code, 'Error class: bad-signature');
  assert.match(r.extra, /NOT verified/);
  assert.equal(await claims(page), null);
  assert.equal(await page.isVisible('#typo'), false);
  await shot(page, 'tampered-tier');
  noProblems(page);
});

test('expired, then grace: in grace while the clock is inside it, refused when it ends', async (t) => {
  const v = vector('expired');
  const page = await open(t, { now: v.now });
  await page.fill('#key', v.key);
  const r = await verdict(page);
  assert.equal(r.state, 'bad');
  assert.equal(r.title, 'Refused: expired');
  assert.equal(r.message, shown(v.message));
  assert.equal(r.code, 'Error class: expired');
  await shot(page, 'expired');

  const g = vector('grace-last-second');
  const ended = vector('grace-ended');
  const page2 = await open(t, { now: g.now });
  await page2.fill('#grace', String(g.grace_secs / 86400));
  await page2.fill('#key', g.key);
  const inGrace = await verdict(page2);
  assert.equal(inGrace.state, 'grace');
  assert.equal(inGrace.title, 'Valid, in the grace period: renew now');
  // The core's warning for the administrator.
  assert.match(inGrace.message, /^Expired on 2031-01-01 00:00 UTC, usable during the grace period until 2031-01-31 00:00 UTC/);
  assert.match(inGrace.extra, /Refused from 2031-01-31 00:00 UTC/);
  assert.equal(await page2.textContent('#countdown'), 'expired 29 days 23 h 59 min 59 s ago; the grace period ends in 0 h 0 min 1 s');
  await shot(page2, 'in-grace');
  // One second later the grace period is over: the page checks again by itself.
  await page2.clock.runFor(1000);
  const after = await verdict(page2);
  assert.equal(after.state, 'bad');
  assert.equal(after.message, shown(ended.message));
  assert.equal(await claims(page2), null);
  noProblems(page);
  noProblems(page2);
});

test('wrong issuer: a key of an untrusted issuer, and the vendor key changed in the page', async (t) => {
  const v = vector('unknown-issuer');
  const page = await open(t, { now: v.now });
  await page.fill('#key', v.key);
  const r = await verdict(page);
  assert.equal(r.state, 'bad');
  assert.equal(r.message, shown(v.message));
  assert.equal(r.code, 'Error class: unknown-issuer');
  await shot(page, 'unknown-issuer');
  // The vendor key field is pre-filled with the test issuer (PEM) and editable.
  assert.match(await page.inputValue('#trust'), /-----BEGIN PUBLIC KEY-----/);
  assert.equal(await page.textContent('#trust-status'), `Trusted issuer key ID: ${testIssuerId}.`);
  await page.fill('#key', sampleKey);
  assert.equal((await verdict(page)).state, 'ok');
  await page.fill('#trust', otherVendorHex);
  const w = await verdict(page);
  assert.equal(w.state, 'bad');
  assert.equal(w.code, 'Error class: unknown-issuer');
  assert.match(w.message, /signed by issuer key 6cea30f2, which is not trusted here/);
  // Hex works as well as PEM, and a broken field says why.
  await page.fill('#trust', `${otherVendorHex}\n${testIssuerHex}`);
  assert.equal((await verdict(page)).state, 'ok');
  await page.fill('#trust', 'not a key');
  const broken = await verdict(page);
  assert.equal(broken.title, 'Cannot check: no usable vendor key');
  noProblems(page);
});

test('short ID pasted instead of a key: explained, and looked up in a pasted list', async (t) => {
  const v = vector('short-id');
  const page = await open(t, { now: v.now });
  await page.fill('#key', v.key);
  const r = await verdict(page);
  assert.equal(r.state, 'bad');
  assert.equal(r.title, 'Refused: this is a short ID, not a key');
  assert.equal(r.message, shown(v.message));
  assert.equal(r.code, 'Error class: short-id');
  assert.match(r.extra, /only names a key.*cannot be verified\. Ask for the full key/);
  await shot(page, 'short-id');
  // With list 15 pasted: the sample key's short ID (key-revoked.txt has its serial) is revoked,
  // the short ID of key-not-revoked.txt (read from its claims card) is not.
  const kr = revocationVector('key-revoked');
  const kn = revocationVector('key-not-revoked');
  await page.fill('#list', file(`revocation/${kr.installed}`));
  await page.fill('#key', v.key);
  assert.match((await verdict(page)).extra, /revocation list 15 revokes the key with this short ID/);
  await page.clock.setSystemTime(kn.now * 1000);
  await page.fill('#key', file(`revocation/${kn.path}`));
  const notRevokedId = (await claims(page))['Short ID'];
  assert.notEqual(notRevokedId, v.key);
  await page.fill('#key', notRevokedId);
  assert.match((await verdict(page)).extra, /revocation list 15 does not revoke the key with this short ID/);
  noProblems(page);
});

test('revoked by a pasted list; a key it does not name stays valid; a tampered list is refused; a list file', async (t) => {
  const kr = revocationVector('key-revoked');
  const kn = revocationVector('key-not-revoked');
  assert.equal(kr.expect, 'revoked');
  assert.equal(kn.expect, 'valid');
  const page = await open(t, { now: kr.now });
  await page.fill('#key', file(`revocation/${kr.path}`));
  assert.equal((await verdict(page)).state, 'ok', 'valid before the list is given');
  await page.fill('#list', file(`revocation/${kr.installed}`));
  assert.match(await page.textContent('#list-status'), /^Revocation list 15 \(pasted list\) verified: signed by issuer key 6cea30f2/);
  const r = await verdict(page);
  assert.equal(r.state, 'bad');
  assert.equal(r.title, 'Refused: revoked');
  assert.equal(r.code, 'Error class: revoked');
  assert.match(r.message, /was revoked by revocation list 15/);
  await shot(page, 'revoked');
  await page.fill('#key', file(`revocation/${kn.path}`));
  const ok = await verdict(page);
  assert.equal(ok.state, 'ok');
  assert.match(ok.extra, /Checked against revocation list 15\./);
  // A tampered list is refused by its signature, and the key is checked without it.
  const tl = revocationVector('tampered-text');
  await page.fill('#list', file(`revocation/${tl.path}`));
  assert.match(await page.textContent('#list-status'), /is refused: .*\(error class bad-signature\)/);
  assert.match((await verdict(page)).extra, /revocation list was refused \(bad-signature\): the key was checked without it/);
  // A list in binary file form, opened with the file picker.
  const vf = revocationVector('valid-file');
  await page.setInputFiles('#list-file', resolve(vectorsDir, 'revocation', vf.path));
  // The page reads the file asynchronously (File.arrayBuffer): wait until the status names it.
  await until(async () => /\(file /.test(await page.textContent('#list-status')));
  assert.match(await page.textContent('#list-status'), /^Revocation list 16 \(file list-16-large\.glpirl\) verified: .* 1000 revoked serials\./);
  await page.click('#list-clear');
  assert.equal(await page.textContent('#list-status'), 'No list: revocations are not checked.');
  noProblems(page);
});

test('keyboard only: skip link, paste, apply the fix, copy the short ID; focus always visible', async (t) => {
  const v = vector('typo-one-symbol');
  const page = await open(t, { now: v.now });
  const focused = () =>
    page.evaluate(() => {
      const e = document.activeElement;
      const s = getComputedStyle(e);
      return { id: e.id || e.className, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
  await page.keyboard.press('Tab');
  let f = await focused();
  assert.equal(f.id, 'skip');
  assert.ok(f.outline !== 'none' && f.width >= 2, 'the focused skip link shows a focus outline');
  await page.keyboard.press('Enter');
  f = await focused();
  assert.equal(f.id, 'key', 'the skip link puts the focus in the key box');
  assert.ok(f.outline !== 'none' && f.width >= 2, 'the key box shows a focus outline');
  await page.keyboard.insertText(v.key); // what a paste (Ctrl+V) types
  assert.equal((await verdict(page)).title, 'Refused: mistyped');
  await page.keyboard.press('Tab');
  f = await focused();
  assert.equal(f.id, 'apply-fix');
  assert.ok(f.outline !== 'none' && f.width >= 2, 'the apply button shows a focus outline');
  await shot(page, 'keyboard-apply-fix-focused');
  await page.keyboard.press('Enter');
  assert.equal((await verdict(page)).title, 'Valid');
  assert.equal((await focused()).id, 'key', 'focus goes back to the key box after the fix');
  await page.keyboard.press('Tab');
  f = await focused();
  assert.equal(f.id, 'copy-short-id');
  assert.ok(f.outline !== 'none' && f.width >= 2, 'the copy button shows a focus outline');
  await page.keyboard.press('Enter');
  await until(async () => (await page.textContent('#copy-status')) !== '');
  assert.equal(await page.textContent('#copy-status'), `Copied ${sample.claims.short_id}.`);
  // Every further stop is a labelled control that shows its focus, and none is skipped.
  const stops = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const s = await page.evaluate(() => {
      const e = document.activeElement;
      const st = getComputedStyle(e);
      return {
        id: e.id,
        labelled: !!(e.labels && e.labels.length) || e.tagName === 'BUTTON' || e.tagName === 'A',
        outline: st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2,
      };
    });
    if (s.id === '' || stops.some((x) => x.id === s.id)) break;
    stops.push(s);
  }
  assert.deepEqual(
    stops.map((s) => s.id),
    ['list', 'list-file', 'trust', 'kind', 'instance', 'glpi-version', 'grace'],
  );
  for (const s of stops) {
    assert.ok(s.labelled, `${s.id} has a label`);
    assert.ok(s.outline, `${s.id} shows its focus`);
  }
  noProblems(page);
});

test('accessible: every field labelled, contrast at least 4.5:1 (WCAG AA) in every verdict state', async (t) => {
  const page = await open(t);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('textarea, input, select')].filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id),
  );
  assert.deepEqual(unlabelled, []);
  const contrast = () =>
    page.evaluate(() => {
      const rgb = (s) => s.match(/[\d.]+/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => {
        const f = (c) => {
          c /= 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const bg = (e) => {
        for (let n = e; n; n = n.parentElement) {
          const c = getComputedStyle(n).backgroundColor;
          if (!/rgba\(.*, 0\)$/.test(c) && c !== 'transparent') return rgb(c);
        }
        return [255, 255, 255];
      };
      const out = [];
      for (const e of document.querySelectorAll('body *')) {
        if (e.closest('[hidden]') || !e.offsetParent) continue;
        const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own) continue;
        const a = lum(rgb(getComputedStyle(e).color));
        const b = lum(bg(e));
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        out.push({ what: `${e.tagName.toLowerCase()}#${e.id}.${e.className}`, ratio: Math.round(ratio * 100) / 100 });
      }
      return out;
    });
  const states = [
    ['idle', ''],
    ['ok', sampleKey],
    ['bad (typo)', vector('typo-one-symbol').key],
  ];
  for (const [name, key] of states) {
    await page.fill('#key', key);
    for (const c of await contrast()) assert.ok(c.ratio >= 4.5, `${name}: ${c.what} has contrast ${c.ratio}`);
  }
  await page.fill('#grace', '30');
  const g = vector('grace-in-grace');
  await page.clock.setSystemTime(g.now * 1000);
  await page.fill('#key', g.key);
  assert.equal((await verdict(page)).state, 'grace');
  for (const c of await contrast()) assert.ok(c.ratio >= 4.5, `grace: ${c.what} has contrast ${c.ratio}`);
  noProblems(page);
});

test('320 px wide: no horizontal scrolling, with a valid key and with a typo', async (t) => {
  const page = await open(t, { viewport: { width: 320, height: 640 } });
  const overflow = () =>
    page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      body: document.body.scrollWidth,
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 320.5 && !e.closest('.skip'))
        .map((e) => `${e.tagName.toLowerCase()}#${e.id}`),
    }));
  for (const [name, key] of [
    ['valid', sampleKey],
    ['typo', vector('typo-one-symbol').key],
    ['short-id', vector('short-id').key],
  ]) {
    await page.fill('#key', key);
    const o = await overflow();
    assert.ok(o.scroll <= 320, `${name}: the page is ${o.scroll} px wide`);
    assert.deepEqual(o.wide, [], `${name}: elements past the right edge`);
    await shot(page, `320px-${name}`);
  }
  noProblems(page);
});

test('the Content-Security-Policy forbids the network, and the page loads nothing from outside', async (t) => {
  const html = readFileSync(pageFile, 'utf8');
  const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)[1].replace(/&#39;|&apos;/g, "'");
  for (const d of ["default-src 'none'", "connect-src 'none'", "'wasm-unsafe-eval'", "base-uri 'none'", "form-action 'none'"]) {
    assert.ok(csp.includes(d), `CSP has ${d}`);
  }
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|https?:|\*/);
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/]{43}=' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?(?:https?:|\/\/)/i, 'no external src or href');
  assert.doesNotMatch(html, /@import|url\(\s*["']?(?:https?:|\/\/)/i, 'no external style resource');
  // In the browser: fetch, an image, a WebSocket and a beacon are all blocked by the policy.
  const page = await open(t, { clock: false });
  const outcome = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
    let fetched;
    try {
      await fetch('http://127.0.0.1:9/leak');
      fetched = 'sent';
    } catch {
      fetched = 'blocked';
    }
    const img = new Image();
    const loaded = await new Promise((ok) => {
      img.onload = () => ok('loaded');
      img.onerror = () => ok('blocked');
      img.src = 'http://127.0.0.1:9/pixel.png';
    });
    const ws = await new Promise((ok) => {
      try {
        const w = new WebSocket('ws://127.0.0.1:9/');
        w.onopen = () => ok('opened');
        w.onerror = () => ok('blocked');
      } catch {
        ok('blocked');
      }
    });
    navigator.sendBeacon('http://127.0.0.1:9/beacon', 'x');
    // Let the violation events of the beacon arrive.
    await new Promise((r) => setTimeout(r, 100));
    return { fetched, loaded, ws, violations };
  });
  assert.equal(outcome.fetched, 'blocked');
  assert.equal(outcome.loaded, 'blocked');
  assert.equal(outcome.ws, 'blocked');
  // One violation each: fetch, the image, the WebSocket, the beacon.
  assert.deepEqual(outcome.violations.sort(), ['connect-src', 'connect-src', 'connect-src', 'img-src']);
  // Chromium's DevTools protocol lists the image it refused, failed with reason "csp": the
  // policy stopped it before the network; nothing reached the network stack.
  const attempts = requests.filter(([name, url]) => name === t.name && url !== pageUrl).map(([, url]) => url);
  for (const url of attempts) assert.equal(failures.get(url), 'csp', `${url} was blocked by the policy`);
  assert.deepEqual(routed, [], 'no request got past the policy');
});

test('no page made any network request: only the file:// document itself, once per page', () => {
  assert.ok(pageCount >= 11, `every page test ran (${pageCount} pages)`);
  const csp = 'the Content-Security-Policy forbids the network, and the page loads nothing from outside';
  const others = requests.filter(([name, url]) => url !== pageUrl && name !== csp);
  assert.deepEqual(others, [], 'requests other than the page file');
  assert.equal(requests.filter(([, url]) => url === pageUrl).length, pageCount, 'one request (the document) per page opened');
  assert.deepEqual(routed, [], 'no request got past the page towards the network');
});

// The page: reads the fields, calls the npm package's API (`glpi`: verify, parse, correct,
// TrustStore, RevocationList; every check is the Rust core's) and shows the result. Nothing
// here reads the key format itself.
const $ = (id) => document.getElementById(id);
const ui = {
  key: $('key'),
  typo: $('typo'),
  typoText: $('typo-text'),
  typoKey: $('typo-key'),
  typoConfirm: $('typo-confirm'),
  applyFix: $('apply-fix'),
  selectTypo: $('select-typo'),
  verdict: $('verdict'),
  verdictTitle: $('verdict-title'),
  verdictMessage: $('verdict-message'),
  verdictExtra: $('verdict-extra'),
  verdictCode: $('verdict-code'),
  claims: $('claims'),
  claimsList: $('claims-list'),
  copy: $('copy-short-id'),
  copyStatus: $('copy-status'),
  list: $('list'),
  listFile: $('list-file'),
  listClear: $('list-clear'),
  listStatus: $('list-status'),
  trust: $('trust'),
  trustStatus: $('trust-status'),
  kind: $('kind'),
  instance: $('instance'),
  glpiVersion: $('glpi-version'),
  grace: $('grace'),
};

const state = {
  ready: false,
  trust: null,
  trustError: null,
  list: null,
  listError: null,
  listFile: null, // { name, input } when a file was opened
  license: null,
  nextChange: null, // Unix seconds at which the verdict changes by itself (expiry, end of grace)
  typo: null,
  shortId: null,
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

function utc(seconds) {
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, iso.indexOf('T'))} ${iso.slice(iso.indexOf('T') + 1, iso.indexOf('T') + 6)} UTC`;
}

function day(seconds) {
  const iso = new Date(seconds * 1000).toISOString();
  return iso.slice(0, iso.indexOf('T'));
}

function span(seconds) {
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [];
  if (d) parts.push(`${d} day${d === 1 ? '' : 's'}`);
  parts.push(`${h} h`, `${m} min`, `${s} s`);
  return parts.join(' ');
}

const KIND_NAMES = {
  'instance-registration': 'instance registration',
  'agent-enrollment': 'agent enrollment',
};

// A short title for each error class; the explanation is always the core's own message.
const TITLES = {
  empty: 'no key',
  'not-a-glpi-key': 'not a GLPI key',
  'invalid-character': 'a character that no key holds',
  'too-long': 'too long',
  'wrong-length': 'wrong length (a symbol missing or extra)',
  checksum: 'mistyped',
  'non-canonical': 'not in canonical form',
  'short-id': 'this is a short ID, not a key',
  'unsupported-version': 'format version not supported',
  'unknown-object-kind': 'unknown kind of object',
  'wrong-object-kind': 'wrong kind of key',
  'unknown-issuer': 'signed by an issuer that is not trusted here',
  'issuer-key-not-valid': 'issuer key not valid at the issue date',
  'bad-signature': 'the signature is not valid',
  'malformed-claims': 'signed, but its contents are malformed',
  'not-yet-valid': 'not valid yet',
  expired: 'expired',
  'wrong-instance': 'bound to another GLPI instance',
  'unsupported-glpi-version': 'not for this GLPI version',
  revoked: 'revoked',
  'issued-in-future': 'issued in the future',
};

function setText(node, text) {
  node.textContent = text;
}

// ---- trust store and revocation list -------------------------------------------------------

const SPKI_ED25519_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

function base64Bytes(b64) {
  const bin = atob(b64.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The public keys in the field: SPKI PEM blocks (Ed25519) and 64-hex-digit strings. */
function publicKeys(text) {
  const keys = [];
  const pem = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/g;
  let m;
  while ((m = pem.exec(text)) !== null) {
    let der;
    try {
      der = base64Bytes(m[1]);
    } catch {
      throw new Error('a PEM block of the vendor key field is not valid base64');
    }
    if (der.length !== 44 || SPKI_ED25519_PREFIX.some((b, i) => der[i] !== b)) {
      throw new Error('a PEM block of the vendor key field is not an Ed25519 public key');
    }
    keys.push(der.slice(12));
  }
  for (const word of text.replace(pem, ' ').split(/[\s,;]+/)) {
    if (word === '') continue;
    if (!/^[0-9a-fA-F]{64}$/.test(word)) {
      throw new Error(
        `"${word.length > 24 ? `${word.slice(0, 24)}…` : word}" in the vendor key field is neither 64 hex digits nor part of a PEM block`,
      );
    }
    keys.push(word);
  }
  if (keys.length === 0) throw new Error('no vendor public key: paste the vendor key (PEM or 64 hex digits)');
  return keys;
}

function readTrust() {
  state.trust = null;
  state.trustError = null;
  try {
    state.trust = new glpi.TrustStore(publicKeys(ui.trust.value));
    const ids = state.trust.keyIds;
    setText(ui.trustStatus, `Trusted issuer key ID${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}.`);
  } catch (e) {
    state.trustError = e;
    setText(ui.trustStatus, `The vendor key is not usable: ${e.message}${e.code ? ` (${e.code})` : ''}.`);
  }
}

function readList() {
  state.list = null;
  state.listError = null;
  const input = state.listFile ? state.listFile.input : ui.list.value;
  const from = state.listFile ? `file ${state.listFile.name}` : 'pasted list';
  ui.listClear.hidden = !state.listFile && ui.list.value === '';
  if (!state.listFile && ui.list.value.trim() === '') {
    setText(ui.listStatus, 'No list: revocations are not checked.');
    return;
  }
  if (!state.trust) {
    setText(ui.listStatus, 'The list cannot be checked without a usable vendor key.');
    return;
  }
  try {
    const l = glpi.RevocationList.read(input, state.trust);
    state.list = l;
    const n = l.serials.length;
    let text =
      `Revocation list ${l.sequence} (${from}) verified: signed by issuer key ${l.issuerKeyId} on ${utc(l.issuedAt)}, ` +
      `${n} revoked serial${n === 1 ? '' : 's'}` +
      (n > 0 && n <= 8 ? ` (${l.serials.join(', ')})` : '') +
      '.';
    if (l.nextUpdate !== null) {
      text +=
        l.nextUpdate <= nowSeconds()
          ? ` Its next update was due on ${utc(l.nextUpdate)}: get the newer list from the vendor.`
          : ` Next update announced for ${utc(l.nextUpdate)}.`;
    }
    setText(ui.listStatus, text);
  } catch (e) {
    state.listError = e;
    setText(ui.listStatus, `The ${from} is refused: ${e.message} (error class ${e.code ?? 'unknown'}).`);
  }
}

// ---- verdict -------------------------------------------------------------------------------

function showVerdict(kind, title, message, extra, code) {
  ui.verdict.className = `verdict ${kind}`;
  setText(ui.verdictTitle, title);
  setText(ui.verdictMessage, message);
  ui.verdictExtra.hidden = !extra;
  setText(ui.verdictExtra, extra ?? '');
  ui.verdictCode.hidden = !code;
  ui.verdictCode.replaceChildren();
  if (code) {
    const c = document.createElement('code');
    c.textContent = code;
    ui.verdictCode.append('Error class: ', c);
  }
}

function verifyOptions() {
  const options = { kind: ui.kind.value, now: nowSeconds() };
  const instance = ui.instance.value.trim();
  if (instance) options.instance = instance;
  else options.acceptAnyInstanceUnchecked = true;
  const version = ui.glpiVersion.value.trim();
  if (version) options.glpiVersion = version;
  const days = ui.grace.value.trim() === '' ? 0 : Number(ui.grace.value);
  if (!Number.isSafeInteger(days) || days < 0 || days > 3650) {
    throw new Error('the grace period is a whole number of days, from 0 to 3650');
  }
  options.graceSeconds = days * 86400;
  if (state.list) options.revocations = state.list;
  return options;
}

function listNote() {
  if (state.listError) return `The revocation list was refused (${state.listError.code}): the key was checked without it.`;
  if (state.list) return `Checked against revocation list ${state.list.sequence}.`;
  return null;
}

function check() {
  state.license = null;
  state.nextChange = null;
  state.typo = null;
  state.shortId = null;
  ui.typo.hidden = true;
  ui.claims.hidden = true;
  setText(ui.copyStatus, '');
  if (!state.ready) return;
  const text = ui.key.value;
  if (text.trim() === '') {
    showVerdict('idle', 'Paste a key to check it.', 'The verdict appears as soon as a key is pasted.');
    return;
  }
  if (!state.trust) {
    showVerdict('bad', 'Cannot check: no usable vendor key', `${state.trustError.message}. Fix it under Settings.`, null, state.trustError.code);
    return;
  }
  let options;
  try {
    options = verifyOptions();
  } catch (e) {
    showVerdict('bad', 'Cannot check: a setting is wrong', `${e.message}. Fix it under Settings.`);
    return;
  }
  try {
    state.license = glpi.verify(text, state.trust, options);
  } catch (e) {
    if (!(e instanceof glpi.GlpiKeyError)) {
      showVerdict('bad', 'Cannot check: unexpected error', String(e && e.message ? e.message : e));
      return;
    }
    refused(text, e);
    return;
  }
  accepted(state.license, options);
}

function refused(text, e) {
  const title = `Refused: ${TITLES[e.code] ?? e.code}`;
  let extra = null;
  if (e.code === 'short-id') {
    extra =
      'A short ID (GLPI- followed by 12 and 6 symbols) only names a key, in support tickets and revocation lists: ' +
      'it carries no signature and cannot be verified. Ask for the full key (about 200 characters, also starting with GLPI-).';
    state.shortId = text.trim();
    if (state.list) {
      try {
        extra += state.list.contains(state.shortId)
          ? ` The pasted revocation list ${state.list.sequence} revokes the key with this short ID.`
          : ` The pasted revocation list ${state.list.sequence} does not revoke the key with this short ID.`;
      } catch {
        // contains() refuses a malformed short ID; the verdict already says what it is.
      }
    }
  } else if (e.code === 'checksum' && e.typo) {
    showTypo(text, e.typo);
  } else {
    // What the text says before verification (key ID, short ID): useful to name the key to
    // the vendor. Only shown when the text itself reads correctly.
    try {
      const p = glpi.parse(text, state.trust);
      extra =
        `Read from the key, NOT verified: ${KIND_NAMES[p.unverifiedKind] ?? p.unverifiedKind} key, ` +
        `issuer key ${p.unverifiedKeyId}` +
        (p.unverifiedShortId ? `, short ID ${p.unverifiedShortId}.` : '.');
    } catch {
      // The text does not read: the core's message says why.
    }
  }
  const note = listNote();
  if (note && e.code !== 'short-id') extra = extra ? `${extra} ${note}` : note;
  showVerdict('bad', title, capitalize(e.message), extra, e.code);
}

function capitalize(s) {
  return s.length ? s[0].toUpperCase() + s.slice(1) : s;
}

function accepted(license, options) {
  const c = license.claims;
  const who = `${capitalize(KIND_NAMES[c.kind] ?? c.kind)} key for ${c.owner} (${c.tier} tier), signed by trusted issuer key ${license.issuerKeyId}.`;
  const notes = [];
  if (c.instance && !options.instance) {
    notes.push(`Bound to GLPI instance ${c.instance}: not checked here (enter this instance's UUID under Settings to check it).`);
  }
  const ln = listNote();
  if (ln) notes.push(ln);
  else notes.push('No revocation list given: revocations are not checked.');
  if (license.status === 'in-grace') {
    showVerdict(
      'grace',
      'Valid, in the grace period: renew now',
      capitalize(license.warning ?? 'the key has expired and is accepted only during the grace period'),
      `${who} Refused from ${utc(license.graceUntil)}. ${notes.join(' ')}`,
      null,
    );
    state.nextChange = license.graceUntil;
  } else {
    showVerdict('ok', 'Valid', who, notes.join(' '), null);
    state.nextChange = c.expiresAt;
  }
  showClaims(license, options);
}

// ---- claims card ---------------------------------------------------------------------------

let countdownNode = null;

function row(term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value;
  ui.claimsList.append(dt, dd);
  return dd;
}

function code(text) {
  const c = document.createElement('code');
  c.textContent = text;
  return c;
}

function showClaims(license, options) {
  const c = license.claims;
  ui.claimsList.replaceChildren();
  row('Owner', c.owner);
  row('Tier', c.tier);
  row('Kind', KIND_NAMES[c.kind] ?? c.kind);
  row(
    'Entitlements',
    (c.entitlements.length ? c.entitlements.join(', ') : 'none') +
      (c.entitlementBits ? ` (flags 0x${c.entitlementBits.toString(16)})` : ''),
  );
  let validity = `from ${utc(c.notBefore)}`;
  if (c.expiresAt === null) validity += ', no expiry (perpetual)';
  else validity += ` to ${utc(c.expiresAt)} (valid through ${day(c.expiresAt - 1)})`;
  row('Validity', validity);
  countdownNode = row('Time left', '');
  countdownNode.id = 'countdown';
  tick();
  row('Issued', utc(c.issuedAt));
  if (c.instance === null) row('Instance', 'any GLPI instance (not bound)');
  else {
    const dd = row('Instance', code(c.instance));
    dd.append(options.instance ? ' (matches this instance)' : ' (not checked here)');
  }
  row('GLPI versions', c.glpiVersions ? `${c.glpiVersions.min} to ${c.glpiVersions.max}` : 'any');
  if (c.maxAssets !== null) row('Asset limit', String(c.maxAssets));
  if (c.entity !== null) row('Entity', String(c.entity));
  if (c.supersedes !== null) row('Replaces serial', code(c.supersedes));
  for (const x of c.extensions) row(`Extension ${x.tag}`, code(x.valueHex));
  row('Serial', code(c.serial));
  const sid = row('Short ID', code(c.shortId));
  sid.id = 'short-id';
  row('Issuer key ID', code(license.issuerKeyId));
  state.shortId = c.shortId;
  ui.claims.hidden = false;
}

function tick() {
  const l = state.license;
  const now = nowSeconds();
  if (state.nextChange !== null && now >= state.nextChange) {
    // Expiry or the end of the grace period has come: check again (the core decides).
    check();
    return;
  }
  if (!l || !countdownNode) return;
  const c = l.claims;
  if (l.status === 'in-grace') {
    setText(countdownNode, `expired ${span(now - c.expiresAt)} ago; the grace period ends in ${span(l.graceUntil - now)}`);
  } else if (c.expiresAt === null) {
    setText(countdownNode, 'unlimited');
  } else {
    setText(countdownNode, `${span(c.expiresAt - now)} until expiry`);
  }
}

// ---- typo ----------------------------------------------------------------------------------

function showTypo(text, typo) {
  state.typo = typo;
  const chars = Array.from(text);
  const i = typo.position - 1;
  ui.typoKey.replaceChildren();
  const mark = document.createElement('mark');
  mark.id = 'typo-mark';
  mark.textContent = chars[i] ?? '';
  mark.title = `should be ${typo.replacement}`;
  ui.typoKey.append(chars.slice(0, i).join(''), mark, chars.slice(i + 1).join(''));
  setText(
    ui.typoText,
    `Character ${typo.position} of the text (group ${typo.group}, character ${typo.positionInGroup} of that group), ` +
      `highlighted below, is "${typo.found}": it should be "${typo.replacement}".`,
  );
  if (typo.confirmed) {
    setText(ui.typoConfirm, 'With that fix the signature verifies under the trusted vendor key.');
    setText(ui.applyFix, `Apply fix: "${typo.found}" → "${typo.replacement}"`);
    ui.applyFix.hidden = false;
  } else {
    setText(
      ui.typoConfirm,
      'The signature does not confirm that fix (the key may hold more than one mistake, or come from an issuer not trusted here): copy the key again from the original.',
    );
    ui.applyFix.hidden = true;
  }
  ui.typo.hidden = false;
}

ui.applyFix.addEventListener('click', () => {
  if (!state.typo || !state.typo.confirmed) return;
  let fixed;
  try {
    fixed = glpi.correct(ui.key.value, state.trust);
  } catch (e) {
    showVerdict('bad', 'The fix could not be applied', capitalize(e.message), null, e.code);
    return;
  }
  if (fixed === null) return;
  ui.key.value = fixed;
  check();
  ui.key.focus();
});

ui.selectTypo.addEventListener('click', () => {
  if (!state.typo) return;
  const chars = Array.from(ui.key.value);
  const start = chars.slice(0, state.typo.position - 1).join('').length;
  const end = start + (chars[state.typo.position - 1] ?? '').length;
  ui.key.focus();
  ui.key.setSelectionRange(start, end);
});

// ---- copy ----------------------------------------------------------------------------------

ui.copy.addEventListener('click', async () => {
  const id = state.shortId;
  if (!id) return;
  try {
    await navigator.clipboard.writeText(id);
    setText(ui.copyStatus, `Copied ${id}.`);
  } catch {
    // No clipboard permission (some browsers on file://): select the ID for a manual copy.
    const node = $('short-id');
    const range = document.createRange();
    range.selectNodeContents(node);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    const ok = document.execCommand && document.execCommand('copy');
    setText(ui.copyStatus, ok ? `Copied ${id}.` : 'Selected: press Ctrl+C (or ⌘C) to copy it.');
  }
});

// ---- list file -----------------------------------------------------------------------------

ui.listFile.addEventListener('change', async () => {
  const f = ui.listFile.files && ui.listFile.files[0];
  if (!f) return;
  const bytes = new Uint8Array(await f.arrayBuffer());
  const magic = 'GLPI-RL\n';
  const isFile = bytes.length >= magic.length && Array.from(magic).every((ch, i) => bytes[i] === ch.charCodeAt(0));
  state.listFile = { name: f.name, input: isFile ? bytes : new TextDecoder().decode(bytes) };
  ui.list.value = '';
  readList();
  check();
});

ui.listClear.addEventListener('click', () => {
  state.listFile = null;
  ui.listFile.value = '';
  ui.list.value = '';
  readList();
  check();
  ui.list.focus();
});

// ---- wiring --------------------------------------------------------------------------------

$('skip').addEventListener('click', (e) => {
  e.preventDefault();
  ui.key.focus();
});

ui.key.addEventListener('input', check);
ui.list.addEventListener('input', () => {
  state.listFile = null;
  ui.listFile.value = '';
  readList();
  check();
});
ui.trust.addEventListener('input', () => {
  readTrust();
  readList();
  check();
});
for (const f of [ui.instance, ui.glpiVersion, ui.grace]) f.addEventListener('input', check);
ui.kind.addEventListener('change', check);

async function start() {
  try {
    await glpiInit(base64Bytes($('glpi-wasm').textContent));
  } catch (e) {
    showVerdict('bad', 'The verifier could not start', `${e && e.message ? e.message : e}. This browser may not support WebAssembly.`);
    return;
  }
  state.ready = true;
  readTrust();
  readList();
  check();
  setInterval(tick, 1000);
  document.documentElement.dataset.ready = 'true';
}

start();

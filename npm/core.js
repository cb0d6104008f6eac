// The package's API over the wasm-bindgen exports of the glpi-key-js crate. Every check is
// made by the Rust core; this file converts arguments, results and errors.
import * as raw from './wasm/glpi_key_js.js';

let ready = false;

/** Called by the entry points once the WebAssembly module is instantiated. */
export function markReady() {
  ready = true;
}

/**
 * Every failure of this package: `code` is the core's stable error class (`Error::code()`, the
 * `expect` of spec/vectors), `message` the core's text for the administrator.
 */
export class GlpiKeyError extends Error {
  constructor(code, message, typo = null) {
    super(message);
    this.name = 'GlpiKeyError';
    this.code = code;
    this.typo = typo;
  }
}

function argumentError(message) {
  return new GlpiKeyError('invalid-argument', message);
}

function call(f) {
  if (!ready) {
    throw new GlpiKeyError(
      'not-initialized',
      'the WebAssembly module is not loaded yet: await the default export (init) of glpi-key first',
    );
  }
  try {
    return f();
  } catch (e) {
    if (typeof e === 'string' && e.startsWith('{')) {
      const o = JSON.parse(e);
      throw new GlpiKeyError(o.code, o.message, o.typo ?? null);
    }
    throw e;
  }
}

function text(value, what) {
  if (typeof value !== 'string') {
    throw argumentError(`${what} must be a string, not ${value === null ? 'null' : typeof value}`);
  }
  return value;
}

const U64_MAX = (1n << 64n) - 1n;

function u64(value, what) {
  let v;
  if (typeof value === 'bigint') {
    v = value;
  } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
    v = BigInt(value);
  } else {
    throw argumentError(`${what} must be a whole number of seconds (number or bigint)`);
  }
  if (v < 0n || v > U64_MAX) {
    throw argumentError(`${what} must be between 0 and 2^64-1`);
  }
  return v;
}

function seconds(value, what) {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw argumentError(`${what} is an invalid Date`);
    return u64(Math.floor(ms / 1000), what);
  }
  return u64(value, what);
}

function optional(value, f) {
  return value === undefined || value === null ? undefined : f(value);
}

function publicKeyBytes(key) {
  if (key instanceof Uint8Array) return key;
  if (typeof key === 'string') {
    const hex = key.trim();
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      throw argumentError('an issuer public key in hex is 64 hex digits (32 bytes)');
    }
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  throw argumentError('an issuer public key is a Uint8Array of 32 bytes or 64 hex digits');
}

const rawStore = new WeakMap();

/** The issuer public keys this verifier trusts (at most 16). */
export class TrustStore {
  constructor(keys = []) {
    rawStore.set(this, call(() => new raw.RawTrustStore()));
    for (const k of keys) this.add(k);
  }

  /** Trusts a key: bytes, hex, or `{ publicKey, validFrom?, validUntil? }`. Returns its key id. */
  add(key) {
    let publicKey = key;
    let from;
    let until;
    if (key !== null && typeof key === 'object' && !(key instanceof Uint8Array)) {
      publicKey = key.publicKey;
      from = optional(key.validFrom, (v) => seconds(v, 'validFrom'));
      until = optional(key.validUntil, (v) => seconds(v, 'validUntil'));
    }
    const bytes = publicKeyBytes(publicKey);
    return call(() => rawStore.get(this).add(bytes, from, until));
  }

  /** The key ids (8 hex digits) of the trusted keys, in the order added. */
  get keyIds() {
    return JSON.parse(call(() => rawStore.get(this).keyIds()));
  }
}

let emptyStore;
function storeOf(trust, required) {
  if (trust === undefined || trust === null) {
    if (required) throw argumentError('a TrustStore holding the vendor public key is required');
    emptyStore ??= new TrustStore();
    return rawStore.get(emptyStore);
  }
  const r = rawStore.get(trust);
  if (r === undefined) throw argumentError('trust must be a TrustStore');
  return r;
}

/**
 * Reads a key without verifying it. On a one-symbol typo the thrown error's `typo` says where;
 * with `trust`, `typo.confirmed` says whether the corrected key's signature verifies.
 */
export function parse(keyText, trust) {
  text(keyText, 'the key');
  const store = storeOf(trust, false);
  return JSON.parse(call(() => raw.parse(keyText, store)));
}

/**
 * The key text with its one-symbol typo fixed, or `null` when it reads as given. Throws when
 * the text cannot be fixed by one symbol. A fix is only a suggestion: verify the result.
 */
export function correct(keyText, trust) {
  text(keyText, 'the key');
  const store = storeOf(trust, false);
  return call(() => raw.correct(keyText, store)) ?? null;
}

const KINDS = new Set(['instance-registration', 'agent-enrollment']);

/** Verifies a key offline and returns the license, or throws a `GlpiKeyError`. */
export function verify(keyText, trust, options) {
  text(keyText, 'the key');
  const store = storeOf(trust, true);
  if (options === null || typeof options !== 'object') {
    throw argumentError('verify needs options, at least { kind }');
  }
  if (!KINDS.has(options.kind)) {
    throw argumentError(
      'options.kind is required: "instance-registration" or "agent-enrollment" (no default)',
    );
  }
  const now = options.now === undefined ? seconds(new Date(), 'now') : seconds(options.now, 'now');
  const instance = optional(options.instance, (v) => text(v, 'options.instance'));
  const acceptAny = options.acceptAnyInstanceUnchecked === true;
  if (instance !== undefined && acceptAny) {
    throw argumentError('give either options.instance or acceptAnyInstanceUnchecked, not both');
  }
  const version = optional(options.glpiVersion, (v) => text(v, 'options.glpiVersion'));
  const grace = optional(options.graceSeconds, (v) => u64(v, 'options.graceSeconds')) ?? 0n;
  const tolerance = optional(options.clockToleranceSeconds, (v) =>
    u64(v, 'options.clockToleranceSeconds'),
  );
  let body;
  if (options.revocations !== undefined && options.revocations !== null) {
    body = listBody.get(options.revocations);
    if (body === undefined) throw argumentError('options.revocations must be a RevocationList');
  }
  return JSON.parse(
    call(() =>
      raw.verify(keyText, store, options.kind, now, instance, acceptAny, version, grace, tolerance, body),
    ),
  );
}

const listBody = new WeakMap();
const rawList = new WeakMap();

/** A revocation list whose signature verified under a trusted issuer key. */
export class RevocationList {
  constructor() {
    throw new TypeError('use RevocationList.read(input, trust)');
  }

  /**
   * Reads and verifies a list in text form (string) or file form (bytes). With
   * `installedSequence`, an older list is refused (`revocation-list-rollback`).
   */
  static read(input, trust, options = {}) {
    const store = storeOf(trust, true);
    const installed = optional(options.installedSequence, (v) => u64(v, 'installedSequence'));
    let r;
    if (typeof input === 'string') {
      r = call(() => raw.readRevocationList(input, undefined, store, installed));
    } else if (input instanceof Uint8Array) {
      r = call(() => raw.readRevocationList(undefined, input, store, installed));
    } else {
      throw argumentError('a revocation list is a string (text form) or a Uint8Array (file)');
    }
    const meta = JSON.parse(r.meta());
    const list = Object.create(RevocationList.prototype);
    list.issuerKeyId = meta.issuerKeyId;
    list.sequence = BigInt(meta.sequence);
    list.issuedAt = meta.issuedAt;
    list.nextUpdate = meta.nextUpdate;
    list.serials = meta.serials;
    Object.freeze(list.serials);
    listBody.set(list, r.body());
    rawList.set(list, r);
    return Object.freeze(list);
  }

  /** Whether this list revokes the serial (16 hex digits) or short ID (`GLPI-…-…`). */
  contains(serial) {
    text(serial, 'the serial');
    return call(() => rawList.get(this).contains(serial));
  }

  /** The list in file form (`GLPI-RL\n`, then the signed body). */
  toFileBytes() {
    return call(() => rawList.get(this).fileBytes());
  }
}

const rawSite = new WeakMap();

function kindOf(options, what) {
  if (options === null || typeof options !== 'object') {
    throw argumentError(`${what} needs options, at least { kind }`);
  }
  if (!KINDS.has(options.kind)) {
    throw argumentError(
      'options.kind is required: "instance-registration" or "agent-enrollment" (no default)',
    );
  }
  return options.kind;
}

function nowOf(value) {
  return value === undefined || value === null ? seconds(new Date(), 'now') : seconds(value, 'now');
}

/**
 * The offline site of spec/SITE.md: one verifier with the whole policy (clock guard, revocation
 * lists with one sequence per issuer key, issuer key distrust, supersession, required kind,
 * instance binding) and its own state, which the caller stores: `toBytes()` (the core's state
 * record) and `installedLists()` (the installed lists' files). Store both after every operation
 * that changed them (`changed`), refused ones included: the clock mark moves on refusals too.
 */
export class Site {
  constructor() {
    throw new TypeError('use Site.create(trust, policy) or Site.fromBytes(state, lists)');
  }

  static #wrap(raw) {
    const site = Object.create(Site.prototype);
    rawSite.set(site, raw);
    return site;
  }

  /** A new site trusting the keys of `trust`, with a grace period and a clock tolerance. */
  static create(trust, policy = {}) {
    const store = storeOf(trust, true);
    const grace = optional(policy.graceSeconds, (v) => u64(v, 'graceSeconds')) ?? 0n;
    const tolerance =
      optional(policy.clockToleranceSeconds, (v) => u64(v, 'clockToleranceSeconds')) ?? 0n;
    return Site.#wrap(call(() => raw.RawSite.create(store, grace, tolerance)));
  }

  /** A site from its stored record and installed lists (file form, as `installedLists` gave). */
  static fromBytes(state, lists = []) {
    if (!(state instanceof Uint8Array)) throw argumentError('the site state is a Uint8Array');
    const r = call(() => raw.RawSite.fromBytes(state));
    for (const l of lists) {
      if (!(l instanceof Uint8Array)) throw argumentError('each installed list is a Uint8Array');
      call(() => r.loadList(l));
    }
    return Site.#wrap(r);
  }

  /** The state record to store (spec/SITE.md section 7). */
  toBytes() {
    return call(() => rawSite.get(this).save());
  }

  /** The installed lists in file form, to store with the record. */
  installedLists() {
    const r = rawSite.get(this);
    const n = call(() => r.listCount());
    const out = [];
    for (let i = 0; i < n; i++) out.push(call(() => r.listFile(i)));
    return out;
  }

  /** Whether the state differs from the record last stored (`toBytes`) or loaded. */
  get changed() {
    return call(() => rawSite.get(this).changed());
  }

  /**
   * Installs a revocation list (text form or file bytes). Returns `{ outcome, list }`:
   * `installed`, or `unchanged` when this very list was already installed. An older list from
   * the same issuer key is refused (`revocation-list-rollback`).
   */
  installRevocations(input, now) {
    const r = rawSite.get(this);
    const at = nowOf(now);
    let json;
    if (typeof input === 'string') {
      json = call(() => r.installRevocations(input, undefined, at));
    } else if (input instanceof Uint8Array) {
      json = call(() => r.installRevocations(undefined, input, at));
    } else {
      throw argumentError('a revocation list is a string (text form) or a Uint8Array (file)');
    }
    const o = JSON.parse(json);
    o.list.sequence = BigInt(o.list.sequence);
    return o;
  }

  /**
   * Verifies a key with the site's whole policy. `options.kind` is required; `instance` is
   * this instance's UUID (without it a bound key is refused, `instance-required`, unless
   * `insecureSkipInstance: true`). Returns `{ license, checkedAt, warnings, listUpdateDue }`.
   */
  verify(keyText, options) {
    text(keyText, 'the key');
    const kind = kindOf(options, 'Site.verify');
    const instance = optional(options.instance, (v) => text(v, 'options.instance'));
    const skip = options.insecureSkipInstance === true;
    const version = optional(options.glpiVersion, (v) => text(v, 'options.glpiVersion'));
    const at = nowOf(options.now);
    return JSON.parse(
      call(() => rawSite.get(this).verify(keyText, kind, at, instance, skip, version)),
    );
  }

  /** Moves the clock mark forward to `now`; refused (`clock-rollback`) when set back. */
  observeClock(now) {
    return Number(call(() => rawSite.get(this).observeClock(nowOf(now))));
  }

  /** Distrusts an issuer key (8 hex digits) from `from` on; returns the date in force. */
  distrust(keyId, from) {
    text(keyId, 'the key id');
    return Number(call(() => rawSite.get(this).distrust(keyId, seconds(from, 'from'))));
  }

  /** Trusts one more issuer key (bytes, hex, or `{ publicKey, validFrom, validUntil }`). */
  addTrustedKey(key) {
    let publicKey = key;
    let from;
    let until;
    if (key !== null && typeof key === 'object' && !(key instanceof Uint8Array)) {
      publicKey = key.publicKey;
      from = optional(key.validFrom, (v) => seconds(v, 'validFrom'));
      until = optional(key.validUntil, (v) => seconds(v, 'validUntil'));
    }
    const bytes = publicKeyBytes(publicKey);
    return call(() => rawSite.get(this).addTrustedKey(bytes, from, until));
  }

  /** The state: policy, clock mark, trusted keys with their installed lists, superseded serials. */
  status() {
    const s = JSON.parse(call(() => rawSite.get(this).status()));
    for (const k of s.trust) if (k.list) k.list.sequence = BigInt(k.list.sequence);
    return s;
  }
}

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

// Type declarations of the npm package glpi-key (both entry points: browser and Node).

/** Which kind of key: what it lets its holder do. */
export type KeyKind = 'instance-registration' | 'agent-enrollment';

/** The subscription tier. */
export type Tier = 'free' | 'starter' | 'basic' | 'standard' | 'advanced';

/** A named entitlement (unnamed bits are in `entitlementBits` only). */
export type Entitlement = 'marketplace' | 'network-plugins' | 'l3-support';

/** Unix seconds, a bigint, or a Date (rounded down to the second). */
export type Time = number | bigint | Date;

/**
 * The stable error classes: the core's `Error::code()` (the `expect` of spec/vectors), the
 * trust store's, and this package's own.
 */
export type ErrorCode =
  | 'empty'
  | 'not-a-glpi-key'
  | 'invalid-character'
  | 'too-long'
  | 'wrong-length'
  | 'checksum'
  | 'non-canonical'
  | 'short-id'
  | 'unsupported-version'
  | 'unknown-object-kind'
  | 'wrong-object-kind'
  | 'unknown-issuer'
  | 'issuer-key-not-valid'
  | 'bad-signature'
  | 'malformed-claims'
  | 'not-yet-valid'
  | 'expired'
  | 'wrong-instance'
  | 'unsupported-glpi-version'
  | 'malformed-revocation-list'
  | 'not-a-revocation-list-file'
  | 'revoked'
  | 'revocation-list-rollback'
  | 'clock-rollback'
  | 'issued-in-future'
  | 'trusted-key-not-a-point'
  | 'trusted-key-non-canonical'
  | 'trusted-key-small-order'
  | 'trusted-key-empty-window'
  | 'duplicate-trusted-key'
  | 'too-many-trusted-keys'
  | 'no-trusted-keys'
  | 'instance-required'
  | 'issuer-key-distrusted'
  | 'issuer-key-not-trusted'
  | 'superseded'
  | 'installed-list-missing'
  | 'site-state-full'
  | 'site-state-corrupted'
  | 'site-state-version'
  | 'invalid-argument'
  | 'not-initialized'
  // Codes a newer core may add; compare with the names above.
  | (string & {});

/** Where a mistyped key is probably wrong: exactly one single-symbol change fixes its check. */
export interface Typo {
  /** 1-based position of the suspect character in the text as given. */
  readonly position: number;
  /** 1-based number of the group (symbols between hyphens or spaces after `GLPI-`). */
  readonly group: number;
  /** 1-based position of the suspect character within its group. */
  readonly positionInGroup: number;
  /** The character as given. */
  readonly found: string;
  /** The symbol that makes the check pass. */
  readonly replacement: string;
  /** Whether the corrected key's signature verifies under a trusted issuer key. */
  readonly confirmed: boolean;
}

/** Every failure of this package. `message` is the core's text for the administrator. */
export class GlpiKeyError extends Error {
  readonly name: 'GlpiKeyError';
  /** The stable, machine-readable error class. */
  readonly code: ErrorCode;
  /** On a `checksum` error with one suggested fix: where. Otherwise `null`. */
  readonly typo: Typo | null;
}

/** An issuer public key and the issue times it may sign for (`[validFrom, validUntil)`). */
export interface TrustedKeyInit {
  /** 32 bytes, or 64 hex digits. */
  publicKey: Uint8Array | string;
  validFrom?: Time;
  validUntil?: Time;
}

/** The issuer public keys this verifier trusts (at most 16). */
export class TrustStore {
  constructor(keys?: Iterable<Uint8Array | string | TrustedKeyInit>);
  /** Trusts one more key; returns its key id (8 hex digits). */
  add(key: Uint8Array | string | TrustedKeyInit): string;
  /** The key ids of the trusted keys, in the order added. */
  readonly keyIds: string[];
}

/** What a key's text says before verification: nothing here can be trusted. */
export interface ParsedKey {
  readonly unverifiedKind: KeyKind;
  readonly unverifiedKeyId: string;
  /** `GLPI-XXXXXXXXXXXX-YYYYYY`, or `null` if the serial is out of range. */
  readonly unverifiedShortId: string | null;
  /** Canonical compact form. */
  readonly text: string;
  /** Grouped form, for display. */
  readonly grouped: string;
}

/** The signed claims of a verified key, in camelCase. Times are Unix seconds. */
export interface Claims {
  /** 16 hex digits. */
  readonly serial: string;
  readonly shortId: string;
  readonly kind: KeyKind;
  readonly tier: Tier;
  readonly owner: string;
  readonly issuedAt: number;
  readonly notBefore: number;
  /** `null`: perpetual. */
  readonly expiresAt: number | null;
  /** The instance UUID the key is bound to, or `null`. */
  readonly instance: string | null;
  readonly entitlements: Entitlement[];
  readonly entitlementBits: number;
  readonly glpiVersions: { readonly min: string; readonly max: string } | null;
  readonly maxAssets: number | null;
  /** Agent enrollment keys: the entity agents enroll into. */
  readonly entity: number | null;
  /** The serial (16 hex digits) this key replaces, or `null`. */
  readonly supersedes: string | null;
  readonly extensions: { readonly tag: number; readonly valueHex: string }[];
}

/** A verified key. */
export interface License {
  readonly claims: Claims;
  readonly issuerKeyId: string;
  /** `in-grace`: expired but within the grace period; usable, warn the administrator. */
  readonly status: 'active' | 'in-grace';
  /** When `in-grace`: the first second the key is refused. */
  readonly graceUntil: number | null;
  /** When `in-grace`: the core's message for the administrator. */
  readonly warning: string | null;
}

/** What `verify` checks the key against. */
export interface VerifyOptionsBase {
  /** The kind of key needed here. Required: there is no "any". */
  kind: KeyKind;
  /** The current time; default: the system clock. */
  now?: Time;
  /** This GLPI version (`"10.0"`); when given, a key for other versions is refused. */
  glpiVersion?: string;
  /** How long after expiry a key stays usable (status `in-grace`); default 0. */
  graceSeconds?: number | bigint;
  /** Refuse keys issued more than this many seconds after `now`. */
  clockToleranceSeconds?: number | bigint;
  /** A verified revocation list: a revoked key is refused (`revoked`). */
  revocations?: RevocationList;
}

/** Checking the instance binding against this instance's UUID (the normal case). */
export interface VerifyForInstance extends VerifyOptionsBase {
  instance: string;
  acceptAnyInstanceUnchecked?: false;
}

/**
 * No instance configured: a key bound to an instance is refused (`instance-required`), unless
 * `acceptAnyInstanceUnchecked: true`, which accepts a key bound to ANY instance. Risky: only
 * where the binding is checked elsewhere (read `claims.instance`).
 */
export interface VerifyWithoutInstance extends VerifyOptionsBase {
  instance?: null;
  acceptAnyInstanceUnchecked?: boolean;
}

export type VerifyOptions = VerifyForInstance | VerifyWithoutInstance;

/** Reads a key without verifying it; a `checksum` error carries `typo` when one symbol is off. */
export function parse(keyText: string, trust?: TrustStore): ParsedKey;

/**
 * The key text with its one-symbol typo fixed, or `null` when it reads as given. Throws when
 * one symbol cannot fix it. The result is a suggestion: verify it.
 */
export function correct(keyText: string, trust?: TrustStore): string | null;

/** Verifies a key offline (strict Ed25519, then the claims). Throws `GlpiKeyError`. */
export function verify(keyText: string, trust: TrustStore, options: VerifyOptions): License;

/** Options of `RevocationList.read`. */
export interface ReadListOptions {
  /** The sequence number already installed: an older list is refused. */
  installedSequence?: number | bigint;
}

/** A revocation list whose signature verified under a trusted issuer key. */
export class RevocationList {
  private constructor();
  /** Text form (string) or file form (bytes starting `GLPI-RL\n`). */
  static read(input: string | Uint8Array, trust: TrustStore, options?: ReadListOptions): RevocationList;
  readonly issuerKeyId: string;
  readonly sequence: bigint;
  readonly issuedAt: number;
  readonly nextUpdate: number | null;
  /** Revoked serials, 16 hex digits each, ascending. */
  readonly serials: readonly string[];
  /** Whether the serial (16 hex digits) or short ID is revoked. */
  contains(serial: string): boolean;
  /** The list in file form. */
  toFileBytes(): Uint8Array;
}

/** The policy a site is created with (fixed for its life). */
export interface SitePolicy {
  /** How long after expiry a key stays usable (warning `in-grace`); default 0. */
  graceSeconds?: number | bigint;
  /** How far the clock may go back without counting as set back; also how far in the future a key's issue time may lie. Default 0. */
  clockToleranceSeconds?: number | bigint;
}

/** What a site remembers of the list installed from one issuer key. */
export interface InstalledListInfo {
  readonly issuerKeyId: string;
  readonly sequence: bigint;
  readonly issuedAt: number;
  readonly nextUpdate: number | null;
  /** How many serials it revokes. */
  readonly serials: number;
}

/** The result of `Site.installRevocations`. */
export interface InstallOutcome {
  /** `unchanged`: this very list was already installed (nothing changed). */
  readonly outcome: 'installed' | 'unchanged';
  readonly list: InstalledListInfo;
}

/** A warning that comes with an accepted key. */
export type SiteWarning = 'in-grace' | 'instance-not-checked' | 'list-update-due' | 'no-revocation-list';

/** A key accepted by a site. */
export interface SiteVerdict {
  readonly license: License;
  /** The site's time the key was checked at (its clock mark, never behind an earlier one). */
  readonly checkedAt: number;
  /** Sorted names of the warnings to show the administrator. */
  readonly warnings: SiteWarning[];
  /** With `list-update-due`: the announced next update that has passed. */
  readonly listUpdateDue: number | null;
}

/** What `Site.verify` checks the key against. */
export interface SiteVerifyOptionsBase {
  /** The kind of key accepted here. Required: there is no "any". */
  kind: KeyKind;
  /** The current time; default: the system clock. */
  now?: Time;
  /** This GLPI version (`"10.0"`); when given, a key for other versions is refused. */
  glpiVersion?: string;
}

/** Checking the instance binding against this instance's UUID (the normal case). */
export interface SiteVerifyForInstance extends SiteVerifyOptionsBase {
  instance: string;
  insecureSkipInstance?: false;
}

/**
 * No instance id: a key bound to an instance is refused (`instance-required`), unless
 * `insecureSkipInstance: true`, which accepts it unchecked (warning `instance-not-checked`).
 */
export interface SiteVerifyWithoutInstance extends SiteVerifyOptionsBase {
  instance?: null;
  insecureSkipInstance?: boolean;
}

export type SiteVerifyOptions = SiteVerifyForInstance | SiteVerifyWithoutInstance;

/** One trusted issuer key of a site, as `Site.status` shows it. */
export interface SiteTrustedKey {
  readonly keyId: string;
  /** 64 hex digits. */
  readonly publicKey: string;
  readonly validFrom: number | null;
  readonly validUntil: number | null;
  /** From this site time on, nothing signed by the key is honoured. */
  readonly distrustedFrom: number | null;
  readonly list: InstalledListInfo | null;
}

/** A site's state, as `Site.status` shows it. */
export interface SiteStatus {
  readonly graceSeconds: number;
  readonly clockToleranceSeconds: number;
  /** The latest time the site has seen; `null` before its first operation. */
  readonly clockMark: number | null;
  readonly trust: SiteTrustedKey[];
  /** Serials (16 hex digits) a renewal accepted here has superseded, increasing. */
  readonly superseded: { readonly serial: string; readonly by: string }[];
}

/**
 * The offline site of spec/SITE.md: one verifier with the whole policy (clock guard,
 * revocation lists with one sequence per issuer key, issuer key distrust, supersession,
 * required kind, instance binding) and its own state, which the caller stores: `toBytes()`
 * and `installedLists()`. Store both whenever `changed` (refused operations too: the clock
 * mark moves forward on them).
 */
export class Site {
  private constructor();
  static create(trust: TrustStore, policy?: SitePolicy): Site;
  /** A site from its stored record and installed lists. Damage is an error, never a reset. */
  static fromBytes(state: Uint8Array, lists?: Iterable<Uint8Array>): Site;
  /** The state record (spec/SITE.md section 7); `changed` compares with the last one taken. */
  toBytes(): Uint8Array;
  /** The installed lists in file form, to store with the record. */
  installedLists(): Uint8Array[];
  /** Whether the state differs from the record last taken with `toBytes` or loaded. */
  readonly changed: boolean;
  installRevocations(list: string | Uint8Array, now?: Time): InstallOutcome;
  verify(keyText: string, options: SiteVerifyOptions): SiteVerdict;
  /** Moves the clock mark forward; returns it. */
  observeClock(now?: Time): number;
  /** Distrusts an issuer key (8 hex digits) from `from` on; returns the date in force. */
  distrust(keyId: string, from: Time): number;
  /** Trusts one more issuer key; returns its key id. */
  addTrustedKey(key: Uint8Array | string | TrustedKeyInit): string;
  status(): SiteStatus;
}

/**
 * Loads the WebAssembly module. Browsers must await it once before any other call; under
 * Node the module is loaded on import and this resolves at once.
 */
export default function init(
  moduleOrPath?: string | URL | Request | Response | BufferSource | WebAssembly.Module,
): Promise<void>;

// Compiled with `tsc --noEmit --strict` by .ci/parts/80-npm.sh: the declarations in index.d.ts
// describe the API as documented (and reject the calls the API refuses).
import init, {
  GlpiKeyError,
  RevocationList,
  Site,
  TrustStore,
  correct,
  parse,
  verify,
  type Claims,
  type License,
  type ParsedKey,
  type Typo,
  type SiteVerdict,
  type SiteStatus,
  type InstallOutcome,
} from 'glpi-key';

export async function check(keyText: string, publicKeyHex: string, listText: string): Promise<string> {
  await init();
  const trust = new TrustStore([publicKeyHex, { publicKey: new Uint8Array(32), validUntil: new Date() }]);
  const ids: string[] = trust.keyIds;
  const parsed: ParsedKey = parse(keyText, trust);
  const fixed: string | null = correct(keyText);
  const list = RevocationList.read(listText, trust, { installedSequence: 3n });
  const seq: bigint = list.sequence;
  const bytes: Uint8Array = list.toFileBytes();
  try {
    const license: License = verify(keyText, trust, {
      kind: 'instance-registration',
      instance: '5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b',
      now: Date.now() / 1000,
      revocations: list,
      graceSeconds: 86400n,
    });
    const claims: Claims = license.claims;
    const tier: 'free' | 'starter' | 'basic' | 'standard' | 'advanced' = claims.tier;
    return `${ids} ${parsed.unverifiedShortId} ${fixed} ${seq} ${bytes.length} ${tier} ${license.status}`;
  } catch (e) {
    if (e instanceof GlpiKeyError) {
      const typo: Typo | null = e.typo;
      return `${e.code}: ${e.message} ${typo?.position ?? ''} ${typo?.confirmed ?? ''}`;
    }
    throw e;
  }
}

export function siteCheck(trust: TrustStore, state: Uint8Array | null, lists: Uint8Array[], key: string, list: string): [Uint8Array, Uint8Array[], string[]] {
  const site = state ? Site.fromBytes(state, lists) : Site.create(trust, { graceSeconds: 86400, clockToleranceSeconds: 600n });
  const installed: InstallOutcome = site.installRevocations(list);
  const seq: bigint = installed.list.sequence;
  const verdict: SiteVerdict = site.verify(key, { kind: 'instance-registration', instance: '5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b' });
  const status: SiteStatus = site.status();
  const mark: number | null = status.clockMark;
  site.distrust(status.trust[0].keyId, new Date());
  if (!site.changed) throw new Error(`${seq} ${mark}`);
  return [site.toBytes(), site.installedLists(), verdict.warnings];
}

// @ts-expect-error: the site's kind is required too
new TrustStore() && Site.create(new TrustStore()).verify('GLPI-…', { now: 0 });
// @ts-expect-error: an instance and the insecure skip exclude each other
Site.create(new TrustStore()).verify('GLPI-…', { kind: 'agent-enrollment', instance: 'x', insecureSkipInstance: true });
// @ts-expect-error: sites come from Site.create or Site.fromBytes
new Site();

// @ts-expect-error: the kind is required (no "any" default)
verify('GLPI-…', new TrustStore(), { now: 0 });
// @ts-expect-error: "any" is not a kind
verify('GLPI-…', new TrustStore(), { kind: 'any' });
// @ts-expect-error: the instance and the opt-out exclude each other
verify('GLPI-…', new TrustStore(), { kind: 'agent-enrollment', instance: 'x', acceptAnyInstanceUnchecked: true });
// @ts-expect-error: lists come from RevocationList.read
new RevocationList();

// Compiled with `tsc --noEmit --strict` by .ci/parts/80-npm.sh: the declarations in index.d.ts
// describe the API as documented (and reject the calls the API refuses).
import init, {
  GlpiKeyError,
  RevocationList,
  TrustStore,
  correct,
  parse,
  verify,
  type Claims,
  type License,
  type ParsedKey,
  type Typo,
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

// @ts-expect-error: the kind is required (no "any" default)
verify('GLPI-…', new TrustStore(), { now: 0 });
// @ts-expect-error: "any" is not a kind
verify('GLPI-…', new TrustStore(), { kind: 'any' });
// @ts-expect-error: the instance and the opt-out exclude each other
verify('GLPI-…', new TrustStore(), { kind: 'agent-enrollment', instance: 'x', acceptAnyInstanceUnchecked: true });
// @ts-expect-error: lists come from RevocationList.read
new RevocationList();

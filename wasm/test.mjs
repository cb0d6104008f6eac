// Verifies every vector of spec/vectors/keys.json with the WebAssembly build (raw exports, no
// wasm-bindgen) through the stateless `gk_verify`, and checks the outcome, and for valid keys
// serial, short ID, kind, tier, owner, times, entitlements, limits and instance; then bad
// input, the required kind and a too-small output buffer. Exits 1 on any mismatch.
// The site verifier (`gk_site_*`) is tested by wasm/site.test.mjs.
//
// Usage: node wasm/test.mjs <glpi_key_wasm.wasm> [keys.json]
import { readFileSync } from "node:fs";

import {
  BUFFER_TOO_SMALL,
  INSECURE_SKIP_INSTANCE_BINDING,
  KINDS,
  encoder,
  hex,
  load,
  uuidBytes,
} from "./raw.mjs";

const [wasmPath, vectorsPath = new URL("../spec/vectors/keys.json", import.meta.url)] =
  process.argv.slice(2);
if (!wasmPath) {
  console.error("usage: node wasm/test.mjs <glpi_key_wasm.wasm> [keys.json]");
  process.exit(2);
}
const raw = await load(wasmPath);
const file = JSON.parse(readFileSync(vectorsPath, "utf8"));
const trust = hex(file.trust.map((t) => t.public_key_hex).join(""));

/** Verifies raw key bytes with a kind number; returns { code, fields }. */
function verify(keyBytes, now, kind, instanceId = null, version = null, outCap = undefined, flags = 0) {
  return raw.call(
    "gk_verify",
    [
      keyBytes,
      trust,
      BigInt(now),
      kind,
      uuidBytes(instanceId),
      flags,
      version ? encoder.encode(version) : new Uint8Array(),
    ],
    outCap,
  );
}

/**
 * A vector's `kind: null` means "either kind"; the module has no such option (the kind is
 * required), so such a vector is verified as an instance registration and, when that gives
 * `wrong-object-kind`, as an agent enrollment: "either" accepts a key iff one of them does.
 * The vectors check no instance binding unless they give an instance: say so explicitly with
 * the insecure flag (without it, a bound key is refused: checked below).
 */
function verifyVector(v) {
  const bytes = encoder.encode(v.key);
  const flags = v.instance ? 0 : INSECURE_SKIP_INSTANCE_BINDING;
  if (v.kind) return verify(bytes, v.now, KINDS[v.kind], v.instance, v.glpi_version, undefined, flags);
  const first = verify(bytes, v.now, 1, v.instance, v.glpi_version, undefined, flags);
  if (first.fields.status !== "wrong-object-kind") return first;
  return verify(bytes, v.now, 2, v.instance, v.glpi_version, undefined, flags);
}

let failures = 0;
let checks = 0;
const fail = (msg) => {
  failures++;
  console.error(`FAIL ${msg}`);
};
const check = (ok, msg) => {
  checks++;
  if (!ok) fail(msg);
};
const orDash = (v) => (v === null || v === undefined ? "-" : String(v));

let agreed = 0;
for (const v of file.vectors) {
  const { code, fields } = verifyVector(v);
  let ok = fields.status === v.expect && (code === 0) === (v.expect === "valid");
  if (ok && v.claims) {
    const c = v.claims;
    const expected = {
      serial: c.serial,
      short_id: c.short_id,
      kind: c.kind,
      tier: c.tier,
      owner: c.owner,
      issued_at: String(c.issued_at),
      not_before: String(c.not_before),
      expires_at: orDash(c.expires_at),
      entitlements: String(c.entitlement_bits),
      max_assets: orDash(c.max_assets),
      entity: orDash(c.entity),
      instance: orDash(c.instance),
    };
    for (const [k, want] of Object.entries(expected)) {
      if (fields[k] !== want) {
        ok = false;
        fail(`${v.name}: ${k} is ${fields[k]}, expected ${want}`);
      }
    }
  } else if (ok && v.message !== null && fields.message !== v.message) {
    ok = false;
    fail(`${v.name}: message "${fields.message}", expected "${v.message}"`);
  }
  if (!ok && fields.status !== v.expect) fail(`${v.name}: expected ${v.expect}, got ${fields.status} (${fields.message})`);
  if (ok) agreed++;
}
console.log(`JavaScript (wasm): ${agreed}/${file.vectors.length} vectors agree`);

// Bad input: a status and a message, never a trap.
const now = file.vectors[0].now;
for (const [bytes, expect] of [
  [Uint8Array.from([0x47, 0x4c, 0x50, 0x49, 0x2d, 0xff]), "invalid-utf8"],
  [new Uint8Array(), "empty"],
  [new Uint8Array(100000).fill(0x41), "too-long"],
]) {
  const { fields } = verify(bytes, now, 1);
  check(fields.status === expect && fields.message?.length > 20, `bad input: got ${fields.status}, expected ${expect}`);
}

// The kind is required: 0 (once "any") or an unknown number is an argument error.
const valid = file.vectors.find((v) => v.expect === "valid" && v.claims.kind === "instance-registration" && v.instance);
for (const kind of [0, 3, 0xffffffff]) {
  const { code, fields } = verify(encoder.encode(valid.key), valid.now, kind, valid.instance);
  check(
    code === 66 && fields.status === "invalid-argument" && fields.message.includes("the kind is required"),
    `kind ${kind}: got ${fields.status} (${fields.message})`,
  );
}
{
  const { fields } = verify(encoder.encode(valid.key), valid.now, 2, valid.instance);
  check(fields.status === "wrong-object-kind", `agent enrollment required: got ${fields.status}`);
}

// A key bound to an instance: refused without an instance, unless the insecure flag says so.
let bound = 0;
for (const v of file.vectors.filter((v) => v.expect === "valid" && v.claims.instance && !v.instance)) {
  bound++;
  const kind = KINDS[v.kind ?? v.claims.kind];
  const bytes = encoder.encode(v.key);
  const refused = verify(bytes, v.now, kind, null, v.glpi_version);
  check(
    refused.code === 29 && refused.fields.status === "instance-required" && refused.fields.message.includes(v.claims.instance),
    `${v.name} without instance: ${refused.fields.status} (${refused.fields.message})`,
  );
  const skipped = verify(bytes, v.now, kind, null, v.glpi_version, undefined, INSECURE_SKIP_INSTANCE_BINDING);
  check(skipped.code === 0 && skipped.fields.warnings === "instance-not-checked", `${v.name} with the insecure flag: ${skipped.text}`);
  const right = verify(bytes, v.now, kind, v.claims.instance, v.glpi_version);
  check(right.code === 0 && right.fields.warnings === "-", `${v.name} with its instance: ${right.text}`);
  const both = verify(bytes, v.now, kind, v.claims.instance, v.glpi_version, undefined, INSECURE_SKIP_INSTANCE_BINDING);
  check(both.code === 66 && both.fields.message.includes("not both"), `${v.name} with instance and flag: ${both.text}`);
}
check(bound >= 10, `only ${bound} bound valid vectors`);
{
  const unbound = file.vectors.find((v) => v.expect === "valid" && !v.claims.instance);
  const r = verify(encoder.encode(unbound.key), unbound.now, KINDS[unbound.claims.kind], null, unbound.glpi_version);
  check(r.code === 0 && r.fields.warnings === "-", `an unbound key needs no instance: ${r.text}`);
  const flag2 = verify(encoder.encode(unbound.key), unbound.now, KINDS[unbound.claims.kind], null, null, undefined, 2);
  check(flag2.code === 66 && flag2.fields.message.includes("unknown flags"), `flag 2: ${flag2.text}`);
}

// Too small an output buffer: the status and the length needed, never a cut-short text.
{
  const full = verify(encoder.encode(valid.key), valid.now, 1, valid.instance);
  const needed = 4 + encoder.encode(full.text).length;
  for (const cap of [0, 3, 4, 64, needed - 1]) {
    const r = verify(encoder.encode(valid.key), valid.now, 1, valid.instance, null, cap);
    check(
      r.code === BUFFER_TOO_SMALL && (cap < 4 ? r.needed === null : r.needed === needed) && r.untouched !== false,
      `out buffer of ${cap} bytes: got code ${r.code}, needed ${r.needed}`,
    );
  }
  const exact = verify(encoder.encode(valid.key), valid.now, 1, valid.instance, null, needed);
  check(exact.code === 0 && exact.text === full.text, `out buffer of exactly ${needed} bytes`);
}

if (failures > 0) {
  console.error(`JavaScript (wasm): ${failures} failure(s)`);
  process.exit(1);
}
console.log(`JavaScript (wasm): all checks passed (${file.vectors.length} vectors, ${checks} more checks)`);

// Verifies every vector of spec/vectors/keys.json with the WebAssembly build (raw exports, no
// wasm-bindgen) and checks the outcome, and for valid keys serial, short ID, kind, tier, owner,
// times, entitlements, limits and instance. Exits 1 on any mismatch.
//
// Usage: node wasm/test.mjs <glpi_key_wasm.wasm> [keys.json]
import { readFileSync } from "node:fs";

const [wasmPath, vectorsPath = new URL("../spec/vectors/keys.json", import.meta.url)] =
  process.argv.slice(2);
if (!wasmPath) {
  console.error("usage: node wasm/test.mjs <glpi_key_wasm.wasm> [keys.json]");
  process.exit(2);
}
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const wasm = instance.exports;
const file = JSON.parse(readFileSync(vectorsPath, "utf8"));
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Copies bytes into linear memory; returns [ptr, len] (ptr 0 for empty). */
function put(bytes) {
  if (bytes.length === 0) return [0, 0];
  const ptr = wasm.gk_alloc(bytes.length);
  new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes);
  return [ptr, bytes.length];
}

const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const trust = hex(file.trust.map((t) => t.public_key_hex).join(""));
const KINDS = { "instance-registration": 1, "agent-enrollment": 2 };

/** Verifies raw key bytes; returns { code, fields } with the result's key=value lines. */
function verify(keyBytes, now, kind = null, instanceId = null, version = null) {
  const args = [
    put(keyBytes),
    put(trust),
    put(instanceId ? hex(instanceId.replaceAll("-", "")) : new Uint8Array()),
    put(version ? encoder.encode(version) : new Uint8Array()),
  ];
  const outCap = 4096;
  const out = wasm.gk_alloc(outCap);
  try {
    const code = wasm.gk_verify(
      ...args[0], ...args[1], BigInt(now), kind ? KINDS[kind] : 0,
      ...args[2], ...args[3], out, outCap,
    );
    const view = new DataView(wasm.memory.buffer);
    const len = view.getUint32(out, true);
    const text = decoder.decode(new Uint8Array(wasm.memory.buffer, out + 4, len));
    const fields = {};
    // owner= is last and may contain anything, new lines included.
    const ownerAt = text.indexOf("\nowner=");
    const head = ownerAt >= 0 ? text.slice(0, ownerAt) : text;
    for (const line of head.split("\n").filter(Boolean)) {
      const eq = line.indexOf("=");
      fields[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (ownerAt >= 0) fields.owner = text.slice(ownerAt + "\nowner=".length);
    return { code, fields };
  } finally {
    wasm.gk_free(out, outCap);
    for (const [ptr, len] of args) wasm.gk_free(ptr, len);
  }
}

let failures = 0;
const fail = (msg) => {
  failures++;
  console.error(`FAIL ${msg}`);
};
const orDash = (v) => (v === null || v === undefined ? "-" : String(v));

let agreed = 0;
for (const v of file.vectors) {
  const { code, fields } = verify(encoder.encode(v.key), v.now, v.kind, v.instance, v.glpi_version);
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
  const { fields } = verify(bytes, now);
  if (fields.status !== expect || !(fields.message?.length > 20)) {
    fail(`bad input: got ${fields.status}, expected ${expect}`);
  }
}

if (failures > 0) {
  console.error(`JavaScript (wasm): ${failures} failure(s)`);
  process.exit(1);
}
console.log("JavaScript (wasm): all checks passed");

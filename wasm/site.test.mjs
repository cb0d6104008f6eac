// The site verifier of the raw WebAssembly module (`gk_site_*` exports), as a real host uses
// it: the JavaScript side keeps the state record and the installed lists as bytes between
// calls (and on disk at each `reopen`). Runs every scenario of
// spec/vectors/site-scenarios.json (spec/SITE.md section 8) step by step, then explicit cases
// (older list, revoked key, clock set back, grace, instance binding, damaged and truncated
// state, too-small output buffer, arguments). Exits 1 on any mismatch.
//
// Usage: node wasm/site.test.mjs <glpi_key_wasm.wasm> [site-scenarios.json]
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  BUFFER_TOO_SMALL,
  INSECURE_SKIP_INSTANCE_BINDING,
  KINDS,
  encoder,
  hex,
  load,
  uuidBytes,
} from "./raw.mjs";

const [wasmPath, scenariosPath = new URL("../spec/vectors/site-scenarios.json", import.meta.url)] =
  process.argv.slice(2);
if (!wasmPath) {
  console.error("usage: node wasm/site.test.mjs <glpi_key_wasm.wasm> [site-scenarios.json]");
  process.exit(2);
}
const raw = await load(wasmPath);
const file = JSON.parse(readFileSync(scenariosPath, "utf8"));
const none = new Uint8Array();
const disk = mkdtempSync(join(tmpdir(), "glpi-wasm-site-"));

let failures = 0;
let checks = 0;
const fail = (msg) => {
  failures++;
  console.error(`FAIL ${msg}`);
};
const check = (ok, msg) => {
  checks++;
  if (!ok) fail(msg);
  return ok;
};

/** A trust entry: public key, valid_from, valid_until (u64 little-endian, 0 = no bound). */
function trustEntry(publicKeyHex, validFrom = null, validUntil = null) {
  const entry = new Uint8Array(48);
  entry.set(hex(publicKeyHex));
  const view = new DataView(entry.buffer);
  view.setBigUint64(32, BigInt(validFrom ?? 0), true);
  view.setBigUint64(40, BigInt(validUntil ?? 0), true);
  return entry;
}

const concat = (parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** The stored lists as `gk_site_verify` takes them: 4-byte little-endian length, list. */
function framed(lists) {
  return concat(
    lists.flatMap((l) => {
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, l.length, true);
      return [len, l];
    }),
  );
}

/**
 * A host: the state record and the installed lists (by issuer key id), as bytes. Every call
 * passes them to the module and stores back what it returns, refusals included.
 */
class Host {
  constructor(state, lists = new Map()) {
    this.state = state;
    this.lists = lists;
  }

  static create(trust, graceSecs, toleranceSecs) {
    const r = raw.call("gk_site_new", [concat(trust), BigInt(graceSecs), BigInt(toleranceSecs)]);
    if (r.code !== 0) throw new Error(`gk_site_new: ${r.text}`);
    return new Host(r.sections[1]);
  }

  /** Stores what a call gave back; returns its result. */
  keep(r) {
    if (r.sections?.[1]?.length > 0) this.state = r.sections[1];
    if (r.sections?.[2]?.length > 0) this.lists.set(r.fields.key_id, r.sections[2]);
    return r;
  }

  install(list, now) {
    const bytes = list instanceof Uint8Array ? list : encoder.encode(list);
    return this.keep(raw.call("gk_site_install_revocations", [this.state, bytes, BigInt(now)]));
  }

  verify(key, { kind = "instance-registration", now, instance = null, flags = 0, glpi = null, lists = null }) {
    return this.keep(
      raw.call("gk_site_verify", [
        this.state,
        lists ?? framed([...this.lists.values()]),
        encoder.encode(key),
        typeof kind === "number" ? kind : KINDS[kind],
        uuidBytes(instance),
        flags,
        glpi ? encoder.encode(glpi) : none,
        BigInt(now),
      ]),
    );
  }

  distrust(keyIdHex, from) {
    return this.keep(raw.call("gk_site_distrust", [this.state, parseInt(keyIdHex, 16), BigInt(from)]));
  }

  status() {
    return raw.call("gk_site_status", [this.state]);
  }

  /** Writes the record and the lists to files, and reads them back as a new host. */
  reopen(name) {
    const dir = join(disk, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "lists"), { recursive: true });
    writeFileSync(join(dir, "state"), this.state);
    for (const [id, bytes] of this.lists) writeFileSync(join(dir, "lists", `${id}.glpirl`), bytes);
    const lists = new Map();
    for (const f of readdirSync(join(dir, "lists"))) {
      lists.set(f.replace(/\.glpirl$/, ""), new Uint8Array(readFileSync(join(dir, "lists", f))));
    }
    return new Host(new Uint8Array(readFileSync(join(dir, "state"))), lists);
  }
}

/** The key id (8 hex digits) of an issuer public key, as a one-key site reports it. */
function keyIdOf(publicKeyHex) {
  const r = raw.call("gk_site_new", [trustEntry(publicKeyHex), 0n, 0n]);
  return r.fields.trusted_keys;
}
const issuerIds = Object.fromEntries(Object.entries(file.issuers).map(([n, h]) => [n, keyIdOf(h)]));

// ---- every scenario of site-scenarios.json ----
let steps = 0;
for (const scenario of file.scenarios) {
  const block = scenario.site;
  let host = Host.create(
    block.trust.map((t) => trustEntry(file.issuers[t.issuer], t.valid_from, t.valid_until)),
    block.grace_secs,
    block.clock_tolerance_secs,
  );
  for (const t of block.trust) {
    if (t.distrusted_from !== null && t.distrusted_from !== undefined) {
      host.distrust(issuerIds[t.issuer], t.distrusted_from);
    }
  }
  scenario.steps.forEach((step, i) => {
    steps++;
    const at = `${scenario.name} step ${i + 1} (${step.op})`;
    switch (step.op) {
      case "install": {
        const r = host.install(file.lists[step.list], step.now);
        check(r.fields.status === step.expect, `${at}: ${r.fields.status} (${r.fields.message}), expected ${step.expect}`);
        check((r.code === 0) === ["installed", "unchanged"].includes(step.expect), `${at}: code ${r.code}`);
        break;
      }
      case "verify": {
        const r = host.verify(file.keys[step.key], {
          kind: step.kind,
          now: step.now,
          instance: step.instance,
          flags: step.insecure_skip_instance ? INSECURE_SKIP_INSTANCE_BINDING : 0,
          glpi: step.glpi,
        });
        const f = r.fields;
        if (check(f.status === step.expect, `${at}: ${f.status} (${f.message}), expected ${step.expect}`) && step.expect === "valid") {
          const warnings = f.warnings === "-" ? [] : f.warnings.split(",");
          check(JSON.stringify(warnings) === JSON.stringify(step.warnings), `${at}: warnings ${f.warnings}, expected ${step.warnings}`);
          check(f.tier === step.tier, `${at}: tier ${f.tier}, expected ${step.tier}`);
          check(r.code === 0, `${at}: code ${r.code}`);
        }
        break;
      }
      case "distrust": {
        const r = host.distrust(issuerIds[step.issuer], step.from);
        check(r.code === 0 && step.expect === "ok", `${at}: ${r.text}`);
        break;
      }
      case "reopen": {
        const before = host.state;
        host = host.reopen(scenario.name);
        check(
          Buffer.from(before).equals(Buffer.from(host.state)) && host.status().code === 0,
          `${at}: the record read back differs or does not read`,
        );
        break;
      }
      case "status": {
        const s = host.status().fields;
        check(s.clock_mark === String(step.mark ?? "-"), `${at}: clock mark ${s.clock_mark}, expected ${step.mark}`);
        const seqs = {};
        for (let k = 0; k < Number(s.trusted_keys); k++) {
          const name = Object.keys(file.issuers).find((n) => issuerIds[n] === s[`key.${k}.key_id`]);
          if (s[`key.${k}.list_sequence`] !== "-") seqs[name] = Number(s[`key.${k}.list_sequence`]);
        }
        check(JSON.stringify(seqs) === JSON.stringify(step.sequences), `${at}: sequences ${JSON.stringify(seqs)}, expected ${JSON.stringify(step.sequences)}`);
        const sup = s.superseded === "-" ? [] : s.superseded.split(",").map((p) => BigInt(`0x${p.split(":")[0]}`));
        check(
          JSON.stringify(sup.map(String)) === JSON.stringify(step.superseded.map((x) => String(BigInt(x)))),
          `${at}: superseded ${s.superseded}, expected ${step.superseded}`,
        );
        break;
      }
      default:
        fail(`${at}: unknown op`);
    }
  });
}
const scenarioChecks = checks;
console.log(`JavaScript (wasm site): ${file.scenarios.length} scenarios, ${steps} steps, ${scenarioChecks} checks`);

// ---- explicit cases (issuer B; the scenarios' keys and lists) ----
const B = file.issuers.B;
const T = 1814400000;
const newSite = (grace = 0) => Host.create([trustEntry(B)], grace, 600);
const same = (a, b) => Buffer.from(a).equals(Buffer.from(b));
const statusOf = (h) => h.status().fields;
const cases = [];
const test = (name, f) => cases.push([name, f]);
const INVALID_ARGUMENT = 66;

test("older list refused, the installed one kept", () => {
  const h = newSite();
  const first = h.install(file.lists.b5, T);
  check(first.code === 0 && first.fields.status === "installed" && first.fields.sequence === "5", `install b5: ${first.text}`);
  const stored = h.lists.get(issuerIds.B);
  check(stored && new TextDecoder().decode(stored.slice(0, 8)) === "GLPI-RL\n", "the list to store is in file form");
  const state = h.state;
  const older = h.install(file.lists.b4, T);
  check(older.code === 23 && older.fields.status === "revocation-list-rollback", `install b4: ${older.text}`);
  check(older.fields.message.includes("older than the one already installed"), `message: ${older.fields.message}`);
  check(older.sections[2].length === 0 && same(h.lists.get(issuerIds.B), stored), "no list to store after a refusal");
  check(same(h.state, state) && older.fields.state === "unchanged", "the state is the same");
  check(statusOf(h)["key.0.list_sequence"] === "5", "status still shows sequence 5");
  const again = h.install(stored, T); // the stored file form, given back
  check(again.code === 0 && again.fields.status === "unchanged" && again.sections[2].length === 0, `the same list again: ${again.text}`);
  check(h.verify(file.keys["revoked-by-b5"], { now: T }).fields.status === "revoked", "b5 still applies");
});

test("revoked key refused", () => {
  const h = newSite();
  h.install(file.lists.b5, T);
  const r = h.verify(file.keys["revoked-by-b5"], { now: T });
  check(r.code === 22 && r.fields.status === "revoked" && r.fields.message.length > 20, `revoked: ${r.text}`);
  const good = h.verify(file.keys.good, { now: T });
  check(good.code === 0 && good.fields.warnings === "-", `good key with the list: ${good.text}`);
});

test("clock set back refused, the mark kept", () => {
  const h = newSite();
  check(h.verify(file.keys.good, { now: T }).code === 0, "first verify");
  const state = h.state;
  const back = h.verify(file.keys.good, { now: T - 601 });
  check(back.code === 24 && back.fields.status === "clock-rollback" && back.fields.state === "unchanged", `set back: ${back.text}`);
  check(same(h.state, state) && statusOf(h).clock_mark === String(T), "mark unchanged");
  check(h.install(file.lists.b5, T - 5000).fields.status === "clock-rollback", "install with the clock set back");
  check(h.verify(file.keys.good, { now: T - 600 }).code === 0, "within the tolerance");
});

test("grace reported", () => {
  const grace = 30 * 86400;
  const h = newSite(grace);
  const r = h.verify(file.keys["expires-2028"], { now: 1831075200 });
  const f = r.fields;
  check(r.code === 0 && f.warnings.split(",").includes("in-grace"), `in grace: ${r.text}`);
  check(f.in_grace_until === String(Number(f.expires_at) + grace), `in_grace_until ${f.in_grace_until}, expires_at ${f.expires_at}`);
  const late = h.verify(file.keys["expires-2028"], { now: Number(f.expires_at) + grace + 1 });
  check(late.fields.status === "expired", `after the grace period: ${late.text}`);
});

test("bound key: refused without instance, accepted with the insecure flag and a warning", () => {
  const h = newSite();
  const bound = file.keys.bound;
  const uuid = "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b";
  const r = h.verify(bound, { now: T });
  check(r.code === 29 && r.fields.status === "instance-required" && r.fields.message.includes(uuid), `no instance: ${r.text}`);
  const skip = h.verify(bound, { now: T, flags: INSECURE_SKIP_INSTANCE_BINDING });
  check(skip.code === 0 && skip.fields.warnings === "instance-not-checked,no-revocation-list" && skip.fields.instance === uuid, `insecure skip: ${skip.text}`);
  const right = h.verify(bound, { now: T, instance: uuid });
  check(right.code === 0 && right.fields.warnings === "no-revocation-list", `this instance: ${right.text}`);
  const both = h.verify(bound, { now: T, instance: uuid, flags: INSECURE_SKIP_INSTANCE_BINDING });
  check(both.code === INVALID_ARGUMENT && both.fields.message.includes("not both"), `instance and flag: ${both.text}`);
  const unknownFlag = h.verify(bound, { now: T, flags: 2 });
  check(unknownFlag.code === INVALID_ARGUMENT && unknownFlag.fields.message.includes("unknown flags"), `flag 2: ${unknownFlag.text}`);
  const numbered = h.verify(bound, { now: T, lists: none, instance: null, flags: 0, kind: 1 });
  check(numbered.fields.status === "instance-required", "kind as a number");
  const badUuid = raw.call("gk_site_verify", [h.state, none, encoder.encode(bound), 1, new Uint8Array(15), 0, none, BigInt(T)]);
  check(badUuid.code === INVALID_ARGUMENT && badUuid.fields.message.includes("16 bytes"), `15-byte instance: ${badUuid.text}`);
});

test("the kind is required", () => {
  const h = newSite();
  for (const kind of [0, 3]) {
    const r = h.verify(file.keys.good, { kind, now: T });
    check(r.code === INVALID_ARGUMENT && r.fields.message.includes("the kind is required") && r.fields.state === "unchanged", `kind ${kind}: ${r.text}`);
  }
  check(h.verify(file.keys.agent, { now: T }).fields.status === "wrong-object-kind", "agent key as a registration");
  check(h.verify(file.keys.agent, { kind: "agent-enrollment", now: T }).code === 0, "agent key as an agent key");
});

test("corrupted state: site-state-corrupted with a message, no state given back", () => {
  const h = newSite();
  h.verify(file.keys.good, { now: T });
  for (const at of [12, h.state.length - 1]) {
    const damaged = h.state.slice();
    damaged[at] ^= 1;
    const r = raw.call("gk_site_verify", [damaged, none, encoder.encode(file.keys.good), 1, none, 0, none, BigInt(T)]);
    check(
      r.code === 80 && r.fields.status === "site-state-corrupted" && /not reset/.test(r.fields.message) && r.sections[1].length === 0,
      `byte ${at} flipped: ${r.text}`,
    );
    const s = raw.call("gk_site_status", [damaged]);
    check(s.code === 80 && s.fields.message.includes("restore it from a backup"), `status of a damaged state: ${s.text}`);
  }
  const version = h.state.slice();
  version[8] = 2;
  const v = raw.call("gk_site_status", [version]);
  check(["site-state-version", "site-state-corrupted"].includes(v.fields.status) && v.code >= 80, `version 2: ${v.text}`);
  const foreign = raw.call("gk_site_install_revocations", [concat([encoder.encode("GLPISITE"), new Uint8Array([1]), encoder.encode("not a record")]), encoder.encode(file.lists.b5), BigInt(T)]);
  check(foreign.code === 80 && foreign.sections[1].length === 0 && foreign.sections[2].length === 0, `not a record: ${foreign.text}`);
});

test("truncated state: an error, not a reset", () => {
  const h = newSite();
  h.install(file.lists.b5, T);
  const good = h.state;
  for (const len of [0, 9, 20, good.length - 1]) {
    const r = h.keep(raw.call("gk_site_verify", [good.slice(0, len), framed([...h.lists.values()]), encoder.encode(file.keys["revoked-by-b5"]), 1, none, 0, none, BigInt(T)]));
    check(r.code === 80 && r.fields.status === "site-state-corrupted" && r.sections[1].length === 0, `${len} bytes: ${r.text}`);
    check(same(h.state, good), `${len} bytes: the host keeps its record`);
  }
  // Not reset: the record still holds the list and refuses the older one.
  check(h.install(file.lists.b4, T).fields.status === "revocation-list-rollback", "still rolls back");
  const longer = concat([good, new Uint8Array([0])]);
  check(raw.call("gk_site_status", [longer]).code === 80, "a byte too many");
});

test("too-small output buffer: a status and the length needed, nothing changed", () => {
  const h = newSite();
  const args = [h.state, encoder.encode(file.lists.b5), BigInt(T)];
  const full = raw.call("gk_site_install_revocations", args);
  const needed = full.sections.reduce((n, s) => n + 4 + s.length, 0);
  for (const cap of [0, 2, 4, 100, needed - 1]) {
    const r = raw.call("gk_site_install_revocations", args, cap);
    check(r.code === BUFFER_TOO_SMALL && r.needed === (cap < 4 ? null : needed) && r.untouched !== false, `install, ${cap}-byte buffer: ${JSON.stringify(r)}`);
  }
  // Nothing was kept by the module: the same call with room installs (not "unchanged").
  const exact = h.keep(raw.call("gk_site_install_revocations", args, needed));
  check(exact.code === 0 && exact.fields.status === "installed" && same(exact.sections[1], full.sections[1]), `exact buffer: ${exact.text}`);
  const v = raw.call("gk_site_verify", [h.state, framed([...h.lists.values()]), encoder.encode(file.keys.good), 1, none, 0, none, BigInt(T)], 10);
  check(v.code === BUFFER_TOO_SMALL && v.needed > 10, "verify, 10-byte buffer");
  const s = raw.call("gk_site_status", [h.state], 5);
  check(s.code === BUFFER_TOO_SMALL && s.needed > 5, "status, 5-byte buffer");
});

test("the clock mark moves on a refusal and the host stores it", () => {
  const h = newSite();
  const r = h.verify(file.keys.bound, { now: T });
  check(r.fields.status === "instance-required" && r.fields.state === "changed" && r.sections[1].length > 0, `refusal: ${r.text}`);
  check(statusOf(h).clock_mark === String(T), "the stored record holds the mark");
  const typo = h.verify("GLPI-NOT-A-KEY", { now: T + 1000 });
  check(typo.code !== 0 && typo.fields.state === "unchanged" && statusOf(h).clock_mark === String(T), `a key that does not read changes nothing: ${typo.text}`);
  const junk = h.install("GLPI-nonsense", T + 1000);
  check(junk.code !== 0 && junk.fields.state === "unchanged", `a list that does not read changes nothing: ${junk.text}`);
  const tick = h.keep(raw.call("gk_site_observe_clock", [h.state, BigInt(T + 500)]));
  check(tick.code === 0 && tick.fields.clock_mark === String(T + 500) && tick.fields.state === "changed", `observe clock: ${tick.text}`);
  const back = h.keep(raw.call("gk_site_observe_clock", [h.state, BigInt(T - 200)]));
  check(back.code === 24 && back.fields.status === "clock-rollback" && statusOf(h).clock_mark === String(T + 500), `clock set back: ${back.text}`);
  const within = h.keep(raw.call("gk_site_observe_clock", [h.state, BigInt(T + 100)]));
  check(within.code === 0 && within.fields.clock_mark === String(T + 500) && within.fields.state === "unchanged", `within the tolerance: ${within.text}`);
  const binary = h.install(new Uint8Array([0xff, 0xfe]), T + 1000);
  check(binary.code === INVALID_ARGUMENT && binary.fields.state === "unchanged", `a list neither text nor file: ${binary.text}`);
});

test("installed lists must be given", () => {
  const h = newSite();
  h.install(file.lists.b5, T);
  const missing = h.verify(file.keys.good, { now: T, lists: none });
  check(missing.code === 30 && missing.fields.status === "installed-list-missing", `no lists: ${missing.text}`);
  const garbage = h.verify(file.keys.good, { now: T, lists: framed([encoder.encode("not a list")]) });
  check(garbage.fields.status === "installed-list-missing", `a damaged stored list: ${garbage.text}`);
  const cut = h.verify(file.keys.good, { now: T, lists: framed([...h.lists.values()]).slice(0, 50) });
  check(cut.code === INVALID_ARGUMENT && cut.fields.message.includes("framed"), `cut frame: ${cut.text}`);
  const twice = h.verify(file.keys.good, { now: T, lists: framed([...h.lists.values(), ...h.lists.values()]) });
  check(twice.code === 0, `a list given twice: ${twice.text}`);
});

test("trust: entries, rotation, distrust", () => {
  const bad = [
    [none, INVALID_ARGUMENT],
    [new Uint8Array(47), INVALID_ARGUMENT],
    [new Uint8Array(48), 69],
    [trustEntry(B, 2000, 1000), 82],
    [concat([trustEntry(B), trustEntry(B)]), 70],
  ];
  for (const [trust, code] of bad) {
    const r = raw.call("gk_site_new", [trust, 0n, 600n]);
    check(r.code === code && r.sections[1].length === 0 && r.fields.message.length > 10, `gk_site_new with ${trust.length} bytes: ${r.text}`);
  }
  const h = newSite();
  const add = h.keep(raw.call("gk_site_add_trusted_key", [h.state, trustEntry(file.issuers.A, null, 1798675200)]));
  check(add.code === 0 && add.fields.key_id === issuerIds.A, `add A: ${add.text}`);
  const s = statusOf(h);
  check(s.trusted_keys === "2" && s["key.1.valid_until"] === "1798675200" && s["key.1.valid_from"] === "-", `status: ${JSON.stringify(s)}`);
  check(raw.call("gk_site_add_trusted_key", [h.state, trustEntry(file.issuers.A)]).code === 70, "A twice");
  const d = h.distrust(issuerIds.A, T + 10);
  check(d.code === 0 && d.fields.distrusted_from === String(T + 10), `distrust: ${d.text}`);
  check(h.distrust(issuerIds.A, T + 99).fields.distrusted_from === String(T + 10), "distrust only moves earlier");
  const unknown = h.distrust("00000000", T);
  check(unknown.code === 83 && unknown.fields.status === "issuer-key-not-trusted", `unknown key id: ${unknown.text}`);
});

for (const [name, f] of cases) {
  const before = failures;
  const n = checks;
  try {
    f();
  } catch (e) {
    fail(`${name}: threw ${e.stack}`);
  }
  console.log(`${failures === before ? "ok  " : "FAIL"} ${name} (${checks - n} checks)`);
}

rmSync(disk, { recursive: true, force: true });
if (failures > 0) {
  console.error(`JavaScript (wasm site): ${failures} failure(s)`);
  process.exit(1);
}
console.log(`JavaScript (wasm site): all ${checks} checks passed`);

// A small host for the raw WebAssembly module (no wasm-bindgen, no npm dependency): copies
// inputs into linear memory, calls an export with an output buffer, and reads the result's
// sections back (protocol: the crate docs at the top of wasm/src/lib.rs). Used by the tests.
import { readFileSync } from "node:fs";

/** Output buffer size that holds every result (plus the list given to an install). */
export const OUT_LEN = 16 * 1024;
/** `gk_site_verify` flag: accept a bound key without checking its instance (insecure). */
export const INSECURE_SKIP_INSTANCE_BINDING = 1;
/** Status of a too-small output buffer (`buffer-too-small`, glpi_key::ErrorClass 26). */
export const BUFFER_TOO_SMALL = 26;
export const KINDS = { "instance-registration": 1, "agent-enrollment": 2 };

const decoder = new TextDecoder("utf-8", { fatal: true });
export const encoder = new TextEncoder();
export const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
export const uuidBytes = (u) => (u ? hex(u.replaceAll("-", "")) : new Uint8Array());

/** The `key=value` lines of a result text; `owner=` is last and may hold anything. */
export function fields(text) {
  const out = {};
  const ownerAt = text.indexOf("\nowner=");
  const head = ownerAt >= 0 ? text.slice(0, ownerAt) : text;
  for (const line of head.split("\n").filter(Boolean)) {
    const eq = line.indexOf("=");
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  if (ownerAt >= 0) out.owner = text.slice(ownerAt + "\nowner=".length);
  return out;
}

export async function load(path) {
  const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
  return new Raw(instance.exports);
}

export class Raw {
  constructor(exports) {
    this.wasm = exports;
  }

  /** Copies bytes into linear memory; returns [ptr, len] (0, 0 for none). */
  put(bytes) {
    if (bytes.length === 0) return [0, 0];
    const ptr = this.wasm.gk_alloc(bytes.length);
    if (ptr === 0) throw new Error(`gk_alloc(${bytes.length}) failed`);
    new Uint8Array(this.wasm.memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, bytes.length];
  }

  /**
   * Calls export `name`: each Uint8Array argument is passed as (ptr, len), other arguments as
   * they are; then (out, outCap). Returns { code, text, fields, sections } (sections: copies
   * of every section written), or { code, needed } for a too-small buffer.
   */
  call(name, args, outCap = OUT_LEN) {
    const owned = [];
    const flat = [];
    try {
      for (const a of args) {
        if (a instanceof Uint8Array) {
          const [ptr, len] = this.put(a);
          owned.push([ptr, len]);
          flat.push(ptr, len);
        } else {
          flat.push(a);
        }
      }
      const out = outCap > 0 ? this.wasm.gk_alloc(outCap) : 0;
      owned.push([out, outCap]);
      const before = new Uint8Array(this.wasm.memory.buffer, out, outCap).slice();
      const code = this.wasm[name](...flat, out, outCap);
      const mem = new Uint8Array(this.wasm.memory.buffer, out, outCap);
      const view = new DataView(this.wasm.memory.buffer, out, outCap);
      if (code === BUFFER_TOO_SMALL && (outCap < 4 || view.getUint32(0, true) > outCap)) {
        const needed = outCap >= 4 ? view.getUint32(0, true) : null;
        // Nothing but the length needed was written.
        const untouched = mem.slice(4).every((b, i) => b === before[i + 4]);
        return { code, needed, untouched };
      }
      const sections = [];
      let at = 0;
      while (at + 4 <= outCap && sections.length < 3) {
        const len = view.getUint32(at, true);
        if (at + 4 + len > outCap) throw new Error(`${name}: section ${sections.length} overruns`);
        sections.push(mem.slice(at + 4, at + 4 + len));
        at += 4 + len;
        if (name === "gk_verify") break; // one section; the gk_site_* exports write three

      }
      const text = decoder.decode(sections[0]);
      return { code, text, fields: fields(text), sections };
    } finally {
      for (const [ptr, len] of owned) this.wasm.gk_free(ptr, len);
    }
  }
}

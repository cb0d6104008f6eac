// Flattens spec/vectors/keys.json into lines a C program reads with sscanf/strtok, so the C test
// needs no JSON parser. Usage: node vectors-to-tsv.mjs spec/vectors/keys.json > vectors.tsv
//
// Line 1:  trust <hex32> [<hex32> ...]
// Then:    name \t expect \t now \t kind \t instance \t glpi_version \t serial \t tier \t expires_at \t owner \t bound \t key
// Absent values are "-"; kind is 1 (instance registration) or 2 (agent enrollment): the C API
// has no "any kind", so a vector whose kind is null ("any") gets the kind its key says (its
// claims, else the object kind byte of its header, else 1 for text that has no header);
// instance (given to the verifier) and bound (the instance the key's claims are bound to) are 32
// hex digits; serial is 16 hex digits; expires_at is Unix seconds; owner and
// key are the hex of their UTF-8 bytes (keys may hold line breaks and tabs).
import { readFileSync } from "node:fs";

const file = JSON.parse(readFileSync(process.argv[2], "utf8"));
const kinds = { "instance-registration": 1, "agent-enrollment": 2 };
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const dash = (v) => (v === null || v === undefined ? "-" : String(v));
const hex = (s) => Buffer.from(s, "utf8").toString("hex") || "-";
// The object kind byte (header byte 1, spec/FORMAT.md section 3) from the first four body
// symbols, with the reader's tolerances (case, O for 0, I and L for 1, separators).
const headerKind = (key) => {
  const at = key.toUpperCase().indexOf("GLPI-");
  if (at < 0) return 1;
  const values = [];
  for (const c of key.slice(at + 5).toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1")) {
    const v = ALPHABET.indexOf(c);
    if (v >= 0) values.push(v);
    if (values.length === 4) break;
  }
  if (values.length < 4) return 1;
  const bits = values.reduce((acc, v) => (acc << 5) | v, 0); // 20 bits: two bytes and 4 more
  const byte = (bits >> 4) & 0xff;
  return byte === 2 ? 2 : 1;
};
const kind = (v) => {
  const k = v.kind ?? v.claims?.kind ?? null;
  if (k === null) return headerKind(v.key);
  if (!(k in kinds)) throw new Error(`unknown kind ${k}`);
  return kinds[k];
};
const lines = ["trust " + file.trust.map((t) => t.public_key_hex).join(" ")];
for (const v of file.vectors) {
  const c = v.claims;
  lines.push(
    [
      v.name.replace(/\s/g, "_"),
      v.expect,
      v.now,
      kind(v),
      v.instance ? v.instance.replaceAll("-", "") : "-",
      dash(v.glpi_version),
      c ? c.serial : "-",
      c ? c.tier : "-",
      c ? dash(c.expires_at) : "-",
      c ? hex(c.owner) : "-",
      c && c.instance ? c.instance.replaceAll("-", "") : "-",
      hex(v.key),
    ].join("\t"),
  );
}
process.stdout.write(lines.join("\n") + "\n");

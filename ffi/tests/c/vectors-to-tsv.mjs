// Flattens spec/vectors/keys.json into lines a C program reads with sscanf/strtok, so the C test
// needs no JSON parser. Usage: node vectors-to-tsv.mjs spec/vectors/keys.json > vectors.tsv
//
// Line 1:  trust <hex32> [<hex32> ...]
// Then:    name \t expect \t now \t kind \t instance \t glpi_version \t serial \t tier \t expires_at \t owner \t key
// Absent values are "-"; kind is 0 (any), 1 (instance registration) or 2 (agent enrollment);
// instance is 32 hex digits; serial is 16 hex digits; expires_at is Unix seconds; owner and
// key are the hex of their UTF-8 bytes (keys may hold line breaks and tabs).
import { readFileSync } from "node:fs";

const file = JSON.parse(readFileSync(process.argv[2], "utf8"));
const kinds = { null: 0, "instance-registration": 1, "agent-enrollment": 2 };
const dash = (v) => (v === null || v === undefined ? "-" : String(v));
const hex = (s) => Buffer.from(s, "utf8").toString("hex") || "-";
const kind = (k) => {
  if (!((k ?? null) in kinds)) throw new Error(`unknown kind ${k}`);
  return kinds[k ?? null];
};
const lines = ["trust " + file.trust.map((t) => t.public_key_hex).join(" ")];
for (const v of file.vectors) {
  const c = v.claims;
  lines.push(
    [
      v.name.replace(/\s/g, "_"),
      v.expect,
      v.now,
      kind(v.kind),
      v.instance ? v.instance.replaceAll("-", "") : "-",
      dash(v.glpi_version),
      c ? c.serial : "-",
      c ? c.tier : "-",
      c ? dash(c.expires_at) : "-",
      c ? hex(c.owner) : "-",
      hex(v.key),
    ].join("\t"),
  );
}
process.stdout.write(lines.join("\n") + "\n");

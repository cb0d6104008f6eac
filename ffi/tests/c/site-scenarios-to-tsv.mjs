// Flattens spec/vectors/site-scenarios.json (spec/SITE.md section 8) into lines the C test reads
// with strtok, so it needs no JSON parser. Usage:
//   node site-scenarios-to-tsv.mjs spec/vectors/site-scenarios.json > site-scenarios.tsv
//
// Fields are separated by tabs; an absent value is "-"; times are Unix seconds.
//   issuer   NAME PUBLIC_KEY_HEX
//   key      NAME TEXT                 (keys and lists are canonical text: no white space)
//   list     NAME TEXT
//   scenario NAME GRACE_SECS CLOCK_TOLERANCE_SECS
//   trust    ISSUER VALID_FROM VALID_UNTIL DISTRUSTED_FROM
//   install  LIST NOW EXPECT
//   verify   KEY NOW KIND(1|2) INSTANCE_HEX32 INSECURE(0|1) GLPI EXPECT TIER WARNINGS(comma-separated)
//   distrust ISSUER FROM EXPECT
//   reopen   EXPECT
//   status   MARK SEQUENCES(ISSUER=N,...) SUPERSEDED(comma-separated serials) EXPECT
//   end
import { readFileSync } from "node:fs";

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
if (doc.format !== "glpi-key site scenarios v1") throw new Error(`unknown format ${doc.format}`);
const kinds = { "instance-registration": 1, "agent-enrollment": 2 };
const dash = (v) => (v === null || v === undefined || v === "" ? "-" : String(v));
const word = (s) => {
  if (!/^\S+$/.test(s)) throw new Error(`white space in ${JSON.stringify(s)}`);
  return s;
};
const list = (xs) => (xs.length === 0 ? "-" : xs.join(","));
const lines = [];
const row = (...fields) => lines.push(fields.map(dash).map(word).join("\t"));

for (const [name, hex] of Object.entries(doc.issuers)) row("issuer", name, hex);
for (const [name, text] of Object.entries(doc.keys)) row("key", name, text);
for (const [name, text] of Object.entries(doc.lists)) row("list", name, text);
for (const s of doc.scenarios) {
  row("scenario", s.name, s.site.grace_secs, s.site.clock_tolerance_secs);
  for (const t of s.site.trust) row("trust", t.issuer, t.valid_from, t.valid_until, t.distrusted_from);
  for (const st of s.steps) {
    switch (st.op) {
      case "install":
        row("install", st.list, st.now, st.expect);
        break;
      case "verify": {
        if (!(st.kind in kinds)) throw new Error(`unknown kind ${st.kind}`);
        const instance = st.instance ? st.instance.replaceAll("-", "") : null;
        const valid = st.expect === "valid";
        row("verify", st.key, st.now, kinds[st.kind], instance, st.insecure_skip_instance ? 1 : 0,
          st.glpi, st.expect, valid ? st.tier : null, valid ? list(st.warnings) : null);
        break;
      }
      case "distrust":
        row("distrust", st.issuer, st.from, st.expect);
        break;
      case "reopen":
        row("reopen", st.expect);
        break;
      case "status":
        row("status", st.mark, list(Object.entries(st.sequences).map(([k, n]) => `${k}=${n}`)),
          list(st.superseded), st.expect);
        break;
      default:
        throw new Error(`unknown op ${st.op} in ${s.name}`);
    }
  }
  row("end");
}
process.stdout.write(lines.join("\n") + "\n");

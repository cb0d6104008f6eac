//! The architecture rules of `ARCHITECTURE.md`, checked on the source text of every crate of
//! the workspace:
//! - no import cycle between the modules (files) of any crate;
//! - in the core, each layer imports only from the layers below it.
//!
//! A module's imports are the `crate::…`, `super::…` and `self::…` paths its file names (in
//! `use` items and in expressions alike), resolved to the longest module that exists. Tests
//! inside a file count too: a test that needs a higher layer belongs in `tests/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The crates whose `src/` is checked, relative to the workspace root.
const CRATES: &[&str] = &[
    "src",
    "cli/src",
    "ffi/src",
    "wasm/src",
    "issuer/src",
    "spec/generator/src",
    "benches/peers/src",
    "firmware/src",
    "npm/src",
    "python/src",
    "php/differential/src",
];

/// The core's layers, bottom first: a module may import its own layer and those below.
const LAYERS: &[(&str, usize)] = &[
    ("encoding", 0),
    ("model", 1),
    ("error", 2),
    ("text", 3),
    ("wire", 4),
    ("trust", 4),
    ("verify", 5),
    ("issue", 6),
    ("policy", 7),
    ("hazmat", 8),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, with its module path (`["verify", "key"]`; `[]` for the crate
/// root).
fn modules(dir: &Path) -> BTreeMap<Vec<String>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(dir).unwrap();
                let mut parts: Vec<String> = rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if parts
                    .last()
                    .is_some_and(|l| l == "mod" || l == "lib" || l == "main")
                {
                    parts.pop();
                }
                out.insert(parts, fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

/// The paths a file names through `crate::`, `super::` or `self::`, as module paths
/// (unresolved; the longest existing prefix is taken later). `use a::{b, c}` groups are
/// expanded one level, which is how the crates write their imports.
fn referenced(module: &[String], is_dir_module: bool, source: &str) -> Vec<Vec<String>> {
    // Drop comments so that paths in documentation do not count.
    let code: String = source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            // Only whole path starts (not `my_crate::`).
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let mut base: Vec<String> = match start {
                "crate::" => Vec::new(),
                "self::" if is_dir_module => module.to_vec(),
                "self::" => module[..module.len().saturating_sub(1)].to_vec(),
                _ => {
                    // `super` of a file module is its parent's parent directory.
                    let up = if is_dir_module { 1 } else { 2 };
                    module[..module.len().saturating_sub(up)].to_vec()
                }
            };
            let rest = &code[from..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let path = &rest[..end];
            base.extend(
                path.split("::")
                    .filter(|s| !s.is_empty() && *s != "self")
                    .map(str::to_owned),
            );
            if rest[end..].starts_with('{') {
                let group_end = rest[end..].find('}').map_or(rest.len(), |g| end + g);
                for item in rest[end + 1..group_end].split(',') {
                    let item = item.trim();
                    let first = item.split("::").next().unwrap_or("").trim();
                    if !first.is_empty() && first != "self" {
                        let mut p = base.clone();
                        p.push(first.to_owned());
                        out.push(p);
                    }
                }
            }
            out.push(base);
        }
    }
    out
}

/// The module graph of one crate: edges between files, self-edges removed.
fn graph(dir: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mods = modules(dir);
    let dir_modules: BTreeSet<Vec<String>> = mods
        .keys()
        .filter(|m| {
            let mut p = dir.to_path_buf();
            p.extend(m.iter());
            p.is_dir() || m.is_empty()
        })
        .cloned()
        .collect();
    let mut edges = BTreeMap::new();
    for (m, src) in &mods {
        let mut to = BTreeSet::new();
        for path in referenced(m, dir_modules.contains(m), src) {
            // The longest prefix that is a module of this crate.
            let target = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| mods.contains_key(p));
            if let Some(t) = target {
                // The crate root only re-exports; naming it is no dependency.
                if &t != m && !t.is_empty() {
                    to.insert(t);
                }
            }
        }
        edges.insert(m.clone(), to);
    }
    edges
}

/// One cycle of the graph, if there is any (depth-first search with colours).
fn find_cycle(g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<Vec<String>>> {
    fn visit(
        n: &Vec<String>,
        g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        state.insert(n.clone(), 1);
        stack.push(n.clone());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let i = stack.iter().position(|x| x == m).unwrap();
                    let mut cycle = stack[i..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, g, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn show(cycle: &[Vec<String>]) -> String {
    cycle
        .iter()
        .map(|m| format!("crate::{}", m.join("::")))
        .collect::<Vec<_>>()
        .join(" -> ")
}

#[test]
fn no_crate_of_the_workspace_has_an_import_cycle() {
    let mut checked = 0;
    for krate in CRATES {
        let dir = root().join(krate);
        if !dir.is_dir() {
            continue;
        }
        let g = graph(&dir);
        checked += 1;
        if let Some(cycle) = find_cycle(&g) {
            panic!(
                "{krate}: import cycle {} (see ARCHITECTURE.md: move the shared item down)",
                show(&cycle)
            );
        }
    }
    assert!(checked >= 5, "only {checked} crates found");
}

#[test]
fn core_layers_import_only_downward() {
    let g = graph(&root().join("src"));
    let rank = |m: &Vec<String>| {
        let top = m.first()?;
        LAYERS.iter().find(|(n, _)| n == top).map(|(_, r)| *r)
    };
    let mut unknown = Vec::new();
    for (from, tos) in &g {
        if from.is_empty() {
            continue;
        }
        let Some(rf) = rank(from) else {
            unknown.push(from.join("::"));
            continue;
        };
        for to in tos {
            let rt = rank(to).unwrap_or(usize::MAX);
            assert!(
                rt <= rf,
                "crate::{} (layer {rf}) imports crate::{} (layer {rt}): layers import only \
                 downward (ARCHITECTURE.md)",
                from.join("::"),
                to.join("::")
            );
        }
    }
    assert!(
        unknown.is_empty(),
        "modules outside every layer: {unknown:?}; give each a layer in ARCHITECTURE.md and here"
    );
}

/// The checker itself finds a cycle and an upward import when there is one.
#[test]
fn the_checker_sees_a_cycle() {
    let dir = std::env::temp_dir().join(format!("glpi-key-arch-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("a")).unwrap();
    fs::write(dir.join("lib.rs"), "mod a; mod b;").unwrap();
    fs::write(dir.join("a/mod.rs"), "pub mod x;").unwrap();
    fs::write(dir.join("a/x.rs"), "use crate::b::Thing;").unwrap();
    fs::write(
        dir.join("b.rs"),
        "use crate::a::{x, y};\nfn f() { super::a::x::g() }",
    )
    .unwrap();
    let g = graph(&dir);
    let cycle = find_cycle(&g).expect("a -> b -> a is a cycle");
    assert!(show(&cycle).contains("crate::b"), "{}", show(&cycle));
    fs::write(dir.join("a/x.rs"), "// use crate::b::Thing; (a comment)").unwrap();
    assert_eq!(find_cycle(&graph(&dir)), None);
    fs::remove_dir_all(&dir).unwrap();
}

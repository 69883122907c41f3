//! Imports run downward. Each top-level module of `app/src` and `server/src` sits on a floor and
//! may use only modules on lower floors (never a sibling on its own floor, never one above), so
//! the module graph has no cycle. A `crate::x` path anywhere in a file, in a `use` or inline,
//! counts as an import of `x`; so does each name of a `crate::{x, y}` group.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `app/src`, lowest floor first.
const APP_FLOORS: &[&[&str]] = &[
    &["domain", "clock", "secret", "mail"],
    &["error"],
    &["uploads"],
    &["store"],
    &["auth"],
    &["services"],
    &["ui"],
    &["lib"],
];

/// `server/src`, lowest floor first (`main.rs` is its own crate and uses the library by name).
const SERVER_FLOORS: &[&[&str]] = &[
    &["cli", "events", "jobs", "middleware", "multipart", "serve", "shutdown", "telemetry"],
    &["config"],
    &["auth"],
    &["graphql", "ocpp", "ocpi"],
    &["state"],
    &["rest", "health"],
    &["portal", "bench_routes"],
    &["application"],
    &["commands"],
    &["lib"],
];

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `store/read.rs` → `store`, `lib.rs` → `lib`.
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).expect("below the root");
    let first = relative.components().next().expect("a component").as_os_str().to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

fn identifier(text: &str) -> String {
    text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

/// The top-level modules a source text names through `crate::`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of `crate::{a, b::c, d::{e, f}}`.
            let (mut depth, mut start) = (0, true);
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => {
                        found.insert(identifier(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(identifier(rest));
        }
    }
    found.retain(|name| !name.is_empty());
    found
}

fn floor_of(floors: &[&[&str]], module: &str) -> Option<usize> {
    floors.iter().position(|floor| floor.contains(&module))
}

/// Every import that does not run downward, as `file: module → imported`.
fn upward_imports(root: &Path, floors: &[&[&str]], skip: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    source_files(root, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let module = module_of(root, &file);
        if skip.contains(&module.as_str()) {
            continue;
        }
        let Some(floor) = floor_of(floors, &module) else {
            wrong.push(format!("{}: module {module} is on no floor", file.display()));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("source file");
        for imported in imports(&text) {
            if imported == module {
                continue;
            }
            match floor_of(floors, &imported) {
                Some(target) if target < floor => {}
                _ => wrong.push(format!("{}: {module} → {imported}", file.display())),
            }
        }
    }
    wrong
}

fn crate_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name).join("src")
}

#[test]
fn app_imports_run_downward() {
    let wrong = upward_imports(&crate_dir("app"), APP_FLOORS, &[]);
    assert!(wrong.is_empty(), "imports that are not downward:\n{}", wrong.join("\n"));
}

#[test]
fn server_imports_run_downward() {
    let wrong = upward_imports(&crate_dir("server"), SERVER_FLOORS, &["main"]);
    assert!(wrong.is_empty(), "imports that are not downward:\n{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_every_form_of_import() {
    let text = "use crate::store::Store;\nlet x = crate::ui::api::f();\nuse crate::{auth, error::E, domain::{a, b}};";
    let names: Vec<String> = imports(text).into_iter().collect();
    assert_eq!(names, ["auth", "domain", "error", "store", "ui"]);
}

#[test]
fn an_upward_import_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("store")).expect("store dir");
    std::fs::write(dir.path().join("store/read.rs"), "use crate::{error, services::demo};").expect("file");
    std::fs::write(dir.path().join("services.rs"), "use crate::store::Store;").expect("file");
    let wrong = upward_imports(dir.path(), APP_FLOORS, &[]);
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(wrong[0].ends_with("store → services"), "{wrong:?}");
}

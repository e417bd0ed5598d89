//! Generated documentation must match the code. Run with UPDATE_DOCS=1 to
//! rewrite the generated blocks after changing the catalogue.

const BEGIN: &str = "<!-- BEGIN generated: attrmap functions --format markdown -->\n";
const END: &str = "<!-- END generated -->";

fn check_block(path: &str) {
    check_generated(path, BEGIN, &attrmap::catalogue::markdown_table());
}

const EXAMPLES_BEGIN: &str = "<!-- BEGIN generated: function examples -->\n";

fn check_generated(path: &str, begin: &str, expected: &str) {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    let start = text
        .find(begin)
        .unwrap_or_else(|| panic!("{path} has no generated function table marker"))
        + begin.len();
    let end = start
        + text[start..]
            .find(END)
            .unwrap_or_else(|| panic!("{path}: unterminated generated block"));
    if text[start..end] != *expected {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{}{}", &text[..start], expected, &text[end..]);
            std::fs::write(&full, updated).unwrap();
        } else {
            panic!(
                "{path}: the function table is stale; run `UPDATE_DOCS=1 cargo test --test expressions docs`"
            );
        }
    }
}

#[test]
fn function_reference_is_current() {
    check_block("docs/functions.md");
}

#[test]
fn function_examples_are_current() {
    check_generated(
        "docs/functions.md",
        EXAMPLES_BEGIN,
        &attrmap::catalogue::markdown_examples(),
    );
}

#[test]
fn readme_function_table_is_current() {
    check_block("README.md");
}

/// The README states how many published expressions the corpus holds; the
/// corpus grows as pages are read, and a stale count would undersell or
/// oversell what is checked.
#[test]
fn readme_counts_the_published_expressions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/data/ms-expressions.json")).unwrap(),
    )
    .unwrap();
    let count = corpus["expressions"].as_array().unwrap().len();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // The sentence may be folded across lines; read the words before the path.
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let claim = format!("{count} in `tests/data/ms-expressions.json`");
    assert!(
        flat.contains(&claim),
        "README.md should say \"{claim}\" (the corpus holds {count} expressions)"
    );
}

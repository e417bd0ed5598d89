//! WebAssembly bindings (feature `wasm`), for the browser playground and for
//! JavaScript embedders. Built with `playground/build.sh`.
//!
//! Thin glue: each export converts its JavaScript arguments, calls the JSON
//! API ([`crate::api::json`], which holds the conventions: exact large
//! integers, UTF-16 spans) and hands the result back as a plain object.
//! [`Program`] and [`Users`] are handles kept in wasm memory, so a keystroke
//! re-evaluates without compiling or reading the users again.

mod js;

use crate::api::json::{self, Options};
use crate::codes::Code;
use js::{from_js, js_error, mapping_text, to_js, user_from, users_from};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Runs once when the module is instantiated: a panic (a bug, never bad
/// input) is printed to the console instead of an opaque `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!(
            "attrmap panicked (please report this bug): {info}"
        ));
    }));
}

/// The crate version, for bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Reads the `options` argument (see [`Options`]).
fn options(v: &JsValue) -> Result<Options, JsError> {
    Options::from_json(from_js(v, "options")?).map_err(|m| js_error(Code::WasmInvalidOption, m))
}

// ---------------------------------------------------------------------------
// Users

/// Source users read once (see [`json::Users`]). Shared with the
/// [`Batch`]es evaluated over them, which build rows from them on request.
#[wasm_bindgen]
pub struct Users(Rc<json::Users>);

#[wasm_bindgen]
impl Users {
    /// Reads users from text in any form the source readers know (JSON
    /// Lines, a JSON array or object, Graph pages, PowerShell or az output,
    /// CSV). Bad records are listed in `errors` and skipped; the rest load.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str) -> Users {
        Users(Rc::new(json::parse_users(text)))
    }
    /// Number of users that loaded.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.records.len()
    }
    /// `[{ index, code, message }]` for records that could not be read.
    #[wasm_bindgen(getter)]
    pub fn errors(&self) -> JsValue {
        to_js(self.0.errors.clone().into())
    }
    /// The form the readers detected, for people ("" for empty text).
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.0.format.clone()
    }
    /// One display label per user (userPrincipalName, displayName, mail,
    /// objectId, in any key case).
    pub fn labels(&self) -> JsValue {
        to_js(self.0.labels.clone().into())
    }
    /// Every attribute name any user has, sorted, for autocomplete.
    pub fn attributes(&self) -> JsValue {
        to_js(self.0.names.clone().into())
    }
    /// User `index` as a plain object (large integers as strings).
    pub fn get(&self, index: usize) -> JsValue {
        self.0
            .records
            .get(index)
            .map_or(JsValue::UNDEFINED, |u| to_js(u.clone()))
    }
    /// User `index` as JSON text, exact.
    #[wasm_bindgen(js_name = getJson)]
    pub fn get_json(&self, index: usize) -> Option<String> {
        self.0.records.get(index).map(|u| u.to_string())
    }
}

// ---------------------------------------------------------------------------
// Programs

/// A compiled expression. Compile once, evaluate against many users.
#[wasm_bindgen]
pub struct Program(json::Program);

#[wasm_bindgen]
impl Program {
    /// The expression text this program was compiled from.
    #[wasm_bindgen(getter)]
    pub fn source(&self) -> String {
        self.0.expr.source().to_string()
    }
    /// The source attributes the expression reads, in first-use order.
    #[wasm_bindgen(getter)]
    pub fn attributes(&self) -> Vec<String> {
        self.0
            .expr
            .program()
            .attributes()
            .map(String::from)
            .collect()
    }
    /// Warnings the checker found (the program still runs).
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> JsValue {
        to_js(self.0.warnings())
    }
    /// Evaluates against one user (JSON text or a plain object).
    pub fn evaluate(&self, user: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
        let user = user_from(user)?;
        Ok(to_js(self.0.evaluate(&user, &self::options(options)?)))
    }
    /// Evaluates against many users: text in any form [`Users`] reads, or an
    /// array of plain objects. Returns `{ results, inputErrors, summary,
    /// distribution, findings }`.
    #[wasm_bindgen(js_name = evaluateMany)]
    pub fn evaluate_many(&self, users: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
        let users = users_from(users)?;
        Ok(to_js(self.0.run_users(&users, &self::options(options)?)))
    }
    /// Evaluates against users read earlier, the fast path for live editing.
    #[wasm_bindgen(js_name = evaluateUsers)]
    pub fn evaluate_users(&self, users: &Users, options: &JsValue) -> Result<JsValue, JsError> {
        Ok(to_js(self.0.run_users(&users.0, &self::options(options)?)))
    }
    /// [`Program::evaluate_users`] as JSON text (large integers as decimal
    /// strings, as in every result): for a Web Worker, which posts the text
    /// to the page, where one `JSON.parse` makes the objects, instead of
    /// making them twice (here, then again by the structured clone).
    #[wasm_bindgen(js_name = evaluateUsersText)]
    pub fn evaluate_users_text(&self, users: &Users, options: &JsValue) -> Result<String, JsError> {
        Ok(json::js_safe(self.0.run_users(&users.0, &self::options(options)?)).to_string())
    }
    /// Evaluates against users read earlier and keeps the results in wasm
    /// memory: a [`Batch`], which hands out the summary, the findings, and
    /// only the rows and values the page shows. The fast path for live
    /// editing of large batches.
    #[wasm_bindgen(js_name = evaluateBatch)]
    pub fn evaluate_batch(&self, users: &Users, options: &JsValue) -> Result<Batch, JsError> {
        Ok(Batch {
            batch: self.0.batch(&users.0, &self::options(options)?),
            users: Rc::clone(&users.0),
        })
    }
    /// Evaluates against one user and records each call's inputs and output.
    /// Returns `{ result, trace: { nodes, truncated, text } }`.
    pub fn trace(&self, user: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
        let user = user_from(user)?;
        Ok(to_js(self.0.trace(&user, &self::options(options)?)))
    }
    /// The bytecode listing.
    pub fn disasm(&self) -> String {
        self.0.expr.disassemble()
    }
}

// ---------------------------------------------------------------------------
// Batches

/// Every user's result of one evaluation, kept in wasm memory (see
/// [`json::Batch`]): the page asks for what it shows.
#[wasm_bindgen]
pub struct Batch {
    batch: json::Batch,
    /// The users evaluated, for the rows' `inputs` and the search by label.
    users: Rc<json::Users>,
}

#[wasm_bindgen]
impl Batch {
    /// Number of users evaluated.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.batch.len()
    }
    /// `{ users, values, errors, notFlowed, objectSkipped, defaultBranch,
    /// defaultSpan, sharedValues, usersSharing, uniqueClaimed }`.
    #[wasm_bindgen(getter)]
    pub fn summary(&self) -> JsValue {
        to_js(self.batch.summary().clone())
    }
    /// Diagnostics about the batch: attributes no user has, values a unique
    /// target would get twice.
    #[wasm_bindgen(getter)]
    pub fn findings(&self) -> JsValue {
        to_js(self.batch.findings().to_vec().into())
    }
    /// The results of users `indices` (a `Uint32Array` or array of
    /// numbers), each as `evaluateUsers` lists it plus its `index`.
    pub fn rows(&self, indices: &[u32]) -> JsValue {
        to_js(self.batch.rows(indices, &self.users))
    }
    /// The indices (`Uint32Array`) of the users that pass `filter` (`error`,
    /// `notFlowed`, `objectSkipped`, `default`, `shared`; anything else: all)
    /// and whose label, value or error contains `search` (without regard to
    /// case).
    pub fn select(&self, filter: &str, search: &str) -> Vec<u32> {
        self.batch.select(&self.users, filter, search)
    }
    /// The values containing `search`, most common first: `{ total, values:
    /// [{ text, count, users }] }`, at most `maxValues` values and
    /// `maxUsers` user indices under each.
    pub fn distribution(&self, search: &str, max_values: usize, max_users: usize) -> JsValue {
        to_js(self.batch.distribution(search, max_values, max_users))
    }
}

/// Compiles an expression. Returns `{ ok, diagnostics, program? }`; `program`
/// (a [`Program`]) is present when there was no error.
#[wasm_bindgen]
pub fn compile(expr: &str) -> JsValue {
    let (json, program) = json::compile_json(expr);
    let out = to_js(json);
    if let Some(p) = program {
        let _ = js_sys::Reflect::set(
            &out,
            &JsValue::from_str("program"),
            &JsValue::from(Program(p)),
        );
    }
    out
}

/// Compiles `expr` and runs `then` on the program; on a compile error the
/// result is `{ status: "compileError", ok: false, diagnostics }`.
fn compiled(
    expr: &str,
    then: impl FnOnce(Program) -> Result<JsValue, JsError>,
) -> Result<JsValue, JsError> {
    match json::compile_json(expr) {
        (_, Some(p)) => then(Program(p)),
        (failure, None) => Ok(to_js(json::compile_failure(failure))),
    }
}

/// Compiles and evaluates against one user.
#[wasm_bindgen]
pub fn evaluate(expr: &str, user: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
    compiled(expr, |p| p.evaluate(user, options))
}

/// Compiles and evaluates against many users (see [`Program::evaluate_many`]).
#[wasm_bindgen(js_name = evaluateMany)]
pub fn evaluate_many(expr: &str, users: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
    compiled(expr, |p| p.evaluate_many(users, options))
}

/// Compiles, evaluates against one user with tracing: `{ result, trace }`.
#[wasm_bindgen]
pub fn trace(expr: &str, user: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
    compiled(expr, |p| p.trace(user, options))
}

/// The bytecode listing: `{ ok: true, text }` or `{ ok: false, diagnostics }`.
#[wasm_bindgen]
pub fn disasm(expr: &str) -> JsValue {
    match json::compile_json(expr) {
        (_, Some(p)) => to_js(serde_json::json!({ "ok": true, "text": p.expr.disassemble() })),
        (failure, None) => to_js(failure),
    }
}

/// The function catalogue, for autocomplete and the reference panel: one
/// object per function with `name`, `signature`, `summary`, `params`,
/// `result`, `purity`, `evaluation`, `provenance` and `examples`
/// (`[{ expression, user, result }]`, run with [`example_options`]).
#[wasm_bindgen]
pub fn functions() -> JsValue {
    to_js(json::functions_json())
}

/// The options the catalogue's examples run with: `{ now, seed, defaultDomain }`.
#[wasm_bindgen(js_name = exampleOptions)]
pub fn example_options() -> JsValue {
    to_js(json::example_options_json())
}

/// Every diagnostic code: `[{ code, severity, summary }]`, in registry order.
#[wasm_bindgen]
pub fn codes() -> JsValue {
    to_js(json::codes_json())
}

/// A code's explanation (`{ code, severity, summary, explanation, bad, good,
/// text }`, `text` as `attrmap lint --explain` prints it), or `null` for a
/// code that is not in the registry.
#[wasm_bindgen]
pub fn explain(code: &str) -> JsValue {
    json::explain_json(code).map_or(JsValue::NULL, to_js)
}

/// The keywords (IgnoreAttributeFlow, …): `[{ name, summary }]`.
#[wasm_bindgen]
pub fn keywords() -> JsValue {
    to_js(json::keywords_json())
}

/// Lints a mapping file (Graph synchronization schema JSON or the native
/// format): `{ ok, diagnostics }`, spans into the file's text. `ok` is false
/// when there is an error.
#[wasm_bindgen]
pub fn lint(mapping: &JsValue) -> Result<JsValue, JsError> {
    Ok(to_js(json::lint_json(&mapping_text(mapping)?)))
}

/// Maps users to SCIM resources with a mapping file. Options as for
/// `evaluate`, plus `object` ("user" | "group") and `mode` ("create" |
/// "update"). Returns `{ ok, diagnostics, matching, results, inputErrors }`;
/// each result is `{ status: "resource", resource, matchFilter }`,
/// `{ status: "skipped", reason: "scope" | "ignored" }` or
/// `{ status: "error", errors: [{ code, message, attribute, span }] }`.
/// When the file cannot be used, `ok` is false and only `diagnostics` is set.
#[wasm_bindgen]
pub fn map(mapping: &JsValue, users: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
    let text = mapping_text(mapping)?;
    let users = users_from(users)?;
    Ok(to_js(json::map_json(
        &text,
        &users,
        &self::options(options)?,
    )))
}

/// The HTTP requests Entra's SCIM client would send for these users
/// (`attrmap map --emit requests`): the query, then `POST` for an object the
/// target lacks, or a `PATCH` of what changed for one `options.targetState`
/// (JSONL of the target's resources) holds. Options as for `map` (`mode`
/// does not apply: the target state decides), plus `dialect` ("default" |
/// "aadOptscim062020"). Returns `{ ok, diagnostics, lines, counts,
/// inputErrors }`: `lines` are the command's output lines, one per request
/// (`{ index, method, path, body?, kept?, pending?, warnings? }`), or a
/// record's skipped or error line.
#[wasm_bindgen]
pub fn requests(mapping: &JsValue, users: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
    let text = mapping_text(mapping)?;
    let users = users_from(users)?;
    Ok(to_js(json::requests_json(
        &text,
        &users,
        &self::options(options)?,
    )))
}

/// [`requests`] for users read earlier ([`Users`]): the playground's fast path.
#[wasm_bindgen(js_name = requestsUsers)]
pub fn requests_users(
    mapping: &JsValue,
    users: &Users,
    options: &JsValue,
) -> Result<JsValue, JsError> {
    let text = mapping_text(mapping)?;
    Ok(to_js(json::requests_json(
        &text,
        &users.0,
        &self::options(options)?,
    )))
}

/// [`map`] for users read earlier ([`Users`]): every user mapped in order,
/// so SelectUniqueValue is unique across them as in `attrmap map`.
#[wasm_bindgen(js_name = mapUsers)]
pub fn map_users(mapping: &JsValue, users: &Users, options: &JsValue) -> Result<JsValue, JsError> {
    let text = mapping_text(mapping)?;
    Ok(to_js(json::map_json(
        &text,
        &users.0,
        &self::options(options)?,
    )))
}

/// The expression as the portal's one-line Expression box takes it (line
/// breaks outside strings become spaces; strings are kept exactly): the
/// playground's "Copy for Entra".
#[wasm_bindgen(js_name = forPortal)]
pub fn for_portal(expr: &str) -> String {
    crate::batch::one_line(expr)
}

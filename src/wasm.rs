//! WebAssembly bindings (feature `wasm`), for the browser playground and for
//! JavaScript embedders. Built with `playground/build.sh`.
//!
//! Conventions, so JavaScript never loses information:
//! - Every result is a plain JSON-compatible object (made by `JSON.parse` of
//!   text this module writes), never a class with hidden state, except the
//!   [`Program`] and [`Users`] handles.
//! - Integers beyond ±(2^53 − 1) — NumFromDate's FILETIMEs are about 1.3e17 —
//!   would be rounded by a JavaScript number, so they travel as decimal
//!   strings; the result's `type` still says `number`, and `text` is always
//!   Entra's exact string view.
//! - Source users are passed as JSON text (a JSON object, a JSON array of
//!   objects, or JSONL), parsed here, so their large integers stay exact too.
//! - Spans are UTF-16 code-unit offsets (what JavaScript string indices and
//!   `textarea.setSelectionRange` use); `byteSpan` keeps the UTF-8 offsets.

use crate::catalogue::{CATALOGUE, KEYWORDS};
use crate::codes::Code;
use crate::eval::trace::Trace;
use crate::eval::{Context, Outcome, RuntimeError, TakenSet};
use crate::syntax::Span;
use crate::value::Value;
use crate::{Diagnostic, Expression};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value as Json};
use wasm_bindgen::prelude::*;

/// Largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Largest users text accepted at once (the playground is for samples, not
/// whole directories; the CLI handles those).
const MAX_USERS_BYTES: usize = 64 << 20;

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

// ---------------------------------------------------------------------------
// JSON plumbing

/// Replaces integers JavaScript cannot hold exactly with their decimal text.
fn js_safe(v: Json) -> Json {
    match v {
        Json::Number(n) => match n.as_i64() {
            Some(i) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&i) => Json::Number(n),
            Some(_) => Json::String(n.to_string()),
            None if n.is_u64() => Json::String(n.to_string()),
            None => Json::Number(n),
        },
        Json::Array(a) => Json::Array(a.into_iter().map(js_safe).collect()),
        Json::Object(o) => Json::Object(o.into_iter().map(|(k, v)| (k, js_safe(v))).collect()),
        other => other,
    }
}

/// Hands a JSON value to JavaScript as a plain object.
fn to_js(v: Json) -> JsValue {
    // Our own serializer wrote the text, so JSON.parse cannot fail on it.
    js_sys::JSON::parse(&js_safe(v).to_string()).unwrap_or(JsValue::NULL)
}

fn js_error(code: Code, message: impl std::fmt::Display) -> JsError {
    JsError::new(&format!("{code}: {message}"))
}

/// Reads a JavaScript argument that may be JSON text or a plain value.
/// `Date` objects become ISO strings on the way (JSON.stringify does that).
fn from_js(v: &JsValue, what: &str) -> Result<Json, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Json::Null);
    }
    let text = match v.as_string() {
        Some(s) => s,
        None => js_sys::JSON::stringify(v)
            .map_err(|_| {
                js_error(
                    Code::WasmInvalidArgument,
                    format!("{what} cannot be converted to JSON"),
                )
            })?
            .as_string()
            .unwrap_or_default(),
    };
    serde_json::from_str(&text).map_err(|e| {
        js_error(
            Code::InputInvalidJson,
            format!("{what} is not valid JSON: {e}"),
        )
    })
}

/// Converts byte offsets into the source to UTF-16 offsets.
struct Offsets<'s> {
    source: &'s str,
}

impl Offsets<'_> {
    fn utf16(&self, byte: usize) -> usize {
        let mut b = byte.min(self.source.len());
        while !self.source.is_char_boundary(b) {
            b -= 1;
        }
        self.source[..b].encode_utf16().count()
    }
    /// 1-based line and column (in characters) of a byte offset.
    fn line_col(&self, byte: usize) -> (usize, usize) {
        let mut b = byte.min(self.source.len());
        while !self.source.is_char_boundary(b) {
            b -= 1;
        }
        let before = &self.source[..b];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
    fn span(&self, s: Span) -> Json {
        let (line, column) = self.line_col(s.start);
        json!({
            "start": self.utf16(s.start),
            "end": self.utf16(s.end),
            "byteStart": s.start,
            "byteEnd": s.end,
            "line": line,
            "column": column,
        })
    }
}

fn diagnostic_json(d: &Diagnostic, offsets: &Offsets<'_>) -> Json {
    json!({
        "code": d.code,
        "severity": d.severity.as_str(),
        "message": d.message,
        "label": d.label,
        "help": d.help,
        "span": offsets.span(d.span),
    })
}

fn runtime_error_json(e: &RuntimeError, offsets: &Offsets<'_>) -> Json {
    json!({
        "code": e.code,
        "message": e.message,
        "help": e.help,
        "span": offsets.span(e.span),
    })
}

fn value_type(v: &Value<'_>) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Str(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Int(_) => "number",
        Value::DateTime(_) => "dateTime",
        Value::List(_) => "multiValued",
        Value::Complex(_) => "complex",
    }
}

// ---------------------------------------------------------------------------
// Options

/// `{ now?: string | Date, existing?: string[], seed?: number, engine?: "vm" | "ast" }`.
struct Options {
    now: Option<DateTime<Utc>>,
    existing: TakenSet,
    seed: Option<u64>,
    ast: bool,
    /// For `map`: which object mapping, and create or update.
    object: crate::mapping::ObjectType,
    mode: crate::mapping::builder::Mode,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            now: None,
            existing: TakenSet::default(),
            seed: None,
            ast: false,
            object: crate::mapping::ObjectType::User,
            mode: crate::mapping::builder::Mode::Create,
        }
    }
}

impl Options {
    fn read(v: &JsValue) -> Result<Options, JsError> {
        Options::from_json(from_js(v, "options")?).map_err(|m| js_error(Code::WasmInvalidOption, m))
    }

    fn from_json(json: Json) -> Result<Options, String> {
        let mut o = Options::default();
        let map = match json {
            Json::Null => return Ok(o),
            Json::Object(m) => m,
            _ => return Err("options must be an object".into()),
        };
        for (key, value) in map {
            match (key.as_str(), value) {
                (_, Json::Null) => {}
                ("now", Json::String(s)) => {
                    let t = DateTime::parse_from_rfc3339(&s).map_err(|e| {
                        format!(
                            "options.now {s:?} is not an RFC 3339 time ({e}); write it like 2024-05-01T09:30:00Z"
                        )
                    })?;
                    o.now = Some(t.with_timezone(&Utc));
                }
                ("existing", Json::Array(items)) => {
                    for item in items {
                        match item {
                            Json::String(s) => {
                                o.existing.insert(&s);
                            }
                            other => {
                                return Err(format!(
                                    "options.existing must hold strings, found {other}"
                                ))
                            }
                        }
                    }
                }
                ("existing", Json::String(lines)) => {
                    // The playground's textarea: one taken value per line.
                    o.existing.extend(
                        lines
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .map(String::from),
                    );
                }
                ("seed", Json::Number(n)) => {
                    o.seed = Some(n.as_u64().ok_or_else(|| {
                        format!("options.seed must be a whole number ≥ 0, got {n}")
                    })?);
                }
                ("seed", Json::String(s)) => {
                    o.seed = Some(s.trim().parse().map_err(|_| {
                        format!("options.seed must be a whole number ≥ 0, got {s:?}")
                    })?);
                }
                ("engine", Json::String(s)) if s == "vm" || s == "ast" => o.ast = s == "ast",
                ("object", Json::String(s)) if s.eq_ignore_ascii_case("user") => {
                    o.object = crate::mapping::ObjectType::User
                }
                ("object", Json::String(s)) if s.eq_ignore_ascii_case("group") => {
                    o.object = crate::mapping::ObjectType::Group
                }
                ("mode", Json::String(s)) if s == "create" || s == "update" => {
                    o.mode = if s == "create" {
                        crate::mapping::builder::Mode::Create
                    } else {
                        crate::mapping::builder::Mode::Update
                    }
                }
                (k @ ("now" | "existing" | "seed" | "engine" | "object" | "mode"), v) => {
                    return Err(format!("options.{k} has an unsupported value {v}"))
                }
                (k, _) => {
                    return Err(format!(
                        "unknown option {k:?}; the options are now, existing, seed, engine, and for map object and mode"
                    ))
                }
            }
        }
        Ok(o)
    }

    /// A context for one batch. Now() is fixed for the whole batch, so every
    /// user sees the same instant, as in one provisioning cycle.
    fn context(&self) -> Context<'_> {
        let mut ctx = Context::new()
            .with_oracle(&self.existing)
            .with_now(self.now.unwrap_or_else(Utc::now));
        if let Some(seed) = self.seed {
            ctx = ctx.with_seed(seed);
        }
        ctx
    }
}

// ---------------------------------------------------------------------------
// Users

/// Parsed source users, kept in wasm memory so a keystroke re-evaluates
/// without parsing the users again.
#[wasm_bindgen]
pub struct Users {
    records: Vec<Json>,
    /// `{ index, line, message }` for each record that could not be read.
    errors: Vec<Json>,
}

fn parse_users(text: &str) -> Users {
    let mut users = Users {
        records: Vec::new(),
        errors: Vec::new(),
    };
    if text.len() > MAX_USERS_BYTES {
        users.errors.push(json!({
            "index": null, "line": 1,
            "message": format!("the users text is {} MiB; the playground reads at most {} MiB (use the CLI for larger sets)", text.len() >> 20, MAX_USERS_BYTES >> 20),
        }));
        return users;
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        match serde_json::from_str::<Json>(text) {
            Ok(Json::Array(items)) => {
                for (i, item) in items.into_iter().enumerate() {
                    users.push(item, i, None);
                }
            }
            Ok(_) => unreachable_shape(&mut users),
            Err(e) => users.errors.push(json!({
                "index": null, "line": e.line(),
                "message": format!("the JSON array is not valid JSON at line {}, column {}: {e}", e.line(), e.column()),
            })),
        }
        return users;
    }
    // One JSON object (possibly pretty-printed over many lines)...
    if trimmed.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Json>(text) {
            users.push(v, 0, Some(1));
            return users;
        }
    }
    // ...or JSONL: one object per line; a bad line is reported and skipped.
    let mut index = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        match serde_json::from_str::<Json>(line) {
            Ok(v) => users.push(v, index, Some(n + 1)),
            Err(e) => users.errors.push(json!({
                "index": index, "line": n + 1,
                "message": format!("line {}: not valid JSON (column {}): {e}", n + 1, e.column()),
            })),
        }
        index += 1;
    }
    users
}

fn unreachable_shape(users: &mut Users) {
    users.errors.push(
        json!({"index": null, "line": 1, "message": "expected a JSON array of user objects"}),
    );
}

impl Users {
    fn push(&mut self, v: Json, index: usize, line: Option<usize>) {
        if v.is_object() {
            self.records.push(v);
        } else {
            self.errors.push(json!({
                "index": index, "line": line,
                "message": format!("record {} is {}, not a JSON object of attribute names to values", index + 1, crate::mapping::stream::json_type(&v)),
            }));
        }
    }
}

/// The attribute an admin recognises a user by (directory users, then
/// HR workers such as Workday's WorkerID).
fn user_label(u: &Json, i: usize) -> String {
    [
        "userPrincipalName",
        "mail",
        "displayName",
        "objectId",
        "id",
        "WorkerID",
        "employeeId",
    ]
    .iter()
    .find_map(|k| u.get(k).and_then(Json::as_str).filter(|s| !s.is_empty()))
    .map_or_else(|| format!("user {}", i + 1), String::from)
}

#[wasm_bindgen]
impl Users {
    /// Parses users from JSON text: one object, an array of objects, or JSONL.
    /// Bad records are listed in `errors` and skipped; the rest load.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str) -> Users {
        parse_users(text)
    }
    /// Number of users that loaded.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.records.len()
    }
    /// `[{ index, line, message }]` for records that could not be read.
    #[wasm_bindgen(getter)]
    pub fn errors(&self) -> JsValue {
        to_js(Json::Array(self.errors.clone()))
    }
    /// One display label per user (userPrincipalName, mail, displayName, objectId).
    pub fn labels(&self) -> JsValue {
        to_js(Json::Array(
            self.records
                .iter()
                .enumerate()
                .map(|(i, u)| Json::String(user_label(u, i)))
                .collect(),
        ))
    }
    /// Every attribute name any user has, sorted, for autocomplete.
    pub fn attributes(&self) -> JsValue {
        let mut names: Vec<&str> = self
            .records
            .iter()
            .filter_map(Json::as_object)
            .flat_map(|o| o.keys().map(String::as_str))
            .collect();
        names.sort_unstable_by_key(|n| n.to_lowercase());
        names.dedup();
        to_js(json!(names))
    }
    /// User `index` as a plain object (large integers as strings).
    pub fn get(&self, index: usize) -> JsValue {
        self.records
            .get(index)
            .map_or(JsValue::UNDEFINED, |u| to_js(u.clone()))
    }
    /// User `index` as JSON text, exact.
    #[wasm_bindgen(js_name = getJson)]
    pub fn get_json(&self, index: usize) -> Option<String> {
        self.records.get(index).map(Json::to_string)
    }
}

fn users_from(v: &JsValue) -> Result<Users, JsError> {
    match v.as_string() {
        Some(text) => Ok(parse_users(&text)),
        None => match from_js(v, "users")? {
            Json::Array(items) => {
                let mut users = parse_users("[]");
                for (i, item) in items.into_iter().enumerate() {
                    users.push(item, i, None);
                }
                Ok(users)
            }
            obj @ Json::Object(_) => {
                let mut users = parse_users("[]");
                users.push(obj, 0, None);
                Ok(users)
            }
            other => Err(js_error(
                Code::WasmInvalidArgument,
                format!(
                    "users must be JSON text, an array of objects or one object, not {}",
                    crate::mapping::stream::json_type(&other)
                ),
            )),
        },
    }
}

fn user_from(v: &JsValue) -> Result<Json, JsError> {
    match from_js(v, "user")? {
        Json::Null => Ok(Json::Object(Map::new())),
        obj @ Json::Object(_) => Ok(obj),
        other => Err(js_error(
            Code::InputInvalidJson,
            format!(
                "the user must be a JSON object of attribute names to values, not {}",
                crate::mapping::stream::json_type(&other)
            ),
        )),
    }
}

// ---------------------------------------------------------------------------
// Programs

/// A compiled expression. Compile once, evaluate against many users.
#[wasm_bindgen]
pub struct Program {
    expr: Expression,
}

fn outcome_json(
    expr: &Expression,
    result: Result<Outcome<'_>, RuntimeError>,
    ctx: &Context<'_>,
) -> Json {
    let offsets = Offsets {
        source: expr.source(),
    };
    let mut out = match result {
        Ok(Outcome::Value(v)) => json!({
            "status": "value",
            "type": value_type(&v),
            "value": v.to_json(),
            "text": v.to_text(),
        }),
        Ok(Outcome::Ignore) => json!({
            "status": "notFlowed",
            "message": "not flowed: the attribute is dropped from the flow",
        }),
        Ok(Outcome::IgnoreObject) => json!({
            "status": "objectSkipped",
            "message": "object skipped: IgnoreObjectFlow was evaluated",
        }),
        Err(e) => json!({
            "status": "error",
            "error": runtime_error_json(&e, &offsets),
        }),
    };
    out["redacted"] = Json::Bool(ctx.redacted);
    out["warnings"] = Json::Array(
        ctx.warnings
            .iter()
            .map(|w| runtime_error_json(w, &offsets))
            .collect(),
    );
    out
}

impl Program {
    fn run_one(&self, user: &Json, ctx: &mut Context<'_>, ast: bool) -> Json {
        ctx.reset();
        let result = if ast {
            self.expr.evaluate_ast(user, ctx)
        } else {
            self.expr.evaluate(user, ctx)
        };
        let mut out = outcome_json(&self.expr, result, ctx);
        out["inputs"] = self.inputs(user);
        out
    }

    /// The attributes the expression reads, as this user has them (absent
    /// ones are left out), so a result can be read next to its cause.
    fn inputs(&self, user: &Json) -> Json {
        use crate::eval::Record;
        Json::Object(
            self.expr
                .program()
                .attributes()
                .filter_map(|name| Some((name.to_string(), user.attribute(name)?.to_json())))
                .collect(),
        )
    }

    fn run_users(&self, users: &Users, options: &Options) -> Json {
        let mut ctx = options.context();
        let results: Vec<Json> = users
            .records
            .iter()
            .map(|u| self.run_one(u, &mut ctx, options.ast))
            .collect();
        json!({
            "results": results,
            "inputErrors": users.errors,
        })
    }

    fn trace_json(&self, trace: &Trace) -> Json {
        let offsets = Offsets {
            source: self.expr.source(),
        };
        let nodes: Vec<Json> = trace
            .nodes
            .iter()
            .filter(|n| n.shown)
            .map(|n| {
                json!({
                    "depth": n.depth,
                    "label": n.label,
                    "span": offsets.span(n.span),
                    "inputs": n.inputs,
                    "output": n.output,
                })
            })
            .collect();
        json!({ "nodes": nodes, "truncated": trace.truncated, "text": trace.render() })
    }
}

#[wasm_bindgen]
impl Program {
    /// The expression text this program was compiled from.
    #[wasm_bindgen(getter)]
    pub fn source(&self) -> String {
        self.expr.source().to_string()
    }
    /// The source attributes the expression reads, in first-use order.
    #[wasm_bindgen(getter)]
    pub fn attributes(&self) -> Vec<String> {
        self.expr.program().attributes().map(String::from).collect()
    }
    /// Warnings the checker found (the program still runs).
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> JsValue {
        let offsets = Offsets {
            source: self.expr.source(),
        };
        to_js(Json::Array(
            self.expr
                .warnings()
                .iter()
                .map(|d| diagnostic_json(d, &offsets))
                .collect(),
        ))
    }
    /// Evaluates against one user (JSON text or a plain object).
    pub fn evaluate(&self, user: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
        let user = user_from(user)?;
        let options = Options::read(options)?;
        let mut ctx = options.context();
        Ok(to_js(self.run_one(&user, &mut ctx, options.ast)))
    }
    /// Evaluates against many users: JSON text (array, object or JSONL) or an
    /// array of plain objects. Returns `{ results, inputErrors }`.
    #[wasm_bindgen(js_name = evaluateMany)]
    pub fn evaluate_many(&self, users: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
        let users = users_from(users)?;
        let options = Options::read(options)?;
        Ok(to_js(self.run_users(&users, &options)))
    }
    /// Evaluates against users parsed earlier, the fast path for live editing.
    #[wasm_bindgen(js_name = evaluateUsers)]
    pub fn evaluate_users(&self, users: &Users, options: &JsValue) -> Result<JsValue, JsError> {
        let options = Options::read(options)?;
        Ok(to_js(self.run_users(users, &options)))
    }
    /// Evaluates against one user and records each call's inputs and output.
    /// Returns `{ result, trace: { nodes, text } }`.
    pub fn trace(&self, user: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
        let user = user_from(user)?;
        let options = Options::read(options)?;
        let mut ctx = options.context();
        let (result, trace) = self.expr.trace(&user, &mut ctx);
        let result = outcome_json(&self.expr, result, &ctx);
        Ok(to_js(
            json!({ "result": result, "trace": self.trace_json(&trace) }),
        ))
    }
    /// The bytecode listing.
    pub fn disasm(&self) -> String {
        self.expr.disassemble()
    }
}

fn compile_json(source: &str) -> (Json, Option<Program>) {
    let offsets = Offsets { source };
    match crate::compile(source) {
        Ok(expr) => {
            let diagnostics: Vec<Json> = expr
                .warnings()
                .iter()
                .map(|d| diagnostic_json(d, &offsets))
                .collect();
            (
                json!({ "ok": true, "diagnostics": diagnostics }),
                Some(Program { expr }),
            )
        }
        Err(e) => {
            let diagnostics: Vec<Json> = e
                .diagnostics
                .iter()
                .map(|d| diagnostic_json(d, &offsets))
                .collect();
            (json!({ "ok": false, "diagnostics": diagnostics }), None)
        }
    }
}

/// Compiles an expression. Returns `{ ok, diagnostics, program? }`; `program`
/// (a [`Program`]) is present when there was no error.
#[wasm_bindgen]
pub fn compile(expr: &str) -> JsValue {
    let (json, program) = compile_json(expr);
    let out = to_js(json);
    if let Some(p) = program {
        let _ = js_sys::Reflect::set(&out, &JsValue::from_str("program"), &JsValue::from(p));
    }
    out
}

/// The result of a compile failure where an evaluation result was expected.
fn compile_failure(json: Json) -> JsValue {
    let mut json = json;
    json["status"] = Json::String("compileError".into());
    to_js(json)
}

/// Compiles and evaluates against one user. On a compile error the result is
/// `{ status: "compileError", diagnostics }`.
#[wasm_bindgen]
pub fn evaluate(expr: &str, user: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
    match compile_json(expr) {
        (_, Some(p)) => p.evaluate(user, options),
        (json, None) => Ok(compile_failure(json)),
    }
}

/// Compiles and evaluates against many users: `{ results, inputErrors }`.
#[wasm_bindgen(js_name = evaluateMany)]
pub fn evaluate_many(expr: &str, users: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
    match compile_json(expr) {
        (_, Some(p)) => p.evaluate_many(users, options),
        (json, None) => Ok(compile_failure(json)),
    }
}

/// Compiles, evaluates against one user with tracing: `{ result, trace }`.
#[wasm_bindgen]
pub fn trace(expr: &str, user: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
    match compile_json(expr) {
        (_, Some(p)) => p.trace(user, options),
        (json, None) => Ok(compile_failure(json)),
    }
}

/// The bytecode listing: `{ ok: true, text }` or `{ ok: false, diagnostics }`.
#[wasm_bindgen]
pub fn disasm(expr: &str) -> JsValue {
    match compile_json(expr) {
        (_, Some(p)) => to_js(json!({ "ok": true, "text": p.disasm() })),
        (json, None) => to_js(json),
    }
}

/// The function catalogue, for autocomplete and docs: one object per function
/// with `name`, `signature`, `summary`, `params`, `result`, `purity`,
/// `evaluation`, `provenance`.
#[wasm_bindgen]
pub fn functions() -> JsValue {
    let list: Vec<Json> = CATALOGUE
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or_default();
            v["signature"] = f.signature().into();
            v
        })
        .collect();
    to_js(Json::Array(list))
}

/// The keywords (IgnoreAttributeFlow, …): `[{ name, summary }]`.
#[wasm_bindgen]
pub fn keywords() -> JsValue {
    to_js(Json::Array(
        KEYWORDS
            .iter()
            .map(|k| json!({ "name": k.name, "summary": k.summary }))
            .collect(),
    ))
}

/// Reads a mapping file argument: its text, or a plain object (which is
/// serialised, so positions then refer to that serialisation).
fn mapping_text(v: &JsValue) -> Result<String, JsError> {
    if let Some(text) = v.as_string() {
        return Ok(text);
    }
    if v.is_object() {
        if let Some(text) = js_sys::JSON::stringify(v).ok().and_then(|t| t.as_string()) {
            return Ok(text);
        }
    }
    Err(js_error(
        Code::WasmInvalidArgument,
        "the mapping must be the file's text (Graph synchronization schema JSON or a native attrmap mapping)",
    ))
}

fn diagnostics_json(diags: &[Diagnostic], source: &str) -> Json {
    let offsets = Offsets { source };
    Json::Array(diags.iter().map(|d| diagnostic_json(d, &offsets)).collect())
}

/// Lints a mapping file (Graph synchronization schema JSON or the native
/// format): `{ ok, diagnostics }`, spans into the file's text. `ok` is false
/// when there is an error.
#[wasm_bindgen]
pub fn lint(mapping: &JsValue) -> Result<JsValue, JsError> {
    let text = mapping_text(mapping)?;
    Ok(to_js(lint_json(&text)))
}

fn lint_json(text: &str) -> Json {
    let diags = crate::lint::lint_mapping(text);
    json!({
        "ok": !diags.iter().any(Diagnostic::is_error),
        "diagnostics": diagnostics_json(&diags, text),
    })
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
    let options = Options::read(options)?;
    Ok(to_js(map_json(&text, &users, &options)))
}

fn map_json(text: &str, users: &Users, options: &Options) -> Json {
    use crate::mapping::builder::{compile_object, BatchOracle, Mapped};
    let failed =
        |diags: &[Diagnostic]| json!({ "ok": false, "diagnostics": diagnostics_json(diags, text) });
    let loaded = match crate::mapping::load(text) {
        Ok(l) => l,
        Err(d) => return failed(&[d]),
    };
    if loaded.has_errors() {
        return failed(&loaded.diagnostics);
    }
    let compiled = match compile_object(&loaded.set, options.object, text) {
        Ok(c) => c,
        Err(diags) => return failed(&diags),
    };
    let oracle = BatchOracle::new(&options.existing);
    let mut ctx = Context::new()
        .with_oracle(&oracle)
        .with_now(options.now.unwrap_or_else(Utc::now));
    if let Some(seed) = options.seed {
        ctx = ctx.with_seed(seed);
    }
    let offsets = Offsets { source: text };
    let results: Vec<Json> = users
        .records
        .iter()
        .map(
            |u| match compiled.map(u, options.mode, &mut ctx, text, Some(&oracle)) {
                Mapped::Resource(r) => {
                    let filter = compiled.match_filter(&r);
                    json!({ "status": "resource", "resource": r, "matchFilter": filter })
                }
                Mapped::Skipped(why) => json!({ "status": "skipped", "reason": why }),
                Mapped::Failed(errors) => json!({
                    "status": "error",
                    "errors": errors.iter().map(|e| json!({
                        "code": e.code,
                        "message": e.message,
                        "attribute": e.attribute,
                        "span": offsets.span(e.span),
                    })).collect::<Vec<_>>(),
                }),
            },
        )
        .collect();
    json!({
        "ok": true,
        "diagnostics": diagnostics_json(&loaded.diagnostics, text),
        "matching": compiled.matching.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>(),
        "results": results,
        "inputErrors": users.errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_integers_become_strings_small_ones_stay_numbers() {
        let v = js_safe(
            json!({"a": 132539615990000000i64, "b": 42, "c": [-9007199254740993i64, 9007199254740991i64], "d": u64::MAX}),
        );
        assert_eq!(v["a"], json!("132539615990000000"));
        assert_eq!(v["b"], json!(42));
        assert_eq!(v["c"][0], json!("-9007199254740993"));
        assert_eq!(v["c"][1], json!(9007199254740991i64));
        assert_eq!(v["d"], json!("18446744073709551615"));
    }

    #[test]
    fn spans_are_utf16_offsets() {
        let src = "Join(\"ë😀\", [x]";
        let o = Offsets { source: src };
        // "😀" is 4 bytes but 2 UTF-16 units; "ë" is 2 bytes, 1 unit.
        let byte_end = src.len();
        assert_eq!(o.utf16(byte_end), src.encode_utf16().count());
        assert_eq!(o.utf16(6), 6);
        assert_eq!(o.utf16(7), 6, "inside a character rounds down");
        assert_eq!(o.line_col(byte_end), (1, 15));
    }

    #[test]
    fn users_parse_as_array_object_or_jsonl_and_skip_bad_records() {
        assert_eq!(parse_users(r#"[{"a":1},{"a":2}]"#).records.len(), 2);
        assert_eq!(parse_users("{\n \"a\": 1\n}").records.len(), 1);
        let u = parse_users("{\"a\":1}\nnot json\n\n{\"a\":3}\n[1]\n");
        assert_eq!(u.records.len(), 2);
        assert_eq!(u.errors.len(), 2);
        assert_eq!(u.errors[0]["line"], json!(2));
        assert_eq!(u.errors[1]["line"], json!(5));
        let arr = parse_users(r#"[{"a":1}, 7]"#);
        assert_eq!(arr.records.len(), 1);
        assert!(arr.errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("record 2 is a number"));
        let broken = parse_users("[{\"a\":1},");
        assert!(broken.records.is_empty());
        assert_eq!(broken.errors.len(), 1);
    }

    #[test]
    fn results_carry_type_value_and_exact_text() {
        let expr = crate::compile(r#"Switch([department], "reader", "Legal", "editor")"#).unwrap();
        let p = Program { expr };
        let users = parse_users(
            "{\"department\":\"Legal\"}\n{\"department\":\"IT\"}\n{\"n\":132539615990000000}",
        );
        let out = js_safe(p.run_users(&users, &Options::default()));
        assert_eq!(out["results"][0]["value"], json!("editor"));
        assert_eq!(out["results"][1]["value"], json!("reader"));
        assert_eq!(out["results"][0]["status"], json!("value"));
        assert_eq!(out["results"][0]["inputs"], json!({"department": "Legal"}));
        assert_eq!(
            out["results"][2]["inputs"],
            json!({}),
            "absent attributes are left out"
        );

        let big = Program {
            expr: crate::compile("[n]").unwrap(),
        };
        let out = js_safe(big.run_users(&users, &Options::default()));
        assert_eq!(out["results"][2]["type"], json!("number"));
        assert_eq!(out["results"][2]["value"], json!("132539615990000000"));
        assert_eq!(out["results"][2]["text"], json!("132539615990000000"));
    }

    /// Issue 20 D1: a share link with this expression froze the page (the
    /// minimums' sum wrapped and RandomString allocated without end). The
    /// playground evaluates through run_users; it must get an error result.
    #[test]
    fn the_random_string_share_link_gets_an_error() {
        let p = Program {
            expr: crate::compile(
                "RandomString(10, 9223372036854775807, 9223372036854775807, 0, 0)",
            )
            .unwrap(),
        };
        let out = p.run_users(&parse_users("{}"), &Options::default());
        assert_eq!(out["results"][0]["status"], json!("error"), "{out}");
        assert_eq!(
            out["results"][0]["error"]["code"],
            json!("attrmap::eval::random-string-constraints"),
            "{out}"
        );
    }

    #[test]
    fn options_are_checked_and_name_the_fix() {
        let o = Options::from_json(json!({
            "now": "2024-05-01T09:30:00Z",
            "existing": "a@x\n\n  b@x  \n",
            "seed": 7,
            "engine": "ast",
        }))
        .unwrap();
        assert_eq!(o.now.unwrap().to_rfc3339(), "2024-05-01T09:30:00+00:00");
        use crate::eval::UniquenessOracle;
        assert!(o.existing.is_taken("a@x") && o.existing.is_taken("B@X"));
        assert_eq!(o.existing.len(), 2);
        assert_eq!((o.seed, o.ast), (Some(7), true));
        let list = Options::from_json(json!({"existing": ["x", "y"], "now": null})).unwrap();
        assert_eq!(list.existing.len(), 2);
        assert!(list.now.is_none());

        let err = |v: Json| Options::from_json(v).err().unwrap();
        assert!(err(json!({"now": "yesterday"})).contains("2024-05-01T09:30:00Z"));
        assert!(err(json!({"nowe": 1})).contains("the options are now, existing, seed, engine"));
        assert!(err(json!({"engine": "jit"})).contains("options.engine"));
        assert!(err(json!({"existing": [1]})).contains("must hold strings"));
        assert!(err(json!({"seed": -1})).contains("whole number"));
        assert!(err(json!([1])).contains("must be an object"));
    }

    #[test]
    fn map_and_lint_a_mapping_file() {
        let file = include_str!("../playground/samples/dilitrust-mapping.json");
        assert_eq!(lint_json(file)["ok"], json!(true));
        let users = parse_users(include_str!("../playground/samples/users.jsonl"));
        let out = js_safe(map_json(file, &users, &Options::default()));
        assert_eq!(out["ok"], json!(true), "{out}");
        let john = &out["results"][0];
        assert_eq!(john["status"], json!("resource"), "{john}");
        assert_eq!(
            john["resource"]["userName"],
            json!("john.smith@contoso.com")
        );
        assert!(john["resource"]
            .to_string()
            .contains("5f3c2a10-0000-4000-8000-00000000000b"));
        assert_eq!(
            john["matchFilter"],
            json!("userName eq \"john.smith@contoso.com\"")
        );

        let broken = r#"{"app": "x", "objects": [{"object": "User", "mappings": [{"target": "userName", "expression": "Join(\",\", [a]"}]}]}"#;
        let lint = lint_json(broken);
        assert_eq!(lint["ok"], json!(false));
        let unclosed = lint["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == json!(Code::ParseUnclosedCall))
            .unwrap_or_else(|| panic!("{lint}"));
        let start = unclosed["span"]["byteStart"].as_u64().unwrap() as usize;
        assert!(
            broken[start..].starts_with("Join("),
            "span into the file: {unclosed}"
        );
        assert_eq!(
            map_json(broken, &users, &Options::default())["ok"],
            json!(false)
        );
    }

    #[test]
    fn compile_errors_point_at_utf16_spans() {
        let (json, program) = compile_json("Join(\"é\", [a]");
        assert!(program.is_none());
        let d = &json["diagnostics"][0];
        assert_eq!(d["severity"], json!("error"));
        assert!(d["span"]["start"].as_u64().unwrap() <= 13);
    }
}

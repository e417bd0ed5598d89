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
    /// For `requests`: what the target holds now (JSONL of its resources).
    target_state: Option<String>,
    dialect: crate::mapping::requests::Dialect,
    /// The values go to a target attribute that must be unique (userName,
    /// externalId): values several users share are reported.
    unique: bool,
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
            target_state: None,
            dialect: crate::mapping::requests::Dialect::Default,
            unique: false,
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
                ("targetState", Json::String(s)) => o.target_state = Some(s),
                ("unique", Json::Bool(b)) => o.unique = b,
                ("dialect", Json::String(s)) if s == "default" => {
                    o.dialect = crate::mapping::requests::Dialect::Default
                }
                ("dialect", Json::String(s)) if s.eq_ignore_ascii_case("aadOptscim062020") => {
                    o.dialect = crate::mapping::requests::Dialect::Scim062020
                }
                (
                    k @ ("now" | "existing" | "seed" | "engine" | "object" | "mode" | "targetState"
                    | "dialect" | "unique"),
                    v,
                ) => return Err(format!("options.{k} has an unsupported value {v}")),
                (k, _) => {
                    return Err(format!(
                        "unknown option {k:?}; the options are now, existing, seed, engine, unique, for map object and mode, and for requests object, targetState and dialect"
                    ))
                }
            }
        }
        Ok(o)
    }

    /// A context for one batch. Now() is fixed for the whole batch, so every
    /// user sees the same instant, as in one provisioning cycle.
    fn context(&self) -> Context<'_> {
        self.context_with(&self.existing, self.now.unwrap_or_else(Utc::now))
    }

    /// A context that asks `oracle` which values are taken.
    fn context_with<'o>(
        &self,
        oracle: &'o dyn crate::eval::UniquenessOracle,
        now: DateTime<Utc>,
    ) -> Context<'o> {
        let mut ctx = Context::new().with_oracle(oracle).with_now(now);
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
    /// `{ index, code, message }` for each record that could not be read.
    errors: Vec<Json>,
    /// The form the source readers found ("JSON Lines", "CSV (the Entra
    /// portal's \"Download users\" file)", …).
    format: String,
    /// Every attribute name some user has, sorted, without duplicates.
    names: Vec<String>,
}

/// Reads users with the core source readers ([`crate::sources`]), the same
/// code path as `attrmap map`: JSON Lines, JSON arrays, Graph response
/// pages, PowerShell and az exports, the portal's CSV.
fn parse_users(text: &str) -> Users {
    if text.len() > MAX_USERS_BYTES {
        return Users::from_records(
            Vec::new(),
            vec![json!({
                "index": null, "code": Code::MapDocumentTooLarge,
                "message": format!("the users text is {} MiB; the playground reads at most {} MiB (use the CLI for larger sets)", text.len() >> 20, MAX_USERS_BYTES >> 20),
            })],
            String::new(),
        );
    }
    let limits = crate::sources::Limits {
        max_record_bytes: crate::mapping::stream::DEFAULT_MAX_RECORD_BYTES,
        max_document_bytes: MAX_USERS_BYTES,
    };
    let all = crate::sources::read_all(text.as_bytes(), crate::sources::SourceFormat::Auto, limits);
    let errors = all
        .errors
        .iter()
        .map(|e| {
            json!({
                "index": e.index, "code": e.code,
                "message": format!("record {}: {}", e.index + 1, e.message),
            })
        })
        .collect();
    let format = if text.trim().is_empty() {
        String::new()
    } else {
        all.detected.description
    };
    Users::from_records(
        all.records.into_iter().map(Json::Object).collect(),
        errors,
        format,
    )
}

impl Users {
    fn from_records(records: Vec<Json>, errors: Vec<Json>, format: String) -> Users {
        let mut names: Vec<String> = records
            .iter()
            .filter_map(Json::as_object)
            .flat_map(|o| o.keys().cloned())
            .collect();
        names.sort_unstable_by_key(|n| n.to_lowercase());
        names.dedup();
        Users {
            records,
            errors,
            format,
            names,
        }
    }

    fn names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }
}

/// The attribute an admin recognises a user by (directory users, then
/// HR workers such as Workday's WorkerID), in any key case.
fn user_label(u: &Json, i: usize) -> String {
    let Some(o) = u.as_object() else {
        return format!("user {}", i + 1);
    };
    [
        "userPrincipalName",
        "displayName",
        "mail",
        "objectId",
        "id",
        "WorkerID",
        "employeeId",
    ]
    .iter()
    .find_map(|k| {
        let key = crate::eval::record::find_key(o.keys().map(String::as_str), k)?;
        o.get(key).and_then(Json::as_str).filter(|s| !s.is_empty())
    })
    .map_or_else(|| format!("user {}", i + 1), String::from)
}

#[wasm_bindgen]
impl Users {
    /// Reads users from text in any form the source readers know (JSON
    /// Lines, a JSON array or object, Graph pages, PowerShell or az output,
    /// CSV). Bad records are listed in `errors` and skipped; the rest load.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str) -> Users {
        parse_users(text)
    }
    /// Number of users that loaded.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.records.len()
    }
    /// `[{ index, code, message }]` for records that could not be read.
    #[wasm_bindgen(getter)]
    pub fn errors(&self) -> JsValue {
        to_js(Json::Array(self.errors.clone()))
    }
    /// The form the readers detected, for people ("" for empty text).
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.format.clone()
    }
    /// One display label per user (userPrincipalName, displayName, mail,
    /// objectId, in any key case).
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
        to_js(json!(self.names))
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
            value @ (Json::Array(_) | Json::Object(_)) => Ok(parse_users(&value.to_string())),
            other => Err(js_error(
                Code::WasmInvalidArgument,
                format!(
                    "users must be text (JSON Lines, JSON, Graph pages or CSV), an array of objects or one object, not {}",
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

    /// Every user's result, plus what must not be missed in them (see
    /// [`crate::batch`]): SelectUniqueValue kept unique across the users as
    /// `attrmap map` keeps it across a batch, values several users share,
    /// the users that fell through to the Switch's default, attributes no
    /// user has, and the counts of each kind of result.
    fn run_users(&self, users: &Users, options: &Options) -> Json {
        use crate::mapping::builder::BatchOracle;
        let oracle = BatchOracle::new(&options.existing);
        let now = options.now.unwrap_or_else(Utc::now);
        let mut ctx = options.context_with(&oracle, now);
        let claims = crate::batch::claims_unique_values(&self.expr);
        let probe = crate::batch::DefaultProbe::new(&self.expr);
        // The probe gets a context of its own, so it draws nothing from the
        // real evaluation's random source; it sees the same Now().
        let mut probe_ctx = Context::new().with_now(now);
        let offsets = Offsets {
            source: self.expr.source(),
        };
        let mut results: Vec<Json> = Vec::with_capacity(users.records.len());
        let mut defaults = 0usize;
        for u in &users.records {
            let mut r = self.run_one(u, &mut ctx, options.ast);
            if claims && r["status"] == "value" {
                let text = r["text"].as_str().unwrap_or_default();
                if !text.is_empty() {
                    if let Err(full) = oracle.claim_all(&[text]) {
                        r = json!({
                            "status": "error",
                            "error": {
                                "code": Code::MapUniqueValuesLimit,
                                "message": format!("SelectUniqueValue: the values handed out to the users before this one fill {} of the {} bytes remembered; without remembering this one a later user could get it again", full.held, full.max_bytes),
                                "help": "load fewer users at once",
                                "span": offsets.span(Span::new(0, self.expr.source().len())),
                            },
                            "inputs": r["inputs"].take(),
                            "warnings": r["warnings"].take(),
                            "redacted": r["redacted"].take(),
                        });
                    }
                }
            }
            if let Some(p) = &probe {
                let took = r["status"] == "value" && p.took_default(u, &mut probe_ctx);
                r["default"] = Json::Bool(took);
                defaults += usize::from(took);
            }
            results.push(r);
        }
        let shared = crate::batch::shared_counts(results.iter().map(|r| {
            (r["status"] == "value")
                .then(|| r["text"].as_str())
                .flatten()
                .filter(|t| !t.is_empty())
        }));
        let mut summary = json!({
            "users": results.len(),
            "values": 0, "errors": 0, "notFlowed": 0, "objectSkipped": 0,
            "defaultBranch": probe.as_ref().map(|_| defaults),
            "defaultSpan": probe.as_ref().map(|p| offsets.span(p.span)),
            "sharedValues": 0, "usersSharing": 0,
            "uniqueClaimed": claims,
        });
        let mut distribution: Vec<(String, Vec<usize>)> = Vec::new();
        let mut by_text: std::collections::HashMap<String, usize> = Default::default();
        for (i, (r, n)) in results.iter_mut().zip(&shared).enumerate() {
            let kind = match r["status"].as_str() {
                Some("value") => "values",
                Some("error") => "errors",
                Some("notFlowed") => "notFlowed",
                _ => "objectSkipped",
            };
            summary[kind] = json!(summary[kind].as_u64().unwrap_or(0) + 1);
            if *n > 1 {
                r["shared"] = json!(n);
                summary["usersSharing"] = json!(summary["usersSharing"].as_u64().unwrap_or(0) + 1);
            }
            if kind == "values" {
                let text = r["text"].as_str().unwrap_or_default().to_string();
                let slot = *by_text.entry(text.clone()).or_insert_with(|| {
                    distribution.push((text, Vec::new()));
                    distribution.len() - 1
                });
                distribution[slot].1.push(i);
            }
        }
        let mut first_seen = std::collections::HashSet::new();
        let shared_values = results
            .iter()
            .filter(|r| r.get("shared").is_some())
            .filter(|r| {
                first_seen.insert(
                    crate::eval::uniqueness_key(r["text"].as_str().unwrap_or_default())
                        .into_owned(),
                )
            })
            .count();
        summary["sharedValues"] = json!(shared_values);
        let mut findings: Vec<Json> = Vec::new();
        if options.unique && shared_values > 0 {
            findings.push(json!({
                "code": Code::UsersSharedValue,
                "severity": "warning",
                "message": format!("{shared_values} value(s) are shared by {} of the loaded users, and the target attribute needs one value per user", summary["usersSharing"]),
                "label": "these values would collide in the target",
                "help": "make the value unique: SelectUniqueValue with fallbacks, or add an attribute that differs between users",
                "span": offsets.span(Span::new(0, self.expr.source().len())),
            }));
        }
        distribution.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        for a in crate::batch::absent_attributes(self.expr.ast(), &users.names()) {
            let help = match &a.suggestion {
                Some(s) => format!(
                    "did you mean [{s}]? Attribute names are compared without regard to case"
                ),
                None => {
                    "check the spelling, or load users whose export includes this attribute".into()
                }
            };
            let message = format!(
                "none of the {} loaded users has [{}], so it reads as null for every one of them",
                users.records.len(),
                a.name
            );
            for span in &a.spans {
                findings.push(json!({
                    "code": Code::UsersAttributeAbsent,
                    "severity": "warning",
                    "message": message,
                    "label": "no loaded user has this attribute",
                    "help": help,
                    "span": offsets.span(*span),
                }));
            }
        }
        json!({
            "results": results,
            "inputErrors": users.errors,
            "summary": summary,
            "distribution": distribution.into_iter().map(|(text, users)| json!({"text": text, "count": users.len(), "users": users})).collect::<Vec<_>>(),
            "findings": findings,
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
            // The checker's warnings and the expression rules of `attrmap
            // lint`, so the editor says what the linter would.
            let mut found = expr.warnings().to_vec();
            for d in crate::lint::expression_rules(expr.ast()) {
                if !found.iter().any(|w| w.code == d.code && w.span == d.span) {
                    found.push(d);
                }
            }
            found.sort_by_key(|d| (d.span.start, d.span.end));
            let diagnostics: Vec<Json> =
                found.iter().map(|d| diagnostic_json(d, &offsets)).collect();
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
    let options = Options::read(options)?;
    Ok(to_js(requests_json(&text, &users, &options)))
}

fn requests_json(text: &str, users: &Users, options: &Options) -> Json {
    use crate::mapping::builder::{compile_object, BatchOracle};
    use crate::mapping::requests::{RequestBatch, TargetState};
    let failed = |diags: Json| json!({ "ok": false, "diagnostics": diags });
    let loaded = match crate::mapping::load(text) {
        Ok(l) => l,
        Err(d) => return failed(diagnostics_json(&[d], text)),
    };
    if loaded.has_errors() {
        return failed(diagnostics_json(&loaded.diagnostics, text));
    }
    let compiled = match compile_object(&loaded.set, options.object, text) {
        Ok(c) => c,
        Err(diags) => return failed(diagnostics_json(&diags, text)),
    };
    let target = match options.target_state.as_deref().map(TargetState::from_jsonl) {
        None => TargetState::default(),
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            return failed(json!([{
                "code": Code::WasmInvalidOption, "severity": "error",
                "message": format!("the target state: {e}"),
                "help": "give the target's resources as JSON Lines, one resource (with its id) or list response per line",
            }]))
        }
    };
    let oracle = BatchOracle::new(&options.existing);
    let mut ctx = options.context_with(&oracle, options.now.unwrap_or_else(Utc::now));
    let batch = RequestBatch {
        compiled: &compiled,
        file: text,
        target: &target,
        dialect: options.dialect,
        referenced: None,
        oracle: Some(&oracle),
    };
    // The batch reads JSON Lines; the users were read by the source readers
    // already, so each goes in as one line.
    let input: String = users.records.iter().map(|r| format!("{r}\n")).collect();
    let mut out = Vec::new();
    let counts = match batch.run(&input, &mut out, &mut ctx) {
        Ok(c) => c,
        Err(e) => {
            return failed(
                json!([{"code": Code::WasmInvalidArgument, "severity": "error", "message": e.to_string()}]),
            )
        }
    };
    let lines: Vec<Json> = out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect();
    json!({
        "ok": true,
        "diagnostics": diagnostics_json(&loaded.diagnostics, text),
        "lines": lines,
        "counts": {"input": counts.input, "out": counts.out, "skipped": counts.skipped, "errors": counts.errors},
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
        assert_eq!(u.errors[0]["index"], json!(1));
        assert!(u.errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("record 2: "));
        assert_eq!(u.format, "JSON Lines");
        let arr = parse_users(r#"[{"a":1}, 7]"#);
        assert_eq!(arr.records.len(), 1);
        assert_eq!(arr.errors[0]["code"], json!(Code::MapNotAnObject));
        let broken = parse_users("[{\"a\":1},");
        assert!(broken.records.is_empty());
        assert_eq!(broken.errors.len(), 1);
        assert_eq!(parse_users("").format, "");
    }

    /// Issue 18: the admin's own exports go through the core readers.
    #[test]
    fn users_come_from_the_portal_csv_graph_pages_and_powershell() {
        let csv = parse_users(
            "\u{feff}userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,accountEnabled,usageLocation\r\n\
             adele@contoso.com,Adele Vance,Vance,adele@contoso.com,Adele,1,Member,Lawyer,Legal,True,US\r\n\
             alex@contoso.com,Alex Wilber,Wilber,,Alex,2,Member,,,False,US\r\n",
        );
        assert!(csv.format.contains("Download users"), "{}", csv.format);
        assert_eq!(csv.records.len(), 2, "{:?}", csv.errors);
        assert_eq!(csv.records[0]["department"], json!("Legal"));
        assert_eq!(user_label(&csv.records[1], 1), "alex@contoso.com");

        let page = parse_users(
            r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
  "value": [
    {"id": "u1", "displayName": "Adele Vance", "mobilePhone": "+1 425", "accountEnabled": true},
    {"id": "u2", "displayName": "Alex Wilber", "accountEnabled": false}
  ]}"#,
        );
        assert!(page.format.contains("Graph"), "{}", page.format);
        assert_eq!(page.records.len(), 2);
        assert_eq!(page.records[0]["objectId"], json!("u1"));
        assert_eq!(page.records[0]["mobile"], json!("+1 425"));
        assert_eq!(user_label(&page.records[1], 1), "Alex Wilber");

        let ps = parse_users(
            "[\n    {\n        \"Id\":  \"p1\",\n        \"UserPrincipalName\":  \"p@contoso.com\",\n        \"AdditionalProperties\":  {}\n    }\n]",
        );
        assert!(ps.format.contains("PowerShell"), "{}", ps.format);
        assert_eq!(ps.records.len(), 1, "{:?}", ps.errors);
        assert_eq!(user_label(&ps.records[0], 0), "p@contoso.com");

        // Labels in any key case; then displayName before mail.
        assert_eq!(user_label(&json!({"USERPRINCIPALNAME": "u@x"}), 0), "u@x");
        assert_eq!(
            user_label(&json!({"mail": "m@x", "displayname": "D"}), 0),
            "D"
        );
        assert_eq!(user_label(&json!({"x": 1}), 4), "user 5");
    }

    #[test]
    fn the_sample_users_keep_their_names() {
        for text in [
            include_str!("../playground/samples/users.jsonl"),
            include_str!("../playground/samples/workday.jsonl"),
        ] {
            let u = parse_users(text);
            assert!(u.errors.is_empty(), "{:?}", u.errors);
            let first: Json = serde_json::from_str(text.lines().next().unwrap()).unwrap();
            for k in first.as_object().unwrap().keys() {
                assert!(u.names.contains(k), "{k} lost: {:?}", u.names);
            }
        }
    }

    /// Issue 18: a typo'd attribute, SelectUniqueValue over many users, and
    /// the counts behind a banner that must not stay green.
    #[test]
    fn batch_results_flag_typos_collisions_and_defaults() {
        let users = parse_users(
            "{\"department\":\"Legal\",\"mailNickname\":\"ann\"}\n{\"department\":\"HR\",\"mailNickname\":\"ann\"}\n{\"department\":\"IT\",\"mailNickname\":\"ANN\"}\n{\"mailNickname\":\"bob\"}",
        );
        let run = |src: &str| {
            let p = Program {
                expr: crate::compile(src).unwrap(),
            };
            js_safe(p.run_users(&users, &Options::default()))
        };
        let typo = run("Switch([departmnet], \"reader\", \"Legal\", \"editor\")");
        let absent = &typo["findings"][0];
        assert_eq!(absent["code"], json!(Code::UsersAttributeAbsent));
        assert!(absent["help"].as_str().unwrap().contains("[department]"));
        assert_eq!(absent["span"]["start"], json!(7));
        assert_eq!(typo["summary"]["defaultBranch"], json!(4));

        let roles =
            run("Switch([department], \"reader\", \"Legal\", \"editor\", \"IT\", \"admin\")");
        assert!(roles["findings"].as_array().unwrap().is_empty());
        assert_eq!(roles["summary"]["defaultBranch"], json!(2));
        assert_eq!(roles["results"][1]["default"], json!(true));
        assert_eq!(roles["results"][0]["default"], json!(false));
        assert_eq!(
            roles["distribution"][0],
            json!({"text": "reader", "count": 2, "users": [1, 3]})
        );
        assert_eq!(roles["summary"]["values"], json!(4));

        // Without uniqueness, three users share "ann" (case-insensitively).
        let plain = run("[mailNickname]");
        assert_eq!(plain["summary"]["sharedValues"], json!(1));
        assert!(
            plain["findings"].as_array().unwrap().is_empty(),
            "no uniqueness asked for"
        );
        let p = Program {
            expr: crate::compile("[mailNickname]").unwrap(),
        };
        let unique = Options::from_json(json!({"unique": true})).unwrap();
        let flagged = js_safe(p.run_users(&users, &unique));
        assert_eq!(
            flagged["findings"][0]["code"],
            json!(Code::UsersSharedValue),
            "{flagged}"
        );

        // SelectUniqueValue: each user's value is taken for the next, so the
        // third "ann" gets its fallback and a fourth candidate-less one fails.
        let unique = run("SelectUniqueValue([mailNickname], Join(\"\", [mailNickname], \"2\"))");
        let texts: Vec<&Json> = (0..4).map(|i| &unique["results"][i]["text"]).collect();
        assert_eq!(texts[0], &json!("ann"));
        assert_eq!(texts[1], &json!("ann2"));
        assert_eq!(unique["results"][2]["status"], json!("error"), "{unique}");
        assert_eq!(texts[3], &json!("bob"));
        assert_eq!(unique["summary"]["errors"], json!(1));
        assert_eq!(unique["summary"]["sharedValues"], json!(0));
        assert_eq!(unique["summary"]["uniqueClaimed"], json!(true));
        assert_eq!(unique["summary"]["defaultBranch"], Json::Null);
    }

    #[test]
    fn the_editor_gets_the_lint_rules() {
        let (json, program) = compile_json("Switch([a], \"x\", \"k\", \"1\", \"k\", \"2\")");
        assert!(program.is_some());
        assert!(
            json["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == json!("attrmap::lint::switch-duplicate-key")),
            "{json}"
        );
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
    fn requests_post_new_users_and_patch_known_ones() {
        let file = include_str!("../playground/samples/dilitrust-mapping.json");
        let users = parse_users(include_str!("../playground/samples/users.jsonl"));
        let out = js_safe(requests_json(file, &users, &Options::default()));
        assert_eq!(out["ok"], json!(true), "{out}");
        let lines = out["lines"].as_array().unwrap();
        assert_eq!(lines[0]["method"], json!("GET"), "{}", lines[0]);
        assert!(lines.iter().any(|l| l["method"] == json!("POST")));
        // John exists in the target with another role: a PATCH, no POST.
        let john = lines.iter().find(|l| l["method"] == json!("POST")).unwrap()["body"].clone();
        let mut current = john.clone();
        current["id"] = json!("t-1");
        current["roleId"] = json!("an-older-role");
        let options = Options::from_json(
            json!({"targetState": current.to_string(), "dialect": "aadOptscim062020"}),
        )
        .unwrap();
        let out = js_safe(requests_json(file, &users, &options));
        let lines = out["lines"].as_array().unwrap();
        let patch = lines
            .iter()
            .find(|l| l["method"] == json!("PATCH"))
            .unwrap_or_else(|| panic!("{out}"));
        assert_eq!(patch["path"], json!("/Users/t-1"));
        assert!(patch["body"].to_string().contains("replace"), "{patch}");
        let bad = Options::from_json(json!({"targetState": "not json"})).unwrap();
        assert_eq!(requests_json(file, &users, &bad)["ok"], json!(false));
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

//! The JSON API: every result a JSON value, as the WebAssembly bindings
//! (`src/wasm`) hand them to JavaScript. Built here, natively, so that
//! `cargo test` tests what the playground gets; the bindings only convert
//! arguments and results.
//!
//! Conventions, so JavaScript never loses information:
//! - Every result is a plain JSON-compatible object, never a class with
//!   hidden state (the bindings' `Program` and `Users` handles aside).
//! - Integers beyond ±(2^53 − 1) — NumFromDate's FILETIMEs are about 1.3e17 —
//!   would be rounded by a JavaScript number: [`js_safe`] turns them into
//!   decimal strings; the result's `type` still says `number`, and `text` is
//!   always Entra's exact string view.
//! - Source users arrive as text, read here by the core source readers, so
//!   their large integers stay exact too.
//! - Spans are [`SpanPosition`](super::position::SpanPosition)s: UTF-16
//!   offsets (what JavaScript string indices use), byte offsets, line, column.

use super::position::Positions;
use super::report::{
    DiagnosticReport, ErrorReport, EvalReport, MappedReport, OutcomeReport, TraceReport,
};
use super::{MapPlan, RunOptions};
use crate::catalogue::{CATALOGUE, KEYWORDS};
use crate::codes::Code;
use crate::eval::Context;
use crate::mapping::builder::BatchOracle;
use crate::mapping::requests::Dialect;
use crate::syntax::Span;
use crate::{CompileError, Diagnostic, Expression};
use serde_json::{json, Value as Json};

/// Largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Largest users text accepted at once (the playground is for samples, not
/// whole directories; the CLI handles those).
pub const MAX_USERS_BYTES: usize = 64 << 20;

/// Replaces integers JavaScript cannot hold exactly with their decimal text.
pub fn js_safe(v: Json) -> Json {
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

/// Any serializable report as JSON.
fn to_json<T: serde::Serialize>(report: T) -> Json {
    // Reports hold strings, numbers and JSON values only: serializing
    // them cannot fail.
    serde_json::to_value(report).unwrap_or(Json::Null)
}

fn diagnostics_json(diags: &[Diagnostic], source: &str) -> Json {
    to_json(DiagnosticReport::all(diags, source))
}

/// `{ ok: false, diagnostics }`: what every call answers when the
/// expression or file it was given cannot be used.
fn failed_json(diagnostics: Json) -> Json {
    json!({ "ok": false, "diagnostics": diagnostics })
}

// ---------------------------------------------------------------------------
// Options

/// The run options ([`RunOptions`]), plus those of the batch views:
/// `{ now?, existing?, seed?, engine?, object?, mode?, unique?, targetState?,
/// dialect? }`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub run: RunOptions,
    /// For `requests`: what the target holds now (JSONL of its resources).
    pub target_state: Option<String>,
    pub dialect: Dialect,
    /// The values go to a target attribute that must be unique (userName,
    /// externalId): values several users share are reported.
    pub unique: bool,
}

impl Options {
    /// Reads options from a JSON object; `null` leaves an option unset. The
    /// error names the option and the fix.
    pub fn from_json(json: Json) -> Result<Options, String> {
        let mut o = Options::default();
        let map = match json {
            Json::Null => return Ok(o),
            Json::Object(m) => m,
            _ => return Err("options must be an object".into()),
        };
        for (key, value) in map {
            match (key.as_str(), value) {
                (_, Json::Null) => {}
                (k, v) if RunOptions::KEYS.contains(&k) => o.run.set(k, v)?,
                ("targetState", Json::String(s)) => o.target_state = Some(s),
                ("unique", Json::Bool(b)) => o.unique = b,
                ("dialect", Json::String(s)) if s == "default" => o.dialect = Dialect::Default,
                ("dialect", Json::String(s)) if s.eq_ignore_ascii_case("aadOptscim062020") => {
                    o.dialect = Dialect::Scim062020
                }
                (k @ ("targetState" | "dialect" | "unique"), v) => {
                    return Err(format!("options.{k} has an unsupported value {v}"))
                }
                (k, _) => {
                    return Err(format!(
                        "unknown option {k:?}; the options are now, existing, seed, engine, unique, for map object and mode, and for requests object, targetState and dialect"
                    ))
                }
            }
        }
        Ok(o)
    }

    /// The run options with `Now()` fixed for the whole batch, so every user
    /// sees the same instant, as in one provisioning cycle.
    fn batch(&self) -> RunOptions {
        let mut run = self.run.clone();
        run.fix_clock();
        run
    }
}

// ---------------------------------------------------------------------------
// Users

/// Source users read once, so a keystroke re-evaluates without reading them
/// again.
#[derive(Debug, Clone)]
pub struct Users {
    pub records: Vec<Json>,
    /// `{ index, code, message }` for each record that could not be read.
    pub errors: Vec<Json>,
    /// The form the source readers found ("JSON Lines", "CSV (the Entra
    /// portal's \"Download users\" file)", …).
    pub format: String,
    /// Every attribute name some user has, sorted, without duplicates.
    pub names: Vec<String>,
    /// One display label per user ([`user_label`]), worked out once: the
    /// page lists them and searches them.
    pub labels: Vec<String>,
}

/// Reads users with the core source readers ([`crate::sources`]), the same
/// code path as `attrmap map`: JSON Lines, JSON arrays, Graph response
/// pages, PowerShell and az exports, the portal's CSV.
pub fn parse_users(text: &str) -> Users {
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
        let labels = records
            .iter()
            .enumerate()
            .map(|(i, u)| user_label(u, i))
            .collect();
        Users {
            labels,
            records,
            errors,
            format,
            names,
        }
    }

    /// Every attribute name some user has.
    pub fn names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }
}

/// The attribute an admin recognises a user by (directory users, then
/// HR workers such as Workday's WorkerID), in any key case.
pub fn user_label(u: &Json, i: usize) -> String {
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

// ---------------------------------------------------------------------------
// Programs

/// A compiled expression, with its results as JSON.
#[derive(Debug, Clone)]
pub struct Program {
    pub expr: Expression,
}

impl Program {
    /// The report of one user's `result`, with the `inputs` it was read from.
    fn report(
        &self,
        user: &Json,
        result: crate::eval::EvalResult<'_>,
        ctx: &Context<'_>,
    ) -> EvalReport {
        let mut report = EvalReport::new(self.expr.source(), result, ctx);
        report.inputs = Some(inputs(self.expr.program().attributes(), user));
        report
    }

    /// Warnings the checker found (the program still runs).
    pub fn warnings(&self) -> Json {
        diagnostics_json(self.expr.warnings(), self.expr.source())
    }

    /// Evaluates against one user: an evaluation report with `inputs`, the
    /// one result of `evaluate` in JavaScript and of `attrmap eval --format
    /// json`.
    pub fn evaluate_report(&self, user: &Json, options: &Options) -> EvalReport {
        let run = options.batch();
        let mut ctx = run.context();
        let result = self.expr.evaluate_on(run.engine, user, &mut ctx);
        self.report(user, result, &ctx)
    }

    /// [`Program::evaluate_report`] as JSON.
    pub fn evaluate(&self, user: &Json, options: &Options) -> Json {
        to_json(self.evaluate_report(user, options))
    }

    /// Evaluates against one user and records each call's inputs and
    /// output: the evaluation report (as [`Program::evaluate_report`] makes
    /// it) and the trace.
    pub fn trace_reports(&self, user: &Json, options: &Options) -> (EvalReport, TraceReport) {
        let run = options.batch();
        let mut ctx = run.context();
        let (result, trace) = self.expr.trace(user, &mut ctx);
        (
            self.report(user, result, &ctx),
            TraceReport::new(&trace, self.expr.source()),
        )
    }

    /// [`Program::trace_reports`] as JSON: `{ result, trace: { nodes,
    /// truncated, text } }`.
    pub fn trace(&self, user: &Json, options: &Options) -> Json {
        let (result, trace) = self.trace_reports(user, options);
        json!({ "result": to_json(result), "trace": to_json(trace) })
    }

    /// Every user's result, plus what must not be missed in them: the whole
    /// [`Batch`] as one JSON value, `{ results, inputErrors, summary,
    /// distribution, findings }`.
    pub fn run_users(&self, users: &Users, options: &Options) -> Json {
        self.batch(users, options).to_json(users)
    }

    /// Evaluates every user in order and keeps the results in a [`Batch`]
    /// (see [`crate::batch`]): SelectUniqueValue kept unique across the
    /// users as `attrmap map` keeps it across a batch, values several users
    /// share, the users that fell through to the Switch's default,
    /// attributes no user has, and the counts of each kind of result.
    pub fn batch(&self, users: &Users, options: &Options) -> Batch {
        let run = options.batch();
        let offsets = Positions::new(self.expr.source());
        let each = self.evaluate_each(users, &run, &offsets);
        let shared = crate::batch::shared_counts(
            each.reports
                .iter()
                .map(|r| value_text(r).filter(|t| !t.is_empty())),
        );
        let (counts, distribution) = tally(&each.reports, &shared);
        let summary = json!({
            "users": each.reports.len(),
            "values": counts.values, "errors": counts.errors,
            "notFlowed": counts.not_flowed, "objectSkipped": counts.object_skipped,
            "defaultBranch": each.default_span.map(|_| each.defaults.iter().flatten().filter(|d| **d).count()),
            "defaultSpan": each.default_span.map(|s| offsets.span(s)),
            "sharedValues": counts.shared_values, "usersSharing": counts.users_sharing,
            "uniqueClaimed": each.claims,
        });
        let mut findings: Vec<Json> = Vec::new();
        if options.unique && counts.shared_values > 0 {
            findings.push(json!({
                "code": Code::UsersSharedValue,
                "severity": "warning",
                "message": format!("{} value(s) are shared by {} of the loaded users, and the target attribute needs one value per user", counts.shared_values, counts.users_sharing),
                "label": "these values would collide in the target",
                "help": "make the value unique: SelectUniqueValue with fallbacks, or add an attribute that differs between users",
                "span": offsets.span(Span::new(0, self.expr.source().len())),
            }));
        }
        findings.extend(self.absent_attribute_findings(users, &offsets));
        Batch {
            reports: each.reports,
            defaults: each.defaults,
            shared,
            attributes: self.expr.program().attributes().map(String::from).collect(),
            summary,
            distribution,
            findings,
        }
    }

    /// Each user's result, in order: SelectUniqueValue's choices claimed
    /// for the users after it, and whether the Switch's default was taken.
    fn evaluate_each(&self, users: &Users, run: &RunOptions, offsets: &Positions<'_>) -> Each {
        let oracle = BatchOracle::new(&run.existing);
        let mut ctx = run.context_with(Some(&oracle));
        let claims = crate::batch::claims_unique_values(&self.expr);
        let probe = crate::batch::DefaultProbe::new(&self.expr);
        // The probe gets a context of its own, so it draws nothing from the
        // real evaluation's random source; it sees the same Now() and
        // DefaultDomain().
        let clock_only = RunOptions {
            now: run.now,
            default_domain: run.default_domain.clone(),
            ..RunOptions::default()
        };
        let mut probe_ctx = clock_only.context_with(None);
        let mut reports = Vec::with_capacity(users.records.len());
        let mut defaults = probe
            .as_ref()
            .map(|_| Vec::with_capacity(users.records.len()));
        for u in &users.records {
            ctx.reset();
            let result = self.expr.evaluate_on(run.engine, u, &mut ctx);
            let mut report = EvalReport::at(offsets, result, &ctx);
            let full = match value_text(&report) {
                Some(text) if claims && !text.is_empty() => oracle.claim_all(&[text]).err(),
                _ => None,
            };
            if let Some(full) = full {
                report.outcome = OutcomeReport::Error {
                    error: ErrorReport {
                        code: Code::MapUniqueValuesLimit,
                        message: format!("SelectUniqueValue: the values handed out to the users before this one fill {} of the {} bytes remembered; without remembering this one a later user could get it again", full.held, full.max_bytes),
                        help: Some("load fewer users at once".into()),
                        span: offsets.span(Span::new(0, self.expr.source().len())),
                    },
                };
            }
            if let (Some(p), Some(d)) = (&probe, &mut defaults) {
                d.push(value_text(&report).is_some() && p.took_default(u, &mut probe_ctx));
            }
            reports.push(report);
        }
        Each {
            reports,
            defaults,
            default_span: probe.map(|p| p.span),
            claims,
        }
    }

    /// A warning at each place the expression reads an attribute that none
    /// of the loaded users has, with a did-you-mean.
    fn absent_attribute_findings(&self, users: &Users, offsets: &Positions<'_>) -> Vec<Json> {
        let mut findings = Vec::new();
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
        findings
    }
}

/// The attributes `names` as `user` has them (absent ones are left out), so
/// a result can be read next to its cause.
fn inputs<'a>(names: impl Iterator<Item = &'a str>, user: &Json) -> Json {
    use crate::eval::Record;
    Json::Object(
        names
            .filter_map(|name| Some((name.to_string(), user.attribute(name)?.to_json())))
            .collect(),
    )
}

/// The value's text when the evaluation gave a value.
fn value_text(r: &EvalReport) -> Option<&str> {
    match &r.outcome {
        OutcomeReport::Value { text, .. } => Some(text),
        _ => None,
    }
}

/// [`Program::evaluate_each`]'s results.
struct Each {
    reports: Vec<EvalReport>,
    /// Per user, whether the value came from the Switch's default; `None`
    /// when the expression is not a Switch to probe.
    defaults: Option<Vec<bool>>,
    /// The default branch, when the expression is a Switch to probe.
    default_span: Option<Span>,
    /// Whether the expression calls SelectUniqueValue.
    claims: bool,
}

/// How many results of each kind a batch has.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    values: usize,
    errors: usize,
    not_flowed: usize,
    object_skipped: usize,
    /// Values more than one user got (compared without regard to case).
    shared_values: usize,
    /// Users whose value another user got too.
    users_sharing: usize,
}

/// Counts each kind of result, and returns each value with the users that
/// got it, the most common first.
fn tally(reports: &[EvalReport], shared: &[usize]) -> (Counts, Vec<(String, Vec<usize>)>) {
    let mut counts = Counts::default();
    let mut distribution: Vec<(String, Vec<usize>)> = Vec::new();
    let mut by_text: std::collections::HashMap<&str, usize> = Default::default();
    let mut shared_keys = std::collections::HashSet::new();
    for (i, (r, n)) in reports.iter().zip(shared).enumerate() {
        match &r.outcome {
            OutcomeReport::Value { text, .. } => {
                counts.values += 1;
                let slot = *by_text.entry(text).or_insert_with(|| {
                    distribution.push((text.clone(), Vec::new()));
                    distribution.len() - 1
                });
                distribution[slot].1.push(i);
                if *n > 1 {
                    counts.users_sharing += 1;
                    shared_keys.insert(crate::eval::uniqueness_key(text));
                }
            }
            OutcomeReport::Error { .. } => counts.errors += 1,
            OutcomeReport::NotFlowed { .. } => counts.not_flowed += 1,
            OutcomeReport::ObjectSkipped { .. } => counts.object_skipped += 1,
        }
    }
    counts.shared_values = shared_keys.len();
    distribution.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    (counts, distribution)
}

/// A batch's results, kept on this side of the bindings: the page asks for
/// the summary, the findings, the rows it shows and the distribution it
/// lists, instead of every user's result as JSON on each keystroke (for
/// 10 000 users that JSON was most of the time a keystroke took).
#[derive(Debug, Clone)]
pub struct Batch {
    /// One per user, in order, without `inputs` (built for the rows asked for).
    reports: Vec<EvalReport>,
    /// Per user, whether the value came from the Switch's default; `None`
    /// when the expression is not a Switch to probe.
    defaults: Option<Vec<bool>>,
    /// Per user, how many users got the same value
    /// ([`crate::batch::shared_counts`]).
    shared: Vec<usize>,
    /// The attributes the expression reads, for each row's `inputs`.
    attributes: Vec<String>,
    summary: Json,
    /// Each value with the users that got it, the most common first.
    distribution: Vec<(String, Vec<usize>)>,
    findings: Vec<Json>,
}

impl Batch {
    /// The number of users evaluated.
    pub fn len(&self) -> usize {
        self.reports.len()
    }

    /// Whether no user was evaluated.
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
    }

    /// `{ users, values, errors, notFlowed, objectSkipped, defaultBranch,
    /// defaultSpan, sharedValues, usersSharing, uniqueClaimed }`.
    pub fn summary(&self) -> &Json {
        &self.summary
    }

    /// Diagnostics about the batch (attributes no user has, shared values
    /// of a unique target).
    pub fn findings(&self) -> &[Json] {
        &self.findings
    }

    /// User `i`'s result as [`Program::run_users`] lists it: the evaluation
    /// report with `inputs` (read from `users`, the users evaluated), and
    /// `default` and `shared` when they apply. `None` past the end.
    pub fn row(&self, i: usize, users: &Users) -> Option<Json> {
        let mut r = to_json(self.reports.get(i)?);
        r["inputs"] = users.records.get(i).map_or_else(
            || Json::Object(Default::default()),
            |u| inputs(self.attributes.iter().map(String::as_str), u),
        );
        if let Some(d) = &self.defaults {
            r["default"] = Json::Bool(d[i]);
        }
        if self.shared[i] > 1 {
            r["shared"] = json!(self.shared[i]);
        }
        Some(r)
    }

    /// The rows `indices` ([`Batch::row`], each with its `index`); indices
    /// past the end are left out.
    pub fn rows(&self, indices: &[u32], users: &Users) -> Json {
        Json::Array(
            indices
                .iter()
                .filter_map(|&i| {
                    let mut r = self.row(i as usize, users)?;
                    r["index"] = json!(i);
                    Some(r)
                })
                .collect(),
        )
    }

    /// The users, in order, that pass `filter` (`error`, `notFlowed`,
    /// `objectSkipped`, `default` or `shared`; anything else keeps every
    /// user) and whose label, value, error (message and code) or
    /// status contains `search` (trimmed, without regard to case).
    pub fn select(&self, users: &Users, filter: &str, search: &str) -> Vec<u32> {
        let needle = search.trim().to_lowercase();
        (0..self.reports.len())
            .filter(|&i| self.passes(i, filter))
            .filter(|&i| needle.is_empty() || self.mentions(i, users, &needle))
            .filter_map(|i| u32::try_from(i).ok())
            .collect()
    }

    fn passes(&self, i: usize, filter: &str) -> bool {
        let outcome = &self.reports[i].outcome;
        match filter {
            "error" => matches!(outcome, OutcomeReport::Error { .. }),
            "notFlowed" => matches!(outcome, OutcomeReport::NotFlowed { .. }),
            "objectSkipped" => matches!(outcome, OutcomeReport::ObjectSkipped { .. }),
            "default" => self.defaults.as_ref().is_some_and(|d| d[i]),
            "shared" => self.shared[i] > 1,
            _ => true,
        }
    }

    fn mentions(&self, i: usize, users: &Users, needle: &str) -> bool {
        let has = |s: &str| s.to_lowercase().contains(needle);
        users.labels.get(i).is_some_and(|l| has(l))
            || match &self.reports[i].outcome {
                OutcomeReport::Value { text, .. } => has(text),
                OutcomeReport::Error { error } => has(&format!("{} {}", error.message, error.code)),
                OutcomeReport::NotFlowed { .. } => has("notFlowed"),
                OutcomeReport::ObjectSkipped { .. } => has("objectSkipped"),
            }
    }

    /// The values whose text contains `search` (trimmed, without regard to
    /// case), the most common first: `{ total, values: [{ text, count,
    /// users }] }`, at most `max_values` values and `max_users` user
    /// indices under each (`count` and `total` count them all).
    pub fn distribution(&self, search: &str, max_values: usize, max_users: usize) -> Json {
        let needle = search.trim().to_lowercase();
        let matching: Vec<&(String, Vec<usize>)> = self
            .distribution
            .iter()
            .filter(|(text, _)| needle.is_empty() || text.to_lowercase().contains(&needle))
            .collect();
        json!({
            "total": matching.len(),
            "values": matching.iter().take(max_values).map(|(text, users)| json!({
                "text": text, "count": users.len(), "users": &users[..users.len().min(max_users)],
            })).collect::<Vec<_>>(),
        })
    }

    /// Everything as one JSON value: `{ results, inputErrors, summary,
    /// distribution, findings }`, `users` being the users evaluated.
    pub fn to_json(&self, users: &Users) -> Json {
        json!({
            "results": (0..self.len()).filter_map(|i| self.row(i, users)).collect::<Vec<_>>(),
            "inputErrors": users.errors,
            "summary": self.summary,
            "distribution": self.distribution.iter().map(|(text, users)| json!({"text": text, "count": users.len(), "users": users})).collect::<Vec<_>>(),
            "findings": self.findings,
        })
    }
}

/// Compiles an expression: `{ ok, diagnostics }` and the program when there
/// was no error. The diagnostics are the checker's and the expression rules
/// of `attrmap lint`, so the editor says what the linter would.
pub fn compile_json(source: &str) -> (Json, Option<Program>) {
    match crate::compile(source) {
        Ok(expr) => {
            let mut found = expr.warnings().to_vec();
            for d in crate::lint::expression_rules(expr.ast()) {
                if !found.iter().any(|w| w.code == d.code && w.span == d.span) {
                    found.push(d);
                }
            }
            found.sort_by_key(|d| (d.span.start, d.span.end));
            (
                json!({ "ok": true, "diagnostics": diagnostics_json(&found, source) }),
                Some(Program { expr }),
            )
        }
        Err(e) => (failed_json(diagnostics_json(&e.diagnostics, source)), None),
    }
}

/// The result of a compile failure where an evaluation result was expected:
/// `{ status: "compileError", ok: false, diagnostics }`, `json` being
/// [`compile_json`]'s answer.
pub fn compile_failure(mut json: Json) -> Json {
    json["status"] = Json::String("compileError".into());
    json
}

/// [`compile_failure`] of a compile error of `source`, for a front end that
/// compiled the expression itself.
pub fn compile_error_result(source: &str, e: &CompileError) -> Json {
    compile_failure(failed_json(diagnostics_json(&e.diagnostics, source)))
}

/// The result of an evaluation that could not start because its input
/// could not be read (a front end's unreadable or invalid user, clock or
/// existing values): `{ status: "inputError", error: { code, message } }`.
pub fn input_error_result(code: Code, message: &str) -> Json {
    json!({ "status": "inputError", "error": { "code": code, "message": message } })
}

/// The function catalogue, for autocomplete and docs: one object per function
/// with `name`, `signature`, `summary`, `params`, `result`, `purity`,
/// `evaluation`, `provenance`.
pub fn functions_json() -> Json {
    Json::Array(
        CATALOGUE
            .iter()
            .map(|f| {
                let mut v = to_json(f);
                v["signature"] = f.signature().into();
                // The runnable examples `cargo test` checks, for the
                // playground's reference; they run with `example_options_json`.
                v["examples"] = f
                    .examples
                    .iter()
                    .map(|e| json!({ "expression": e.expression, "user": e.user, "result": e.result }))
                    .collect();
                v
            })
            .collect(),
    )
}

/// The clock, random seed and default domain the catalogue's examples run
/// with: `{ now, seed, defaultDomain }`.
pub fn example_options_json() -> Json {
    json!({
        "now": crate::catalogue::EXAMPLE_NOW,
        "seed": crate::catalogue::EXAMPLE_SEED,
        "defaultDomain": crate::catalogue::EXAMPLE_DEFAULT_DOMAIN,
    })
}

/// Every diagnostic code, in registry order: `[{ code, severity, summary }]`.
pub fn codes_json() -> Json {
    Json::Array(
        Code::ALL
            .iter()
            .map(|c| {
                let r = c.spec();
                json!({ "code": r.code, "severity": r.severity.as_str(), "summary": r.summary })
            })
            .collect(),
    )
}

/// A code's explanation, found by its full string or its last segment as
/// `attrmap lint --explain` finds it: `{ code, severity, summary,
/// explanation, bad, good, text }`, `text` being exactly what `--explain`
/// prints. `None` for a code that is not in the registry.
pub fn explain_json(code: &str) -> Option<Json> {
    let r = Code::find(code)?.spec();
    Some(json!({
        "code": r.code,
        "severity": r.severity.as_str(),
        "summary": r.summary,
        "explanation": r.explanation,
        "bad": r.bad.shown(),
        "good": r.good.shown(),
        "text": r.explain_text(),
    }))
}

/// The keywords (IgnoreAttributeFlow, …): `[{ name, summary }]`.
pub fn keywords_json() -> Json {
    Json::Array(
        KEYWORDS
            .iter()
            .map(|k| json!({ "name": k.name, "summary": k.summary }))
            .collect(),
    )
}

/// Lints a mapping file: `{ ok, diagnostics }`, spans into the file's text;
/// `ok` is false when there is an error.
pub fn lint_json(text: &str) -> Json {
    let diags = crate::lint::lint_mapping(text);
    json!({
        "ok": !diags.iter().any(Diagnostic::is_error),
        "diagnostics": diagnostics_json(&diags, text),
    })
}

/// Maps users to SCIM resources with a mapping file: `{ ok, diagnostics,
/// matching, results, inputErrors }`, each result a
/// [`MappedReport`]; when the file cannot be used, `ok` is false and only
/// `diagnostics` is set.
pub fn map_json(text: &str, users: &Users, options: &Options) -> Json {
    let plan = match MapPlan::new(text, options.run.object) {
        Ok(plan) => plan,
        Err(diags) => return failed_json(diagnostics_json(&diags, text)),
    };
    let run = options.batch();
    let oracle = BatchOracle::new(&run.existing);
    let mut ctx = run.context_with(Some(&oracle));
    let positions = Positions::new(text);
    let results: Vec<MappedReport> = users
        .records
        .iter()
        .map(|u| {
            let mapped = plan
                .compiled
                .map(u, run.mode, &mut ctx, text, Some(&oracle));
            MappedReport::new(mapped, &plan.compiled, &positions)
        })
        .collect();
    json!({
        "ok": true,
        "diagnostics": diagnostics_json(plan.warnings(), text),
        "matching": plan.compiled.matching.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>(),
        "results": to_json(results),
        "inputErrors": users.errors,
    })
}

/// The HTTP requests Entra's SCIM client would send for these users
/// (`attrmap map --emit requests`): `{ ok, diagnostics, lines, counts,
/// inputErrors }`, `lines` being the command's output lines.
pub fn requests_json(text: &str, users: &Users, options: &Options) -> Json {
    use crate::mapping::requests::{RequestBatch, TargetState};
    let plan = match MapPlan::new(text, options.run.object) {
        Ok(plan) => plan,
        Err(diags) => return failed_json(diagnostics_json(&diags, text)),
    };
    let target = match options.target_state.as_deref().map(TargetState::from_jsonl) {
        None => TargetState::default(),
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            return failed_json(json!([{
                "code": Code::WasmInvalidOption, "severity": "error",
                "message": format!("the target state: {e}"),
                "help": "give the target's resources as JSON Lines, one resource (with its id) or list response per line",
            }]))
        }
    };
    let run = options.batch();
    let oracle = BatchOracle::new(&run.existing);
    let mut ctx = run.context_with(Some(&oracle));
    let batch = RequestBatch {
        compiled: &plan.compiled,
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
            return failed_json(
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
        "diagnostics": diagnostics_json(plan.warnings(), text),
        "lines": lines,
        "counts": {"input": counts.input, "out": counts.out, "skipped": counts.skipped, "errors": counts.errors},
        "inputErrors": users.errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18: the playground's reference shows every function's examples
    /// and every code's `--explain` text, all from here.
    #[test]
    fn reference_data_comes_from_the_catalogue_and_the_code_registry() {
        let fns = functions_json();
        let join = fns
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "Join")
            .unwrap();
        let first = &CATALOGUE
            .iter()
            .find(|f| f.name == "Join")
            .unwrap()
            .examples[0];
        assert_eq!(join["examples"][0]["expression"], json!(first.expression));
        assert_eq!(join["examples"][0]["result"], json!(first.result));
        assert_eq!(codes_json().as_array().unwrap().len(), Code::ALL.len());
        let by_short = explain_json("unknown-function").unwrap();
        assert_eq!(by_short["code"], json!("attrmap::check::unknown-function"));
        assert_eq!(
            by_short["text"],
            json!(Code::find("unknown-function")
                .unwrap()
                .spec()
                .explain_text())
        );
        assert!(explain_json("no-such-code").is_none());
        assert_eq!(
            example_options_json()["seed"],
            json!(crate::catalogue::EXAMPLE_SEED)
        );
    }

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
            include_str!("../../playground/samples/users.jsonl"),
            include_str!("../../playground/samples/workday.jsonl"),
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

    /// Issue 18: the page keeps a batch in wasm memory and asks only for
    /// what it shows; each answer must be the full result's.
    #[test]
    fn a_batch_hands_out_rows_selections_and_the_distribution() {
        let users = parse_users(
            "{\"userPrincipalName\":\"ann@x\",\"department\":\"Legal\"}\n{\"userPrincipalName\":\"bob@x\",\"department\":\"HR\"}\n{\"userPrincipalName\":\"cy@x\"}\n{\"userPrincipalName\":\"di@x\",\"department\":\"IT\"}",
        );
        let p = Program {
            expr: crate::compile(
                "Switch([department], \"Reader\", \"Legal\", \"Editor\", \"IT\", RandomString(10, 9223372036854775807, 9223372036854775807, 0, 0))",
            )
            .unwrap(),
        };
        let batch = p.batch(&users, &Options::default());
        let all = p.run_users(&users, &Options::default());
        assert_eq!(batch.len(), 4);
        assert_eq!(batch.summary(), &all["summary"]);
        for i in 0..4 {
            let mut row = batch.rows(&[i], &users)[0].clone();
            assert_eq!(row["index"], json!(i));
            row.as_object_mut().unwrap().remove("index");
            assert_eq!(row, all["results"][i as usize], "row {i}");
        }
        assert_eq!(batch.rows(&[9], &users), json!([]), "past the end");
        assert_eq!(
            batch.rows(&[0], &users)[0]["inputs"],
            json!({"department": "Legal"})
        );
        assert_eq!(batch.select(&users, "all", ""), vec![0, 1, 2, 3]);
        assert_eq!(batch.select(&users, "default", ""), vec![1, 2]);
        assert_eq!(batch.select(&users, "shared", ""), vec![1, 2]);
        assert_eq!(batch.select(&users, "error", ""), vec![3]);
        assert_eq!(batch.select(&users, "all", " BOB "), vec![1], "by label");
        assert_eq!(batch.select(&users, "all", "editor"), vec![0], "by value");
        assert_eq!(batch.select(&users, "error", "ann"), Vec::<u32>::new());
        let code = all["results"][3]["error"]["code"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(batch.select(&users, "all", &code), vec![3], "by error code");
        let d = batch.distribution("", 10, 1);
        assert_eq!(d["total"], json!(2));
        assert_eq!(
            d["values"][0],
            json!({"text": "Reader", "count": 2, "users": [1]})
        );
        assert_eq!(
            batch.distribution("EDIT", 10, 10)["values"],
            json!([{"text": "Editor", "count": 1, "users": [0]}])
        );
        assert_eq!(
            batch.distribution("", 1, 10)["values"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
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
        assert_eq!(o.run.now.unwrap().to_rfc3339(), "2024-05-01T09:30:00+00:00");
        use crate::eval::UniquenessOracle;
        assert!(o.run.existing.is_taken("a@x") && o.run.existing.is_taken("B@X"));
        assert_eq!(o.run.existing.len(), 2);
        assert_eq!(
            (o.run.seed, o.run.engine),
            (Some(7), crate::api::Engine::Ast)
        );
        let list = Options::from_json(json!({"existing": ["x", "y"], "now": null})).unwrap();
        assert_eq!(list.run.existing.len(), 2);
        assert!(list.run.now.is_none());

        let err = |v: Json| Options::from_json(v).err().unwrap();
        assert!(err(json!({"now": "yesterday"})).contains("2024-05-01T09:30:00Z"));
        assert!(err(json!({"nowe": 1})).contains("the options are now, existing, seed, engine"));
        assert!(err(json!({"engine": "jit"})).contains("options.engine"));
        assert!(err(json!({"existing": [1]})).contains("must hold strings"));
        assert!(err(json!({"seed": -1})).contains("whole number"));
        assert!(err(json!([1])).contains("must be an object"));
        assert!(err(json!({"dialect": "scim"})).contains("options.dialect"));
    }

    #[test]
    fn map_and_lint_a_mapping_file() {
        let file = include_str!("../../playground/samples/dilitrust-mapping.json");
        assert_eq!(lint_json(file)["ok"], json!(true));
        let users = parse_users(include_str!("../../playground/samples/users.jsonl"));
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
        let file = include_str!("../../playground/samples/dilitrust-mapping.json");
        let users = parse_users(include_str!("../../playground/samples/users.jsonl"));
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

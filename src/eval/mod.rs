//! Evaluation: the context both evaluators share (clock, random source,
//! uniqueness oracle, limits), outcomes, runtime errors, and the semantics
//! that the AST evaluator and the VM must agree on (comparison, Switch keys,
//! Coalesce, SelectUniqueValue).

use crate::codes::Code;
pub mod record;
pub mod trace;
pub mod tree;

use crate::syntax::{CompareOp, Span};
use crate::value::Value;
use chrono::{DateTime, Utc};
use rand::RngCore;
use std::collections::HashSet;

pub use record::{FlatRecord, FlatValue, KeyFilter, Record};

/// What an expression did for one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<'a> {
    /// The attribute flows with this value (which may be null).
    Value(Value<'a>),
    /// The attribute is dropped from the flow (IgnoreFlowIfNullOrEmpty, IgnoreAttributeFlow).
    Ignore,
    /// The whole object is skipped (IgnoreObjectFlow).
    IgnoreObject,
}

impl Outcome<'_> {
    /// The outcome with its value no longer borrowing from the record or the program.
    pub fn into_owned(self) -> Outcome<'static> {
        match self {
            Outcome::Value(v) => Outcome::Value(v.into_owned()),
            Outcome::Ignore => Outcome::Ignore,
            Outcome::IgnoreObject => Outcome::IgnoreObject,
        }
    }
}

/// An evaluation failure, with the span of the call that failed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuntimeError {
    pub code: Code,
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

impl RuntimeError {
    /// An error with `code` at `span`.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        RuntimeError {
            code,
            message: message.into(),
            span,
            help: None,
        }
    }
    /// Adds what to do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// The error as a diagnostic, for the reports that print findings.
    pub fn to_diagnostic(&self) -> crate::diagnostic::Diagnostic {
        let d = crate::diagnostic::Diagnostic::new(self.code, self.span, self.message.clone());
        match &self.help {
            Some(h) => d.with_help(h.clone()),
            None => d,
        }
    }
}

impl std::fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for RuntimeError {}

/// Why evaluation stopped early: a flow decision or an error.
#[derive(Debug, Clone, PartialEq)]
pub enum Interrupt {
    Ignore,
    IgnoreObject,
    /// Boxed: every function returns a `Result<Value, Interrupt>`, which
    /// stays as small as a value this way (the error is rare and large).
    Error(Box<RuntimeError>),
}

impl From<RuntimeError> for Interrupt {
    fn from(e: RuntimeError) -> Self {
        Interrupt::Error(Box::new(e))
    }
}

/// What one evaluation gives: an outcome, or a runtime error.
pub type EvalResult<'a> = Result<Outcome<'a>, RuntimeError>;

pub(crate) fn finish(r: Result<Value<'_>, Interrupt>) -> EvalResult<'_> {
    match r {
        Ok(v) => Ok(Outcome::Value(v)),
        Err(Interrupt::Ignore) => Ok(Outcome::Ignore),
        Err(Interrupt::IgnoreObject) => Ok(Outcome::IgnoreObject),
        Err(Interrupt::Error(e)) => Err(*e),
    }
}

/// Answers whether a candidate value is already taken in the target, for
/// SelectUniqueValue. Embedders connect this to their directory.
pub trait UniquenessOracle {
    fn is_taken(&self, candidate: &str) -> bool;
}

/// Nothing is taken.
pub struct NoneTaken;
impl UniquenessOracle for NoneTaken {
    fn is_taken(&self, _: &str) -> bool {
        false
    }
}

/// How SelectUniqueValue compares a candidate with a taken value: without
/// regard to case, as Entra compares userPrincipalName and mail. Every
/// taken set (`--existing`, the batch's own claims) folds with this one
/// function, so no two of them can disagree.
pub fn uniqueness_key(value: &str) -> std::borrow::Cow<'_, str> {
    if value
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        std::borrow::Cow::Owned(value.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// Calls `f` with [`uniqueness_key`] of `value`, folding a short ASCII
/// value in a buffer on the stack: a taken-set lookup per candidate then
/// allocates nothing.
pub(crate) fn with_uniqueness_key<T>(value: &str, f: impl FnOnce(&str) -> T) -> T {
    let mut buf = [0u8; 64];
    match buf.get_mut(..value.len()) {
        Some(folded) if value.is_ascii() => {
            folded.copy_from_slice(value.as_bytes());
            // For ASCII, Unicode lower-casing is ASCII lower-casing.
            folded.make_ascii_lowercase();
            f(std::str::from_utf8(folded).unwrap_or(value))
        }
        _ => f(&uniqueness_key(value)),
    }
}

/// A fixed set of taken values (the CLI's `--existing FILE`), compared as
/// [`uniqueness_key`] says: `JDoe@x` is taken when `jdoe@x` is listed.
#[derive(Debug, Default, Clone)]
pub struct TakenSet(HashSet<String>);
impl TakenSet {
    /// An empty set.
    pub fn new() -> Self {
        TakenSet::default()
    }
    /// Marks `value` taken.
    pub fn insert(&mut self, value: &str) {
        self.0.insert(uniqueness_key(value).into_owned());
    }
    /// The number of distinct values (after case folding).
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether no value is taken.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
impl<S: AsRef<str>> FromIterator<S> for TakenSet {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut set = TakenSet::new();
        set.extend(iter);
        set
    }
}
impl<S: AsRef<str>> Extend<S> for TakenSet {
    fn extend<I: IntoIterator<Item = S>>(&mut self, iter: I) {
        for v in iter {
            self.insert(v.as_ref());
        }
    }
}
impl UniquenessOracle for TakenSet {
    fn is_taken(&self, candidate: &str) -> bool {
        with_uniqueness_key(candidate, |k| self.0.contains(k))
    }
}
impl<T: UniquenessOracle + ?Sized> UniquenessOracle for &T {
    fn is_taken(&self, candidate: &str) -> bool {
        (**self).is_taken(candidate)
    }
}

/// Bounds on one evaluation, so no expression or input can run away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeLimits {
    /// Instructions (VM) or nodes (AST evaluator) per evaluation.
    pub max_steps: u64,
    /// Longest string any function may produce, in bytes.
    pub max_output_bytes: usize,
    /// Most elements a multi-valued value may have.
    pub max_list_len: usize,
}

impl Default for RuntimeLimits {
    fn default() -> Self {
        RuntimeLimits {
            max_steps: 1_000_000,
            max_output_bytes: 1 << 20,
            max_list_len: 100_000,
        }
    }
}

/// Everything an evaluation may read besides the record.
pub struct Context<'e> {
    now: Option<DateTime<Utc>>,
    /// The tenant's default verified domain DefaultDomain() returns; no
    /// domain is made up when none was given, the call fails instead.
    default_domain: Option<String>,
    rng: Option<&'e mut dyn RngCore>,
    owned_rng: Option<rand::rngs::StdRng>,
    oracle: &'e dyn UniquenessOracle,
    pub limits: RuntimeLimits,
    /// Set when a Redact call ran: logs and traces must not show the value.
    pub redacted: bool,
    /// Non-fatal findings (for example SingleAppRoleAssignment with several roles).
    pub warnings: Vec<RuntimeError>,
}

impl Default for Context<'_> {
    fn default() -> Self {
        Context::new()
    }
}

impl<'e> Context<'e> {
    /// A context with the defaults: the system clock, OS randomness, nothing
    /// taken, the default limits.
    pub fn new() -> Self {
        Context {
            now: None,
            default_domain: None,
            rng: None,
            owned_rng: None,
            oracle: &NoneTaken,
            limits: RuntimeLimits::default(),
            redacted: false,
            warnings: Vec::new(),
        }
    }
    /// Fixes the clock that Now() reads.
    pub fn with_now(mut self, now: DateTime<Utc>) -> Self {
        self.now = Some(now);
        self
    }
    /// Sets the tenant's default verified domain that DefaultDomain() returns
    /// (`contoso.onmicrosoft.com` or a custom domain such as `contoso.com`).
    pub fn with_default_domain(mut self, domain: impl Into<String>) -> Self {
        self.default_domain = Some(domain.into());
        self
    }
    /// Draws Guid() and RandomString() from `rng`.
    pub fn with_rng(mut self, rng: &'e mut dyn RngCore) -> Self {
        self.rng = Some(rng);
        self
    }
    /// A deterministic random source, for tests and reproducible runs.
    pub fn with_seed(mut self, seed: u64) -> Self {
        use rand::SeedableRng;
        self.owned_rng = Some(rand::rngs::StdRng::seed_from_u64(seed));
        self
    }
    /// Asks `oracle` which values SelectUniqueValue must skip.
    pub fn with_oracle(mut self, oracle: &'e dyn UniquenessOracle) -> Self {
        self.oracle = oracle;
        self
    }
    /// Evaluates under `limits` (steps, output sizes).
    pub fn with_limits(mut self, limits: RuntimeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Clears per-evaluation state so the context can be reused for the next record.
    pub fn reset(&mut self) {
        self.redacted = false;
        self.warnings.clear();
    }

    /// The instant Now() returns: the fixed one, or the system clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(system_now)
    }
    /// The instant fixed with [`Context::with_now`], if any.
    pub fn fixed_now(&self) -> Option<DateTime<Utc>> {
        self.now
    }

    /// The domain set with [`Context::with_default_domain`], if any.
    pub fn default_domain(&self) -> Option<&str> {
        self.default_domain.as_deref()
    }

    /// The random source Guid() and RandomString() draw from.
    pub fn rng(&mut self) -> &mut dyn RngCore {
        if let Some(r) = self.rng.as_deref_mut() {
            return r;
        }
        self.owned_rng.get_or_insert_with(|| {
            use rand::SeedableRng;
            rand::rngs::StdRng::from_entropy()
        })
    }

    /// Whether SelectUniqueValue must skip `candidate`.
    pub fn is_taken(&self, candidate: &str) -> bool {
        self.oracle.is_taken(candidate)
    }
}

fn system_now() -> DateTime<Utc> {
    Utc::now()
}

// ---------------------------------------------------------------------------
// Semantics shared by both evaluators.

/// Entra compares loosely: two values that both read as integers compare as
/// numbers (`[StatusRehire]=1` with "1"), two DateTimes compare as instants,
/// and everything else compares as case-sensitive strings.
pub fn compare(op: CompareOp, lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    compare_with(op, lhs, rhs, || numeric(rhs))
}

/// [`compare`] with the right operand's integer reading supplied by the
/// caller: the VM reads a constant's once, when it compiles the comparison.
/// `rhs_numeric` must be what [`numeric`] gives for `rhs`; it is only asked
/// for when the left operand reads as an integer.
pub(crate) fn compare_with(
    op: CompareOp,
    lhs: &Value<'_>,
    rhs: &Value<'_>,
    rhs_numeric: impl FnOnce() -> Option<i64>,
) -> bool {
    use std::cmp::Ordering;
    let ord: Ordering = match (lhs, rhs) {
        (Value::DateTime(a), Value::DateTime(b)) => a.cmp(b),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        _ => match numeric(lhs).and_then(|a| Some((a, rhs_numeric()?))) {
            Some((a, b)) => a.cmp(&b),
            None => {
                if matches!(op, CompareOp::Eq | CompareOp::Ne) {
                    // Booleans are compared by meaning: "true" = True.
                    if let (Value::Bool(x), Value::Str(s)) | (Value::Str(s), Value::Bool(x)) =
                        (lhs, rhs)
                    {
                        let eq = trim(s).eq_ignore_ascii_case(if *x { "true" } else { "false" });
                        return (op == CompareOp::Eq) == eq;
                    }
                }
                lhs.to_text().as_ref().cmp(rhs.to_text().as_ref())
            }
        },
    };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
    }
}

/// A value's reading as an integer for [`compare`]: an integer, or a string
/// that is one after trimming.
pub(crate) fn numeric(v: &Value<'_>) -> Option<i64> {
    match v {
        Value::Int(n) => Some(*n),
        Value::Str(s) => {
            let t = trim(s);
            if t.is_empty() {
                None
            } else {
                t.parse::<i64>().ok()
            }
        }
        _ => None,
    }
}

/// `str::trim`, without its scan when the text starts and ends with a
/// printable ASCII character (no white space is one), as nearly all
/// compared values do.
fn trim(s: &str) -> &str {
    let printable = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x7F);
    if printable(s.as_bytes().first()) && printable(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// Switch compares the source's text with each key, case-sensitively; a null
/// source reads as "" and so matches the key "".
pub fn switch_key_matches(source: &Value<'_>, key: &Value<'_>) -> bool {
    source.to_text() == key.to_text()
}

/// Coalesce takes the first argument that is not null. An empty multi-valued
/// attribute counts as null; the empty string does not (it is a value).
pub fn coalesce_accepts(v: &Value<'_>) -> bool {
    match v {
        Value::Null => false,
        Value::List(l) => !l.is_empty(),
        _ => true,
    }
}

/// SelectUniqueValue accepts a candidate that has a value and is not taken.
pub fn unique_candidate(ctx: &Context<'_>, v: &Value<'_>) -> bool {
    !v.is_null_or_empty() && !ctx.is_taken(&v.to_text())
}

/// The error when every SelectUniqueValue candidate is taken or empty.
#[cold]
#[inline(never)]
pub fn escrowed(span: Span, candidates: usize) -> RuntimeError {
    RuntimeError::new(
        Code::EvalEscrowed,
        span,
        format!("SelectUniqueValue: all {candidates} candidate values are already taken; Entra escrows this object"),
    )
    .with_help("add another rule that generates a different value, for example one that appends a number")
}

/// The documented Entra quirk: an IIF condition that reads a null or empty
/// attribute fails instead of evaluating to false.
///
/// The errors here are `#[cold]` and out of line: the evaluators' loops
/// stay small and lay out their common paths first.
#[cold]
#[inline(never)]
pub fn iif_null_condition(span: Span, attribute: &str, value: &Value<'_>) -> RuntimeError {
    let what = if value.is_null() { "null" } else { "empty" };
    RuntimeError::new(
        Code::EvalIifNullCondition,
        span,
        format!("IIF condition reads [{attribute}], which is {what}: Entra fails the condition check"),
    )
    .with_help(format!(
        "handle the missing value with Switch, as Entra recommends: Switch([{attribute}], [{attribute}], \"\", \"Other\")"
    ))
}

/// A call the checker did not resolve. Both engines fail on it with this
/// error; only a tree that bypassed [`crate::check::check`] can hold one.
#[cold]
#[inline(never)]
pub fn unresolved_function(call: &crate::syntax::Call) -> RuntimeError {
    RuntimeError::new(
        Code::CheckUnknownFunction,
        call.name_span,
        format!("unknown function {}", call.name),
    )
}

/// A bare name that is no keyword; like [`unresolved_function`], only an
/// unchecked tree holds one.
#[cold]
#[inline(never)]
pub fn unknown_keyword(name: &str, span: Span) -> RuntimeError {
    RuntimeError::new(
        Code::EvalUnknownKeyword,
        span,
        format!("unknown keyword {name}"),
    )
}

/// The error when an evaluation used up its step budget.
#[cold]
#[inline(never)]
pub fn budget_exceeded(span: Span, limit: u64) -> RuntimeError {
    RuntimeError::new(Code::EvalStepBudget, span, format!("evaluation exceeded the step budget of {limit}"))
        .with_help("the expression or its input is too large; raise RuntimeLimits::max_steps if this is expected")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The stack-buffer path folds as the allocating rule does.
        #[test]
        fn uniqueness_key_on_the_stack_is_the_rule(s in "(\\PC|[A-Za-z.@_-]){0,80}") {
            let rule = uniqueness_key(&s);
            let on_stack = with_uniqueness_key(&s, str::to_string);
            proptest::prop_assert_eq!(on_stack.as_str(), rule.as_ref());
        }
    }

    #[test]
    fn taken_sets_ignore_case() {
        let taken: TakenSet = ["JDoe@contoso.com", "Zoë"].into_iter().collect();
        for (candidate, is) in [
            ("jdoe@contoso.com", true),
            ("JDOE@CONTOSO.COM", true),
            ("ZOË", true),
            ("jdoe", false),
            (&"A".repeat(100), false),
        ] {
            assert_eq!(taken.is_taken(candidate), is, "{candidate}");
        }
        let long: TakenSet = ["B".repeat(100)].into_iter().collect();
        assert!(long.is_taken(&"b".repeat(100)));
    }
}

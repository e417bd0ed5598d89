//! Run options: what every front end lets the user fix about a run, and
//! the evaluation [`Context`] they make.

use crate::eval::{Context, TakenSet, UniquenessOracle};
use crate::mapping::builder::Mode;
use crate::mapping::ObjectType;
use chrono::{DateTime, Utc};
use serde_json::Value as Json;

/// Which evaluator runs an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// The bytecode VM (the fast one, and the default).
    #[default]
    Vm,
    /// The reference tree walker the VM is tested against.
    Ast,
}

/// Options of one run: an `eval`, a `map` batch, a playground keystroke.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The instant `Now()` returns; `None` reads the clock.
    pub now: Option<DateTime<Utc>>,
    /// Seed for `Guid()` and `RandomString()`, for reproducible output.
    pub seed: Option<u64>,
    /// The tenant's default verified domain `DefaultDomain()` returns;
    /// `None` makes a call fail (`attrmap::eval::no-default-domain`).
    pub default_domain: Option<String>,
    /// Values SelectUniqueValue must treat as taken.
    pub existing: TakenSet,
    pub engine: Engine,
    /// For a mapping: which object mapping applies.
    pub object: ObjectType,
    /// For a mapping: create (every mapping and default) or update.
    pub mode: Mode,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            now: None,
            seed: None,
            default_domain: None,
            existing: TakenSet::default(),
            engine: Engine::Vm,
            object: ObjectType::User,
            mode: Mode::Create,
        }
    }
}

/// The option names [`RunOptions::from_json`] reads, for its error message.
const OPTION_NAMES: &str =
    "now, existing, seed, defaultDomain, engine, and for map object and mode";

impl RunOptions {
    /// A context with the clock and seed of these options, whose uniqueness
    /// oracle is the existing values.
    pub fn context(&self) -> Context<'_> {
        self.context_with(Some(&self.existing))
    }

    /// A context with the clock and seed of these options and the given
    /// uniqueness oracle (a mapping batch wraps the existing values in a
    /// [`BatchOracle`](crate::mapping::builder::BatchOracle)); `None` keeps
    /// the context's default, which finds nothing taken.
    pub fn context_with<'o>(&self, oracle: Option<&'o dyn UniquenessOracle>) -> Context<'o> {
        let mut ctx = Context::new();
        if let Some(oracle) = oracle {
            ctx = ctx.with_oracle(oracle);
        }
        if let Some(now) = self.now {
            ctx = ctx.with_now(now);
        }
        if let Some(seed) = self.seed {
            ctx = ctx.with_seed(seed);
        }
        if let Some(domain) = &self.default_domain {
            ctx = ctx.with_default_domain(domain.as_str());
        }
        ctx
    }

    /// Fixes `Now()` at the current instant unless it is already fixed, so
    /// that every record of a batch sees the same time, as in one
    /// provisioning cycle.
    pub fn fix_clock(&mut self) {
        self.now.get_or_insert_with(Utc::now);
    }

    /// Reads options from a JSON object (the WebAssembly bindings' argument):
    /// `{ now?, existing?: string[] | string, seed?: number | string,
    /// defaultDomain?: string, engine?: "vm" | "ast", object?: "user" |
    /// "group", mode?: "create" |
    /// "update" }`. `null` leaves an option unset. The error names the option
    /// and the fix.
    pub fn from_json(json: Json) -> Result<RunOptions, String> {
        let mut o = RunOptions::default();
        let map = match json {
            Json::Null => return Ok(o),
            Json::Object(m) => m,
            _ => return Err("options must be an object".into()),
        };
        for (key, value) in map {
            if !value.is_null() {
                o.set(&key, value)?;
            }
        }
        Ok(o)
    }

    /// The option names [`RunOptions::set`] reads.
    pub const KEYS: [&'static str; 7] = [
        "now",
        "existing",
        "seed",
        "defaultDomain",
        "engine",
        "object",
        "mode",
    ];

    /// Sets the option `key` (one of [`RunOptions::KEYS`]) from JSON; the
    /// error names the option and the fix.
    pub fn set(&mut self, key: &str, value: Json) -> Result<(), String> {
        match (key, value) {
            ("now", Json::String(s)) => self.now = Some(parse_now(&s, "options.now")?),
            ("defaultDomain", Json::String(s)) => {
                self.default_domain = Some(parse_default_domain(&s, "options.defaultDomain")?)
            }
            ("existing", Json::Array(items)) => {
                for item in items {
                    match item {
                        Json::String(s) => self.existing.insert(&s),
                        other => {
                            return Err(format!(
                                "options.existing must hold strings, found {other}"
                            ))
                        }
                    }
                }
            }
            // The playground's textarea: one taken value per line.
            ("existing", Json::String(lines)) => self.existing.extend(taken_lines(&lines)),
            ("seed", Json::Number(n)) => {
                self.seed =
                    Some(n.as_u64().ok_or_else(|| {
                        format!("options.seed must be a whole number ≥ 0, got {n}")
                    })?);
            }
            ("seed", Json::String(s)) => {
                self.seed =
                    Some(s.trim().parse().map_err(|_| {
                        format!("options.seed must be a whole number ≥ 0, got {s:?}")
                    })?);
            }
            ("engine", Json::String(s)) if s == "vm" => self.engine = Engine::Vm,
            ("engine", Json::String(s)) if s == "ast" => self.engine = Engine::Ast,
            ("object", Json::String(s)) if s.eq_ignore_ascii_case("user") => {
                self.object = ObjectType::User
            }
            ("object", Json::String(s)) if s.eq_ignore_ascii_case("group") => {
                self.object = ObjectType::Group
            }
            ("mode", Json::String(s)) if s == "create" => self.mode = Mode::Create,
            ("mode", Json::String(s)) if s == "update" => self.mode = Mode::Update,
            (k, v) if Self::KEYS.contains(&k) => {
                return Err(format!("options.{k} has an unsupported value {v}"))
            }
            (k, _) => {
                return Err(format!(
                    "unknown option {k:?}; the options are {OPTION_NAMES}"
                ))
            }
        }
        Ok(())
    }
}

/// Parses the instant for `Now()`, RFC 3339; `option` names where it came
/// from (`--now`, `options.now`) in the error.
pub fn parse_now(text: &str, option: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "{option} {text:?} is not an RFC 3339 date-time ({e}); write it like 2024-05-01T09:30:00Z"
            )
        })
}

/// Checks the domain for `DefaultDomain()`: a DNS name as Entra verifies
/// them (letters, digits, hyphens, dot-separated labels), so a typo such as
/// `@contoso.com` or a stray space fails here rather than in every UPN;
/// `option` names where it came from (`--default-domain`,
/// `options.defaultDomain`) in the error.
pub fn parse_default_domain(text: &str, option: &str) -> Result<String, String> {
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if text.len() <= 253 && text.contains('.') && text.split('.').all(label_ok) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{option} {text:?} is not a domain name; give the tenant's default verified domain without @, like contoso.onmicrosoft.com or contoso.com"
        ))
    }
}

/// Taken values written one per line (`--existing FILE`, the playground's
/// textarea). Surrounding whitespace and a CR are not part of a value, and
/// blank lines are skipped.
pub fn taken_from_lines(text: &str) -> TakenSet {
    taken_lines(text).collect()
}

fn taken_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::UniquenessOracle;
    use serde_json::json;

    #[test]
    fn options_are_checked_and_name_the_fix() {
        let o = RunOptions::from_json(json!({
            "now": "2024-05-01T09:30:00Z",
            "existing": "a@x\n\n  b@x  \n",
            "seed": 7,
            "engine": "ast",
            "object": "Group",
            "mode": "update",
            "defaultDomain": "contoso.onmicrosoft.com",
        }))
        .unwrap();
        assert_eq!(o.default_domain.as_deref(), Some("contoso.onmicrosoft.com"));
        assert_eq!(
            o.context().default_domain(),
            Some("contoso.onmicrosoft.com")
        );
        assert_eq!(RunOptions::default().context().default_domain(), None);
        assert_eq!(o.now.unwrap().to_rfc3339(), "2024-05-01T09:30:00+00:00");
        assert!(o.existing.is_taken("a@x") && o.existing.is_taken("B@X"));
        assert_eq!(o.existing.len(), 2);
        assert_eq!((o.seed, o.engine), (Some(7), Engine::Ast));
        assert_eq!((o.object, o.mode), (ObjectType::Group, Mode::Update));
        let list = RunOptions::from_json(json!({"existing": ["x", "y"], "now": null})).unwrap();
        assert_eq!(list.existing.len(), 2);
        assert!(list.now.is_none());

        let err = |v: Json| RunOptions::from_json(v).err().unwrap();
        assert!(err(json!({"now": "yesterday"})).contains("2024-05-01T09:30:00Z"));
        assert!(err(json!({"nowe": 1}))
            .contains("the options are now, existing, seed, defaultDomain, engine"));
        assert!(err(json!({"defaultDomain": "@contoso.com"})).contains("options.defaultDomain"));
        assert!(err(json!({"defaultDomain": "contoso com"})).contains("not a domain name"));
        assert!(
            err(json!({"defaultDomain": 5})).contains("options.defaultDomain has an unsupported")
        );
        assert!(err(json!({"defaultDomain": "localhost"})).contains("contoso.onmicrosoft.com"));
        assert!(err(json!({"engine": "jit"})).contains("options.engine"));
        assert!(err(json!({"mode": "upsert"})).contains("options.mode"));
        assert!(err(json!({"existing": [1]})).contains("must hold strings"));
        assert!(err(json!({"seed": -1})).contains("whole number"));
        assert!(err(json!([1])).contains("must be an object"));
    }

    #[test]
    fn the_context_carries_clock_seed_and_existing_values() {
        let options = RunOptions {
            now: Some(parse_now("2024-05-01T09:30:00Z", "--now").unwrap()),
            seed: Some(3),
            existing: taken_from_lines("taken@x\r\n"),
            ..RunOptions::default()
        };
        let ctx = options.context();
        assert_eq!(ctx.fixed_now(), options.now);
        assert!(ctx.is_taken("TAKEN@x"));
        assert!(!options.context_with(None).is_taken("taken@x"));
        let mut unfixed = RunOptions::default();
        assert!(unfixed.context().fixed_now().is_none());
        unfixed.fix_clock();
        let first = unfixed.now;
        unfixed.fix_clock();
        assert!(first.is_some() && unfixed.now == first, "fixed once");
    }

    #[test]
    fn a_bad_now_names_its_option() {
        let e = parse_now("2024-05-01", "--now").unwrap_err();
        assert!(e.starts_with("--now \"2024-05-01\""), "{e}");
    }
}

//! Seeded generator of realistic Entra users and the benchmark workloads.
//!
//! Shared by `benches/engines.rs`, `tests/alloc.rs` and `tests/perf_quick.rs`
//! (included with `#[path]`), so the benchmarks, the zero-allocation proof and
//! the CI regression check all run on the same data. Dev-only: nothing here
//! is part of the library.
#![allow(dead_code)]

use serde_json::{json, Map, Value};

/// The seed every benchmark and test uses, so figures are comparable across runs.
pub const SEED: u64 = 0x5EED_A77E_0000_0007;

/// SplitMix64: tiny, fast, and stable across crate versions (unlike `rand`'s
/// StdRng, whose stream may change between releases).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// The 20 departments the role-derivation Switch maps (workload 1).
pub const DEPARTMENTS: [&str; 20] = [
    "Legal",
    "Procurement",
    "Finance",
    "Human Resources",
    "Sales",
    "Marketing",
    "Engineering",
    "Research & Development",
    "Customer Success",
    "Support",
    "IT Operations",
    "Security",
    "Compliance",
    "Contracts",
    "Executive Office",
    "Operations",
    "Supply Chain",
    "Manufacturing",
    "Quality Assurance",
    "Business Development",
];

/// Departments no Switch key matches: they take the default role.
const UNMAPPED: [&str; 4] = ["Facilities", "Interns", "Corporate Communications", "legal"];

/// Names with spaces and diacritics that decompose (é, ë, ñ, ř…), so every
/// engine's diacritic folding agrees on them.
const GIVEN: [&str; 16] = [
    "Zoë",
    "José",
    "Renée",
    "Björn",
    "Anaïs",
    "François",
    "Jürgen",
    "Mary Ann",
    "Chloé",
    "Inés",
    "Ana",
    "Miguel",
    "John",
    "Sarah",
    "Dvořák",
    "Noël",
];
const SURNAMES: [&str; 16] = [
    "Müller",
    "García",
    "van der Berg",
    "O Neil",
    "Núñez",
    "Smith",
    "Brontë",
    "Lefèvre",
    "Kowalski",
    "De la Cruz",
    "Åkesson",
    "Çelik",
    "Jones",
    "Ibáñez",
    "Svoboda",
    "Schröder",
];
const TITLES: [&str; 8] = [
    "Counsel",
    "Buyer",
    "Analyst",
    "Engineer",
    "Manager",
    "Director",
    "Specialist",
    "Associate",
];
const CITIES: [(&str, &str); 6] = [
    ("Redmond", "US"),
    ("Paris", "FR"),
    ("München", "DE"),
    ("Madrid", "ES"),
    ("London", "GB"),
    ("Praha", "CZ"),
];

/// The role UUID DiliTrust would give department `i` (and the default, `None`).
pub fn role_uuid(i: Option<usize>) -> String {
    let mut r = Rng::new(0xD111_7257 ^ i.map_or(999, |i| i as u64));
    r.uuid()
}

fn mobile(r: &mut Rng) -> String {
    let (a, b, c) = (200 + r.below(700), 100 + r.below(900), r.below(10_000));
    match r.below(5) {
        0 => format!("+1 ({a}) {b}-{c:04}"),
        1 => format!("{a}-{b}-{c:04}"),
        2 => format!("({a}) {b} {c:04}"),
        3 => format!("+44 20 {b} {c:04}"),
        _ => format!("{a}{b}{c:04}"),
    }
}

/// A fixed "now" for the HR date logic, so results never depend on the clock.
pub const NOW_RFC3339: &str = "2026-01-15T12:00:00Z";

fn hire_date(r: &mut Rng) -> String {
    // Days from 2015-01-01; the window around "now" (day 4032) is skipped so
    // whole-day truncation and instant comparison agree in every engine.
    let mut day = r.below(4400) as i64;
    if (4028..=4036).contains(&day) {
        day += 10;
    }
    let d = chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + chrono::Duration::days(day);
    format!("{}T08:00:00Z", d.format("%Y-%m-%d"))
}

/// One realistic user: about twenty attributes, as an Entra user or a
/// Workday worker looks to the provisioning service.
pub fn user(r: &mut Rng, n: usize) -> Value {
    let given = *r.pick(&GIVEN);
    let surname = *r.pick(&SURNAMES);
    let (city, country) = *r.pick(&CITIES);
    let ascii = |s: &str| s.replace(' ', "").to_lowercase();
    let mut m = Map::new();
    m.insert("objectId".into(), json!(r.uuid()));
    m.insert("accountEnabled".into(), json!(r.chance(92)));
    m.insert("IsSoftDeleted".into(), json!(r.chance(3)));
    m.insert("givenName".into(), json!(given));
    m.insert("surname".into(), json!(surname));
    m.insert("displayName".into(), json!(format!("{given} {surname}")));
    m.insert(
        "mail".into(),
        json!(format!(
            "{}.{}{n}@contoso.com",
            ascii(given),
            ascii(surname)
        )),
    );
    m.insert(
        "userPrincipalName".into(),
        json!(format!("u{n:06}@contoso.onmicrosoft.com")),
    );
    m.insert("employeeId".into(), json!(format!("{:06}", 100_000 + n)));
    // 85% mapped, 10% unmapped, 5% absent (the Switch default in all three cases).
    let dept = match r.below(100) {
        0..=84 => Some(*r.pick(&DEPARTMENTS)),
        85..=94 => Some(*r.pick(&UNMAPPED)),
        _ => None,
    };
    if let Some(d) = dept {
        m.insert("department".into(), json!(d));
    }
    m.insert("jobTitle".into(), json!(*r.pick(&TITLES)));
    m.insert("city".into(), json!(city));
    m.insert("country".into(), json!(country));
    m.insert("usageLocation".into(), json!(country));
    m.insert("mobile".into(), json!(mobile(r)));
    m.insert(
        "telephoneNumber".into(),
        json!(format!("+1 425 555 {:04}", r.below(10_000))),
    );
    m.insert("Active".into(), json!(if r.chance(90) { "1" } else { "0" }));
    m.insert("StatusHireDate".into(), json!(hire_date(r)));
    m.insert("companyName".into(), json!("Contoso"));
    m.insert("preferredLanguage".into(), json!("en-US"));
    m.insert(
        "extension_9f2c1a_costCenter".into(),
        json!(format!("CC-{}", 1000 + r.below(50))),
    );
    m.insert(
        "manager".into(),
        if r.chance(95) {
            json!(r.uuid())
        } else {
            Value::Null
        },
    );
    Value::Object(m)
}

/// `n` users from `seed`.
pub fn users(n: usize, seed: u64) -> Vec<Value> {
    let mut r = Rng::new(seed);
    (0..n).map(|i| user(&mut r, i)).collect()
}

/// The users as JSON Lines, as a sync engine's export file looks.
pub fn jsonl(n: usize, seed: u64) -> String {
    let mut out = String::new();
    for u in users(n, seed) {
        out.push_str(&u.to_string());
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------
// Workloads, written in the Entra expression language.

/// Workload 1: DiliTrust roleId from department, 20 department/UUID pairs.
pub fn w1_role_derivation() -> String {
    let mut s = format!("Switch([department], \"{}\"", role_uuid(None));
    for (i, d) in DEPARTMENTS.iter().enumerate() {
        s.push_str(&format!(", \"{d}\", \"{}\"", role_uuid(Some(i))));
    }
    s.push(')');
    s
}

/// Workload 2: UPN generation.
pub const W2_UPN: &str = r#"ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [givenName], [surname]))), "contoso.com"))"#;

/// Workload 3: HR date logic (Workday-style hire date check).
pub const W3_HR_DATE: &str = r#"Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) >= 0, "True", "False"), "0", "False")"#;

/// Workload 10: HR status, nested IIF as the reference's IIF example nests it.
pub const W10_HR_STATUS: &str = r#"IIF([Active] = "1", IIF([accountEnabled] = "True", "Active", "Pending"), IIF([IsSoftDeleted] = "True", "Deleted", "Terminated"))"#;

/// Workload 4: phone number cleanup with a regex.
pub const W4_REGEX: &str = r#"Replace([mobile], , "[()\\s-]+", , "", , )"#;

/// Workload 9: the lifecycle-workflows guide's Workday hire date
/// conversion, on users whose hire date is in Workday's form
/// ([`workday_hire_dates`]).
pub const W9_WORKDAY_DATE: &str =
    r#"FormatDateTime([StatusHireDate], , "yyyy-MM-ddzzz", "yyyyMMddHHmmss.fZ")"#;

/// Rewrites each user's hire date to Workday's form (`2015-03-04-08:00`),
/// which workload 9 reads.
pub fn workday_hire_dates(users: &mut [Value]) {
    for u in users {
        let rfc = text_of(u, "StatusHireDate").to_string();
        u["StatusHireDate"] = json!(format!("{}-08:00", &rfc[..10]));
    }
}

// The workloads' logic in plain Rust: what every engine must answer.

/// Workload 9's answer: midnight at UTC-8 is 08:00 UTC.
pub fn w9_reference(u: &Value) -> String {
    format!(
        "{}080000.0Z",
        text_of(u, "StatusHireDate")[..10].replace('-', "")
    )
}

pub fn w1_reference(u: &Value) -> String {
    let dept = u.get("department").and_then(Value::as_str);
    role_uuid(DEPARTMENTS.iter().position(|d| Some(*d) == dept))
}

fn text_of<'u>(u: &'u Value, name: &str) -> &'u str {
    u.get(name).and_then(Value::as_str).unwrap_or_default()
}

pub fn w2_reference(u: &Value) -> String {
    let joined = format!("{}.{}", text_of(u, "givenName"), text_of(u, "surname"));
    format!("{}@contoso.com", fold_diacritics(&joined.replace(' ', ""))).to_lowercase()
}

pub fn w3_reference(u: &Value) -> String {
    match text_of(u, "Active") {
        "1" => {
            let now: chrono::DateTime<chrono::Utc> = NOW_RFC3339.parse().expect("now");
            let hire: chrono::DateTime<chrono::Utc> =
                text_of(u, "StatusHireDate").parse().expect("RFC 3339");
            if (hire - now).num_days() >= 0 {
                "True"
            } else {
                "False"
            }
            .to_string()
        }
        "0" => "False".to_string(),
        _ => String::new(),
    }
}

pub fn w4_reference(u: &Value) -> String {
    let re = regex::Regex::new(r"[()\s-]+").expect("pattern");
    re.replace_all(text_of(u, "mobile"), "").into_owned()
}

/// Workload 5: the DiliTrust CLM mapping from its provisioning guide, as
/// (SCIM target, expression): userName, active, name, externalId, roleId.
pub fn w5_dilitrust_mapping() -> Vec<(&'static str, String)> {
    vec![
        ("externalId", "[objectId]".into()),
        ("userName", "[mail]".into()),
        (
            "active",
            r#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#.into(),
        ),
        ("name.givenName", "[givenName]".into()),
        ("name.familyName", "[surname]".into()),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:roleId",
            w1_role_derivation(),
        ),
    ]
}

/// Writes the SCIM 2.0 User for workload 5's six values (in
/// [`w5_dilitrust_mapping`] order; `None` did not flow) as one JSON line.
/// `active` becomes a JSON boolean and the core-schema URN prefix a top-level
/// attribute, as RFC 7643 wants.
pub fn write_scim_user(out: &mut String, v: [Option<&str>; 6]) {
    out.push_str(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]"#);
    let field = |out: &mut String, name: &str, value: Option<&str>| {
        if let Some(s) = value {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":");
            json_string(out, s);
        }
    };
    field(out, "externalId", v[0]);
    field(out, "userName", v[1]);
    if let Some(a) = v[2] {
        out.push_str(if a.eq_ignore_ascii_case("true") {
            ",\"active\":true"
        } else {
            ",\"active\":false"
        });
    }
    if v[3].is_some() || v[4].is_some() {
        out.push_str(",\"name\":{");
        let mut first = true;
        for (name, value) in [("givenName", v[3]), ("familyName", v[4])] {
            if let Some(s) = value {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push('"');
                out.push_str(name);
                out.push_str("\":");
                json_string(out, s);
            }
        }
        out.push('}');
    }
    field(out, "roleId", v[5]);
    out.push('}');
}

/// Appends `s` as a JSON string literal.
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Workload 6: a real-world sized (about 2 KB) expression: a nested
/// Switch/IIF role and licence derivation of the kind admins build by hand.
pub fn w6_2kb_expression() -> String {
    let mut s = String::from("IIF(IsNullOrEmpty([extension_9f2c1a_costCenter]), ");
    s.push_str("Switch([department], \"Standard\"");
    for (i, d) in DEPARTMENTS.iter().enumerate().take(14) {
        s.push_str(&format!(
            ", \"{d}\", Join(\"-\", \"{}\", ToUpper(Left([country], 2)))",
            &role_uuid(Some(i))[..13]
        ));
    }
    s.push_str("), ");
    s.push_str(
        "Switch(Left([extension_9f2c1a_costCenter], 5), Coalesce([jobTitle], \"Unassigned\")",
    );
    for k in 0..12 {
        s.push_str(&format!(
            ", \"CC-10{k:02}\", IIF([accountEnabled] = \"True\", Append(\"E5-\", [employeeId]), \"Disabled-{k}\")"
        ));
    }
    s.push_str("))");
    s
}

/// Folds the decomposable Latin diacritics the generator uses (é→e, ñ→n,
/// ř→r…). CEL and evalexpr have no NormalizeDiacritics, so workload 2 gives
/// them this as a host function.
pub fn fold_diacritics(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// One letter of [`fold_diacritics`].
pub fn fold_char(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'ç' => 'c',
        'Ç' => 'C',
        'è' | 'é' | 'ê' | 'ë' | 'ě' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'O',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'ř' => 'r',
        'Ř' => 'R',
        'š' => 's',
        'Š' => 'S',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// Workload 2 written by hand for the generator's names: one output
/// buffer sized up front, spaces dropped, letters folded and lower-cased
/// as they are copied. The floor an interpreter is measured against.
pub fn w2_by_hand(given: &str, surname: &str) -> String {
    let mut out = String::with_capacity(given.len() + surname.len() + 13);
    let copy = |out: &mut String, part: &str| {
        for c in part.chars().filter(|&c| c != ' ').map(fold_char) {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    };
    copy(&mut out, given);
    if !given.is_empty() && !surname.is_empty() {
        out.push('.');
    }
    copy(&mut out, surname);
    out.push_str("@contoso.com");
    out
}

/// The users as Microsoft Graph `GET /users` response pages of 100, one
/// page per line: Graph's property names (`id`, `mobilePhone`,
/// `businessPhones`, an expanded `manager`), and no `IsSoftDeleted`, which
/// the reader derives from `accountEnabled` (set here so it derives the
/// generator's value).
pub fn graph_pages(n: usize, seed: u64) -> String {
    let mut out = String::new();
    for page in users(n, seed).chunks(100) {
        let value: Vec<Value> = page
            .iter()
            .map(|u| {
                let mut m = u.as_object().expect("object").clone();
                let rename = |m: &mut Map<String, Value>, from: &str, to: &str| {
                    if let Some(v) = m.remove(from) {
                        m.insert(to.into(), v);
                    }
                };
                rename(&mut m, "objectId", "id");
                rename(&mut m, "mobile", "mobilePhone");
                if let Some(phone) = m.remove("telephoneNumber") {
                    m.insert("businessPhones".into(), json!([phone]));
                }
                if let Some(manager) = m.remove("manager") {
                    if !manager.is_null() {
                        m.insert("manager".into(), json!({ "id": manager }));
                    }
                }
                let deleted = m.remove("IsSoftDeleted").and_then(|v| v.as_bool());
                m.insert("accountEnabled".into(), json!(deleted != Some(true)));
                Value::Object(m)
            })
            .collect();
        let page = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
            "value": value,
        });
        out.push_str(&page.to_string());
        out.push('\n');
    }
    out
}

/// Workload 5's mapping written by hand over a JSONL file: serde derive
/// decodes the six attributes it reads (skipping the others without
/// building them) and the SCIM line is written directly. `roles` is
/// [`role_uuid`] for each department and then the default.
pub fn map_by_hand(file: &str, roles: &[String], out: &mut String) {
    use std::borrow::Cow;
    #[derive(serde::Deserialize)]
    #[allow(non_snake_case)]
    struct User<'a> {
        #[serde(borrow)]
        objectId: Option<Cow<'a, str>>,
        #[serde(borrow)]
        mail: Option<Cow<'a, str>>,
        IsSoftDeleted: Option<bool>,
        #[serde(borrow)]
        givenName: Option<Cow<'a, str>>,
        #[serde(borrow)]
        surname: Option<Cow<'a, str>>,
        #[serde(borrow)]
        department: Option<Cow<'a, str>>,
    }
    for line in file.lines() {
        let Ok(u) = serde_json::from_str::<User<'_>>(line) else {
            continue;
        };
        let dept = u.department.as_deref();
        let role = DEPARTMENTS
            .iter()
            .position(|d| Some(*d) == dept)
            .unwrap_or(DEPARTMENTS.len());
        let active = u.IsSoftDeleted.map(|d| if d { "False" } else { "True" });
        write_scim_user(
            out,
            [
                u.objectId.as_deref(),
                u.mail.as_deref(),
                active,
                u.givenName.as_deref(),
                u.surname.as_deref(),
                Some(&roles[role]),
            ],
        );
        out.push('\n');
    }
}

//! The source-object abstraction. An embedder implements [`Record`] for its
//! own record type and never converts to JSON.

use crate::value::Value;
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A source object whose attributes expressions read.
///
/// Lookups are case-insensitive, and an exact-case match wins over others.
/// An absent attribute is `None`, which expressions see as null.
pub trait Record {
    fn attribute(&self, name: &str) -> Option<Value<'_>>;
}

impl<R: Record + ?Sized> Record for &R {
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        (**self).attribute(name)
    }
}

/// Finds `name` among `keys`: the exact spelling first, then any ASCII or
/// Unicode case variant.
pub fn find_key<'k, I>(keys: I, name: &str) -> Option<&'k str>
where
    I: Iterator<Item = &'k str>,
{
    let mut folded: Option<&'k str> = None;
    for k in keys {
        if k == name {
            return Some(k);
        }
        let same_folded = (k.len() == name.len() && k.eq_ignore_ascii_case(name))
            || (!k.is_ascii() && k.to_lowercase() == name.to_lowercase());
        if folded.is_none() && same_folded {
            folded = Some(k);
        }
    }
    folded
}

impl Record for serde_json::Map<String, serde_json::Value> {
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        // A scan that compares lengths first (stored next to the key
        // pointer, in the B-tree node) follows a key's heap pointer only
        // when the lengths agree. A B-tree search dereferences every key it
        // passes, one cache miss each on a cold record.
        // Past a few dozen attributes the logarithmic search wins again.
        let exact = if self.len() <= 64 {
            // The map iterates its keys sorted (bytewise, unless serde_json's
            // preserve_order is on), and attribute names are mostly
            // lowerCamelCase: one from `m` on is nearer the end, and a scan
            // from there passes fewer keys (workload 2's `surname`: 4 of a
            // user's 22 keys instead of 19). Upper case sorts first.
            if name.as_bytes().first().is_some_and(|b| *b >= b'm') {
                scan_from_the_end(self, name)
            } else {
                self.iter()
                    .find(|(k, _)| k.len() == name.len() && k.as_str() == name)
            }
        } else {
            self.get_key_value(name)
        };
        let v = match exact {
            Some((_, v)) => v,
            None => self.get(find_key(self.keys().map(String::as_str), name)?)?,
        };
        Some(Value::from_json(v))
    }
}

/// [`Record::attribute`]'s scan of a map for a name that sorts late, kept
/// out of line so that the forward scan compiles as it did alone.
#[inline(never)]
fn scan_from_the_end<'m>(
    map: &'m serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<(&'m String, &'m serde_json::Value)> {
    map.iter()
        .rev()
        .find(|(k, _)| k.len() == name.len() && k.as_str() == name)
}

impl Record for serde_json::Value {
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        self.as_object()?.attribute(name)
    }
}

/// A decoded source object laid out for fast attribute lookup: every key and
/// string value lives in one contiguous buffer, with a small hash index over
/// the keys. A lookup touches a few adjacent cache lines instead of chasing
/// one heap pointer per key compared, which is what a `serde_json::Map`
/// (a B-tree of separately allocated strings) costs. Decode straight into it
/// with serde (`serde_json::from_str::<FlatRecord>(line)`) or convert a
/// parsed object with [`FlatRecord::from_map`].
///
/// Lookups behave like the other records: the exact spelling first, then a
/// case-insensitive match (the smallest such key in byte order, as for a
/// JSON object). A key given twice keeps its last value, as serde_json does.
///
/// ```
/// use attrmap::eval::{Context, FlatRecord, Outcome};
/// use attrmap::value::Value;
/// let expr = attrmap::compile(r#"Switch([department], "reader", "Legal", "editor")"#).unwrap();
/// let user: FlatRecord = serde_json::from_str(r#"{"department": "Legal", "age": 41}"#).unwrap();
/// let out = expr.evaluate(&user, &mut Context::new()).unwrap();
/// assert_eq!(out, Outcome::Value(Value::str("editor")));
/// ```
#[derive(Debug, Clone, Default)]
pub struct FlatRecord {
    /// Keys and string values; a string value directly follows its key, so
    /// one cache line usually holds both.
    text: String,
    /// Open addressing table of attributes (power-of-two length, `hash == 0`
    /// marks a free slot). A lookup reads one slot and the text it points to.
    slots: Vec<FlatSlot>,
    /// Values that are not strings (numbers keep their exact JSON text).
    others: Vec<serde_json::Value>,
    len: usize,
    /// Whether some key is not ASCII. Without such keys the case-insensitive
    /// fallback lookup (for an attribute the record does not have, the
    /// common miss) compares lengths before it compares text.
    non_ascii_keys: bool,
    /// Bit `len % 64` is set when some key is `len` bytes long: with ASCII
    /// keys only, a name whose length no key has is missing without a scan
    /// (attributes a mapping reads and a record lacks are common; Graph
    /// exports lack `IsSoftDeleted`, which is derived after each read).
    key_lengths: u64,
    /// Whether the slots are filed by [`keyed_hash`] instead of the fast
    /// unkeyed one; see [`MAX_PROBE`].
    keyed: bool,
    /// When set, decoding stores only the attributes this filter wants
    /// ([`FlatRecord::keep_only`]); it survives [`FlatRecord::clear`].
    keep: Option<Arc<KeyFilter>>,
}

/// The attribute names a consumer reads, so that decoding can skip every
/// other attribute without storing it ([`FlatRecord::keep_only`]). A key is
/// wanted when a lookup of one of the names could find it: the same
/// spelling, an ASCII case variant of the same length, or, for a key that
/// is not ASCII, the same Unicode lower case (as [`find_key`] matches).
#[derive(Debug, Clone)]
pub struct KeyFilter {
    /// The names, indexed by byte length (most lengths hold none or one).
    by_len: Vec<Vec<Box<str>>>,
    /// For each ASCII-lower-cased first byte, bit `len % 64` is set when a
    /// name of that byte length starts with it. Most keys of a record are
    /// not wanted, and this rejects nearly all of them with one load
    /// instead of comparing the key with every name of its length.
    heads: Box<[u64; 256]>,
    /// The names' Unicode lower case, for keys that are not ASCII.
    folded: Vec<String>,
}

impl Default for KeyFilter {
    fn default() -> Self {
        KeyFilter {
            by_len: Vec::new(),
            heads: Box::new([0; 256]),
            folded: Vec::new(),
        }
    }
}

impl KeyFilter {
    pub fn new<'n>(names: impl IntoIterator<Item = &'n str>) -> KeyFilter {
        let mut f = KeyFilter::default();
        for name in names {
            if f.by_len.len() <= name.len() {
                f.by_len.resize(name.len() + 1, Vec::new());
            }
            f.by_len[name.len()].push(name.into());
            f.heads[Self::head(name)] |= 1 << (name.len() % 64);
            f.folded.push(name.to_lowercase());
        }
        f
    }

    #[inline]
    fn head(key: &str) -> usize {
        key.as_bytes().first().map_or(0, u8::to_ascii_lowercase) as usize
    }

    /// Whether a lookup of one of the names could find `key`.
    #[inline(always)]
    pub fn wants(&self, key: &str) -> bool {
        // An ASCII case variant of a name has its length and folded first
        // byte; a key that is not ASCII may fold to a name of another length
        // (the Kelvin sign is three bytes, `k` one), so it takes the slow path.
        if self.heads[Self::head(key)] & (1 << (key.len() % 64)) != 0
            && self
                .by_len
                .get(key.len())
                // The exact spelling (a word-wise compare) is the common
                // match; the byte-wise case-insensitive one comes second.
                .is_some_and(|names| {
                    names
                        .iter()
                        .any(|n| **n == *key || n.eq_ignore_ascii_case(key))
                })
        {
            return true;
        }
        !key.is_ascii() && self.folded.contains(&key.to_lowercase())
    }
}

/// The longest probe an insertion may take before the record switches to
/// [`keyed_hash`]. Keys come from input, and the fast hash is unkeyed: an
/// attacker who picks 49 000 keys with one hash made inserting them
/// quadratic (25 s for one 1 MB record). Honest keys at the table's load of
/// at most one half probe one or two slots, so they never pay for the
/// keyed hash; crafted ones pay for one rehash and then probe as honest
/// keys do, since they cannot be crafted against a secret key.
const MAX_PROBE: usize = 32;

/// std's SipHash-1-3 with a key drawn once per process (a fixed key on
/// targets without a random source, such as wasm32-unknown-unknown, where
/// the only input is the page user's own), folded as [`str_hash`] folds:
/// 32 bits, top bit set.
///
/// [`str_hash`]: crate::bytecode::str_hash
fn keyed_hash(key: &str) -> u32 {
    use std::hash::BuildHasher;
    static STATE: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    let h = STATE
        .get_or_init(std::collections::hash_map::RandomState::new)
        .hash_one(key);
    ((h >> 32) as u32) | 0x8000_0000
}

/// One attribute value of a [`FlatRecord`], as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FlatValue<'a> {
    Str(&'a str),
    /// Anything but a string: numbers keep their exact JSON text.
    Json(&'a serde_json::Value),
}

#[derive(Debug, Clone, Copy, Default)]
struct FlatSlot {
    hash: u32,
    key_start: u32,
    key_len: u32,
    /// A string value's byte length (its text follows the key), or, with
    /// [`OTHER`] set, an index into `others`.
    value: u32,
}

/// Marks [`FlatSlot::value`] as an index into `others`.
const OTHER: u32 = 1 << 31;

impl FlatRecord {
    pub fn new() -> Self {
        FlatRecord::default()
    }

    /// Copies a parsed JSON object.
    pub fn from_map(map: &serde_json::Map<String, serde_json::Value>) -> Self {
        let mut r = FlatRecord::new();
        for (k, v) in map {
            r.insert(k, v.clone());
        }
        r
    }

    /// The number of attributes.
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn hash(&self, key: &str) -> u32 {
        if self.keyed {
            keyed_hash(key)
        } else {
            crate::bytecode::str_hash(key)
        }
    }

    fn key(&self, s: &FlatSlot) -> &str {
        let start = s.key_start as usize;
        self.text
            .get(start..start + s.key_len as usize)
            .unwrap_or("")
    }

    fn value(&self, s: &FlatSlot) -> Value<'_> {
        if s.value & OTHER != 0 {
            return self
                .others
                .get((s.value & !OTHER) as usize)
                .map_or(Value::Null, Value::from_json);
        }
        let start = (s.key_start + s.key_len) as usize;
        Value::str(self.text.get(start..start + s.value as usize).unwrap_or(""))
    }

    /// Sets a string attribute without building a `serde_json::Value`; a key
    /// already present (same spelling) is replaced.
    pub fn insert_str(&mut self, key: &str, value: &str) {
        let key_start = self.text.len();
        self.text.push_str(key);
        self.text.push_str(value);
        self.commit(key_start, key.len(), value.len() as u32);
    }

    /// Whether the record has `key` with exactly this spelling.
    pub fn contains_exact(&self, key: &str) -> bool {
        self.exact_slot(key, self.hash(key)).is_some()
    }

    /// Every attribute once (the last value of a repeated key), in no
    /// particular order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, FlatValue<'_>)> {
        self.slots.iter().filter(|s| s.hash != 0).map(|s| {
            let value = if s.value & OTHER != 0 {
                match self.others.get((s.value & !OTHER) as usize) {
                    Some(v) => FlatValue::Json(v),
                    None => FlatValue::Str(""),
                }
            } else {
                let start = (s.key_start + s.key_len) as usize;
                FlatValue::Str(self.text.get(start..start + s.value as usize).unwrap_or(""))
            };
            (self.key(s), value)
        })
    }

    /// The record as a JSON object (for embedders that keep records as JSON).
    pub fn to_map(&self) -> serde_json::Map<String, serde_json::Value> {
        self.entries()
            .map(|(k, v)| {
                let v = match v {
                    FlatValue::Str(s) => serde_json::Value::String(s.to_string()),
                    FlatValue::Json(j) => j.clone(),
                };
                (k.to_string(), v)
            })
            .collect()
    }

    /// Sets an attribute; a key already present (same spelling) is replaced.
    pub fn insert(&mut self, key: &str, value: serde_json::Value) {
        let key_start = self.text.len();
        self.text.push_str(key);
        match value {
            serde_json::Value::String(s) => {
                self.text.push_str(&s);
                self.commit(key_start, key.len(), s.len() as u32);
            }
            other => self.commit_other(key_start, key.len(), other),
        }
    }

    fn commit_other(&mut self, key_start: usize, key_len: usize, v: serde_json::Value) {
        self.others.push(v);
        self.commit(key_start, key_len, (self.others.len() - 1) as u32 | OTHER);
    }

    /// Files the key written at `key_start` (and its string value after it).
    fn commit(&mut self, key_start: usize, key_len: usize, value: u32) {
        let slot = FlatSlot {
            hash: 0,
            key_start: key_start as u32,
            key_len: key_len as u32,
            value,
        };
        let key = self.key(&slot);
        let hash = self.hash(key);
        let ascii = key.is_ascii();
        self.non_ascii_keys |= !ascii;
        self.key_lengths |= 1 << (key_len % 64);
        if let Some(i) = self.exact_slot(self.key(&slot), hash) {
            // A repeated key: the last value wins, as in serde_json.
            self.slots[i] = FlatSlot { hash, ..slot };
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.rebuild(self.slots.len() * 2);
        }
        let probes = self.place(FlatSlot { hash, ..slot });
        self.len += 1;
        if probes > MAX_PROBE && !self.keyed {
            self.keyed = true;
            self.rebuild(self.slots.len());
        }
    }

    /// Files every attribute again in a table of `cap` slots (at least 16),
    /// rehashing them when the record has just switched to the keyed hash.
    fn rebuild(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.slots, vec![FlatSlot::default(); cap.max(16)]);
        let mut long_probe = false;
        for mut s in old.into_iter().filter(|s| s.hash != 0) {
            if self.keyed {
                s.hash = keyed_hash(self.key(&s));
            }
            long_probe |= self.place(s) > MAX_PROBE;
        }
        if long_probe && !self.keyed {
            self.keyed = true;
            self.rebuild(self.slots.len());
        }
    }

    /// Puts a slot in the table; returns how many full slots it passed.
    fn place(&mut self, s: FlatSlot) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = s.hash as usize & mask;
        let mut probes = 0;
        while self.slots[at].hash != 0 {
            at = (at + 1) & mask;
            probes += 1;
        }
        self.slots[at] = s;
        probes
    }

    #[inline]
    fn exact_slot(&self, name: &str, hash: u32) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let s = &self.slots[at];
            if s.hash == 0 {
                return None;
            }
            if s.hash == hash && s.key_len as usize == name.len() && self.key(s) == name {
                return Some(at);
            }
            at = (at + 1) & mask;
        }
    }

    /// The case-insensitive match, as [`find_key`] finds it in a JSON
    /// object: objects iterate in key order, so the smallest matching key.
    fn folded(&self, name: &str) -> Option<&FlatSlot> {
        if !self.non_ascii_keys {
            if self.key_lengths & (1 << (name.len() % 64)) == 0 {
                return None;
            }
            // ASCII keys match only by ASCII case folding, at equal length.
            return self
                .slots
                .iter()
                .filter(|s| s.hash != 0 && s.key_len as usize == name.len())
                .filter(|s| self.key(s).eq_ignore_ascii_case(name))
                .min_by_key(|s| self.key(s));
        }
        self.slots
            .iter()
            .filter(|s| s.hash != 0)
            .filter(|s| find_key(std::iter::once(self.key(s)), name).is_some())
            .min_by_key(|s| self.key(s))
    }
}

impl Record for FlatRecord {
    #[inline]
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        let slot = match self.exact_slot(name, self.hash(name)) {
            Some(i) => &self.slots[i],
            None => self.folded(name)?,
        };
        Some(self.value(slot))
    }
}

impl FlatRecord {
    /// Replaces the contents with the JSON object in `json`, reusing this
    /// record's buffers: decoding a stream of records into one `FlatRecord`
    /// allocates only while the buffers are still growing. On an error the
    /// record is left empty.
    pub fn read_json(&mut self, json: &[u8]) -> serde_json::Result<()> {
        self.filtered(|record, keep| record.read_routed(json, keep))
    }

    /// Runs `read` with the filter of [`FlatRecord::keep_only`] as its
    /// router: taken out for the read, so that the router can borrow it
    /// while the record fills.
    #[inline(always)]
    fn filtered<T>(&mut self, read: impl FnOnce(&mut Self, Keep<'_>) -> T) -> T {
        let keep = self.keep.take();
        let result = read(self, Keep(keep.as_deref()));
        self.keep = keep;
        result
    }

    /// Fills the record from the JSON object that opens at byte `at` of
    /// `text` with the scanner, storing what [`FlatRecord::keep_only`]
    /// wants; returns where the object ends. `None`: text the scanner
    /// leaves to [`FlatRecord::read_json`] (broken or unusual), which says
    /// why it breaks; the record is then half filled.
    pub(crate) fn read_json_at(&mut self, text: &str, at: usize) -> Option<usize> {
        self.filtered(|record, mut keep| record.fill_scanned(text, at, &mut keep))
    }

    /// [`FlatRecord::read_json`] with `router` deciding what becomes of each
    /// attribute (Graph's reader translates names as it reads).
    pub(crate) fn read_routed<R: Router>(
        &mut self,
        json: &[u8],
        router: R,
    ) -> serde_json::Result<()> {
        use serde::Deserializer;
        // Validating the whole line at once is cheaper than serde_json
        // validating string by string; invalid UTF-8 falls back to the byte
        // reader, which reports where it is.
        if let Ok(text) = std::str::from_utf8(json) {
            return self.read_routed_str(text, router);
        }
        self.clear();
        let mut de = serde_json::Deserializer::from_slice(json);
        let result = de
            .deserialize_map(FillVisitor(self, router))
            .and_then(|()| de.end());
        if result.is_err() {
            self.clear();
        }
        result
    }

    /// [`FlatRecord::read_routed`] on text known to be UTF-8.
    // Spelled out beside `read_routed`'s slice reader on purpose: one generic
    // fill step for both cost Graph pages 0.1% of issue 14's 70% margin
    // under LTO (see commit 88b5a2f); measure w7 before folding them.
    pub(crate) fn read_routed_str<R: Router>(
        &mut self,
        text: &str,
        mut router: R,
    ) -> serde_json::Result<()> {
        use serde::Deserializer;
        let start = crate::json_scan::skip_ws(text.as_bytes(), 0);
        if let Some(end) = self.fill_scanned(text, start, &mut router) {
            if crate::json_scan::skip_ws(text.as_bytes(), end) == text.len() {
                return Ok(());
            }
        }
        router.restart();
        self.clear();
        let mut de = serde_json::Deserializer::from_str(text);
        let result = de
            .deserialize_map(FillVisitor(self, router))
            .and_then(|()| de.end());
        if result.is_err() {
            self.clear();
        }
        result
    }

    /// From now on, decoding ([`FlatRecord::read_json`], serde) stores only
    /// the attributes `filter` wants and skips the others without building
    /// anything; a lookup of a skipped attribute finds nothing. `None`
    /// stores everything again. Explicit inserts are not filtered.
    pub fn keep_only(&mut self, filter: Option<Arc<KeyFilter>>) {
        self.keep = filter;
    }

    /// Removes every attribute, keeping the buffers (and the filter of
    /// [`FlatRecord::keep_only`]) for reuse.
    pub fn clear(&mut self) {
        self.text.clear();
        self.slots.iter_mut().for_each(|s| *s = FlatSlot::default());
        self.others.clear();
        self.len = 0;
        self.non_ascii_keys = false;
        self.key_lengths = 0;
        self.keyed = false;
    }
}

/// The slot table a record decoded by serde starts with: 32 attributes at
/// the table's load of one half. A fresh record grown from 16 slots rebuilt
/// its table twice for a 22-attribute user (16, 32, 64: about 1 100
/// instructions of workload 7's 25 500 per record) and reallocated its text
/// seven times: 11 allocations per record, now 3.
const DECODE_SLOTS: usize = 64;
/// The text such a record starts with: the keys and string values of a
/// 22-attribute user take about 510 bytes, too close to 512 to start there.
const DECODE_TEXT: usize = 1024;

impl<'de> serde::Deserialize<'de> for FlatRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // serde_json gives no size hint for an object read from text, so
        // the buffers start at a typical user's size, not at nothing.
        let mut r = FlatRecord {
            text: String::with_capacity(DECODE_TEXT),
            slots: vec![FlatSlot::default(); DECODE_SLOTS],
            ..FlatRecord::default()
        };
        d.deserialize_map(FillVisitor(&mut r, Keep(None)))?;
        // A small record gets the table it would have grown to (the
        // case-insensitive fallback of a lookup scans the whole table) and
        // gives the unused text back: decoded records are often kept by
        // the thousand.
        let fit = (r.len * 2).next_power_of_two().max(16);
        if fit < r.slots.len() {
            r.rebuild(fit);
            r.text.shrink_to_fit();
        }
        Ok(r)
    }
}

/// What decoding does with one attribute, told by its key.
pub(crate) enum Route {
    /// Stored under its key.
    Store,
    /// Parsed (malformed JSON is still an error) and dropped: [`Router::skip`].
    Skip,
    /// Read by [`Router::take`] instead of stored.
    Take,
}

/// Decides, key by key, what decoding a record does with each attribute.
pub(crate) trait Router {
    /// Whether [`Router::route`] is asked at all (otherwise every attribute
    /// is stored), and whether [`Router::stored`] sees the values: each
    /// costs slicing the key out of the buffer per attribute, which the
    /// plain decoder without a filter does not pay.
    fn routes(&self) -> bool {
        true
    }
    const SEES_STORED: bool = false;
    fn route(&mut self, key: &str) -> Route;
    /// Forgets what was routed so far: the record is read again from its
    /// start (by serde_json, after the scanner gave up on it).
    fn restart(&mut self) {}
    /// Whether `value`, a skipped value the scanner has checked as JSON,
    /// needs nothing more; `false` has it read by [`Router::skip`]. `plain`
    /// is a string's text when it holds no escape.
    fn skipped(&mut self, _key: &str, _value: &str, _plain: Option<&str>) -> bool {
        true
    }
    /// Sees each value as it is stored, when [`Router::SEES_STORED`].
    fn stored(&mut self, _key: &str, _value: FlatValue<'_>) {}
    fn skip<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        _key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        map.next_value::<Skip>().map(drop)
    }
    fn take<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        self.skip(key, map)
    }
}

/// The plain decoder's router: every attribute stored, or with a filter
/// ([`FlatRecord::keep_only`]) those it wants.
struct Keep<'k>(Option<&'k KeyFilter>);

impl Router for Keep<'_> {
    #[inline]
    fn routes(&self) -> bool {
        self.0.is_some()
    }
    #[inline]
    fn route(&mut self, key: &str) -> Route {
        match self.0 {
            Some(keep) if !keep.wants(key) => Route::Skip,
            _ => Route::Store,
        }
    }
}

/// Fills a record from a JSON object.
struct FillVisitor<'r, R>(&'r mut FlatRecord, R);

impl<'de, R: Router> serde::de::Visitor<'de> for FillVisitor<'_, R> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object of attributes")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let FillVisitor(r, mut router) = self;
        loop {
            // The key, then a string value straight after it, both written
            // into the record's buffer: no String per key or value.
            let key_start = r.text.len();
            if map.next_key_seed(KeySeed(&mut r.text))?.is_none() {
                return Ok(());
            }
            let key_len = r.text.len() - key_start;
            let route = if router.routes() {
                router.route(&r.text[key_start..])
            } else {
                Route::Store
            };
            match route {
                Route::Store => {}
                Route::Skip => {
                    router.skip(&r.text[key_start..], &mut map)?;
                    r.text.truncate(key_start);
                    continue;
                }
                Route::Take => {
                    router.take(&r.text[key_start..], &mut map)?;
                    r.text.truncate(key_start);
                    continue;
                }
            }
            let value_start = r.text.len();
            match map.next_value_seed(FlatValueSeed(&mut r.text))? {
                None => {
                    if R::SEES_STORED {
                        let (key, value) = r.text.split_at(value_start);
                        router.stored(&key[key_start..], FlatValue::Str(value));
                    }
                    let len = (r.text.len() - value_start) as u32;
                    r.commit(key_start, key_len, len);
                }
                Some(v) => {
                    if R::SEES_STORED {
                        router.stored(&r.text[key_start..], FlatValue::Json(&v));
                    }
                    r.commit_other(key_start, key_len, v);
                }
            }
        }
    }
}

/// Reads one value of a record as serde_json reads it inside the record,
/// from the value's own text: the [`Router`] methods take a `MapAccess`,
/// and this is one that holds just that value.
struct OneValue<'a, 'de>(&'a mut serde_json::Deserializer<serde_json::de::StrRead<'de>>);

impl<'de> serde::de::MapAccess<'de> for OneValue<'_, 'de> {
    type Error = serde_json::Error;
    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        _: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        Ok(None)
    }
    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        seed.deserialize(&mut *self.0)
    }
}

/// Runs `read` on the value `text` (checked JSON) as a map's next value;
/// `None` when serde_json refuses it (a number out of range, say), which
/// the caller then leaves to the whole record's reading, for its exact error.
fn on_value<'de, T>(
    text: &'de str,
    read: impl FnOnce(&mut OneValue<'_, 'de>) -> serde_json::Result<T>,
) -> Option<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    read(&mut OneValue(&mut de)).ok()
}

impl FlatRecord {
    /// Fills the record from the JSON object that opens at byte `start` of
    /// `text`, with [`crate::json_scan`]'s scanner, and returns where the
    /// object ends. Values nobody reads are passed over without serde_json's
    /// per-value dispatch, and keys and plain strings are copied straight
    /// from the text. `None`: the text is broken or unusual (an escaped key,
    /// deep nesting, …) and must be read with serde_json, which also says
    /// why it breaks; the record and `router` are then half filled.
    pub(crate) fn fill_scanned<R: Router>(
        &mut self,
        text: &str,
        start: usize,
        router: &mut R,
    ) -> Option<usize> {
        use crate::json_scan::{plain_member, skip_ws, string_end, value_end};
        let b = text.as_bytes();
        self.clear();
        if b.get(start) != Some(&b'{') {
            return None;
        }
        let mut i = skip_ws(b, start + 1);
        if b.get(i) == Some(&b'}') {
            return Some(i + 1);
        }
        loop {
            let (key, value_start) = plain_member(b, i)?;
            let key = text.get(key)?;
            i = value_start;
            let route = if router.routes() {
                router.route(key)
            } else {
                Route::Store
            };
            let end = match route {
                // The common stored value, a string without escapes, is
                // copied as it stands; anything else is built by serde_json
                // from the value's own text.
                Route::Store if b.get(i) == Some(&b'"') => {
                    let (end, escaped) = string_end(b, i + 1)?;
                    if escaped {
                        self.store_json(key, text.get(i..end)?, router)?;
                    } else {
                        self.store_str(key, text.get(i + 1..end - 1)?, router);
                    }
                    end
                }
                Route::Store => {
                    let end = value_end(b, i)?;
                    self.store_json(key, text.get(i..end)?, router)?;
                    end
                }
                Route::Skip => {
                    // Most skipped values are strings: no dispatch for them.
                    let (end, plain) = if b.get(i) == Some(&b'"') {
                        let (end, escaped) = string_end(b, i + 1)?;
                        (
                            end,
                            if escaped {
                                None
                            } else {
                                text.get(i + 1..end - 1)
                            },
                        )
                    } else {
                        (value_end(b, i)?, None)
                    };
                    let value = text.get(i..end)?;
                    if !router.skipped(key, value, plain) {
                        on_value(value, |map| router.skip(key, map))?;
                    }
                    end
                }
                Route::Take => {
                    let end = value_end(b, i)?;
                    on_value(text.get(i..end)?, |map| router.take(key, map))?;
                    end
                }
            };
            i = skip_ws(b, end);
            match b.get(i) {
                Some(b',') => i = skip_ws(b, i + 1),
                Some(b'}') => return Some(i + 1),
                _ => return None,
            }
        }
    }

    fn store_str<R: Router>(&mut self, key: &str, value: &str, router: &mut R) {
        let key_start = self.text.len();
        self.text.push_str(key);
        self.text.push_str(value);
        if R::SEES_STORED {
            router.stored(key, FlatValue::Str(value));
        }
        self.commit(key_start, key.len(), value.len() as u32);
    }

    /// Stores the checked JSON `value` (not a plain string) under `key`;
    /// `None` when serde_json refuses it (a number out of a float's range).
    fn store_json<R: Router>(&mut self, key: &str, value: &str, router: &mut R) -> Option<()> {
        let key_start = self.text.len();
        self.text.push_str(key);
        let value_start = self.text.len();
        let json = match value.as_bytes().first() {
            Some(b't') => Some(serde_json::Value::Bool(true)),
            Some(b'f') => Some(serde_json::Value::Bool(false)),
            Some(b'n') => Some(serde_json::Value::Null),
            _ => on_value(value, |map| next_value_into(map, &mut self.text))?,
        };
        match json {
            // An escaped string, decoded into the buffer.
            None => {
                if R::SEES_STORED {
                    router.stored(key, FlatValue::Str(&self.text[value_start..]));
                }
                let len = (self.text.len() - value_start) as u32;
                self.commit(key_start, key.len(), len);
            }
            Some(v) => {
                if R::SEES_STORED {
                    router.stored(key, FlatValue::Json(&v));
                }
                self.commit_other(key_start, key.len(), v);
            }
        }
        Some(())
    }
}

/// Reads the next value of `map`: a string is appended to `text` (`None`),
/// anything else returned as JSON.
pub(crate) fn next_value_into<'de, A: serde::de::MapAccess<'de>>(
    map: &mut A,
    text: &mut String,
) -> Result<Option<serde_json::Value>, A::Error> {
    map.next_value_seed(FlatValueSeed(text))
}

/// A JSON value read and dropped, building nothing. Not serde's
/// `IgnoredAny`: serde_json skips that without its nesting limit, so a
/// record nested too deeply would be an error or not depending on whether
/// the mapping reads the deep attribute. Through `deserialize_any` the limit
/// applies as it does to a stored value.
pub(crate) struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> serde::de::Visitor<'de> for Skip {
    type Value = Skip;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_none<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// Appends an object key to the record's buffer.
struct KeySeed<'t>(&'t mut String);

impl<'de> serde::de::DeserializeSeed<'de> for KeySeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an attribute name")
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.push_str(v);
        Ok(())
    }
}

/// Deserializes one attribute value: a string is appended to the record's
/// buffer (`None`), anything else becomes a `serde_json::Value`.
pub(crate) struct FlatValueSeed<'t>(pub(crate) &'t mut String);

impl<'de> serde::de::DeserializeSeed<'de> for FlatValueSeed<'_> {
    type Value = Option<serde_json::Value>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FlatValueSeed<'_> {
    type Value = Option<serde_json::Value>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        self.0.push_str(v);
        Ok(None)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(serde_json::Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.into()))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Some(serde_json::Value::Null))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Some(serde_json::Value::Null))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        use serde::Deserialize;
        serde_json::Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(Some)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        use serde::Deserialize;
        serde_json::Value::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
    }
}

macro_rules! string_map_record {
    ($map:ident) => {
        impl<S: Borrow<str> + Ord + std::hash::Hash + Eq> Record for $map<S, String> {
            fn attribute(&self, name: &str) -> Option<Value<'_>> {
                // The exact spelling with the map's own lookup; only a miss
                // scans the keys for a case variant.
                if let Some(v) = self.get(name) {
                    return Some(Value::str(v));
                }
                let key = find_key(self.keys().map(Borrow::borrow), name)?;
                self.get(key).map(|v| Value::str(v))
            }
        }
    };
}
string_map_record!(HashMap);
string_map_record!(BTreeMap);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_case_wins_over_folded() {
        let v = json!({"Department": "A", "department": "B"});
        assert_eq!(v.attribute("department"), Some(Value::str("B")));
        assert_eq!(v.attribute("Department"), Some(Value::str("A")));
        assert_eq!(
            v.attribute("DEPARTMENT").map(|x| x.to_text().into_owned()),
            Some("A".into())
        );
    }

    #[test]
    fn missing_is_none_and_null_is_null() {
        let v = json!({"a": null});
        assert_eq!(v.attribute("a"), Some(Value::Null));
        assert_eq!(v.attribute("b"), None);
    }

    #[test]
    fn flat_records_look_up_like_json_objects() {
        let json = json!({
            "Department": "A", "department": "B", "DEPT": "x", "dePT": "y",
            "n": 132539615990000000i64, "f": 1.5, "nul": null, "list": ["p", "q"],
            "Größe": "L", "esc": "a\"b\\c\u{e9}", "obj": {"value": "v", "n": [1, {"x": null}]},
            "big": 18446744073709551615u64, "t": true
        });
        let flat: FlatRecord = serde_json::from_str(&json.to_string()).unwrap();
        let flat2 = FlatRecord::from_map(json.as_object().unwrap());
        for name in [
            "department",
            "Department",
            "DEPARTMENT",
            "dept",
            "Dept",
            "n",
            "f",
            "nul",
            "list",
            "missing",
            "größe",
            "GRÖSSE",
            "",
        ] {
            assert_eq!(flat.attribute(name), json.attribute(name), "{name}");
            assert_eq!(flat2.attribute(name), json.attribute(name), "{name}");
        }
    }

    #[test]
    fn a_reused_record_answers_like_a_fresh_one() {
        // ASCII-only keys take the length-first fallback; a record with a
        // non-ASCII key the Unicode one. Reusing the record resets which.
        let ascii = json!({"Department": "A", "DEPT": "x", "dePT": "y", "mail": "m", "K": "k"});
        let unicode = json!({"Größe": "L", "\u{212a}elvin": "k", "dept": "z"});
        let mut reused = FlatRecord::new();
        for j in [&ascii, &unicode, &ascii, &json!({}), &unicode] {
            reused.read_json(j.to_string().as_bytes()).unwrap();
            for name in [
                "department",
                "DEPARTMENT",
                "dept",
                "Dept",
                "MAIL",
                "k",
                "größe",
                "GRÖSSE",
                "kelvin",
                "KELVIN",
                "missing",
                "",
            ] {
                assert_eq!(reused.attribute(name), j.attribute(name), "{name} in {j}");
            }
        }
        // A failed read leaves an empty record, not the previous one.
        assert!(reused.read_json(br#"{"mail": "m", "#).is_err());
        assert!(reused.is_empty());
        assert_eq!(reused.attribute("mail"), None);
        assert!(reused.read_json(b"[1]").is_err());
        assert!(reused.read_json(b"{\"a\": 1} trailing").is_err());
    }

    proptest::proptest! {
        /// FlatRecord answers exactly as the JSON object it was decoded from,
        /// for keys that collide by case (ASCII and not) and for absent names.
        #[test]
        fn flat_record_agrees_with_json_objects(
            keys in proptest::collection::vec("[aAbBéÉ_K\u{212A}]{0,4}", 0..24),
            names in proptest::collection::vec("[aAbBéÉ_kK\u{212A}]{0,4}", 1..8),
        ) {
            let mut map = serde_json::Map::new();
            for (i, k) in keys.iter().enumerate() {
                map.insert(k.clone(), json!(format!("v{i}")));
            }
            let json = serde_json::Value::Object(map.clone());
            let flat: FlatRecord = serde_json::from_str(&json.to_string()).unwrap();
            for name in names.iter().chain(keys.iter()) {
                proptest::prop_assert_eq!(flat.attribute(name), json.attribute(name), "{}", name);
            }
        }
    }

    proptest::proptest! {
        /// A record decoded keeping only some names answers every lookup of
        /// those names as the whole record does.
        #[test]
        fn a_filtered_record_answers_its_names_as_the_whole_one(
            keys in proptest::collection::vec("[aAbBéÉ_K\u{212A}]{0,4}", 0..24),
            names in proptest::collection::vec("[aAbBéÉ_kK\u{212A}]{0,4}", 1..6),
        ) {
            let mut map = serde_json::Map::new();
            for (i, k) in keys.iter().enumerate() {
                map.insert(k.clone(), if i % 3 == 0 { json!(i) } else { json!(format!("v{i}")) });
            }
            let line = serde_json::Value::Object(map).to_string();
            let mut whole = FlatRecord::new();
            whole.read_json(line.as_bytes()).unwrap();
            let mut filtered = FlatRecord::new();
            filtered.keep_only(Some(Arc::new(KeyFilter::new(names.iter().map(String::as_str)))));
            filtered.read_json(line.as_bytes()).unwrap();
            for name in &names {
                proptest::prop_assert_eq!(filtered.attribute(name), whole.attribute(name), "{}", name);
            }
            proptest::prop_assert!(filtered.len() <= whole.len());
        }
    }

    /// The entries of a record, in a fixed order, for comparing two.
    fn sorted_entries(r: &FlatRecord) -> Vec<(String, serde_json::Value)> {
        let mut e: Vec<_> = r
            .entries()
            .map(|(k, v)| {
                let v = match v {
                    FlatValue::Str(s) => json!(s),
                    FlatValue::Json(j) => j.clone(),
                };
                (k.to_string(), v)
            })
            .collect();
        e.sort_by(|a, b| a.0.cmp(&b.0));
        e
    }

    proptest::proptest! {
        /// The scanner's decoding agrees with serde_json's visitor on every
        /// text built from JSON's pieces, valid or not: the same attributes,
        /// filtered or not, and an error exactly where serde_json errs.
        #[test]
        fn the_scanner_decodes_as_serde_json_does(
            members in proptest::collection::vec((
                proptest::prop_oneof![
                    12 => proptest::sample::select(vec![
                        r#""a""#, r#""A""#, r#""b""#, "\"\u{e9}\"", r#""a\u0062""#, r#""k""#,
                        r#""\n""#, r#""""#,
                    ]),
                    1 => proptest::sample::select(vec!["a", r#""cut"#]),
                ],
                proptest::prop_oneof![
                    30 => proptest::sample::select(vec![
                        r#""plain""#, r#""t\"q""#, r#""\u00e9\n""#, r#""\ud83d\ude00""#,
                        "\"\u{e9}\u{20ac}\u{1d11e}\"", r#""System.Collections.Hashtable""#, "1",
                        "-0.5", "2E-3", "true", "false", "null", "[]", r#"[1, "x", {"y": [null]}]"#,
                        r#"{"id": "m"}"#,
                        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
                    ]),
                    1 => proptest::sample::select(vec![
                        r#""\ud83d""#, "1e400", "01", "1.", "nul", r#"{"a" 1}"#, r#""cut"#,
                        r#""a\x""#, "\"\u{1}\"",
                    ]),
                ],
                proptest::sample::select(vec!["", " ", "\n\t", "\r"]),
            ), 0..12),
            close in proptest::prop_oneof![
                8 => proptest::sample::select(vec!["}", " } "]),
                1 => proptest::sample::select(vec!["}x", ",}", ""]),
            ],
            keep in proptest::option::of(proptest::collection::vec(
                proptest::sample::select(vec!["a", "B", "\u{e9}", "K"]), 1..3)),
        ) {
            let mut text = String::from("{");
            for (i, (key, value, ws)) in members.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push_str(&format!("{ws}{key}{ws}:{ws}{value}{ws}"));
            }
            text.push_str(close);
            let by_serde = serde_json::from_str::<FlatRecord>(&text);
            let filter = keep.map(|names| Arc::new(KeyFilter::new(names)));
            let mut scanned = FlatRecord::new();
            scanned.keep_only(filter.clone());
            let read = scanned.read_json(text.as_bytes());
            proptest::prop_assert_eq!(read.is_ok(), by_serde.is_ok(), "{}", text);
            if let Ok(whole) = by_serde {
                let mut expected = sorted_entries(&whole);
                if let Some(f) = &filter {
                    expected.retain(|(k, _)| f.wants(k));
                }
                proptest::prop_assert_eq!(sorted_entries(&scanned), expected, "{}", text);
            }
        }
    }

    #[test]
    fn the_scanner_takes_the_common_records_itself() {
        // serde_json's visitor stays the fallback; these must not need it.
        let text = "{ \"a\": \"x\\\"y\", \"b\" : [1, {\"c\": null}], \"n\": -1.5, \"t\": true, \"\u{e9}\": \"\u{20ac}\" }";
        let mut r = FlatRecord::new();
        let end = r.fill_scanned(text, 0, &mut Keep(None));
        assert_eq!(end, Some(text.len()));
        assert_eq!(r.len(), 5);
        assert_eq!(r.attribute("a"), Some(Value::str("x\"y")));
        assert_eq!(r.attribute("\u{e9}"), Some(Value::str("\u{20ac}")));
        assert_eq!(
            r.entries().find(|(k, _)| *k == "n").map(|(_, v)| v),
            Some(FlatValue::Json(&json!(-1.5)))
        );
        // An escaped key is left to serde_json.
        assert_eq!(r.fill_scanned(r#"{"\u0061": 1}"#, 0, &mut Keep(None)), None);
    }

    #[test]
    fn a_filtered_record_skips_what_is_not_read_but_still_refuses_bad_json() {
        let mut r = FlatRecord::new();
        r.keep_only(Some(Arc::new(KeyFilter::new(["mail", "Department"]))));
        r.read_json(br#"{"MAIL": "m", "department": "d", "other": {"deep": [1, 2]}, "x": "y"}"#)
            .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r.attribute("mail"), Some(Value::str("m")));
        assert_eq!(r.attribute("x"), None);
        // Cleared and reused, it keeps filtering.
        r.read_json(br#"{"mail": "n", "x": "y"}"#).unwrap();
        assert_eq!((r.len(), r.attribute("mail")), (1, Some(Value::str("n"))));
        assert!(r.read_json(br#"{"x": [1, }"#).is_err());
        assert!(r.is_empty());
        let deep = format!(
            "{{\"mail\": \"d\", \"n\": {}1{}}}",
            "[".repeat(200),
            "]".repeat(200)
        );
        assert!(
            r.read_json(deep.as_bytes()).is_err(),
            "nesting limit, read or not"
        );
    }

    #[test]
    fn large_json_objects_use_the_tree_search_with_the_same_answers() {
        let mut map = serde_json::Map::new();
        for i in 0..100 {
            map.insert(format!("attr{i}"), json!(i));
        }
        map.insert("Mixed".into(), json!("m"));
        assert_eq!(map.attribute("attr42"), Some(Value::Int(42)));
        assert_eq!(map.attribute("ATTR42"), Some(Value::Int(42)));
        assert_eq!(map.attribute("mixed"), Some(Value::str("m")));
        assert_eq!(map.attribute("attr100"), None);
    }

    #[test]
    fn flat_record_keeps_the_last_of_duplicate_keys_and_grows() {
        let flat: FlatRecord = serde_json::from_str(r#"{"a": "1", "a": "2"}"#).unwrap();
        assert_eq!(flat.attribute("a"), Some(Value::str("2")));
        assert_eq!(flat.len(), 1);
        let mut big = FlatRecord::new();
        for i in 0..500 {
            big.insert(&format!("k{i}"), json!(format!("v{i}")));
        }
        for i in 0..500 {
            assert_eq!(
                big.attribute(&format!("k{i}")),
                Some(Value::str(&format!("v{i}")))
            );
        }
        assert!(serde_json::from_str::<FlatRecord>("[1]").is_err());
    }

    #[test]
    fn serde_decoding_starts_at_a_users_size_and_small_records_give_it_back() {
        // Sizes are what a record grown from nothing would have: 16 slots
        // up to 8 attributes, 32 up to 16, and growth past 32 as usual.
        for (n, slots) in [
            (0, 16),
            (2, 16),
            (8, 16),
            (9, 32),
            (16, 32),
            (17, 64),
            (33, 128),
        ] {
            let json: serde_json::Map<_, _> = (0..n)
                .map(|i| (format!("key{i}"), json!(format!("value{i}"))))
                .collect();
            let text = serde_json::Value::Object(json).to_string();
            let flat: FlatRecord = serde_json::from_str(&text).unwrap();
            assert_eq!((flat.len(), flat.slots.len()), (n, slots));
            if slots < DECODE_SLOTS {
                assert_eq!(flat.text.capacity(), flat.text.len());
            }
            for i in 0..n {
                let want = format!("value{i}");
                assert_eq!(flat.attribute(&format!("KEY{i}")), Some(Value::str(&want)));
            }
        }
    }

    /// Keys of 8 bytes that differ only in their last one and a half bytes:
    /// the unkeyed hash's multiply carries that difference only into bits
    /// above the 17 that pick a slot in a table of up to 131 072, so every
    /// one of these keys starts probing at the same slot.
    fn colliding_keys() -> Vec<String> {
        let printable = (b' '..=b'~').filter(|c| *c != b'"' && *c != b'\\');
        let mut keys = Vec::new();
        for b6 in printable.clone().filter(|c| c % 2 == 0) {
            for b7 in printable.clone() {
                let mut k = b"mailNi".to_vec();
                k.extend([b6, b7]);
                keys.push(String::from_utf8(k).unwrap());
            }
        }
        keys
    }

    /// The longest run of full slots any attribute passes from its home slot.
    fn longest_probe(r: &FlatRecord) -> usize {
        let mask = r.slots.len() - 1;
        r.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.hash != 0)
            .map(|(at, s)| at.wrapping_sub(s.hash as usize) & mask)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn crafted_colliding_keys_do_not_make_long_probes() {
        let keys = colliding_keys();
        assert!(keys.len() > 4_000);
        // The attack works on the unkeyed hash: one home slot for all.
        let home = |k: &String| crate::bytecode::str_hash(k) & 0x1_ffff;
        assert!(keys.iter().all(|k| home(k) == home(&keys[0])));
        let object: serde_json::Map<String, serde_json::Value> =
            keys.iter().map(|k| (k.clone(), json!(k))).collect();
        let line = serde_json::Value::Object(object).to_string();
        let mut flat = FlatRecord::new();
        flat.read_json(line.as_bytes()).unwrap();
        assert_eq!(flat.len(), keys.len());
        assert!(flat.keyed);
        // Unkeyed, the last key probed past every earlier one (4 000 slots).
        assert!(
            longest_probe(&flat) <= MAX_PROBE,
            "{}",
            longest_probe(&flat)
        );
        for k in &keys {
            assert_eq!(flat.attribute(k), Some(Value::str(k)));
        }
        assert_eq!(flat.attribute("MAILNI  "), Some(Value::str("mailNi  ")));
        assert_eq!(flat.attribute("mailNick"), None);
        // Reused for an honest record, it goes back to the fast hash.
        flat.read_json(br#"{"mail": "m", "givenName": "g"}"#)
            .unwrap();
        assert!(!flat.keyed);
        assert_eq!(flat.attribute("mail"), Some(Value::str("m")));
    }

    #[test]
    fn string_maps_are_records() {
        let mut m = HashMap::new();
        m.insert("givenName".to_string(), "Zoë".to_string());
        m.insert("GivenName".to_string(), "Other".to_string());
        assert_eq!(m.attribute("givenName"), Some(Value::str("Zoë")));
        assert_eq!(m.attribute("GivenName"), Some(Value::str("Other")));
        assert!(m.attribute("GIVENNAME").is_some());
        assert_eq!(m.attribute("surname"), None);
        let b: BTreeMap<&str, String> = [("Mail", "m".to_string())].into_iter().collect();
        assert_eq!(b.attribute("mail"), Some(Value::str("m")));
    }
}

//! CSV with a header row (RFC 4180: comma separated, fields in double
//! quotes may hold commas, quotes doubled and line breaks): the Entra
//! portal's "Download users" file, or any CSV whose headers are attribute
//! names. An empty cell is an absent attribute, not an empty string: the
//! portal writes one for every property a user does not have.

use super::{Decoder, Item, Sink};
use crate::codes::Code;
use std::io::{self, BufRead, Read};
use std::ops::ControlFlow;

/// The columns of the portal's "Download users" file, as Microsoft's
/// "Download a list of users" page lists them (MicrosoftDocs/entra-docs,
/// docs/identity/users/users-bulk-download.md). They are the provisioning
/// service's names already.
pub const PORTAL_COLUMNS: &[&str] = &[
    "userPrincipalName",
    "displayName",
    "surname",
    "mail",
    "givenName",
    "objectId",
    "userType",
    "jobTitle",
    "department",
    "accountEnabled",
    "usageLocation",
    "streetAddress",
    "state",
    "country",
    "physicalDeliveryOfficeName",
    "city",
    "postalCode",
    "telephoneNumber",
    "mobile",
    "authenticationAlternativePhoneNumber",
    "authenticationEmail",
    "alternateEmailAddress",
    "ageGroup",
    "consentProvidedForMinor",
    "legalAgeGroupClassification",
];

/// Whether a header row is the portal's: its identifying columns present.
pub fn is_portal_header(header: &[String]) -> bool {
    let has = |c: &str| header.iter().any(|h| h.eq_ignore_ascii_case(c));
    [
        "userPrincipalName",
        "userType",
        "accountEnabled",
        "usageLocation",
    ]
    .iter()
    .all(|c| has(c))
        && (has("objectId") || has("id"))
}

/// The fields of one complete CSV record (its text without the line end).
pub fn split_header(line: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(line);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    fields(text.trim_end_matches(['\r', '\n']))
        .into_iter()
        .map(|f| f.trim().to_string())
        .collect()
}

fn fields(record: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = record.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => out.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    out.push(field);
    out
}

/// Whether `text` ends inside a quoted field (the record goes on past the
/// line break).
fn open_quote(text: &[u8]) -> bool {
    text.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

/// Reads one CSV record into `record`: lines until the quotes balance. A
/// record over `limit` bytes is not kept, only its quote parity (to find
/// where it ends): `Ok(true)` says it was too large.
fn read_record<R: BufRead>(
    input: &mut R,
    record: &mut Vec<u8>,
    limit: usize,
    read_bytes: &mut u64,
) -> io::Result<bool> {
    record.clear();
    let mut too_large = false;
    loop {
        let n = input
            .by_ref()
            .take((limit as u64).saturating_add(1))
            .read_until(b'\n', record)?;
        *read_bytes += n as u64;
        let line_ended = record.last() == Some(&b'\n');
        if record.len() > limit {
            too_large = true;
            let odd = open_quote(record);
            record.clear();
            if odd {
                record.push(b'"');
            }
        }
        if n == 0 || (line_ended && !open_quote(record)) {
            return Ok(too_large);
        }
    }
}

/// The column names of the header row; a column named twice is refused
/// (which of the two would a record's value be?).
fn header_columns(text: &str) -> io::Result<Vec<String>> {
    let names = split_header(text.as_bytes());
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find(|(i, n)| !n.is_empty() && names[..*i].iter().any(|m| m.eq_ignore_ascii_case(n)))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the CSV header names the column {} twice", dup.1),
        ));
    }
    Ok(names)
}

pub(super) fn read<R: BufRead>(
    mut input: R,
    mut read_bytes: u64,
    decoder: &mut Decoder,
    each: &mut dyn FnMut(Item<'_>, u64) -> io::Result<ControlFlow<()>>,
) -> io::Result<()> {
    let limit = decoder.limits.max_record_bytes;
    let mut record = Vec::with_capacity(4096);
    let mut header: Option<Vec<String>> = None;
    loop {
        let too_large = read_record(&mut input, &mut record, limit, &mut read_bytes)?;
        if record.is_empty() && !too_large {
            return Ok(());
        }
        if too_large {
            let item = Item::Error {
                code: Code::MapRecordTooLarge,
                message: format!(
                    "CSV row is longer than {limit} bytes (raise the limit with --max-record-bytes)"
                ),
            };
            if each(item, read_bytes)?.is_break() {
                return Ok(());
            }
            continue;
        }
        let Ok(text) = std::str::from_utf8(&record) else {
            let item = Item::Error {
                code: Code::MapCsv,
                message: "CSV row is not valid UTF-8: save the file as UTF-8".into(),
            };
            if each(item, read_bytes)?.is_break() {
                return Ok(());
            }
            continue;
        };
        let text = text.trim_end_matches(['\r', '\n']);
        let Some(columns) = &header else {
            header = Some(header_columns(text)?);
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let cells = fields(text);
        let flow = if cells.len() != columns.len() {
            each(
                Item::Error {
                    code: Code::MapCsv,
                    message: format!(
                        "CSV row has {} cells but the header has {} columns",
                        cells.len(),
                        columns.len()
                    ),
                },
                read_bytes,
            )?
        } else {
            let scratch = decoder.scratch();
            scratch.clear();
            for (name, cell) in columns.iter().zip(&cells) {
                if !name.is_empty() && !cell.is_empty() {
                    scratch.insert_str(name, cell);
                }
            }
            let sink: &mut Sink<'_> = &mut |item| each(item, read_bytes);
            decoder.translated(sink)?
        };
        if flow.is_break() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields() {
        assert_eq!(
            fields(r#"a,"b,c","say ""hi""",,"#),
            ["a", "b,c", "say \"hi\"", "", ""]
        );
        assert_eq!(fields("one"), ["one"]);
    }
}

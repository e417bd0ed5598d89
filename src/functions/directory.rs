//! The functions only the Entra Cloud Sync reference documents, which read
//! directory data: ConvertFromBase64 (base64 to text in a named encoding),
//! DNComponent (one RDN's value of a distinguished name) and StringFromSID
//! (a binary security identifier to its `S-1-…` form). Each follows the .NET
//! call it stands for: `Convert.FromBase64String` + `Encoding.GetString`,
//! and `SecurityIdentifier.ToString`.

use super::Args;
use crate::catalogue::FnId;
use crate::codes::Code;
use crate::eval::{Context, Interrupt};
use crate::value::Value;

/// ConvertFromBase64's encodings, as the Cloud Sync reference names them;
/// `Unicode` (UTF-16LE, .NET's `Encoding.Unicode`) is the default.
pub const ENCODINGS: &[&str] = &["Unicode", "ASCII", "UTF8"];

pub(super) fn call<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    _ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    match id {
        FnId::ConvertFromBase64 => {
            let encoding = if args.is_present(1) && !args.get(1).is_null() {
                let name = args.get(1).to_text();
                match ENCODINGS.iter().find(|e| **e == name) {
                    Some(e) => *e,
                    None => {
                        return Err(args.error(
                            Code::EvalInvalidEncoding,
                            format!(
                                "ConvertFromBase64: encoding must be one of {}, not \"{name}\"",
                                ENCODINGS.join(", ")
                            ),
                        ))
                    }
                }
            } else {
                "Unicode"
            };
            let v = args.get(0);
            if v.is_null() {
                return Ok(Value::Null);
            }
            let text = v.to_text();
            let bytes = decode_base64(&text).map_err(|why| {
                args.error(
                    Code::EvalInvalidBase64,
                    format!(
                        "ConvertFromBase64: \"{}\" is not base64: {why}",
                        shorten(&text)
                    ),
                )
            })?;
            Ok(Value::string(decode_text(&bytes, encoding)))
        }
        FnId::DNComponent => {
            let n = args.int(1, id)?;
            let v = args.get(0);
            if v.is_null() {
                return Ok(Value::Null);
            }
            let dn = v.to_text();
            let components = parse_dn(&dn).map_err(|why| {
                args.error(
                    Code::EvalInvalidDn,
                    format!(
                        "DNComponent: \"{}\" is not a distinguished name: {why}",
                        shorten(&dn)
                    ),
                )
            })?;
            Ok(usize::try_from(n)
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| components.into_iter().nth(i))
                .map_or(Value::Null, Value::string))
        }
        FnId::StringFromSID => {
            let v = args.get(0);
            if v.is_null() {
                return Ok(Value::Null);
            }
            let text = v.to_text();
            let sid = decode_base64(&text)
                .map_err(|why| format!("its value must be the SID's bytes in base64 ({why})"))
                .and_then(|bytes| sid_string(&bytes))
                .map_err(|why| {
                    let hint = if text.starts_with("S-") || text.starts_with("s-") {
                        "; it already looks like a SID string: map the attribute without StringFromSID"
                    } else {
                        ""
                    };
                    args.error(
                        Code::EvalInvalidSid,
                        format!(
                            "StringFromSID: \"{}\" is not a binary security identifier: {why}{hint}",
                            shorten(&text)
                        ),
                    )
                })?;
            Ok(Value::string(sid))
        }
        other => Err(super::not_implemented(other, args.span)),
    }
}

/// The start of a long input, for an error message.
fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// `Convert.FromBase64String`: white space (space, tab, CR, LF) anywhere is
/// skipped; the rest must be whole four-character groups of the standard
/// alphabet, with `=` padding (one or two) only at the end.
pub fn decode_base64(s: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    if !digits.len().is_multiple_of(4) {
        return Err(format!(
            "its length without white space ({}) is not a multiple of 4",
            digits.len()
        ));
    }
    let padding = digits.iter().rev().take_while(|b| **b == b'=').count();
    if padding > 2 {
        return Err("it ends with more than two '='".into());
    }
    let body = &digits[..digits.len() - padding];
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (i, &b) in body.iter().enumerate() {
        let d = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => {
                let c = s
                    .chars()
                    .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
                    .nth(i)
                    .unwrap_or('?');
                return Err(format!("'{c}' is not a base64 digit"));
            }
        };
        acc = (acc << 6) | u32::from(d);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// `Encoding.GetString` for the three encodings: invalid UTF-16 or UTF-8 is
/// replaced by U+FFFD, a byte above 0x7F in ASCII by `?`, as .NET's default
/// replacement fallbacks do.
fn decode_text(bytes: &[u8], encoding: &str) -> String {
    match encoding {
        "ASCII" => bytes
            .iter()
            .map(|&b| if b < 0x80 { b as char } else { '?' })
            .collect(),
        "UTF8" => String::from_utf8_lossy(bytes).into_owned(),
        _ => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect();
            let mut s: String = char::decode_utf16(units)
                .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            if !bytes.len().is_multiple_of(2) {
                s.push(char::REPLACEMENT_CHARACTER);
            }
            s
        }
    }
}

/// The values of a distinguished name's RDNs, left to right, with escapes
/// decoded (RFC 4514: `\,` and the other special characters, `\XX` hex
/// pairs that spell UTF-8). A component is split from the next by an
/// unescaped `,` (or `;`, the older separator AD also accepts); its value is
/// what follows the first unescaped `=`, without surrounding spaces. A
/// multi-valued RDN (`cn=a+sn=b`) keeps the `+` and what follows.
pub fn parse_dn(dn: &str) -> Result<Vec<String>, String> {
    let mut components = Vec::new();
    let mut rest = dn;
    loop {
        let (value, next) = component(rest)?;
        components.push(value);
        match next {
            Some(n) if n.trim().is_empty() => {
                return Err("it ends with a separator and no component after it".into())
            }
            Some(n) => rest = n,
            None => break,
        }
    }
    Ok(components)
}

/// One RDN from the start of `s`: its decoded value and the text after its
/// separator, if any.
fn component(s: &str) -> Result<(String, Option<&str>), String> {
    let bytes = s.as_bytes();
    let mut i = 0;
    // The attribute type, up to the first unescaped '='.
    while i < bytes.len() && bytes[i] != b'=' {
        if matches!(bytes[i], b',' | b';') {
            return Err(format!("the component \"{}\" has no '='", s[..i].trim()));
        }
        i += 1;
    }
    let attr_type = s[..i].trim();
    if i == bytes.len() {
        return Err(format!("the component \"{}\" has no '='", attr_type));
    }
    if attr_type.is_empty() {
        return Err("a component has no attribute type before '='".into());
    }
    i += 1;
    let mut value: Vec<u8> = Vec::new();
    // Trailing spaces are dropped unless escaped: remember where the last
    // escaped byte ends.
    let mut kept = 0;
    while i < bytes.len() {
        match bytes[i] {
            b',' | b';' => {
                value.truncate(kept.max(trimmed_len(&value)));
                return Ok((utf8(value)?, Some(&s[i + 1..])));
            }
            b'\\' => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (bytes.get(i + 1), bytes.get(i + 2)) {
                    (Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                        value.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                        i += 3;
                    }
                    (Some(&c), _) if c.is_ascii() && !c.is_ascii_alphanumeric() => {
                        value.push(c);
                        i += 2;
                    }
                    (Some(_), _) => {
                        return Err(format!(
                        "the escape at byte {i} is neither a special character nor two hex digits"
                    ))
                    }
                    (None, _) => return Err("it ends with a lone '\\'".into()),
                }
                kept = value.len();
            }
            b' ' if value.is_empty() => i += 1,
            b => {
                value.push(b);
                i += 1;
            }
        }
    }
    value.truncate(kept.max(trimmed_len(&value)));
    Ok((utf8(value)?, None))
}

fn trimmed_len(v: &[u8]) -> usize {
    v.len() - v.iter().rev().take_while(|b| **b == b' ').count()
}

fn utf8(v: Vec<u8>) -> Result<String, String> {
    String::from_utf8(v).map_err(|_| "its \\XX escapes do not spell UTF-8".into())
}

/// `SecurityIdentifier.ToString()` of a binary SID: revision 1, a count of
/// at most 15 sub-authorities, a 48-bit big-endian identifier authority
/// (written in decimal at any size: .NET's ToString formats it as a ulong,
/// where Windows' ConvertSidToStringSid switches to hex above 2^32; the
/// .NET oracle settles it), then each sub-authority as a little-endian u32.
/// Bytes past the SID are ignored, as .NET reads only the SID's length.
pub fn sid_string(bytes: &[u8]) -> Result<String, String> {
    let (&revision, &count) = match bytes {
        [r, c, ..] => (r, c),
        _ => return Err(format!("{} bytes are too few for a SID", bytes.len())),
    };
    if revision != 1 {
        return Err(format!("its revision is {revision}, not 1"));
    }
    if count > 15 {
        return Err(format!(
            "it claims {count} sub-authorities; a SID has at most 15"
        ));
    }
    let needed = 8 + 4 * usize::from(count);
    if bytes.len() < needed {
        return Err(format!(
            "{count} sub-authorities need {needed} bytes, but there are {}",
            bytes.len()
        ));
    }
    let authority = bytes[2..8]
        .iter()
        .fold(0u64, |a, &b| (a << 8) | u64::from(b));
    let mut out = format!("S-1-{authority}");
    for chunk in bytes[8..needed].chunks_exact(4) {
        let sub = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        out.push_str(&format!("-{sub}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_follows_convert_from_base64_string() {
        assert_eq!(decode_base64("SGVsbG8=").unwrap(), b"Hello");
        assert_eq!(decode_base64(" SGVs\r\nbG8= ").unwrap(), b"Hello");
        assert_eq!(decode_base64("").unwrap(), b"");
        assert!(decode_base64("SGVsbG8").is_err());
        assert!(decode_base64("SGVs=G8=").is_err());
        assert!(decode_base64("S===").is_err());
        assert!(decode_base64("SGV-bG8=").is_err());
    }

    #[test]
    fn text_decoding_replaces_invalid_input() {
        assert_eq!(decode_text(&[0x41, 0x00, 0x42], "Unicode"), "A\u{FFFD}");
        assert_eq!(
            decode_text(&[0x00, 0xD8, 0x41, 0x00], "Unicode"),
            "\u{FFFD}A"
        );
        assert_eq!(decode_text(&[0x41, 0xC3], "UTF8"), "A\u{FFFD}");
        assert_eq!(decode_text(&[0x41, 0xE9], "ASCII"), "A?");
    }

    #[test]
    fn dn_components_decode_escapes() {
        assert_eq!(
            parse_dn("CN=Doe\\, John,OU=Sales,DC=contoso,DC=com").unwrap(),
            ["Doe, John", "Sales", "contoso", "com"]
        );
        assert_eq!(parse_dn("cn=Joe").unwrap(), ["Joe"]);
        assert_eq!(parse_dn("cn = Joe , ou=A").unwrap(), ["Joe", "A"]);
        assert_eq!(parse_dn("cn=J\\C3\\A9r\\20").unwrap(), ["Jér "]);
        assert_eq!(parse_dn("cn=a+sn=b,ou=x").unwrap(), ["a+sn=b", "x"]);
        assert_eq!(parse_dn("cn=,ou=x").unwrap(), ["", "x"]);
        assert!(parse_dn("Joe").is_err());
        assert!(parse_dn("cn=a,").is_err());
        assert!(parse_dn("cn=a\\").is_err());
        assert!(parse_dn("cn=a\\zz").is_err());
        assert!(parse_dn("cn=\\FF").is_err());
    }

    #[test]
    fn sids_render_as_dotnet_does() {
        let well_known = [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
        assert_eq!(sid_string(&well_known).unwrap(), "S-1-5-18");
        let big = [1, 0, 1, 2, 3, 4, 5, 6];
        // 0x010203040506: .NET writes the authority in decimal at any size.
        assert_eq!(sid_string(&big).unwrap(), "S-1-1108152157446");
        assert!(sid_string(&[2, 0, 0, 0, 0, 0, 0, 5]).is_err());
        assert!(sid_string(&[1, 16, 0, 0, 0, 0, 0, 5]).is_err());
        assert!(sid_string(&[1, 1, 0, 0, 0, 0, 0, 5, 18]).is_err());
        assert!(sid_string(&[1]).is_err());
    }
}

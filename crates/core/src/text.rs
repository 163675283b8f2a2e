//! Rules every text input obeys, on both backends (PostgreSQL rejects NUL bytes that SQLite
//! would store, so nothing may reach a query before it is checked):
//!
//! - no NUL and no other control character (C0, DEL, C1) anywhere: paths, query strings,
//!   headers, form and JSON bodies (checked once at the edge, see `http::guard` and the
//!   body extractors);
//! - tab, line feed and carriage return only in fields that hold more than one line
//!   ([`check_field`] with `multiline`);
//! - every field has a documented maximum length ([`check_field`]);
//! - names and identifiers ([`check_name`]) also refuse bidirectional controls and the
//!   default-ignorable code points (zero-width spaces and joiners, U+FEFF, variation
//!   selectors, tags, ...), so two names can never look the same and differ, or read in another
//!   order than they are stored. Descriptions and documents may hold them.

use crate::error::CoreError;

/// Whether `c` is a control character that no input may carry at all.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether `c` breaks a single-line field (every control character, tab and newlines included).
pub fn is_forbidden_in_line(c: char) -> bool {
    c.is_control()
}

/// The first forbidden character of `value`, if any (`multiline`: tab and newlines allowed).
pub fn first_forbidden(value: &str, multiline: bool) -> Option<char> {
    value.chars().find(|c| if multiline { is_forbidden(*c) } else { is_forbidden_in_line(*c) })
}

/// Checks one text field: no forbidden control character, at most `max` characters.
pub fn check_field(field: &str, value: &str, max: usize, multiline: bool) -> Result<(), CoreError> {
    if let Some(c) = first_forbidden(value, multiline) {
        return Err(CoreError::invalid(
            field,
            format!("'{field}' must not contain control characters (found U+{:04X})", u32::from(c)),
        ));
    }
    if value.chars().count() > max {
        return Err(CoreError::invalid(field, format!("'{field}' must be at most {max} characters long")));
    }
    Ok(())
}

/// Whether `c` is invisible or reorders text: a bidirectional control (U+061C, U+200E–F,
/// U+202A–E, U+2066–9) or a `Default_Ignorable_Code_Point` of Unicode's
/// DerivedCoreProperties (which contains every bidirectional control but U+061C's twin marks).
pub fn is_invisible(c: char) -> bool {
    matches!(u32::from(c),
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Checks a name or identifier: a single line ([`check_field`]) without invisible or
/// reordering characters ([`is_invisible`]).
pub fn check_name(field: &str, value: &str, max: usize) -> Result<(), CoreError> {
    check_field(field, value, max, false)?;
    if let Some(c) = value.chars().find(|c| is_invisible(*c)) {
        return Err(CoreError::invalid(
            field,
            format!(
                "'{field}' must not contain invisible or direction-changing characters (found U+{:04X})",
                u32::from(c)
            ),
        ));
    }
    Ok(())
}

/// The first control character escaped in a JSON document (`\u0000`, `\b`, `\f`), with its
/// byte offset: JSON forbids raw control characters in strings (the parser refuses them),
/// but allows them escaped. Tab, line feed and carriage return are left to the fields.
pub fn escaped_control_in_json(bytes: &[u8]) -> Option<(usize, char)> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'b') => return Some((i, '\u{8}')),
            Some(b'f') => return Some((i, '\u{c}')),
            Some(b'u') => {
                let code = bytes
                    .get(i + 2..i + 6)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32);
                if let Some(c) = code.filter(|c| is_forbidden(*c)) {
                    return Some((i, c));
                }
                i += 6;
            }
            _ => i += 2,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_and_lines_only_where_allowed() {
        assert!(check_field("name", "plain text", 20, false).is_ok());
        assert!(check_field("name", "nul\0", 20, false).is_err());
        assert!(check_field("name", "two\nlines", 20, false).is_err());
        assert!(check_field("description", "two\nlines\tand tab", 20, true).is_ok());
        assert!(check_field("description", "bell\u{7}", 20, true).is_err());
        assert!(check_field("description", "c1\u{85}", 20, true).is_err());
        assert!(check_field("name", "ëéè 漢字", 6, false).is_ok(), "length counts characters");
        assert!(check_field("name", "1234567", 6, false).is_err());
    }

    #[test]
    fn names_refuse_invisible_and_reordering_characters() {
        assert!(check_name("name", "Zoë 漢字 o'Brien-2", 50).is_ok());
        for c in ['\u{202E}', '\u{200B}', '\u{FEFF}', '\u{200D}', '\u{2066}', '\u{061C}', '\u{00AD}', '\u{E0041}'] {
            let err = check_name("name", &format!("pay{c}roll"), 50).unwrap_err();
            assert!(err.to_string().contains(&format!("U+{:04X}", u32::from(c))), "{err}");
        }
        assert!(check_name("name", "two\nlines", 50).is_err());
        assert!(check_field("description", "rtl \u{202E} text", 50, true).is_ok(), "documents may hold them");
    }

    #[test]
    fn escaped_controls_are_found_in_json_but_escaped_backslashes_are_not() {
        assert_eq!(escaped_control_in_json(br#"{"a": "x\u0000"}"#).map(|(_, c)| c), Some('\0'));
        assert_eq!(escaped_control_in_json(br#"{"a": "x\u001F"}"#).map(|(_, c)| c), Some('\u{1f}'));
        assert_eq!(escaped_control_in_json(br#"{"a": "x\b"}"#).map(|(_, c)| c), Some('\u{8}'));
        assert_eq!(escaped_control_in_json(br#"{"a": "x\\u0000"}"#), None, "an escaped backslash, then text");
        assert_eq!(escaped_control_in_json(br#"{"a": "line\nnext\ttab\r"}"#), None);
        assert_eq!(escaped_control_in_json(br#"{"a": "\u00e9\"\\"}"#), None);
    }
}

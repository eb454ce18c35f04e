//! DRF's `CharField` as the login serializers use it: looking the field up in
//! `request.data`, Python's `str()` of numbers, trimming Python whitespace, and the
//! required / blank / null / not-a-string / NUL / surrogate checks with their messages.

use super::pyjson::{lookup, PyStr, PyValue};
use super::render::field_errors;
use super::texts::Texts;
use crate::respond::LocalResponse;

/// `CharField`'s `invalid` message, English in every language (as observed).
const NOT_A_STRING: &str = "Not a valid string.";

/// `ProhibitSurrogateCharactersValidator`'s message, English in every language (as observed).
fn surrogate_message(code_point: u32) -> String {
    format!("Surrogate characters are not allowed: U+{code_point:X}.")
}

/// `str.isspace()`: Unicode White_Space plus the four separators U+001C..U+001F.
fn py_is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(py_is_space)
}

/// `CharField().run_validation(data)`: the trimmed string or the field's error list.
fn char_field(
    fields: &[(PyStr, PyValue)],
    name: &str,
    texts: Texts,
) -> Result<String, Vec<String>> {
    let value = match lookup(fields, name) {
        None => return Err(vec![texts.required().to_owned()]),
        Some(value) => value,
    };
    let text = match value {
        PyValue::Null => return Err(vec![texts.null().to_owned()]),
        PyValue::Bool(_) | PyValue::List | PyValue::Dict(_) | PyValue::File => {
            return Err(vec![NOT_A_STRING.to_owned()])
        }
        PyValue::Int(digits) => digits.clone(),
        PyValue::Float(f) => py_float_repr(*f),
        PyValue::Str(s) => {
            let stripped = py_strip(&s.text);
            if stripped.is_empty() {
                return Err(vec![texts.blank().to_owned()]);
            }
            let mut errors = Vec::new();
            if stripped.contains('\0') {
                errors.push(texts.null_characters().to_owned());
            }
            if let Some(code_point) = s.surrogate {
                errors.push(surrogate_message(code_point));
            }
            if !errors.is_empty() {
                return Err(errors);
            }
            stripped.to_owned()
        }
    };
    Ok(text)
}

/// Python's `repr(float)`: shortest round-trip digits, exponent form outside 1e-4..1e16.
pub(crate) fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let decpt = exponent + 1;
    let n = digits.len() as i64;
    let body = if (-3..=16).contains(&decpt) {
        if decpt <= 0 {
            format!("0.{}{digits}", "0".repeat(decpt.unsigned_abs() as usize))
        } else if decpt >= n {
            format!("{digits}{}.0", "0".repeat((decpt - n) as usize))
        } else {
            let (int, frac) = digits.split_at(decpt as usize);
            format!("{int}.{frac}")
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{first}{dot}{rest}e{exp_sign}{:02}",
            exponent.unsigned_abs()
        )
    };
    format!("{sign}{body}")
}

/// One required text field, or DRF's error body for it.
pub(crate) fn one_char_field(
    fields: &[(PyStr, PyValue)],
    name: &str,
    texts: Texts,
) -> Result<String, LocalResponse> {
    char_field(fields, name, texts).map_err(|messages| field_errors(&[(name, messages)]))
}

/// Two required text fields, or DRF's error body naming every one that failed.
pub(crate) fn two_char_fields(
    fields: &[(PyStr, PyValue)],
    names: [&str; 2],
    texts: Texts,
) -> Result<(String, String), LocalResponse> {
    match (
        char_field(fields, names[0], texts),
        char_field(fields, names[1], texts),
    ) {
        (Ok(first), Ok(second)) => Ok((first, second)),
        (first, second) => {
            let mut errors = Vec::new();
            if let Err(messages) = first {
                errors.push((names[0], messages));
            }
            if let Err(messages) = second {
                errors.push((names[1], messages));
            }
            Err(field_errors(&errors))
        }
    }
}

#[cfg(test)]
mod tests;

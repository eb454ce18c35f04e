//! `request.data` as Python holds it (`PyValue`, `PyStr`) and Python 3.11's `json` module
//! (C scanner) as DRF's `JSONParser` drives it: the same values, the same error messages
//! with their line/column/char positions, the same limits (nesting depth, integer digits).
//! The parser never recurses, so hostile nesting costs a heap stack, not the thread's.

/// A JSON string as Python holds it: lone surrogates are kept by Python; here they are
/// U+FFFD in `text` and the first one is remembered for the validator.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PyStr {
    pub(super) text: String,
    pub(super) surrogate: Option<u32>,
}

impl PyStr {
    pub(super) fn plain(text: String) -> Self {
        Self {
            text,
            surrogate: None,
        }
    }
}

/// `request.data` and the values in it, as far as the serializers look at them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PyValue {
    Null,
    Bool(bool),
    /// Python's `str()` of the integer.
    Int(String),
    Float(f64),
    Str(PyStr),
    List,
    /// Key/value pairs in document order; lookups take the last match.
    Dict(Vec<(PyStr, PyValue)>),
    /// An uploaded file (a multipart part with a file name).
    File,
}

impl PyValue {
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            PyValue::Null => "NoneType",
            PyValue::Bool(_) => "bool",
            PyValue::Int(_) => "int",
            PyValue::Float(_) => "float",
            PyValue::Str(_) => "str",
            PyValue::List => "list",
            PyValue::Dict(_) => "dict",
            PyValue::File => "InMemoryUploadedFile",
        }
    }
}

/// The field's value as `request.data[name]` gives it: the last one for repeated keys.
pub(super) fn lookup<'a>(fields: &'a [(PyStr, PyValue)], name: &str) -> Option<&'a PyValue> {
    fields
        .iter()
        .rev()
        .find(|(key, _)| key.surrogate.is_none() && key.text == name)
        .map(|(_, value)| value)
}

pub(super) enum JsonFailure {
    /// The text after `JSON parse error - `.
    Message(String),
    /// RecursionError: not a ValueError, so Django's 500 page.
    Recursion,
}

/// How deep arrays/objects may nest before Python's recursion limit hit under the
/// reference server (measured: 955 passed, 956 failed).
const MAX_DEPTH: usize = 955;

/// Python 3.11's `sys.get_int_max_str_digits()` default.
const MAX_INT_DIGITS: usize = 4300;

/// `codecs.getreader('utf-8')(stream).read()`: strict, but a truncated sequence at the
/// very end is silently left undecoded (the reader never flushes it).
fn decode_utf8_stream(bytes: &[u8]) -> Result<Vec<char>, String> {
    let error = |start: usize, end: usize, reason: &str| {
        if end - start == 1 {
            format!(
                "'utf-8' codec can't decode byte 0x{:02x} in position {start}: {reason}",
                bytes[start]
            )
        } else {
            format!(
                "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
                end - 1
            )
        }
    };
    let cont = |b: u8| (0x80..=0xBF).contains(&b);
    let mut out = Vec::with_capacity(bytes.len());
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        let b0 = bytes[i];
        let left = n - i;
        let len = if b0 < 0x80 {
            1
        } else if b0 < 0xC2 {
            return Err(error(i, i + 1, "invalid start byte"));
        } else if b0 < 0xE0 {
            if left < 2 {
                break;
            }
            if !cont(bytes[i + 1]) {
                return Err(error(i, i + 1, "invalid continuation byte"));
            }
            2
        } else if b0 < 0xF0 {
            if left < 2 {
                break;
            }
            let b1 = bytes[i + 1];
            let bad1 = !cont(b1) || (b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0);
            if left < 3 {
                if bad1 && !(b0 == 0xED && (0xA0..=0xBF).contains(&b1)) {
                    return Err(error(i, i + 1, "invalid continuation byte"));
                }
                break;
            }
            if bad1 {
                return Err(error(i, i + 1, "invalid continuation byte"));
            }
            if !cont(bytes[i + 2]) {
                return Err(error(i, i + 2, "invalid continuation byte"));
            }
            3
        } else if b0 < 0xF5 {
            if left < 2 {
                break;
            }
            let b1 = bytes[i + 1];
            if !cont(b1) || (b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 >= 0x90) {
                return Err(error(i, i + 1, "invalid continuation byte"));
            }
            if left < 3 {
                break;
            }
            if !cont(bytes[i + 2]) {
                return Err(error(i, i + 2, "invalid continuation byte"));
            }
            if left < 4 {
                break;
            }
            if !cont(bytes[i + 3]) {
                return Err(error(i, i + 3, "invalid continuation byte"));
            }
            4
        } else {
            return Err(error(i, i + 1, "invalid start byte"));
        };
        match std::str::from_utf8(&bytes[i..i + len])
            .ok()
            .and_then(|s| s.chars().next())
        {
            Some(c) => out.push(c),
            None => return Err(error(i, i + 1, "invalid start byte")),
        }
        i += len;
    }
    Ok(out)
}

/// `json.load(reader, parse_constant=strict_constant)` on the body.
pub(super) fn parse_json(body: &[u8]) -> Result<PyValue, JsonFailure> {
    let chars = decode_utf8_stream(body).map_err(JsonFailure::Message)?;
    let mut parser = JsonParser {
        s: &chars,
        depth: 0,
    };
    let result = parser.decode();
    result.map_err(|error| match error {
        JsonError::Decode(message, pos) => JsonFailure::Message(parser.locate(message, pos)),
        JsonError::Stop(pos) => JsonFailure::Message(parser.locate("Expecting value", pos)),
        JsonError::Value(message) => JsonFailure::Message(message),
        JsonError::Recursion => JsonFailure::Recursion,
    })
}

enum JsonError {
    /// JSONDecodeError(msg, doc, pos).
    Decode(&'static str, usize),
    /// StopIteration(idx): no value starts here ("Expecting value").
    Stop(usize),
    /// Another ValueError, reported as is.
    Value(String),
    Recursion,
}

/// An open container while parsing iteratively (no recursion on hostile nesting).
enum Frame {
    Array,
    Object {
        pairs: Vec<(PyStr, PyValue)>,
        key: PyStr,
    },
}

struct JsonParser<'a> {
    s: &'a [char],
    depth: usize,
}

impl JsonParser<'_> {
    /// `JSONDecodeError`'s `"%s: line %d column %d (char %d)"`.
    fn locate(&self, message: &str, pos: usize) -> String {
        let before = &self.s[..pos.min(self.s.len())];
        let line = 1 + before.iter().filter(|&&c| c == '\n').count();
        let column = match before.iter().rposition(|&c| c == '\n') {
            Some(newline) => pos - newline,
            None => pos + 1,
        };
        format!("{message}: line {line} column {column} (char {pos})")
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while i < self.s.len() && matches!(self.s[i], ' ' | '\t' | '\n' | '\r') {
            i += 1;
        }
        i
    }

    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    fn follows(&self, i: usize, literal: &str) -> bool {
        literal
            .chars()
            .enumerate()
            .all(|(k, c)| self.at(i + k) == Some(c))
    }

    /// `JSONDecoder.decode`.
    fn decode(&mut self) -> Result<PyValue, JsonError> {
        if self.at(0) == Some('\u{feff}') {
            return Err(JsonError::Decode(
                "Unexpected UTF-8 BOM (decode using utf-8-sig)",
                0,
            ));
        }
        let start = self.skip_ws(0);
        let (value, end) = self.value(start)?;
        let end = self.skip_ws(end);
        if end != self.s.len() {
            return Err(JsonError::Decode("Extra data", end));
        }
        Ok(value)
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(JsonError::Recursion);
        }
        Ok(())
    }

    /// Reads `"key"`, the `:` and the whitespace after it; returns the value's position.
    fn key(&self, idx: usize) -> Result<(PyStr, usize), JsonError> {
        if self.at(idx) != Some('"') {
            return Err(JsonError::Decode(
                "Expecting property name enclosed in double quotes",
                idx,
            ));
        }
        let (key, idx) = self.string(idx + 1)?;
        let idx = self.skip_ws(idx);
        if self.at(idx) != Some(':') {
            return Err(JsonError::Decode("Expecting ':' delimiter", idx));
        }
        Ok((key, self.skip_ws(idx + 1)))
    }

    /// `scan_once` with containers handled on an explicit stack.
    fn value(&mut self, mut idx: usize) -> Result<(PyValue, usize), JsonError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // Parse the value starting at `idx` (opening containers as needed).
            let (mut value, mut next) = match self.at(idx) {
                Some('{') => {
                    self.enter()?;
                    let inner = self.skip_ws(idx + 1);
                    if self.at(inner) == Some('}') {
                        self.depth -= 1;
                        (PyValue::Dict(Vec::new()), inner + 1)
                    } else {
                        let (key, at) = self.key(inner)?;
                        stack.push(Frame::Object {
                            pairs: Vec::new(),
                            key,
                        });
                        idx = at;
                        continue;
                    }
                }
                Some('[') => {
                    self.enter()?;
                    let inner = self.skip_ws(idx + 1);
                    if self.at(inner) == Some(']') {
                        self.depth -= 1;
                        (PyValue::List, inner + 1)
                    } else {
                        stack.push(Frame::Array);
                        idx = inner;
                        continue;
                    }
                }
                _ => self.scalar(idx)?,
            };
            // Hand the value to the enclosing containers, closing those that end.
            loop {
                match stack.last_mut() {
                    None => return Ok((value, next)),
                    Some(Frame::Array) => {
                        let at = self.skip_ws(next);
                        match self.at(at) {
                            Some(']') => {
                                stack.pop();
                                self.depth -= 1;
                                value = PyValue::List;
                                next = at + 1;
                            }
                            Some(',') => {
                                idx = self.skip_ws(at + 1);
                                break;
                            }
                            _ => return Err(JsonError::Decode("Expecting ',' delimiter", at)),
                        }
                    }
                    Some(Frame::Object { pairs, key }) => {
                        let key = std::mem::replace(key, PyStr::plain(String::new()));
                        pairs.push((key, value));
                        let at = self.skip_ws(next);
                        match self.at(at) {
                            Some('}') => {
                                let pairs = match stack.pop() {
                                    Some(Frame::Object { pairs, .. }) => pairs,
                                    _ => Vec::new(),
                                };
                                self.depth -= 1;
                                value = PyValue::Dict(pairs);
                                next = at + 1;
                            }
                            Some(',') => {
                                let (new_key, at) = self.key(self.skip_ws(at + 1))?;
                                if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                                    *key = new_key;
                                }
                                idx = at;
                                break;
                            }
                            _ => return Err(JsonError::Decode("Expecting ',' delimiter", at)),
                        }
                    }
                }
            }
        }
    }

    /// The non-container branches of `scan_once_unicode`.
    fn scalar(&self, idx: usize) -> Result<(PyValue, usize), JsonError> {
        let len = self.s.len();
        let Some(c) = self.at(idx) else {
            return Err(JsonError::Stop(idx));
        };
        let constant = |name: &str| {
            JsonError::Value(format!(
                "Out of range float values are not JSON compliant: '{name}'"
            ))
        };
        match c {
            '"' => {
                let (s, end) = self.string(idx + 1)?;
                return Ok((PyValue::Str(s), end));
            }
            'n' if idx + 3 < len && self.follows(idx + 1, "ull") => {
                return Ok((PyValue::Null, idx + 4))
            }
            't' if idx + 3 < len && self.follows(idx + 1, "rue") => {
                return Ok((PyValue::Bool(true), idx + 4))
            }
            'f' if idx + 4 < len && self.follows(idx + 1, "alse") => {
                return Ok((PyValue::Bool(false), idx + 5))
            }
            'N' if idx + 2 < len && self.follows(idx + 1, "aN") => return Err(constant("NaN")),
            'I' if idx + 7 < len && self.follows(idx + 1, "nfinity") => {
                return Err(constant("Infinity"))
            }
            '-' if idx + 8 < len && self.follows(idx + 1, "Infinity") => {
                return Err(constant("-Infinity"))
            }
            _ => {}
        }
        self.number(idx)
    }

    /// `_match_number_unicode`.
    fn number(&self, start: usize) -> Result<(PyValue, usize), JsonError> {
        let digit = |i: usize| self.at(i).is_some_and(|c| c.is_ascii_digit());
        let len = self.s.len();
        let mut idx = start;
        if self.at(idx) == Some('-') {
            idx += 1;
            if idx >= len {
                return Err(JsonError::Stop(start));
            }
        }
        match self.at(idx) {
            Some('1'..='9') => {
                idx += 1;
                while digit(idx) {
                    idx += 1;
                }
            }
            Some('0') => idx += 1,
            _ => return Err(JsonError::Stop(start)),
        }
        let mut is_float = false;
        if idx + 1 < len && self.at(idx) == Some('.') && digit(idx + 1) {
            is_float = true;
            idx += 2;
            while digit(idx) {
                idx += 1;
            }
        }
        if idx + 1 < len && matches!(self.at(idx), Some('e' | 'E')) {
            let e_start = idx;
            idx += 1;
            if idx + 1 < len && matches!(self.at(idx), Some('-' | '+')) {
                idx += 1;
            }
            while digit(idx) {
                idx += 1;
            }
            if digit(idx - 1) {
                is_float = true;
            } else {
                idx = e_start;
            }
        }
        let literal: String = self.s[start..idx].iter().collect();
        if is_float {
            let value: f64 = literal.parse().map_err(|_| JsonError::Stop(start))?;
            return Ok((PyValue::Float(value), idx));
        }
        let digits = literal.trim_start_matches('-');
        if digits.len() > MAX_INT_DIGITS {
            return Err(JsonError::Value(format!(
                "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
                digits.len()
            )));
        }
        let text = if digits == "0" {
            "0".to_owned()
        } else {
            literal
        };
        Ok((PyValue::Int(text), idx))
    }

    /// `scanstring_unicode(s, end, strict=True)`; `end` is just past the opening quote.
    fn string(&self, mut end: usize) -> Result<(PyStr, usize), JsonError> {
        let len = self.s.len();
        let begin = end - 1;
        let mut text = String::new();
        let mut surrogate = None;
        let hex4 = |from: usize| -> Option<u32> {
            (from..from + 4).try_fold(0u32, |acc, i| {
                self.at(i)
                    .and_then(|c| c.to_digit(16))
                    .map(|d| acc << 4 | d)
            })
        };
        loop {
            let mut next = end;
            while next < len {
                let c = self.s[next];
                if c == '"' || c == '\\' {
                    break;
                }
                if (c as u32) <= 0x1f {
                    return Err(JsonError::Decode("Invalid control character at", next));
                }
                next += 1;
            }
            if next >= len {
                return Err(JsonError::Decode("Unterminated string starting at", begin));
            }
            text.extend(&self.s[end..next]);
            let terminator = self.s[next];
            next += 1;
            if terminator == '"' {
                end = next;
                break;
            }
            let Some(escape) = self.at(next) else {
                return Err(JsonError::Decode("Unterminated string starting at", begin));
            };
            if escape != 'u' {
                end = next + 1;
                let c = match escape {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    _ => return Err(JsonError::Decode("Invalid \\escape", end - 2)),
                };
                text.push(c);
                continue;
            }
            next += 1;
            end = next + 4;
            if end >= len {
                return Err(JsonError::Decode("Invalid \\uXXXX escape", next - 1));
            }
            let Some(mut code) = hex4(next) else {
                return Err(JsonError::Decode("Invalid \\uXXXX escape", end - 5));
            };
            if (0xD800..=0xDBFF).contains(&code)
                && end + 6 < len
                && self.at(end) == Some('\\')
                && self.at(end + 1) == Some('u')
            {
                let Some(low) = hex4(end + 2) else {
                    return Err(JsonError::Decode("Invalid \\uXXXX escape", end + 1));
                };
                if (0xDC00..=0xDFFF).contains(&low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    end += 6;
                }
            }
            match char::from_u32(code) {
                Some(c) => text.push(c),
                None => {
                    surrogate.get_or_insert(code);
                    text.push('\u{fffd}');
                }
            }
        }
        Ok((PyStr { text, surrogate }, end))
    }
}

#[cfg(test)]
mod tests;

//! Configuration errors: where in which file, under which key, and what is wrong.
//!
//! Every problem found in a configuration becomes one [`ConfigError`]. Errors are
//! collected rather than returned at the first one, so an operator fixes a file in one
//! pass. Positions are resolved from the parsed document (`toml_edit` keeps byte spans)
//! only when an error is rendered, so validation code names a key path and nothing else.
//!
//! Messages never contain secret values: validation code is handed the key path and a
//! description, and the few messages that quote a value only quote non-secret ones
//! (addresses, durations, algorithm names).

use std::fmt;
use std::ops::Range;

/// One segment of a key path: a table key or an index into an array of tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Where a value lives in the TOML document, e.g. `users[2].password_hash`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyPath(Vec<Segment>);

impl KeyPath {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    pub fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_owned()));
        Self(segments)
    }

    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Self(segments)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

/// Renders the path the way the file is written: `[upstream] address`,
/// `[[users]] #2 password_hash`, `[dialects.kerong] key`, `[listen] tls.cert_file`.
impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |segment: &Segment| match segment {
            Segment::Key(key) => key.clone(),
            Segment::Index(index) => format!("#{}", index + 1),
        };
        let segments = self.0.as_slice();
        // `[dialects.<name>]` is the only section two keys deep.
        let section_len = match segments {
            [Segment::Key(first), Segment::Key(_), _, ..] if first == "dialects" => 2,
            _ => 1,
        };
        if segments.len() <= section_len {
            let names: Vec<String> = segments.iter().map(name).collect();
            return f.write_str(&names.join("."));
        }
        let section: Vec<String> = segments[..section_len].iter().map(name).collect();
        let mut rest = &segments[section_len..];
        if let [Segment::Index(index), tail @ ..] = rest {
            write!(f, "[[{}]] #{}", section.join("."), index + 1)?;
            rest = tail;
        } else {
            write!(f, "[{}]", section.join("."))?;
        }
        if !rest.is_empty() {
            let rest: Vec<String> = rest.iter().map(name).collect();
            write!(f, " {}", rest.join("."))?;
        }
        Ok(())
    }
}

/// A problem with the configuration, positioned in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if self.key.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.key, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// All the problems found in one configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Collects problems during validation, resolving key paths to lines in `source`.
pub(crate) struct Problems<'a> {
    file: &'a str,
    source: &'a str,
    document: Option<toml_edit::ImDocument<&'a str>>,
    errors: Vec<ConfigError>,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(file: &'a str, source: &'a str) -> Self {
        Self {
            file,
            source,
            document: toml_edit::ImDocument::parse(source).ok(),
            errors: Vec::new(),
        }
    }

    /// Records a problem with the value at `path`.
    pub(crate) fn at(&mut self, path: &KeyPath, message: impl Into<String>) {
        let line = self.line_of(path);
        self.errors.push(ConfigError {
            file: self.file.to_owned(),
            line,
            key: path.to_string(),
            message: message.into(),
        });
    }

    /// Records a problem found by the TOML parser or deserializer at a byte span.
    pub(crate) fn at_span(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        let (line, key) = match span {
            Some(span) => (
                Some(line_at(self.source, span.start)),
                self.path_at(span.start).map(|p| p.to_string()),
            ),
            None => (None, None),
        };
        self.errors.push(ConfigError {
            file: self.file.to_owned(),
            line,
            key: key.unwrap_or_default(),
            message: message.into(),
        });
    }

    pub(crate) fn file(&self) -> &str {
        self.file
    }

    /// Takes over the problems found in another file (a users file).
    pub(crate) fn extend(&mut self, other: Problems<'_>) {
        self.errors.extend(other.errors);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub(crate) fn into_result<T>(self, value: T) -> Result<T, ConfigErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(ConfigErrors(self.errors))
        }
    }

    pub(crate) fn into_errors(self) -> ConfigErrors {
        ConfigErrors(self.errors)
    }

    fn line_of(&self, path: &KeyPath) -> Option<usize> {
        let document = self.document.as_ref()?;
        let mut item: &toml_edit::Item = document.as_item();
        let mut best = None;
        for segment in path.segments() {
            match segment {
                Segment::Key(key) => {
                    let table = item.as_table_like()?;
                    let (key, value) = table.get_key_value(key)?;
                    best = key.span().or(best);
                    item = value;
                }
                Segment::Index(index) => {
                    if let Some(tables) = item.as_array_of_tables() {
                        let table = tables.get(*index)?;
                        best = table.span().or(best);
                        // `ArrayOfTables::get` hands out a table, not an item; walk on
                        // through the table's own entries below.
                        return self.line_in_table(table, path, best);
                    }
                    let value = item.as_array()?.get(*index)?;
                    best = value.span().or(best);
                    return best.map(|span| line_at(self.source, span.start));
                }
            }
        }
        best.map(|span| line_at(self.source, span.start))
    }

    /// Finishes [`line_of`] inside one entry of an array of tables.
    fn line_in_table(
        &self,
        table: &toml_edit::Table,
        path: &KeyPath,
        mut best: Option<Range<usize>>,
    ) -> Option<usize> {
        let after_index = path
            .segments()
            .iter()
            .skip_while(|s| matches!(s, Segment::Key(_)))
            .skip(1);
        let mut current: &dyn toml_edit::TableLike = table;
        for segment in after_index {
            let Segment::Key(key) = segment else { break };
            let Some((key, value)) = current.get_key_value(key) else {
                break;
            };
            best = key.span().or(best);
            match value.as_table_like() {
                Some(next) => current = next,
                None => break,
            }
        }
        best.map(|span| line_at(self.source, span.start))
    }

    /// The innermost key whose key or value span contains `offset`.
    fn path_at(&self, offset: usize) -> Option<KeyPath> {
        let document = self.document.as_ref()?;
        let mut path = KeyPath::root();
        let mut table: &dyn toml_edit::TableLike = document.as_table();
        'descend: loop {
            for (key, item) in table.iter() {
                let Some((key_span, value_span)) = table
                    .get_key_value(key)
                    .map(|(k, v)| (k.span(), item_span(v)))
                else {
                    continue;
                };
                let contains = |span: &Option<Range<usize>>| {
                    span.as_ref().is_some_and(|s| s.contains(&offset))
                };
                if let Some(tables) = item.as_array_of_tables() {
                    for (index, entry) in tables.iter().enumerate() {
                        if entry_contains(entry, offset) {
                            path = path.key(key).index(index);
                            table = entry;
                            continue 'descend;
                        }
                    }
                    // The array's own span runs from its first entry to its last, over
                    // any tables written between them: it says nothing here.
                    continue;
                }
                if contains(&key_span) || contains(&value_span) {
                    path = path.key(key);
                    if let Some(inner) = item.as_table_like() {
                        table = inner;
                        continue 'descend;
                    }
                    return Some(path);
                }
                // Tables written with a `[header]` have no span of their own covering
                // their body; look inside them too.
                if let Some(inner) = item.as_table() {
                    if inner.iter().any(|(k, v)| {
                        contains(&inner.get_key_value(k).and_then(|(k, _)| k.span()))
                            || contains(&item_span(v))
                    }) {
                        path = path.key(key);
                        table = inner;
                        continue 'descend;
                    }
                }
            }
            return if path.segments().is_empty() {
                None
            } else {
                Some(path)
            };
        }
    }
}

fn item_span(item: &toml_edit::Item) -> Option<Range<usize>> {
    match item {
        toml_edit::Item::Value(value) => value.span(),
        toml_edit::Item::Table(table) => table.span(),
        toml_edit::Item::ArrayOfTables(tables) => tables.span(),
        toml_edit::Item::None => None,
    }
}

fn entry_contains(table: &toml_edit::Table, offset: usize) -> bool {
    table.span().is_some_and(|s| s.contains(&offset))
        || table.iter().any(|(k, v)| {
            table
                .get_key_value(k)
                .and_then(|(k, _)| k.span())
                .is_some_and(|s| s.contains(&offset))
                || item_span(v).is_some_and(|s| s.contains(&offset))
        })
}

fn line_at(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_render_like_the_file() {
        let root = KeyPath::root();
        assert_eq!(
            root.key("upstream").key("address").to_string(),
            "[upstream] address"
        );
        assert_eq!(
            root.key("users").index(1).key("password_hash").to_string(),
            "[[users]] #2 password_hash"
        );
        assert_eq!(
            root.key("dialects").key("kerong").key("key").to_string(),
            "[dialects.kerong] key"
        );
        assert_eq!(
            root.key("listen").key("tls").key("cert_file").to_string(),
            "[listen] tls.cert_file"
        );
        assert_eq!(root.key("users_file").to_string(), "users_file");
        assert_eq!(root.key("listen").to_string(), "listen");
    }

    #[test]
    fn problems_resolve_lines() {
        let source = "[listen]\naddress = \"x\"\n\n[[users]]\nusername = \"a\"\n\n[[users]]\nusername = \"b\"\nid = 3\n";
        let mut problems = Problems::new("c.toml", source);
        let root = KeyPath::root();
        problems.at(&root.key("listen").key("address"), "bad");
        problems.at(&root.key("users").index(1).key("id"), "dup");
        let errors = problems.into_errors().0;
        assert_eq!(errors[0].line, Some(2));
        assert_eq!(errors[0].to_string(), "c.toml:2: [listen] address: bad");
        assert_eq!(errors[1].line, Some(9));
        assert_eq!(errors[1].key, "[[users]] #2 id");
    }

    #[test]
    fn spans_resolve_to_keys() {
        let source = "[listen]\naddress = \"x\"\n\n[[users]]\nusername = \"a\"\nbogus = 1\n";
        let offset = source.find("bogus").unwrap();
        let problems = Problems::new("c.toml", source);
        let path = problems.path_at(offset).unwrap();
        assert_eq!(path.to_string(), "[[users]] #1 bogus");
    }
}

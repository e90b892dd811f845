//! The one YAML writer: typed values in, YAML text out.
//!
//! Generators build [`Yaml`] values and never format YAML by hand, so quoting, indentation and
//! multi-line scripts are right in every file. Comments are part of the value: a note above a
//! key, and a trailing comment after a scalar (`uses: owner/repo@<sha> # v1.2.3`).

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    /// A string; written plain when that reads back as the same string, else quoted, and as a
    /// literal block when it has several lines.
    Str(String),
    /// A whole number.
    Int(i64),
    /// A decimal number, as written (`2.1`).
    Decimal(String),
    /// true or false.
    Bool(bool),
    /// A sequence.
    Seq(Vec<Yaml>),
    /// A mapping, keys in the order given.
    Map(Vec<Entry>),
    /// Helm template text standing for a scalar (`{{ .Values.replicaCount }}`), written as
    /// is: only a chart's templates hold it.
    Template(String),
    /// A Helm template expression that yields a block (`toYaml .Values.resources`), written
    /// under its key as `{{- EXPR | nindent N }}` with N the block's indentation.
    Splice(String),
}

/// One key of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Its value.
    pub value: Yaml,
    /// A comment after a scalar value, on the same line.
    pub comment: Option<String>,
    /// Comment lines above the key.
    pub note: Option<String>,
    /// A Helm template condition: the entry is rendered only when it holds
    /// (`{{- if COND }}` before it, `{{- end }}` after).
    pub when: Option<String>,
}

impl Yaml {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Yaml {
        Yaml::Str(s.into())
    }

    /// An empty mapping, to fill with [`Yaml::with`].
    pub fn map() -> Yaml {
        Yaml::Map(Vec::new())
    }

    /// A sequence of strings.
    pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Yaml {
        Yaml::Seq(items.into_iter().map(|s| Yaml::str(s.as_ref())).collect())
    }

    /// This mapping with one more key.
    pub fn with(self, key: &str, value: impl Into<Yaml>) -> Yaml {
        self.entry(Entry {
            key: key.into(),
            value: value.into(),
            comment: None,
            note: None,
            when: None,
        })
    }

    /// This mapping with one more key, and a comment after its value.
    pub fn with_comment(self, key: &str, value: impl Into<Yaml>, comment: impl Into<String>) -> Yaml {
        self.entry(Entry {
            key: key.into(),
            value: value.into(),
            comment: Some(comment.into()),
            note: None,
            when: None,
        })
    }

    /// This mapping with one more key, with comment lines above it.
    pub fn with_note(self, key: &str, value: impl Into<Yaml>, note: impl Into<String>) -> Yaml {
        self.entry(Entry {
            key: key.into(),
            value: value.into(),
            comment: None,
            note: Some(note.into()),
            when: None,
        })
    }

    /// This mapping with `entry` added (or this sequence with it, as a one-key mapping).
    pub fn entry(self, entry: Entry) -> Yaml {
        match self {
            Yaml::Map(mut entries) => {
                entries.push(entry);
                Yaml::Map(entries)
            }
            other => other,
        }
    }

    /// This mapping with `key` set when `value` is some.
    pub fn with_opt(self, key: &str, value: Option<impl Into<Yaml>>) -> Yaml {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }

    /// This sequence with one more item.
    pub fn push(self, item: impl Into<Yaml>) -> Yaml {
        match self {
            Yaml::Seq(mut items) => {
                items.push(item.into());
                Yaml::Seq(items)
            }
            other => other,
        }
    }

    /// True for an empty mapping or sequence.
    pub fn is_empty(&self) -> bool {
        matches!(self, Yaml::Map(m) if m.is_empty()) || matches!(self, Yaml::Seq(s) if s.is_empty())
    }

    /// The value of `key`, for a mapping.
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }
}

impl From<&str> for Yaml {
    fn from(s: &str) -> Yaml {
        Yaml::Str(s.to_string())
    }
}

impl From<String> for Yaml {
    fn from(s: String) -> Yaml {
        Yaml::Str(s)
    }
}

impl From<&String> for Yaml {
    fn from(s: &String) -> Yaml {
        Yaml::Str(s.clone())
    }
}

impl From<bool> for Yaml {
    fn from(b: bool) -> Yaml {
        Yaml::Bool(b)
    }
}

impl From<u16> for Yaml {
    fn from(n: u16) -> Yaml {
        Yaml::Int(n.into())
    }
}

impl From<i32> for Yaml {
    fn from(n: i32) -> Yaml {
        Yaml::Int(n.into())
    }
}

impl From<u32> for Yaml {
    fn from(n: u32) -> Yaml {
        Yaml::Int(n.into())
    }
}

impl From<Vec<Yaml>> for Yaml {
    fn from(v: Vec<Yaml>) -> Yaml {
        Yaml::Seq(v)
    }
}

/// The document as YAML text, with a header comment when given.
pub fn to_string(value: &Yaml, header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
    match value {
        Yaml::Map(entries) => write_entries(&mut out, entries, 0, true),
        other => {
            write_inline_or_block(&mut out, other, 0);
        }
    }
    out
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_note(out: &mut String, note: &Option<String>, indent: usize) {
    if let Some(note) = note {
        for line in note.lines() {
            pad(out, indent);
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

/// Writes the entries of a mapping at `indent`; a blank line around top-level keys that hold
/// blocks, as people write them.
fn write_entries(out: &mut String, entries: &[Entry], indent: usize, top: bool) {
    for (i, e) in entries.iter().enumerate() {
        if top && i > 0 && (is_block(&e.value) || is_block(&entries[i - 1].value)) {
            out.push('\n');
        }
        write_note(out, &e.note, indent);
        if let Some(cond) = &e.when {
            pad(out, indent);
            out.push_str(&format!("{{{{- if {cond} }}}}\n"));
        }
        pad(out, indent);
        write_entry(out, e, indent);
        if e.when.is_some() {
            pad(out, indent);
            out.push_str("{{- end }}\n");
        }
    }
}

fn is_block(v: &Yaml) -> bool {
    match v {
        Yaml::Map(m) => !m.is_empty(),
        Yaml::Seq(s) => !s.is_empty(),
        _ => false,
    }
}

/// Writes `key: value` starting at the current column (indentation already written).
fn write_entry(out: &mut String, e: &Entry, indent: usize) {
    out.push_str(&key(&e.key));
    out.push(':');
    match &e.value {
        Yaml::Map(m) if !m.is_empty() => {
            out.push('\n');
            write_entries(out, m, indent + 2, false);
        }
        Yaml::Seq(s) if !s.is_empty() => {
            out.push('\n');
            write_seq(out, s, indent + 2);
        }
        Yaml::Str(s) if s.contains('\n') => {
            out.push(' ');
            write_block_scalar(out, s, indent + 2);
        }
        Yaml::Splice(expr) => {
            out.push('\n');
            pad(out, indent + 2);
            out.push_str(&format!("{{{{- {expr} | nindent {} }}}}\n", indent + 2));
        }
        scalar => {
            out.push(' ');
            out.push_str(&inline(scalar));
            if let Some(c) = &e.comment {
                out.push_str(" # ");
                out.push_str(c);
            }
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, items: &[Yaml], indent: usize) {
    for item in items {
        pad(out, indent);
        out.push_str("- ");
        match item {
            Yaml::Map(m) if !m.is_empty() => {
                // The first key on the dash's line, the others under it.
                write_note_inline(out, &m[0].note, indent + 2);
                write_entry(out, &m[0], indent + 2);
                write_entries(out, &m[1..], indent + 2, false);
            }
            Yaml::Seq(s) if !s.is_empty() => {
                out.push('\n');
                write_seq(out, s, indent + 2);
            }
            Yaml::Str(s) if s.contains('\n') => write_block_scalar(out, s, indent + 2),
            scalar => {
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

fn write_note_inline(out: &mut String, note: &Option<String>, indent: usize) {
    // A note on a sequence item's first key goes above the dash; the dash is already written,
    // so the note is put on its own lines first.
    if let Some(note) = note {
        let dash = out.len() - 2;
        let mut text = String::new();
        for (i, line) in note.lines().enumerate() {
            if i > 0 {
                pad(&mut text, indent - 2);
            }
            text.push_str("# ");
            text.push_str(line);
            text.push('\n');
        }
        pad(&mut text, indent - 2);
        out.insert_str(dash, &text);
    }
}

fn write_inline_or_block(out: &mut String, v: &Yaml, indent: usize) {
    match v {
        Yaml::Seq(s) if !s.is_empty() => write_seq(out, s, indent),
        Yaml::Str(s) if s.contains('\n') => write_block_scalar(out, s, indent),
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn write_block_scalar(out: &mut String, s: &str, indent: usize) {
    let chomp = if s.ends_with('\n') { "" } else { "-" };
    let keep_lead = if s.starts_with(' ') { "2" } else { "" };
    out.push('|');
    out.push_str(keep_lead);
    out.push_str(chomp);
    out.push('\n');
    for line in s.strip_suffix('\n').unwrap_or(s).lines() {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
}

fn inline(v: &Yaml) -> String {
    match v {
        Yaml::Str(s) => scalar(s),
        Yaml::Int(n) => n.to_string(),
        Yaml::Decimal(d) => d.clone(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Template(t) => t.clone(),
        Yaml::Splice(expr) => format!("{{{{ {expr} | toJson }}}}"),
        Yaml::Seq(_) => "[]".into(),
        Yaml::Map(_) => "{}".into(),
    }
}

fn key(k: &str) -> String {
    scalar(k)
}

/// A string as a YAML scalar: plain when it reads back as the same string, else double-quoted.
pub fn scalar(s: &str) -> String {
    if plain_ok(s) {
        s.to_string()
    } else {
        let mut q = String::with_capacity(s.len() + 2);
        q.push('"');
        for c in s.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\n' => q.push_str("\\n"),
                '\t' => q.push_str("\\t"),
                c if (c as u32) < 0x20 => q.push_str(&format!("\\x{:02x}", c as u32)),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    }
}

fn plain_ok(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    let dash_ok = first == '-' && s[1..].starts_with(|c: char| !c.is_whitespace());
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !dash_ok {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains('\t') {
        return false;
    }
    // Flow indicators are fine in block context except where they start the scalar.
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    ) {
        return false;
    }
    // Anything a YAML reader would take for a number.
    let numeric = s.trim_start_matches(['+', '-']);
    if !numeric.is_empty()
        && (numeric
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '_' || c == 'e' || c == 'E')
            && numeric.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.'))
    {
        return false;
    }
    if numeric.starts_with("0x") || numeric.starts_with("0o") || lower == ".inf" || lower == ".nan" {
        return false;
    }
    // Numbers joined by colons (1:30, a uid:gid): YAML 1.1 readers may take them for base 60.
    if s.contains(':')
        && s.split(':')
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    // A date or timestamp (2010-09-09): YAML 1.1 readers turn it into a date object.
    let b = s.as_bytes();
    if b.len() >= 8
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && s[5..]
            .split(['-', 'T', 't', ' '])
            .take(2)
            .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_helm_template_values_blocks_and_conditions() {
        let doc = Yaml::map().with(
            "spec",
            Yaml::map()
                .entry(Entry {
                    key: "replicas".into(),
                    value: Yaml::Template("{{ .Values.replicaCount }}".into()),
                    comment: None,
                    note: None,
                    when: Some("not .Values.autoscaling.enabled".into()),
                })
                .with("resources", Yaml::Splice("toYaml .Values.resources".into())),
        );
        assert_eq!(
            to_string(&doc, ""),
            "spec:\n  {{- if not .Values.autoscaling.enabled }}\n  replicas: {{ .Values.replicaCount }}\n  {{- end }}\n  resources:\n    {{- toYaml .Values.resources | nindent 4 }}\n"
        );
    }

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        for (s, want) in [
            ("ubuntu-24.04", "ubuntu-24.04"),
            ("on", "\"on\""),
            ("3.13", "\"3.13\""),
            ("22", "\"22\""),
            ("a: b", "\"a: b\""),
            ("${{ github.ref }}", "${{ github.ref }}"),
            ("*", "\"*\""),
            ("--health-cmd x", "--health-cmd x"),
            ("-", "\"-\""),
            ("", "\"\""),
            ("say \"hi\"", "say \"hi\""),
            ("# not a comment", "\"# not a comment\""),
            ("2010-09-09", "\"2010-09-09\""),
            ("2026-1-5", "\"2026-1-5\""),
            ("2026-12-07T10:00:00Z", "\"2026-12-07T10:00:00Z\""),
            ("2026-x", "2026-x"),
            ("1234-56789", "1234-56789"),
            ("1:30", "\"1:30\""),
            ("10001:10001", "\"10001:10001\""),
            ("a:1", "a:1"),
        ] {
            assert_eq!(scalar(s), want, "{s:?}");
        }
    }

    #[test]
    fn writes_blocks_sequences_comments_and_scripts() {
        let doc = Yaml::map()
            .with("name", "CI")
            .with(
                "steps",
                Yaml::Seq(vec![
                    Yaml::map()
                        .with_comment("uses", "actions/checkout@abc", "v7.0.1")
                        .with("with", Yaml::map().with("persist-credentials", false)),
                    Yaml::map().with("run", "set -e\necho one\n"),
                ]),
            )
            .with("empty", Yaml::map());
        let text = to_string(&doc, "Written by Slipway.");
        assert_eq!(
            text,
            "# Written by Slipway.\nname: CI\n\nsteps:\n  - uses: actions/checkout@abc # v7.0.1\n    with:\n      persist-credentials: false\n  - run: |\n      set -e\n      echo one\n\nempty: {}\n"
        );
    }
}

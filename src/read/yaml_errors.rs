//! serde_yaml's errors in the project's words: where the problem starts (an unclosed quote
//! where it opens, a missing key at the mapping that lacks it), what was expected in terms an
//! author knows ("a number", "a list", never `f32` or "a YAML tag"), and a help line with the
//! fix (the nearest allowed key or value).

use crate::diag::{did_you_mean, Diagnostic};
use std::path::Path;

/// The diagnostic for a YAML text that did not deserialize. `line_offset` is the number of
/// lines in the file before the YAML starts; `allowed` the keys of the top-level mapping.
pub fn diagnostic(
    e: &serde_yaml::Error,
    text: &str,
    file: &Path,
    line_offset: usize,
    allowed: &[&str],
) -> Diagnostic {
    let raw = e.to_string();
    let reported = e
        .location()
        .filter(|l| l.index() > 0)
        .map(|l| (l.line(), l.column()));
    // serde_yaml appends " at line L column C" (once, or twice for a scanner error: the
    // second names where the construct began).
    let (body, positions) = split_positions(&raw);
    let (path, body) = split_path(&body);
    // A quote left open swallows the lines after it; the YAML library then stumbles lines
    // later, where another quote happens to close it. Point at the opening quote instead.
    let syntax = body.contains("while parsing") || body.contains("while scanning");
    if let Some((line, col)) = reported
        .filter(|_| syntax)
        .and_then(|(l, _)| unclosed_quote(text, l))
    {
        let mut d = Diagnostic::error(
            file,
            line + line_offset,
            col,
            "this quoted value is never closed",
        )
        .with_len(1);
        d.help = Some("end the value with the same quote mark it starts with".into());
        return d;
    }
    let mut out = explain(&body, allowed);
    if let Some(p) = &path {
        out.message = format!("in `{p}`: {}", out.message);
    }
    let (line, col) = match out.place {
        Place::Start => positions.last().copied().or(reported),
        Place::Mapping => mapping_of(text, path.as_deref()),
        Place::Value(ref v) => find_value(text, v, reported.map_or(1, |r| r.0)).or(reported),
        Place::Reported => reported.or(positions.first().copied()),
    }
    .unwrap_or((1, 1));
    let mut d = Diagnostic::error(file, line + line_offset, col, out.message).with_len(out.len);
    d.help = out.help;
    d
}

/// The first value before line `before` that opens a quote and does not close it on its
/// own line (multi-line quoted values are rare in these files, and only looked for once the
/// YAML has failed to parse).
fn unclosed_quote(text: &str, before: usize) -> Option<(usize, usize)> {
    for (i, line) in text.lines().enumerate().take(before.saturating_sub(1)) {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        // The value: after `key: `, or after a list item's `- `.
        let value_at = match line.find(": ") {
            Some(k) if !line[..k].contains(['"', '\'', '#']) => k + 2,
            _ if trimmed.starts_with("- ") => line.len() - trimmed.len() + 2,
            _ => continue,
        };
        let value = &line[value_at..];
        let lead = value.len() - value.trim_start().len();
        let value = value.trim_start();
        let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let body = &value[1..];
        let closed = if quote == '"' {
            let mut escaped = false;
            body.chars().any(|c| {
                let end = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                end
            })
        } else {
            // In single quotes, '' is a quote mark; a lone ' ends the value.
            body.replace("''", "").contains('\'')
        };
        if !closed {
            let col = line[..value_at + lead].chars().count() + 1;
            return Some((i + 1, col));
        }
    }
    None
}

enum Place {
    /// Where the construct began (an unclosed quote's opening).
    Start,
    /// The mapping that lacks a key.
    Mapping,
    /// The first place this value appears, from the reported line on.
    Value(String),
    Reported,
}

struct Explained {
    message: String,
    help: Option<String>,
    place: Place,
    len: usize,
}

fn split_positions(raw: &str) -> (String, Vec<(usize, usize)>) {
    let mut body = String::new();
    let mut positions = Vec::new();
    let mut rest = raw;
    while let Some(i) = rest.find(" at line ") {
        body.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let mut words = after.splitn(4, ' ');
        let line = words.next().and_then(|n| n.parse().ok());
        let _column_word = words.next();
        let col = words
            .next()
            .map(|c| c.trim_end_matches(|c: char| !c.is_ascii_digit()))
            .and_then(|c| c.parse().ok());
        if let (Some(l), Some(c)) = (line, col) {
            positions.push((l, c));
        }
        rest = words.next().unwrap_or("");
        if !rest.is_empty() {
            body.push(' ');
        }
    }
    body.push_str(rest);
    (body.trim().to_string(), positions)
}

/// serde_yaml prefixes the path of the value at fault (`reviewed.by: `, `authors[0]: `,
/// `.[0]: `).
fn split_path(body: &str) -> (Option<String>, String) {
    if let Some((head, tail)) = body.split_once(": ") {
        let is_path = !head.is_empty()
            && head
                .chars()
                .all(|c| c.is_alphanumeric() || "_-.[]".contains(c))
            && !head.contains(' ');
        if is_path {
            let p = head.trim_start_matches('.').to_string();
            return ((!p.is_empty()).then_some(p), tail.to_string());
        }
    }
    (None, body.to_string())
}

/// The backquoted names after serde's ", expected" ("one of `a`, `b`", "`a` or `b`").
fn expected_names(rest: &str) -> Vec<&str> {
    let expected = rest.split_once(", expected").map_or("", |(_, e)| e);
    expected.split('`').skip(1).step_by(2).collect()
}

/// "did you mean `x`?" for a near miss, else `lead` and every name allowed.
const VALUES_LEAD: &str = "use one of:";

fn suggestion(name: &str, known: &[&str], lead: &str) -> String {
    match did_you_mean(name, known) {
        // A short list of values is worth reading whole (keys have their own help).
        Some(k) if lead == VALUES_LEAD && known.len() <= 8 => {
            format!("did you mean `{k}`? ({lead} {})", known.join(", "))
        }
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("{lead} {}", known.join(", ")),
    }
}

fn explain(body: &str, allowed: &[&str]) -> Explained {
    let first_quoted = body.split('`').nth(1).unwrap_or("").to_string();
    let plain = |message: String, place| Explained {
        message,
        help: None,
        place,
        len: 0,
    };
    if let Some(rest) = body.strip_prefix("unknown field ") {
        let known = match expected_names(rest) {
            k if k.is_empty() => allowed.to_vec(),
            k => k,
        };
        return Explained {
            message: format!("`{first_quoted}` is not a key handout reads"),
            help: Some(suggestion(
                &first_quoted,
                &known,
                "the keys allowed here are",
            )),
            len: first_quoted.chars().count(),
            place: Place::Value(format!("{first_quoted}:")),
        };
    }
    if body.starts_with("missing field ") {
        return Explained {
            message: format!("the required key `{first_quoted}` is missing"),
            help: Some(format!("add a line `{first_quoted}: …`")),
            place: Place::Mapping,
            len: 0,
        };
    }
    if let Some(rest) = body.strip_prefix("unknown variant ") {
        let known = expected_names(rest);
        return Explained {
            message: format!("`{first_quoted}` is not one of the values allowed here"),
            help: Some(suggestion(&first_quoted, &known, VALUES_LEAD)),
            len: first_quoted.chars().count(),
            place: Place::Value(first_quoted),
        };
    }
    if let Some(rest) = body.strip_prefix("invalid type: ") {
        let (found, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "another kind"));
        return plain(
            format!("expected {}, found {}", kind(expected), found_kind(found)),
            Place::Reported,
        );
    }
    if body.contains("while scanning a quoted scalar") {
        return Explained {
            message: "this quoted value is never closed".into(),
            help: Some("end the value with the same quote mark it starts with".into()),
            place: Place::Start,
            len: 1,
        };
    }
    if body.contains("mapping values are not allowed") {
        return Explained {
            message: "a `: ` inside a value that is not quoted".into(),
            help: Some("put the value in quotes: key: \"text: more text\"".into()),
            place: Place::Reported,
            len: 0,
        };
    }
    if body.contains("did not find expected") || body.contains("found character that cannot") {
        return plain(
            format!("the YAML cannot be read here: {body}"),
            Place::Reported,
        );
    }
    // The project's own value checks quote the bad value in backticks and carry only the
    // position of the enclosing node: point at the value itself.
    let (place, len) = if first_quoted.is_empty() {
        (Place::Reported, 0)
    } else {
        let len = first_quoted.chars().count();
        (Place::Value(first_quoted), len)
    };
    Explained {
        len,
        ..plain(body.to_string(), place)
    }
}

/// What serde expected, in an author's words.
fn kind(expected: &str) -> String {
    match expected.trim() {
        "f32" | "f64" | "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "isize" => {
            "a number".into()
        }
        "a boolean" | "bool" => "`true` or `false`".into(),
        "a sequence" => "a list".into(),
        "a YAML tag starting with '!'" => "one of the allowed words".into(),
        e if e.starts_with("struct ") || e == "a map" => "a set of `key: value` lines".into(),
        e => e.to_string(),
    }
}

/// What serde found, in an author's words.
fn found_kind(found: &str) -> String {
    let found = found.trim();
    match found {
        "sequence" => "a list".into(),
        "map" => "a set of `key: value` lines".into(),
        "unit value" => "nothing".into(),
        f if f.starts_with("string ") => format!("the text {}", &f["string ".len()..]),
        f if f.starts_with("integer ") || f.starts_with("floating point ") => {
            format!("the number {}", f.split('`').nth(1).unwrap_or(f))
        }
        f if f.starts_with("boolean ") => format!("`{}`", f.split('`').nth(1).unwrap_or(f)),
        f => f.to_string(),
    }
}

/// Where the mapping at `path` starts: the line of its key (or the first line of the text).
fn mapping_of(text: &str, path: Option<&str>) -> Option<(usize, usize)> {
    let Some(path) = path else {
        let first = text
            .lines()
            .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .unwrap_or(0);
        return Some((first + 1, 1));
    };
    let key = path.rsplit('.').next().unwrap_or(path);
    let key = key.split('[').next().unwrap_or(key);
    text.lines().enumerate().find_map(|(i, l)| {
        let t = l.trim_start();
        t.starts_with(&format!("{key}:"))
            .then(|| (i + 1, l.len() - t.len() + 1))
    })
}

fn find_value(text: &str, v: &str, from_line: usize) -> Option<(usize, usize)> {
    if v.is_empty() {
        return None;
    }
    text.lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .find_map(|(i, l)| l.find(v).map(|c| (i + 1, l[..c].chars().count() + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Book {
        title: String,
        subtitle: Option<String>,
        level: Option<f32>,
        paper: Option<Paper>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Paper {
        Letter,
        A4,
    }

    fn error(text: &str) -> Diagnostic {
        let e = serde_yaml::from_str::<Book>(text).unwrap_err();
        diagnostic(
            &e,
            text,
            Path::new("book.yaml"),
            0,
            &["title", "subtitle", "level", "paper"],
        )
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        let d = error("subtitle: x\ntitle: \"Open\nlevel: 3\n");
        assert_eq!((d.line, d.col), (2, 8), "{d}");
        assert!(d.message.contains("never closed"), "{d}");
    }

    #[test]
    fn a_missing_key_is_reported_at_its_mapping_with_the_fix() {
        let d = error("# a comment\nsubtitle: x\nlevel: 2\n");
        assert_eq!((d.line, d.col), (2, 1), "{d}");
        assert_eq!(d.message, "the required key `title` is missing");
        assert!(d.help.as_deref().unwrap().contains("title:"));
    }

    #[test]
    fn serde_types_become_words_and_keys_get_one_suggestion() {
        let d = error("title: T\nlevel: [1]\n");
        assert_eq!(
            d.message, "in `level`: expected a number, found a list",
            "{d}"
        );
        let d = error("title: T\npaper: [a4]\n");
        assert!(
            !d.message.contains("YAML tag") && d.message.contains("allowed words"),
            "{d}"
        );
        let d = error("title: T\ntitel: x\n");
        assert_eq!(d.message, "`titel` is not a key handout reads");
        assert_eq!(d.help.as_deref(), Some("did you mean `title`?"));
        assert_eq!((d.line, d.col, d.len), (2, 1, 5));
        let d = error("title: T\npaper: a5\n");
        assert_eq!(
            d.help.as_deref(),
            Some("did you mean `a4`? (use one of: letter, a4)"),
            "{d}"
        );
        assert_eq!((d.line, d.col), (2, 8));
    }
}

//! The small part of HTML that Markdown in the wild carries: a tokenizer for tags and text, and
//! entity decoding. What is rendered is decided by the Markdown reader; nothing here is trusted
//! as markup by the writers.

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Text(String),
    Tag {
        name: String,
        closing: bool,
        self_closing: bool,
        attrs: Vec<(String, String)>,
    },
}

/// Splits `html` into text and tags. Comments are dropped; a `<` that does not start a tag is
/// text.
pub fn tokens(html: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map(|i| &after[i + 3..]).unwrap_or("");
            continue;
        }
        match parse_tag(rest) {
            Some((tag, len)) => {
                if !text.is_empty() {
                    out.push(Token::Text(decode_entities(&std::mem::take(&mut text))));
                }
                out.push(tag);
                rest = &rest[len..];
            }
            None => {
                text.push('<');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Token::Text(decode_entities(&text)));
    }
    out
}

/// A tag at the start of `s`, and its length in bytes.
fn parse_tag(s: &str) -> Option<(Token, usize)> {
    let b = s.as_bytes();
    let mut i = 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
        i += 1;
    }
    if i == start || !b[start].is_ascii_alphabetic() {
        return None;
    }
    let name = s[start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i)? {
            b'>' => {
                return Some((
                    Token::Tag {
                        name,
                        closing,
                        self_closing,
                        attrs,
                    },
                    i + 1,
                ))
            }
            b'/' => {
                self_closing = true;
                i += 1;
            }
            _ => {
                let a = i;
                while i < b.len()
                    && !b[i].is_ascii_whitespace()
                    && !matches!(b[i], b'=' | b'>' | b'/')
                {
                    i += 1;
                }
                if i == a {
                    return None;
                }
                let key = s[a..i].to_ascii_lowercase();
                let mut value = String::new();
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    match b.get(i)? {
                        q @ (b'"' | b'\'') => {
                            let end = s[i + 1..].find(*q as char)? + i + 1;
                            value = decode_entities(&s[i + 1..end]);
                            i = end + 1;
                        }
                        _ => {
                            let v = i;
                            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                                i += 1;
                            }
                            value = decode_entities(&s[v..i]);
                        }
                    }
                }
                attrs.push((key, value));
            }
        }
    }
}

/// Decodes the named entities HTML text commonly holds, and numeric ones.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "mdash" => Some('\u{2014}'),
                "ndash" => Some('\u{2013}'),
                "hellip" => Some('\u{2026}'),
                "copy" => Some('\u{a9}'),
                _ => {
                    let n = name.strip_prefix('#')?;
                    let v = match n.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(v).filter(|c| *c != '\0')
                }
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_text_and_attributes() {
        let t = tokens(r#"<img src="a.png" alt='A &amp; B'/>x<br>y</span><!-- c -->z < 3"#);
        assert_eq!(
            t[0],
            Token::Tag {
                name: "img".into(),
                closing: false,
                self_closing: true,
                attrs: vec![
                    ("src".into(), "a.png".into()),
                    ("alt".into(), "A & B".into())
                ]
            }
        );
        assert_eq!(t[1], Token::Text("x".into()));
        assert!(matches!(&t[2], Token::Tag { name, closing: false, .. } if name == "br"));
        assert!(matches!(&t[4], Token::Tag { name, closing: true, .. } if name == "span"));
        assert_eq!(t[5], Token::Text("z < 3".into()));
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&nbsp;b &#x41;&#66; &bogus; &"),
            "a\u{a0}b AB &bogus; &"
        );
        assert_eq!(decode_entities("&#0;"), "&#0;");
    }

    #[test]
    fn broken_tags_are_text() {
        assert_eq!(tokens("<"), vec![Token::Text("<".into())]);
        assert_eq!(
            tokens("<a href=\"x"),
            vec![Token::Text("<a href=\"x".into())]
        );
        assert_eq!(tokens("<1>"), vec![Token::Text("<1>".into())]);
    }
}

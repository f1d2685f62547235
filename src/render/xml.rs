//! XML text, escaped: what every renderer writing XML (XHTML, the EPUB package, the PDF's
//! XMP packet) puts between its tags.

/// `s` with the five XML special characters escaped and the control characters XML 1.0
/// forbids removed.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters outright, even as references.
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || (0x7F..=0x9F).contains(&(c as u32)) => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `s` for element content: `&`, `<` and `>` escaped, quotes left as they are.
pub fn escape_text(s: &str) -> String {
    escape(s).replace("&quot;", "\"").replace("&#39;", "'")
}

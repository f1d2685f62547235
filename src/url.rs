//! External link addresses, checked and written in a form every reader accepts: the scheme in
//! lower case, http(s) hosts that are real host names, and characters that URLs may not hold
//! percent-encoded.

/// The normalised form of an `http(s):`, `mailto:` or `tel:` address, or `None` when it is not
/// one that a reader could follow.
pub fn normalize(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    match scheme.as_str() {
        "http" | "https" => {
            let after = rest.strip_prefix("//")?;
            let end = after.find(['/', '?', '#']).unwrap_or(after.len());
            let authority = &after[..end];
            let host = authority.rsplit('@').next().unwrap_or("");
            let host = match host.rsplit_once(':') {
                Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
                _ => host,
            };
            let valid_label = |l: &str| {
                !l.is_empty()
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !l.starts_with('-')
            };
            if !(host.split('.').all(valid_label)
                && (host.contains('.') || host.eq_ignore_ascii_case("localhost")))
            {
                return None;
            }
            Some(format!(
                "{scheme}://{}{}",
                authority.to_ascii_lowercase(),
                encode(&after[end..])
            ))
        }
        "mailto" => {
            let address = rest.trim();
            (address.contains('@') && !address.starts_with('@'))
                .then(|| format!("mailto:{}", encode(address)))
        }
        "tel" => {
            let number: String = rest
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+' || *c == '-')
                .collect();
            (number.chars().filter(|c| c.is_ascii_digit()).count() >= 3)
                .then(|| format!("tel:{number}"))
        }
        _ => None,
    }
}

/// A URL as printed: without `https://` and `mailto:`, which a reader types anyway, and
/// without a trailing slash.
pub fn display(url: &str) -> String {
    let s = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("mailto:"))
        .unwrap_or(url);
    s.trim_end_matches('/').to_string()
}

/// Whether link text already shows the URL (ignoring the scheme and a trailing slash).
pub fn shown_by(text: &str, url: &str) -> bool {
    let strip = |s: &str| {
        let s = s.trim();
        let s = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .or_else(|| s.strip_prefix("mailto:"))
            .or_else(|| s.strip_prefix("tel:"))
            .unwrap_or(s);
        let s = s.strip_prefix("www.").unwrap_or(s);
        s.trim_end_matches('/').to_ascii_lowercase()
    };
    strip(text) == strip(url)
}

/// Percent-encodes what may not appear in a URL's path, query or fragment.
fn encode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &b) in bytes.iter().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || b"-._~:/?#@!$&'()*+,;=".contains(&b)
            || (b == b'%'
                && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit));
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_refuses() {
        assert_eq!(
            normalize("HTTPS://WWW.FDA.gov/a b").as_deref(),
            Some("https://www.fda.gov/a%20b")
        );
        assert_eq!(
            normalize("https://example.com/\\[\\").as_deref(),
            Some("https://example.com/%5C%5B%5C")
        );
        assert_eq!(
            normalize("https://example.com?find=\\*").as_deref(),
            Some("https://example.com?find=%5C*")
        );
        assert_eq!(
            normalize("https://example.com/?q=100%").as_deref(),
            Some("https://example.com/?q=100%25")
        );
        assert_eq!(
            normalize("MAILTO:FOO@BAR.BAZ").as_deref(),
            Some("mailto:FOO@BAR.BAZ")
        );
        assert_eq!(
            normalize("tel:+1 (800) 662-4357").as_deref(),
            Some("tel:+1800662-4357")
        );
        assert_eq!(normalize("https://../"), None);
        assert_eq!(normalize("https://"), None);
        assert_eq!(normalize("https://exa mple.com"), None);
        assert_eq!(normalize("ftp://x.org"), None);
        assert_eq!(
            normalize("https://localhost:8080/x").as_deref(),
            Some("https://localhost:8080/x")
        );
        assert_eq!(
            normalize("https://caf\u{e9}.fr/men\u{fc}").as_deref(),
            None,
            "non-ASCII hosts need punycode, which we do not do"
        );
        assert_eq!(
            normalize("https://cafe.fr/men\u{fc}").as_deref(),
            Some("https://cafe.fr/men%C3%BC")
        );
    }
}

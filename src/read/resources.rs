//! `resources.yaml`: the helplines, services and information sources the articles point to.
//! Each entry is checked (unique id, http(s) URL, a phone number that can be dialled) and
//! reported at its own line.

use super::yaml_locations::YamlLocations;
use crate::diag::Diagnostic;
use crate::model::Resource;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

pub const RESOURCE_KEYS: &[&str] = &[
    "id",
    "name",
    "category",
    "description",
    "phone",
    "url",
    "qr",
    "hours",
    "languages",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceYaml {
    id: String,
    name: String,
    category: String,
    description: Option<String>,
    phone: Option<String>,
    url: Option<String>,
    qr: Option<String>,
    hours: Option<String>,
    #[serde(default)]
    languages: Vec<String>,
}

/// An entry of a site file's `resources`: a resource, and the articles whose help lists
/// show it (`for`; the positions of its articles are found in the text by `sites`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteResourceYaml {
    id: String,
    name: String,
    category: String,
    description: Option<String>,
    phone: Option<String>,
    url: Option<String>,
    qr: Option<String>,
    hours: Option<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(rename = "for")]
    pub(super) for_articles: Option<Vec<String>>,
}

impl From<SiteResourceYaml> for ResourceYaml {
    fn from(e: SiteResourceYaml) -> ResourceYaml {
        ResourceYaml {
            id: e.id,
            name: e.name,
            category: e.category,
            description: e.description,
            phone: e.phone,
            url: e.url,
            qr: e.qr,
            hours: e.hours,
            languages: e.languages,
        }
    }
}

/// A warning when the address a resource's QR code opens makes a code too dense to survive
/// photocopying, at the key that gave the address.
fn dense_code_warning(
    e: &ResourceYaml,
    path: &Path,
    at: &dyn Fn(&str) -> (usize, usize),
) -> Option<Diagnostic> {
    let (key, address) = match (&e.qr, &e.url) {
        (Some(q), _) => ("qr", q),
        (None, Some(u)) => ("url", u),
        _ => return None,
    };
    let plan = crate::model::qr::plan(address.trim()).filter(|p| p.dense())?;
    let (l, c) = at(key);
    let advice = if key == "qr" {
        "a shorter `qr:` address would scan more surely"
    } else {
        "give a shorter address for the code in `qr:` (the printed address stays as it is)"
    };
    Some(Diagnostic::warning(
        path,
        l,
        c,
        format!(
            "the QR code for `{}` needs {} modules a side (more than {}), too fine to scan reliably from a copy of a copy; {advice}",
            address.trim(),
            plan.modules(),
            crate::model::qr::DENSEST_SAFE
        ),
    ))
}

pub fn valid_phone(p: &str) -> bool {
    let p = p.trim();
    let body = p.strip_prefix('+').unwrap_or(p);
    let digits = body.chars().filter(|c| c.is_ascii_digit()).count();
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || " -.()".contains(c))
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '(')
        && (3..=15).contains(&digits)
}

pub fn valid_url(u: &str) -> bool {
    let lower = u.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            host.contains('.')
                && !host.starts_with('.')
                && !u.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Checks each entry (unique one-word id, http(s) addresses, a phone that can be dialled),
/// reporting at its own place (`places`, of the file's text), where the entries are the list at `list` (`""`: the
/// whole file; a site file's are under `resources`); the good ones become resources.
pub fn check_entries(
    places: &YamlLocations,
    path: &Path,
    entries: Vec<ResourceYaml>,
    list: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Resource> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let at = |key: &str| places.nearest(&format!("{list}[{i}].{key}"));
        if !seen.insert(e.id.clone()) {
            let (l, c) = at("id");
            diags.push(Diagnostic::error(
                path,
                l,
                c,
                format!("resource id `{}` is used twice", e.id),
            ));
        }
        if e.id.trim().is_empty() || e.id.contains(char::is_whitespace) {
            let (l, c) = at("id");
            diags.push(Diagnostic::error(
                path,
                l,
                c,
                format!(
                    "resource id `{}` must be one word (letters, digits, hyphens)",
                    e.id
                ),
            ));
        }
        for (key, value) in [("url", &e.url), ("qr", &e.qr)] {
            let Some(u) = value else { continue };
            if !valid_url(u) {
                let (l, c) = at(key);
                diags.push(Diagnostic::error(
                    path,
                    l,
                    c,
                    format!("`{u}` is not an http(s) URL"),
                ));
            }
        }
        if let Some(d) = dense_code_warning(&e, path, &at) {
            diags.push(d);
        }
        if let Some(p) = &e.phone {
            if !valid_phone(p) {
                let (l, c) = at("phone");
                diags.push(Diagnostic::error(
                    path,
                    l,
                    c,
                    format!("`{p}` is not a phone number that can be dialled (digits, with spaces, dashes, dots or brackets; 3 to 15 digits)"),
                ));
            }
        }
        if e.phone.is_none() && e.url.is_none() {
            let (l, c) = at("id");
            diags.push(Diagnostic::warning(
                path,
                l,
                c,
                format!("resource `{}` has neither a phone number nor a URL", e.id),
            ));
        }
        out.push(Resource {
            id: e.id,
            name: e.name.trim().to_string(),
            category: e.category.trim().to_string(),
            description: e.description.map(|d| d.trim().to_string()),
            phone: e.phone.map(|p| p.trim().to_string()),
            url: e.url.map(|u| u.trim().to_string()),
            qr: e.qr.map(|u| u.trim().to_string()),
            hours: e.hours,
            languages: e.languages,
            cited_by: Vec::new(),
        });
    }
    out
}

/// The entries, with any warnings; `Err` holds every problem when one is an error.
pub fn load(path: &Path) -> Result<(Vec<Resource>, Vec<Diagnostic>), Vec<Diagnostic>> {
    // Refuses a pipe or a device, and a file over the size limit.
    let text = super::files::read_text(path).map_err(|d| vec![d])?;
    let entries: Vec<ResourceYaml> = super::config::parse_yaml_all(&text, path, 0, RESOURCE_KEYS)?;
    let mut diags = Vec::new();
    let out = check_entries(&YamlLocations::of(&text), path, entries, "", &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok((out, diags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<(Vec<Resource>, Vec<Diagnostic>), Vec<Diagnostic>> {
        let dir =
            std::env::temp_dir().join(format!("handout-res-{}-{}", std::process::id(), text.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("resources.yaml");
        std::fs::write(&p, text).unwrap();
        let r = load(&p);
        let _ = std::fs::remove_dir_all(&dir);
        r
    }

    #[test]
    fn phones_and_urls() {
        assert!(valid_phone("1-800-662-4357"));
        assert!(valid_phone("988"));
        assert!(valid_phone("+44 (0)20 7946 0958"));
        assert!(!valid_phone("1-800-HELP"));
        assert!(!valid_phone("12"));
        assert!(valid_url("https://www.samhsa.gov/find-help"));
        assert!(!valid_url("ftp://example.org"));
        assert!(!valid_url("https://localhost"));
        assert!(!valid_url("www.fda.gov"));
    }

    #[test]
    fn each_problem_is_reported_at_its_line() {
        let text = "- id: a\n  name: A\n  category: Help\n  phone: 988\n- id: b\n  name: B\n  category: Help\n  url: ftp://x.org\n- id: a\n  name: C\n  category: Help\n  phone: call me\n";
        let errs = load_text(text).unwrap_err();
        let at =
            |l: usize, what: &str| errs.iter().any(|d| d.line == l && d.message.contains(what));
        assert!(at(8, "not an http(s) URL"), "{errs:?}");
        assert!(at(9, "used twice"), "{errs:?}");
        assert!(at(12, "not a phone number"), "{errs:?}");
        let url_err = errs.iter().find(|d| d.line == 8).unwrap();
        assert_eq!(url_err.col, 8);
    }

    #[test]
    fn a_code_too_dense_to_copy_is_a_warning_at_its_address() {
        let long = format!("https://example.org/{}", "a".repeat(120));
        let text = format!(
            "- id: a\n  name: A\n  category: Help\n  url: {long}\n- id: b\n  name: B\n  category: Help\n  url: {long}\n  qr: https://example.org/b\n"
        );
        let (resources, warnings) = load_text(&text).unwrap();
        assert_eq!(resources[1].qr_target(), Some("https://example.org/b"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!((warnings[0].line, warnings[0].col), (4, 8));
        assert!(warnings[0].message.contains("`qr:`"), "{warnings:?}");
        let bad =
            load_text("- id: a\n  name: A\n  category: H\n  url: https://a.org\n  qr: a.org\n")
                .unwrap_err();
        assert_eq!(bad[0].line, 5, "{bad:?}");
    }

    #[test]
    fn unknown_keys_list_the_allowed_ones() {
        let errs = load_text("- id: a\n  name: A\n  category: H\n  fax: 1\n").unwrap_err();
        assert_eq!(errs[0].line, 4);
        let help = errs[0].help.as_deref().unwrap_or_default();
        assert!(help.contains("id, name, category"), "{:?}", errs[0]);
    }
}

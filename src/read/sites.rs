//! Site files, `sites/<site-id>.yaml`: a clinic's name, contact details, logo and local
//! resources. Each becomes its own edition of the book: the same articles, with the site's
//! resources added to (or replacing entries of) the book's.

use super::config::parse_yaml_all;
use super::resources::{check_entries, valid_phone, valid_url, SiteResourceYaml};
use super::yaml_locations::YamlLocations;
use crate::diag::Diagnostic;
use crate::model::{Book, Resource, Site};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const SITE_KEYS: &[&str] = &[
    "name",
    "phone",
    "address",
    "hours",
    "url",
    "logo",
    "message",
    "resources",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteYaml {
    name: String,
    phone: Option<String>,
    address: Option<String>,
    hours: Option<String>,
    url: Option<String>,
    logo: Option<String>,
    message: Option<String>,
    #[serde(default)]
    resources: Vec<SiteResourceYaml>,
}

/// A site as read, with its resources and which articles each is for (`None`: all), each
/// article as written with where it was written.
pub struct SiteFile {
    pub site: Site,
    resources: Vec<(Resource, Option<Vec<(String, (usize, usize))>>)>,
}

/// Every `sites/*.yaml` under `root`, in file-name order; `articles` are the book's (as
/// book.yaml lists them), which a resource's `for` names. Problems are added to `diags`.
/// (`None` when the book's list could not be read: `for:` lists are then not checked).
pub fn read_all(
    root: &Path,
    articles: Option<&[PathBuf]>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<SiteFile> {
    use super::files::{inside, Outside};
    match inside(root, Path::new("sites")) {
        Ok(_) => {}
        Err(Outside::Missing) => return Vec::new(),
        Err(outside) => {
            diags.push(Diagnostic::error(
                root.join("sites"),
                0,
                0,
                format!("the `sites` folder {}", outside.words()),
            ));
            return Vec::new();
        }
    }
    let Ok(dir) = std::fs::read_dir(root.join("sites")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files.retain(|file| {
        let rel = Path::new("sites").join(file.file_name().unwrap_or_default());
        match inside(root, &rel) {
            Ok(_) => true,
            Err(outside) => {
                diags.push(Diagnostic::error(
                    file,
                    0,
                    0,
                    format!("site file {}", outside.words()),
                ));
                false
            }
        }
    });
    // A site's id is its file's name: `east.yaml` and `East.yml` would write one folder.
    let mut ids: std::collections::HashMap<String, PathBuf> = Default::default();
    files.retain(|file| {
        let id = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ids.get(&id) {
            Some(first) => {
                diags.push(Diagnostic::error(
                    file,
                    0,
                    0,
                    format!(
                        "site `{id}` is also {}: both would write sites/{id}/; keep one",
                        first.display()
                    ),
                ));
                false
            }
            None => {
                ids.insert(id, file.clone());
                true
            }
        }
    });
    files
        .into_iter()
        .filter_map(|file| read_one(root, &file, articles, diags))
        .collect()
}

fn read_one(
    root: &Path,
    file: &Path,
    articles: Option<&[PathBuf]>,
    diags: &mut Vec<Diagnostic>,
) -> Option<SiteFile> {
    let text = match super::files::read_text(file) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let yaml: SiteYaml = match parse_yaml_all(&text, file, 0, SITE_KEYS) {
        Ok(y) => y,
        Err(d) => {
            diags.extend(d);
            return None;
        }
    };
    let id = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let places = YamlLocations::of(&text);
    let error = |key: &str, message: String| {
        let (l, c) = places.nearest(key);
        Diagnostic::error(file, l, c, message)
    };
    let before = diags.iter().filter(|d| d.is_error()).count();
    // The id names the output folder and `--site`'s argument, where `none` means no site.
    if id == "none"
        || id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        diags.push(Diagnostic::error(
            file,
            1,
            1,
            format!("a site file's name is the site's id, one word of letters, digits, hyphens or underscores, and not `none`: rename `{id}.yaml`"),
        ));
    }
    if yaml.name.trim().is_empty() {
        diags.push(error("name", "the site needs a name".into()));
    }
    if let Some(p) = yaml.phone.as_deref().filter(|p| !valid_phone(p)) {
        diags.push(error("phone", format!("`{p}` is not a phone number that can be dialled (digits, with spaces, dashes, dots or brackets; 3 to 15 digits)")));
    }
    if let Some(u) = yaml.url.as_deref().filter(|u| !valid_url(u)) {
        diags.push(error("url", format!("`{u}` is not an http(s) URL")));
    }
    let logo = yaml.logo.as_deref().and_then(|src| {
        super::images::resolve(root, Path::new(""), src)
            .and_then(|img| match img {
                crate::model::ImageSource::Local { .. } => Ok(img),
                _ => Err(format!(
                    "the logo `{src}` must be a file in the manuscript, not a web address"
                )),
            })
            .map_err(|m| diags.push(error("logo", m)))
            .ok()
    });
    if let Some(crate::model::ImageSource::Local { data, format, .. }) = &logo {
        if let Some(luma) = darkest_grey(data, *format).filter(|l| *l > FAINTEST_MARK) {
            let (l, c) = places.nearest("logo");
            diags.push(Diagnostic::warning(
                file,
                l,
                c,
                format!(
                    "the logo's darkest colour prints as a {:.0} % grey on a black-and-white printer, too faint to read on a photocopy; a version with a darker colour prints better",
                    (1.0 - luma) * 100.0
                ),
            ));
        }
    }
    // From the parsed YAML, whatever its layout (flow or block, indented or not), each name
    // with where it is written.
    let fors: Vec<Option<Vec<(String, (usize, usize))>>> = yaml
        .resources
        .iter()
        .enumerate()
        .map(|(r, res)| {
            res.for_articles.as_ref().map(|names| {
                names
                    .iter()
                    .enumerate()
                    .map(|(k, n)| {
                        let at = places.nearest(&format!("resources[{r}].for[{k}]"));
                        (n.trim().to_string(), at)
                    })
                    .collect()
            })
        })
        .collect();
    for (name, (l, c)) in fors.iter().flatten().flatten() {
        if articles.is_some_and(|list| !list.iter().any(|a| a == Path::new(name))) {
            diags.push(Diagnostic::error(
                file,
                *l,
                *c,
                format!(
                    "`{name}` is not an article of the book (use its path, as book.yaml lists it)"
                ),
            ));
        }
    }
    let entries = yaml.resources.into_iter().map(Into::into).collect();
    let resources = check_entries(&places, file, entries, "resources", diags);
    if diags.iter().filter(|d| d.is_error()).count() > before {
        return None;
    }
    let site = Site {
        id,
        name: yaml.name.trim().to_string(),
        phone: yaml.phone.map(|p| p.trim().to_string()),
        address: yaml.address,
        hours: yaml.hours,
        url: yaml.url.map(|u| u.trim().to_string()),
        logo,
        message: yaml.message,
    };
    Some(SiteFile {
        site,
        resources: resources
            .into_iter()
            .zip(fors.into_iter().chain(std::iter::repeat(None)))
            .collect(),
    })
}

/// The book as this site prints it: its resources added (an entry whose id the book has
/// replaces that entry), listed in the help lists of the articles they are for, the site as
/// publisher. Run before the appendix is made.
pub fn site_book(book: &Book, site: &SiteFile) -> Book {
    let mut meta = book.meta.clone();
    meta.publisher = Some(site.site.name.clone());
    meta.site = Some(site.site.clone());
    let mut resources = book.resources.clone();
    let mut articles = book.articles.clone();
    for (r, fors) in &site.resources {
        let replaces = resources.iter().position(|x| x.id == r.id);
        match replaces {
            Some(i) => resources[i] = r.clone(),
            None => resources.push(r.clone()),
        }
        let targets: Vec<usize> = match fors {
            // A replacement stays where the book lists it; a new entry goes everywhere.
            None if replaces.is_some() => Vec::new(),
            None => (0..articles.len())
                .filter(|&i| !articles[i].appendix)
                .collect(),
            Some(names) => names
                .iter()
                .filter_map(|(name, _)| articles.iter().position(|a| a.source == Path::new(name)))
                .collect(),
        };
        for i in targets {
            if !articles[i].resources.contains(&r.id) {
                articles[i].resources.push(r.id.clone());
            }
        }
    }
    // The site itself closes every help list: whom to call, with a code for its website.
    let contact = contact_card(&site.site, &resources);
    for a in articles.iter_mut().filter(|a| !a.appendix) {
        a.resources.retain(|id| *id != contact.id);
        a.resources.push(contact.id.clone());
    }
    resources.push(contact);
    Book::new(meta, articles, book.parts.clone(), resources)
}

/// The site as an entry of the help lists (the last of each) and of the appendix, where it
/// is a category of its own. Its id is `site-ID`, made unique among `taken` (a book may
/// name a resource of its own `site-east`).
fn contact_card(site: &Site, taken: &[Resource]) -> Resource {
    let base = format!("site-{}", site.id);
    let id = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|id| !taken.iter().any(|r| r.id == *id))
        .unwrap_or(base);
    let description = [site.message.as_deref(), site.address.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Resource {
        id,
        name: site.name.clone(),
        category: site.name.clone(),
        description: (!description.is_empty()).then_some(description),
        phone: site.phone.clone(),
        url: site.url.clone(),
        qr: None,
        hours: site.hours.clone(),
        languages: Vec::new(),
        cited_by: Vec::new(),
    }
}

/// The lightest a logo's darkest colour may be (as grey: 0 black, 1 white) and still print
/// legibly in grey: 0.6 is a 40 % grey, about the lightest toner tint a photocopy keeps.
const FAINTEST_MARK: f32 = 0.6;

/// The grey (Rec. 709 luma, 0 black to 1 white) of the darkest colour a logo paints, from an
/// SVG's colour values or a PNG's opaque pixels; `None` for JPEG (not decoded here) or when
/// no colour is found.
fn darkest_grey(data: &[u8], format: crate::model::ImageFormat) -> Option<f32> {
    let luma = |r: f32, g: f32, b: f32| (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255.0;
    match format {
        crate::model::ImageFormat::Svg => {
            let text = std::str::from_utf8(data).ok()?;
            let mut darkest: Option<f32> = None;
            let mut note = |l: f32| darkest = Some(darkest.map_or(l, |d: f32| d.min(l)));
            for (i, _) in text.match_indices('#') {
                let hex: String = text[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_hexdigit())
                    .collect();
                let digits: Vec<f32> = match hex.len() {
                    3 => hex
                        .chars()
                        .map(|c| c.to_digit(16).unwrap_or(0) as f32 * 17.0)
                        .collect(),
                    6 => (0..3)
                        .map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).unwrap_or(0) as f32)
                        .collect(),
                    _ => continue,
                };
                note(luma(digits[0], digits[1], digits[2]));
            }
            for named in ["black", "navy", "maroon", "darkgreen"] {
                if text.contains(&format!("\"{named}\"")) {
                    note(0.1);
                }
            }
            darkest
        }
        crate::model::ImageFormat::Png => {
            let mut decoder = png::Decoder::new(std::io::Cursor::new(data));
            decoder.set_transformations(png::Transformations::normalize_to_color8());
            let mut reader = decoder.read_info().ok()?;
            let mut buf = vec![0; reader.output_buffer_size()?];
            let info = reader.next_frame(&mut buf).ok()?;
            let channels = info.color_type.samples();
            let pixels = buf[..info.buffer_size()].chunks(channels);
            pixels
                .filter(|p| channels % 2 == 1 || p[channels - 1] > 128)
                .map(|p| match channels {
                    1 | 2 => p[0] as f32 / 255.0,
                    _ => luma(p[0] as f32, p[1] as f32, p[2] as f32),
                })
                .reduce(f32::min)
        }
        crate::model::ImageFormat::Jpeg => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ImageFormat;

    #[test]
    fn a_pale_logo_is_found_faint_in_grey() {
        let pale = br##"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="#ffd84a" width="9" height="9"/><rect fill="#fff" width="1" height="1"/></svg>"##;
        let dark = br##"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="#1f6f8b" width="9" height="9"/></svg>"##;
        assert!(darkest_grey(pale, ImageFormat::Svg).unwrap() > FAINTEST_MARK);
        assert!(darkest_grey(dark, ImageFormat::Svg).unwrap() < FAINTEST_MARK);
    }
}

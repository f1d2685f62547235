//! Files of the manuscript: paths kept inside its folder, text read whole with a size limit.

use crate::diag::{Diagnostic, LineIndex};
use std::path::{Component, Path, PathBuf};

/// Articles larger than this are refused (a whole book is a few MB of Markdown).
pub const MAX_ARTICLE_BYTES: u64 = 16 * 1024 * 1024;

/// Lexically resolves `.` and `..`; `None` if the path climbs above its start or is absolute.
pub fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Why a path the manuscript names may not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// Absolute, or climbing above the manuscript folder with `..`.
    Climbs,
    /// Inside by its name, but a symbolic link on the way leads out.
    Resolves,
    /// Nothing is there.
    Missing,
}

impl Outside {
    /// "points outside the manuscript folder", in the words every message uses.
    pub fn words(self) -> &'static str {
        match self {
            Outside::Climbs => "points outside the manuscript folder",
            Outside::Resolves => "resolves outside the manuscript folder (through a link)",
            Outside::Missing => "not found",
        }
    }
}

/// The one containment check every path the book names goes through (articles, images,
/// includes, the resources file, site files, SVG references): `rel`, relative to the
/// manuscript folder `root`, must stay inside it by its name and by what it resolves to.
/// Returns the resolved path (the one to open) and the normalised relative one.
pub fn inside(root: &Path, rel: &Path) -> Result<(PathBuf, PathBuf), Outside> {
    let norm = normalize(rel).ok_or(Outside::Climbs)?;
    let canon_root = root.canonicalize().map_err(|_| Outside::Missing)?;
    let canon = root
        .join(&norm)
        .canonicalize()
        .map_err(|_| Outside::Missing)?;
    if !canon.starts_with(&canon_root) {
        return Err(Outside::Resolves);
    }
    Ok((canon, norm))
}

pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Reads a UTF-8 text file (a byte-order mark is dropped), refusing one over the size limit.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(
            path,
            0,
            0,
            format!("cannot read: {}", crate::diag::io_words(&e)),
        )
    })?;
    // A named pipe would wait for a writer forever; a device would never end.
    if !meta.is_file() {
        return Err(Diagnostic::error(path, 0, 0, "not a regular file"));
    }
    if meta.len() > MAX_ARTICLE_BYTES {
        return Err(Diagnostic::error(
            path,
            0,
            0,
            format!(
                "file is {} MB; the limit is {} MB",
                meta.len() >> 20,
                MAX_ARTICLE_BYTES >> 20
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(
            path,
            0,
            0,
            format!("cannot read: {}", crate::diag::io_words(&e)),
        )
    })?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = std::str::from_utf8(&e.as_bytes()[..at]).unwrap_or("");
            let (l, c) = LineIndex::new(valid).line_col(at);
            Err(Diagnostic::error(
                path,
                l,
                c,
                "the file is not valid UTF-8 here; save it as UTF-8",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_refuses_escapes() {
        assert_eq!(
            normalize(Path::new("articles/../img/a.png")),
            Some(PathBuf::from("img/a.png"))
        );
        assert_eq!(normalize(Path::new("articles/../../etc/passwd")), None);
        assert_eq!(normalize(Path::new("/etc/passwd")), None);
    }

    #[test]
    fn inside_refuses_names_and_links_that_leave_the_folder() {
        let tmp = std::env::temp_dir().join(format!("handout-inside-{}", std::process::id()));
        let book = tmp.join("book");
        std::fs::create_dir_all(book.join("a")).unwrap();
        std::fs::write(book.join("a/in.txt"), "in").unwrap();
        std::fs::write(tmp.join("secret.txt"), "out").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.join("secret.txt"), book.join("a/link.txt")).unwrap();
        let (canon, norm) = inside(&book, Path::new("a/../a/in.txt")).unwrap();
        assert_eq!(norm, PathBuf::from("a/in.txt"));
        assert_eq!(std::fs::read_to_string(canon).unwrap(), "in");
        assert_eq!(
            inside(&book, Path::new("../secret.txt")),
            Err(Outside::Climbs)
        );
        assert_eq!(inside(&book, &tmp.join("secret.txt")), Err(Outside::Climbs));
        #[cfg(unix)]
        assert_eq!(
            inside(&book, Path::new("a/link.txt")),
            Err(Outside::Resolves)
        );
        assert_eq!(
            inside(&book, Path::new("a/gone.txt")),
            Err(Outside::Missing)
        );
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b.png"), "a b.png");
        assert_eq!(percent_decode("100%"), "100%");
    }
}

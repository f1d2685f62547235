//! The QR code printed for a resource: which address it opens, and how dense the code for it
//! is. Typesetting draws it; `handout check` warns when it is too dense to survive copying.

use qrcode::{EcLevel, QrCode};

/// The widest code (in modules) that is set at error correction level Q: printed 25 mm or
/// more, its modules stay at 0.7 mm or more, which a photocopy of a photocopy still scans
/// (tests/patient_print.rs simulates one).
pub const DENSEST_SAFE: usize = 37;

/// A code and how strongly it corrects errors.
pub struct Plan {
    pub code: QrCode,
    pub level: EcLevel,
}

impl Plan {
    /// Modules on a side.
    pub fn modules(&self) -> usize {
        self.code.width()
    }

    /// Whether the code is denser than copies reliably keep.
    pub fn dense(&self) -> bool {
        self.modules() > DENSEST_SAFE
    }
}

/// The code for `data`: the strongest error correction that keeps it at `DENSEST_SAFE`
/// modules or fewer (Q lets a quarter of it be smudged), falling back to M, then L, for long
/// addresses.
pub fn plan(data: &str) -> Option<Plan> {
    [EcLevel::Q, EcLevel::M]
        .into_iter()
        .filter_map(|level| {
            QrCode::with_error_correction_level(data.as_bytes(), level)
                .ok()
                .map(|code| Plan { code, level })
        })
        .find(|p| !p.dense())
        .or_else(|| {
            QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L)
                .ok()
                .map(|code| Plan {
                    code,
                    level: EcLevel::L,
                })
        })
}

/// The site a code opens, as its caption names it: the host without `www.`.
pub fn site(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_addresses_get_strong_correction_and_long_ones_are_dense() {
        let short = plan("https://findtreatment.gov").unwrap();
        assert_eq!(short.level, EcLevel::Q);
        assert!(!short.dense());
        let long = plan(&format!("https://example.org/{}", "a".repeat(120))).unwrap();
        assert!(long.dense(), "{} modules", long.modules());
        assert_ne!(long.level, EcLevel::Q);
    }

    #[test]
    fn the_caption_names_the_host() {
        assert_eq!(
            site("https://www.samhsa.gov/find-help/helplines/national-helpline"),
            "samhsa.gov"
        );
        assert_eq!(site("https://988lifeline.org"), "988lifeline.org");
        assert_eq!(site("https://nida.nih.gov?x=1"), "nida.nih.gov");
    }
}

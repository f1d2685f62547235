//! Outputs are all-or-nothing: each is written to a temporary file beside its final path, and
//! only when every one is safely on disk are they renamed over the previous outputs.

use crate::diag::Diagnostic;
use crate::render::RenderError;
use std::path::{Path, PathBuf};

/// An output being written: its temporary file beside the final path, renamed over it by
/// `commit` once every output is complete.
pub struct Staged {
    path: PathBuf,
    tmp: PathBuf,
}

impl Staged {
    /// Makes the output's folder (the error names it when that is impossible).
    pub fn new(path: &Path) -> Result<Staged, Diagnostic> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| {
            Diagnostic::error(
                dir,
                0,
                0,
                format!(
                    "cannot create the output folder: {}",
                    crate::diag::io_words(&e)
                ),
            )
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        Ok(Staged {
            path: path.to_path_buf(),
            tmp: dir.join(format!(".{name}.{}.tmp", std::process::id())),
        })
    }

    /// Writes the temporary file with `fill`, flushed and synced to disk; returns its size.
    pub fn write<T>(
        &self,
        fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<T, RenderError>,
    ) -> Result<(u64, T), RenderError> {
        let cannot = |e: std::io::Error| {
            RenderError::Write(format!(
                "cannot write {}: {}",
                self.tmp.display(),
                crate::diag::io_words(&e)
            ))
        };
        let file = std::fs::File::create(&self.tmp).map_err(cannot)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        let made = fill(&mut w)?;
        let file = w.into_inner().map_err(|e| cannot(e.into_error()))?;
        file.sync_all().map_err(cannot)?;
        Ok((file.metadata().map_err(cannot)?.len(), made))
    }

    /// Where the output goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the temporary file, if it was made.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Removes the temporary outputs (`.NAME.PID.tmp`) left in `dir` by builds that were killed
/// (their process is gone: a build killed outright cannot clean up after itself).
pub fn remove_abandoned(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = file
            .strip_prefix('.')
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.rsplit('.').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let running = pid == std::process::id()
            || (cfg!(target_os = "linux") && Path::new(&format!("/proc/{pid}")).exists())
            || !cfg!(target_os = "linux");
        if !running {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Renames every staged output over its final path; on a failure, the outputs not yet
/// renamed are discarded.
pub fn commit(staged: &[Staged]) -> Result<(), Diagnostic> {
    for (i, st) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(&st.tmp, &st.path) {
            staged[i..].iter().for_each(Staged::discard);
            return Err(Diagnostic::error(
                &st.path,
                0,
                0,
                format!(
                    "cannot replace the previous file: {}",
                    crate::diag::io_words(&e)
                ),
            ));
        }
    }
    Ok(())
}

//! Outputs are all-or-nothing: each is written to a temporary file beside its final path, and
//! only when every one is safely on disk are they renamed over the previous outputs; a rename
//! that fails puts back every file already replaced. One build at a time writes an output
//! folder (a lock), and an interrupted build removes its temporary files.

use crate::diag::Diagnostic;
use crate::render::RenderError;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The mark in every temporary file's name: `.NAME.handout-PID.tmp`. Only files with it are
/// ever removed as abandoned (a user's `.notes.txt.4000000000.tmp` was deleted before).
const MARK: &str = ".handout-";

/// The temporary files of this process not yet renamed or discarded, for an interrupted
/// build to remove; held while outputs are renamed, so an interruption waits for the renames
/// to finish and never leaves a mixed set.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// An output being written: its temporary file beside the final path, renamed over it by
/// `commit` once every output is complete.
pub struct Staged {
    path: PathBuf,
    tmp: PathBuf,
    /// The folders made for it, deepest first: removed again when the build fails.
    made: Vec<PathBuf>,
}

impl Staged {
    /// Makes the output's folder, and checks that the output's place can take a file (the
    /// errors name the place and say what is wrong).
    pub fn new(path: &Path) -> Result<Staged, Diagnostic> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let refuse = |place: &Path, message: String| Diagnostic::error(place, 0, 0, message);
        let made: Vec<PathBuf> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err())
            .map(Path::to_path_buf)
            .collect();
        std::fs::create_dir_all(dir).map_err(|e| {
            refuse(
                dir,
                format!(
                    "cannot create the output folder: {}",
                    crate::diag::io_words(&e)
                ),
            )
        })?;
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.is_file() {
                return Err(refuse(
                    path,
                    "an output goes here, but a folder or another kind of file is in its place: move it away".into(),
                ));
            }
            if meta.permissions().readonly() {
                return Err(refuse(
                    path,
                    "the previous output is read-only, so it cannot be replaced".into(),
                ));
            }
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}{MARK}{}.tmp", std::process::id()));
        if let Ok(mut live) = LIVE.lock() {
            live.push(tmp.clone());
        }
        Ok(Staged {
            path: path.to_path_buf(),
            tmp,
            made,
        })
    }

    /// Writes the temporary file with `fill`, flushed and synced to disk; returns its size.
    /// A failed write is reported in the project's words whatever the renderer made of it
    /// (the PDF library said "File too large (os error 27)").
    pub fn write<T>(
        &self,
        fill: impl FnOnce(&mut std::io::BufWriter<FileWriter>) -> Result<T, RenderError>,
    ) -> Result<(u64, T), RenderError> {
        let cannot = |e: &std::io::Error| {
            let advice = match e.kind() {
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge => {
                    "; free some space (or raise the file size limit) and publish again"
                }
                _ => "",
            };
            RenderError::Write(format!(
                "cannot write {}: {}{advice}",
                self.path.display(),
                crate::diag::io_words(e)
            ))
        };
        let file = std::fs::File::create(&self.tmp).map_err(|e| cannot(&e))?;
        let mut w = std::io::BufWriter::with_capacity(
            1 << 16,
            FileWriter {
                file,
                failure: None,
            },
        );
        let made = fill(&mut w);
        let flushed = w.into_inner().map_err(|e| e.into_error());
        let failure = match &flushed {
            Ok(f) => f.failure.as_ref().map(|e| cannot(e)),
            Err(e) => Some(cannot(e)),
        };
        let made = match (made, failure) {
            (_, Some(e)) | (Err(e), None) => return Err(e),
            (Ok(made), None) => made,
        };
        let file = flushed.map_err(|e| cannot(&e))?.file;
        file.sync_all().map_err(|e| cannot(&e))?;
        Ok((file.metadata().map_err(|e| cannot(&e))?.len(), made))
    }

    /// Where the output goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the temporary file, if it was made.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.tmp);
        forget(&self.tmp);
    }
}

/// A temporary output file that remembers the first error the system gave when writing it,
/// so that error, not a renderer's rewording of it, is what the user reads.
pub struct FileWriter {
    file: std::fs::File,
    failure: Option<std::io::Error>,
}

impl std::io::Write for FileWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf).inspect_err(|e| {
            self.failure
                .get_or_insert_with(|| std::io::Error::new(e.kind(), e.to_string()));
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl std::io::Seek for FileWriter {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.file.seek(to)
    }
}

/// Discards every staged output of a failed build, and then the folders made for them (a
/// failed build leaves the output folder as it found it: no empty `sites/east/handouts`).
pub fn discard_all<'a>(staged: impl IntoIterator<Item = &'a Staged>) {
    let mut folders: Vec<&Path> = Vec::new();
    for st in staged {
        st.discard();
        folders.extend(st.made.iter().map(PathBuf::as_path));
    }
    folders.sort_unstable_by_key(|d| std::cmp::Reverse(d.components().count()));
    folders.dedup();
    for d in folders {
        // Only an empty folder goes: one a user filled meanwhile stays.
        let _ = std::fs::remove_dir(d);
    }
}

fn forget(tmp: &Path) {
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|t| t != tmp);
    }
}

/// Removes this process's temporary files, once any renaming under way has finished: for a
/// build interrupted by Ctrl-C or SIGTERM.
pub fn remove_temporaries() {
    let live = LIVE.lock().unwrap_or_else(|p| p.into_inner());
    for tmp in live.iter() {
        let _ = std::fs::remove_file(tmp);
    }
}

/// Removes the temporary outputs (`.NAME.handout-PID.tmp`) left in `dir` by builds that were
/// killed outright (their process is gone).
pub fn remove_abandoned(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = file
            .strip_prefix('.')
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.rsplit_once(MARK))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
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

/// Renames every staged output over its final path. The previous file is first moved aside;
/// if any rename fails, every output already replaced is put back and the rest discarded, so
/// the folder holds the previous set whole.
pub fn commit(staged: &[Staged]) -> Result<(), Diagnostic> {
    let _renaming = LIVE.lock().unwrap_or_else(|p| p.into_inner());
    let mut done: Vec<(&Staged, Option<PathBuf>)> = Vec::with_capacity(staged.len());
    let mut failure = None;
    for st in staged {
        let aside = st.tmp.with_extension("previous");
        let moved = match std::fs::rename(&st.path, &aside) {
            Ok(()) => Some(aside),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                failure = Some((st, e));
                break;
            }
        };
        if let Err(e) = std::fs::rename(&st.tmp, &st.path) {
            if let Some(aside) = &moved {
                let _ = std::fs::rename(aside, &st.path);
            }
            failure = Some((st, e));
            break;
        }
        done.push((st, moved));
    }
    if let Some((st, e)) = failure {
        for (put, aside) in done.iter().rev() {
            match aside {
                Some(aside) => {
                    let _ = std::fs::rename(aside, &put.path);
                }
                None => {
                    let _ = std::fs::remove_file(&put.path);
                }
            }
        }
        discard_all(staged);
        return Err(Diagnostic::error(
            &st.path,
            0,
            0,
            format!(
                "cannot replace the previous file: {}; every output was put back as it was",
                crate::diag::io_words(&e)
            ),
        ));
    }
    for (_, aside) in done {
        if let Some(aside) = aside {
            let _ = std::fs::remove_file(aside);
        }
    }
    drop(_renaming);
    staged.iter().for_each(|s| forget(&s.tmp));
    Ok(())
}

/// Holds the output folder for one build: a second build into the same folder waits for it
/// (or, with `wait` false, is refused), so the folder never holds one build's PDF and
/// another's EPUB. The lock is the operating system's, released when the process ends.
pub struct OutputLock {
    _file: std::fs::File,
}

pub fn lock_output(
    out: &Path,
    wait: bool,
    waiting: &mut dyn FnMut(&str),
) -> Result<OutputLock, Diagnostic> {
    let cannot = |e: std::io::Error| {
        Diagnostic::error(
            out,
            0,
            0,
            format!(
                "cannot lock the output folder: {}",
                crate::diag::io_words(&e)
            ),
        )
    };
    std::fs::create_dir_all(out).map_err(cannot)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join(".handout.lock"))
        .map_err(cannot)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) if wait => {
            waiting(&format!(
                "waiting for another build writing to {}",
                out.display()
            ));
            file.lock().map_err(cannot)?;
        }
        Err(std::fs::TryLockError::WouldBlock) => return Err(Diagnostic::error(
            out,
            0,
            0,
            "another build is writing to this folder (without --no-wait, this one waits for it)",
        )),
        Err(std::fs::TryLockError::Error(e)) => return Err(cannot(e)),
    }
    Ok(OutputLock { _file: file })
}

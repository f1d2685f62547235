//! Stage-by-stage timing and memory, for finding which stage a change made slower or bigger.

use std::time::Instant;

/// With `HANDOUT_TRACE` set, prints a stage's name, the milliseconds since the first stage
/// and the process's anonymous memory (Linux), for profiling a build stage by stage.
pub fn trace(stage: &str) {
    static ON: std::sync::OnceLock<Option<Instant>> = std::sync::OnceLock::new();
    let Some(start) = ON.get_or_init(|| std::env::var_os("HANDOUT_TRACE").map(|_| Instant::now()))
    else {
        return;
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let memory = status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .map(str::trim)
        .unwrap_or("?");
    eprintln!(
        "[trace] {:7.1} ms  {stage} (memory {memory})",
        start.elapsed().as_secs_f64() * 1000.0
    );
}

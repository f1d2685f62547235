//! The `handout` command: see `cli` for its arguments and what it prints.

mod cli;

// Layout allocates many small, short-lived vectors; mimalloc serves them much faster than the
// system allocator (measured: the corpus PDF spent a third of its time in malloc and free).
// Built without transparent huge pages: with them every first touch of an arena faulted in
// 2 MB, which put the corpus build's peak memory at 146 MB instead of 93 MB.
// (Build with `--no-default-features` to profile memory with heaptrack or valgrind.)
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}

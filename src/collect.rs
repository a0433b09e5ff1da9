//! `leakprof collect` (being written).
use std::io::Write;

use crate::cli::CollectArgs;

pub fn run(_args: &CollectArgs, _stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let _ = writeln!(stderr, "error: collect is not implemented yet");
    crate::EXIT_ERROR
}

//! The `leakprof` binary: everything happens in the library, so tests run it in-process.

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let code = leakprof::main_with_args(
        std::env::args_os(),
        &mut stdout.lock(),
        &mut std::io::stderr().lock(),
        terminal,
    );
    ExitCode::from(code)
}

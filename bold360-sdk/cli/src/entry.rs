//! What both binaries do around their work: parse the command line (help and version exit 0,
//! a usage error exits 2), start the runtime, and turn the outcome into an exit code with a
//! one-line message on stderr.

use std::future::Future;
use std::process::ExitCode;

use crate::exit::USAGE;
use crate::fail::Failure;

/// The parsed command line, or the exit code after clap has printed help, version or the
/// usage error.
pub fn parse<T: clap::Parser>() -> Result<T, ExitCode> {
    T::try_parse().map_err(|e| {
        let _ = e.print();
        if e.use_stderr() {
            ExitCode::from(USAGE)
        } else {
            ExitCode::SUCCESS
        }
    })
}

/// Runs `work` on a multi-thread runtime; `program` prefixes the failure message.
pub fn run(program: &str, work: impl Future<Output = Result<u8, Failure>>) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{program}: cannot start: {e}");
            return ExitCode::from(USAGE);
        }
    };
    match runtime.block_on(work) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("{program}: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

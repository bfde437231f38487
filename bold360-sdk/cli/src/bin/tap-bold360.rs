//! `tap-bold360`: the Singer tap for Bold360, as Meltano names its `executable`.
//! The same program as `bold360 tap`.

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "tap-bold360",
    version,
    about = "Singer tap for Bold360 (BoldChat)"
)]
struct Cli {
    #[command(flatten)]
    tap: bold360_cli::tap::TapArgs,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(bold360_cli::exit::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    bold360_cli::logging::install(0);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tap-bold360: cannot start: {e}");
            return ExitCode::from(bold360_cli::exit::USAGE);
        }
    };
    match runtime.block_on(bold360_cli::tap::run(cli.tap)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("tap-bold360: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

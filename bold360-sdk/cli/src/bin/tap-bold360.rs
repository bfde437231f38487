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
    let cli = match bold360_cli::entry::parse::<Cli>() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    bold360_cli::logging::install(0);
    bold360_cli::entry::run("tap-bold360", bold360_cli::tap::run(cli.tap))
}

//! `cargo xtask …`: maintenance commands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Maintenance commands of the bold360-rs workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate api-spec/methods from the vendor's reference pages.
    ///
    /// Example: cargo xtask regen --docs ../shared/bold360-docs --check
    ///
    /// Prints the changes grouped as Breaking / Additive / Other. A page that cannot become a
    /// valid method is reported with a suggested override; every other method is still
    /// written, and the exit status is 1 until every problem is resolved.
    Regen(xtask::regen::Options),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Regen(options) => match xtask::regen::run(&options) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
    }
}

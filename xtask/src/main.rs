//! `cargo xtask …`: maintenance commands.

use std::path::PathBuf;
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
    Regen {
        /// A local mirror directory, or the live site's base URL; must hold index.html.
        #[arg(long)]
        docs: String,
        /// The manifest directory (holds methods/ and overrides.json).
        #[arg(long, default_value = "api-spec")]
        out: PathBuf,
        /// Write nothing; exit 1 when the committed manifest differs from what the docs produce.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Regen { docs, out, check } => {
            match xtask::regen::run(&xtask::regen::Options { docs, out, check }) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

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
    ///
    /// Prints the changes grouped as Breaking / Additive / Other. A page that cannot become a
    /// valid method is reported with a suggested override; every other method is still
    /// written, and the exit status is 1 until every problem is resolved.
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
        /// Write this release's entry (keep-a-changelog style) into this file, e.g. CHANGELOG.md.
        #[arg(long, value_name = "FILE", conflicts_with = "check")]
        changelog: Option<PathBuf>,
        /// Bump the workspace version in this Cargo.toml to match the changes' semver impact.
        #[arg(long, value_name = "CARGO_TOML", num_args = 0..=1, default_missing_value = "Cargo.toml", conflicts_with = "check")]
        bump: Option<PathBuf>,
        /// The release date written into the changelog entry (default: today, UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Regen {
            docs,
            out,
            check,
            changelog,
            bump,
            date,
        } => {
            let options = xtask::regen::Options {
                docs,
                out,
                check,
                changelog,
                bump,
                date,
            };
            match xtask::regen::run(&options) {
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

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
    /// Install what the tests run that is not a Rust crate, then run the whole test suite.
    ///
    /// Example: cargo xtask test            (then: cargo xtask test -p bold360-cli tap)
    ///
    /// Installs, pinned and only when missing or out of date: Debian's redis-server,
    /// postgresql, chromium and chromium-driver (as root; otherwise it names them and stops),
    /// newman from tests/tools/package-lock.json into tests/tools/node_modules, and one Python
    /// virtual environment per tests/tools/python/*.txt under target/tools/. Then runs
    /// `cargo test --workspace` with the arguments given.
    Test {
        /// Passed on to `cargo test --workspace` (e.g. `-p bold360-cli tap -- --nocapture`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Install what the tests run, without running them (what `test` does first).
    InstallTools,
    /// Run the fuzz targets (bold360-sdk/fuzz) for a bounded time each, from their seeds.
    ///
    /// Example: cargo xtask fuzz --seconds 600 trigger_body
    ///
    /// Installs cargo-fuzz (pinned) into target/tools/cargo-fuzz when missing, builds the
    /// targets with the nightly toolchain, and runs each; a crash fails the command and leaves
    /// its input under bold360-sdk/fuzz/artifacts/.
    Fuzz(xtask::fuzz::Options),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Test { args } => match xtask::test_tools::test(&args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("cargo xtask test: {e}");
                ExitCode::from(2)
            }
        },
        Command::InstallTools => {
            match xtask::test_tools::install(&xtask::test_tools::workspace_root()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cargo xtask install-tools: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Fuzz(options) => {
            match xtask::fuzz::run(&xtask::test_tools::workspace_root(), &options) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("cargo xtask fuzz: {e}");
                    ExitCode::from(2)
                }
            }
        }
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

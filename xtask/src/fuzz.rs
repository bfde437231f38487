//! `cargo xtask fuzz`: the coverage-guided fuzz targets of `bold360-sdk/fuzz` (cargo-fuzz,
//! libFuzzer, the machine's nightly toolchain), each run for a bounded time from its seed
//! corpus (`fuzz/seeds/<target>`, committed) into a working corpus under
//! `target/fuzz-corpus/<target>` (kept between runs, not committed). cargo-fuzz itself is
//! installed from crates.io, pinned, into `target/tools/cargo-fuzz` when missing.
//!
//! A target that finds a crash fails the command; libFuzzer leaves the input under
//! `bold360-sdk/fuzz/artifacts/<target>/`, which becomes a regression test beside the code it
//! broke.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The cargo-fuzz release the command installs.
pub const CARGO_FUZZ_VERSION: &str = "0.13.1";

/// Every fuzz target: one per door where outside bytes enter (see BENCHMARKS.md, Fuzzing).
pub const TARGETS: &[&str] = &[
    "trigger_body",
    "response_body",
    "param_values",
    "tap_files",
    "regen_inputs",
    "sandbox_request",
    "explorer_request",
    "relay_door",
];

/// What to run.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Seconds each target runs.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Targets to run (default: all of them).
    pub targets: Vec<String>,
}

/// cargo-fuzz, installed if missing; its `bin` folder.
pub fn install_cargo_fuzz(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join("target/tools/cargo-fuzz");
    let bin = tools.join("bin");
    let stamp = tools.join(format!(".installed-{CARGO_FUZZ_VERSION}"));
    if bin.join("cargo-fuzz").is_file() && stamp.exists() {
        return Ok(bin);
    }
    eprintln!(
        "== installing cargo-fuzz {CARGO_FUZZ_VERSION} into {}",
        tools.display()
    );
    let status = Command::new("cargo")
        .args([
            "install",
            "--locked",
            "--quiet",
            "--force",
            "cargo-fuzz",
            "--version",
        ])
        .arg(CARGO_FUZZ_VERSION)
        .arg("--root")
        .arg(&tools)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo install cargo-fuzz@{CARGO_FUZZ_VERSION} failed ({status})"
        ));
    }
    std::fs::write(&stamp, b"").map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(bin)
}

/// Builds the targets and runs each for `options.seconds`; `Ok(false)` when one failed.
pub fn run(root: &Path, options: &Options) -> Result<bool, String> {
    let targets: Vec<&str> = if options.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        for t in &options.targets {
            if !TARGETS.contains(&t.as_str()) {
                return Err(format!(
                    "no fuzz target {t:?} (targets: {})",
                    TARGETS.join(", ")
                ));
            }
        }
        options.targets.iter().map(String::as_str).collect()
    };
    let bin = install_cargo_fuzz(root)?;
    let path = match std::env::var_os("PATH") {
        Some(p) => std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&p)))
            .map_err(|e| e.to_string())?,
        None => bin.into_os_string(),
    };
    let crate_dir = root.join("bold360-sdk");
    let cargo_fuzz = |args: &[&str]| {
        let mut c = Command::new("cargo");
        c.current_dir(&crate_dir)
            .env("PATH", &path)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTUP_TOOLCHAIN")
            .args(["+nightly", "fuzz"])
            .args(args);
        c
    };
    eprintln!("== building the fuzz targets (nightly, address sanitizer)");
    let built = cargo_fuzz(&["build", "-O"])
        .status()
        .map_err(|e| format!("cannot run cargo +nightly fuzz: {e}"))?;
    if !built.success() {
        return Err(format!(
            "cargo +nightly fuzz build failed ({built}); it needs the nightly toolchain (rustup toolchain install nightly)"
        ));
    }
    let mut failed = Vec::new();
    for target in &targets {
        let corpus = root.join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let seeds = crate_dir.join("fuzz/seeds").join(target);
        eprintln!("== fuzzing {target} for {} s", options.seconds);
        let mut child = cargo_fuzz(&["run", "-O", target])
            .arg(&corpus)
            .arg(&seeds)
            .arg("--")
            .arg(format!("-max_total_time={}", options.seconds))
            .arg("-print_final_stats=1")
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run cargo +nightly fuzz run: {e}"))?;
        // Passed on as it comes; the end kept, for the summary of a failure.
        let mut tail = Tail::new(TAIL_LINES);
        if let Some(stderr) = child.stderr.take() {
            for line in BufReader::new(stderr).split(b'\n') {
                let line = String::from_utf8_lossy(&line.map_err(|e| e.to_string())?).into_owned();
                eprintln!("{line}");
                tail.push(line);
            }
        }
        let status = child
            .wait()
            .map_err(|e| format!("cargo +nightly fuzz run: {e}"))?;
        if !status.success() {
            eprintln!("== {target} failed ({status}): the input is under bold360-sdk/fuzz/artifacts/{target}/");
            failed.push((target, status, tail));
        }
    }
    // What a log that keeps only its end must still show.
    eprintln!(
        "== fuzz summary: {} of {} targets passed",
        targets.len() - failed.len(),
        targets.len()
    );
    for (target, status, tail) in &failed {
        eprintln!("== {target} FAILED ({status}); the end of its output:");
        for line in &tail.lines {
            eprintln!("   | {line}");
        }
    }
    Ok(failed.is_empty())
}

/// Lines of a failed target's output repeated in the summary: libFuzzer ends a crash report
/// with the panic, the input's mutation history, where it saved the input and the input itself.
const TAIL_LINES: usize = 40;

/// The last lines of an output.
struct Tail {
    lines: std::collections::VecDeque<String>,
    keep: usize,
}

impl Tail {
    fn new(keep: usize) -> Self {
        Self {
            lines: std::collections::VecDeque::with_capacity(keep),
            keep,
        }
    }

    fn push(&mut self, line: String) {
        if self.lines.len() == self.keep {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tail_keeps_the_last_lines() {
        let mut tail = Tail::new(2);
        for line in ["a", "b", "c"] {
            tail.push(line.to_owned());
        }
        assert_eq!(tail.lines, ["b", "c"]);
    }

    #[test]
    fn every_fuzz_target_is_listed_and_has_seeds() {
        let root = crate::test_tools::workspace_root();
        let manifest = std::fs::read_to_string(root.join("bold360-sdk/fuzz/Cargo.toml")).unwrap();
        let declared: Vec<&str> = manifest
            .lines()
            .filter_map(|l| l.strip_prefix("name = \""))
            .map(|l| l.trim_end_matches('"'))
            .filter(|name| *name != "bold360-fuzz")
            .collect();
        assert_eq!(
            declared, TARGETS,
            "fuzz/Cargo.toml's targets and TARGETS differ"
        );
        for target in TARGETS {
            let seeds = root.join("bold360-sdk/fuzz/seeds").join(target);
            let count = std::fs::read_dir(&seeds).map(|d| d.count()).unwrap_or(0);
            assert!(count > 0, "{target} has no seeds in {}", seeds.display());
        }
    }
}

//! The README's Rust snippets, built as a new user builds them: in a fresh crate outside the
//! workspace whose `[dependencies]` are exactly the README's block (with `bold360-sdk` taken
//! from this checkout instead of crates.io), each snippet an example of its own. A snippet
//! that needs an unlisted crate, a re-export that went away or a stream that is not `Unpin`
//! fails this test, not a user.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The fenced blocks of `markdown` whose info string starts with `lang`, as
/// (info string, body).
fn blocks<'a>(markdown: &'a str, lang: &str) -> Vec<(&'a str, String)> {
    let mut out = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        if info.split(',').next() == Some(lang) {
            out.push((info, body.join("\n")));
        }
    }
    out
}

/// A snippet as a program: rustdoc's hidden lines (`# …`) shown, and an empty `main` when the
/// snippet is a function to call rather than a program.
fn program(snippet: &str) -> String {
    let mut code: String = snippet
        .lines()
        .map(|l| {
            if l == "#" {
                ""
            } else {
                l.strip_prefix("# ").unwrap_or(l)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    if !code.contains("fn main(") {
        code.push_str("\n\nfn main() {}\n");
    }
    format!("#![allow(dead_code, unused)]\n{code}\n")
}

/// The README's `[dependencies]` block, with `bold360-sdk` pointing at this checkout.
fn dependencies(readme: &str, sdk: &Path) -> String {
    let (_, toml) = blocks(readme, "toml")
        .into_iter()
        .find(|(_, body)| body.trim_start().starts_with("[dependencies]"))
        .expect("the README shows a [dependencies] block");
    let mut out = String::new();
    for line in toml.lines() {
        match line.split_once('=') {
            Some((name, version)) if name.trim() == "bold360-sdk" => {
                out.push_str(&format!(
                    "bold360-sdk = {{ version = {}, path = {:?} }}\n",
                    version.trim(),
                    sdk.display().to_string()
                ));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    assert!(
        out.contains("path ="),
        "the [dependencies] block names bold360-sdk"
    );
    out
}

#[test]
fn the_readme_snippets_build_in_a_fresh_crate_with_the_readme_dependencies() {
    let root = workspace();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let snippets: Vec<String> = blocks(&readme, "rust")
        .into_iter()
        .filter(|(info, _)| !info.contains("ignore"))
        .map(|(_, body)| program(&body))
        .collect();
    assert!(
        snippets.len() >= 2,
        "the README shows Rust snippets: {}",
        snippets.len()
    );
    assert!(
        snippets[0].contains("while let Some(") && snippets[0].contains("try_next()"),
        "the first snippet shows the plain loop over a stream"
    );

    let dir = root.join("target/tests/readme-crate");
    let _ = std::fs::remove_dir_all(dir.join("examples"));
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"readme-snippets\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             {}\n# Not part of the bold360 workspace: a user's own crate.\n[workspace]\n\n{PROFILE}",
            dependencies(&readme, &root.join("bold360-sdk"))
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    // The workspace's lock file, so the fresh crate resolves the versions CI already has.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    for (i, code) in snippets.iter().enumerate() {
        std::fs::write(dir.join(format!("examples/snippet_{}.rs", i + 1)), code).unwrap();
    }
    let output = cargo_in(&dir, &["check", "--examples", "--quiet"]);
    assert!(
        output.status.success(),
        "a README snippet does not build in a fresh crate ({}):\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );

    // The first snippet, run as a new user runs it: against a fresh sandbox (`bold360
    // sandbox` serves recent data), it prints the folder's chats of the last week and the
    // messages of the last day.
    let output = cargo_in(&dir, &["build", "--example", "snippet_1", "--quiet"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(
            bold360_sdk::sandbox::Sandbox::builder()
                .recent_data()
                .start(),
        )
        .unwrap();
    let c = sandbox.credentials();
    use bold360_sdk::ExposeSecret;
    let output = Command::new(dir.join("target/debug/examples/snippet_1"))
        .env("BOLD360_ENDPOINT", sandbox.base_url())
        .env("BOLD360_ACCOUNT_ID", c.account_id())
        .env("BOLD360_API_SETTING_ID", c.api_setting_id())
        .env("BOLD360_API_KEY", c.api_key().expose_secret())
        .env_remove("BOLD360_REGION")
        .env_remove("BOLD360_API_VERSION")
        .env_remove("BOLD360_LIMITER_URL")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let chats = printed
        .lines()
        .filter(|l| l.contains("in department"))
        .count();
    let messages = printed.lines().filter(|l| l.contains("message")).count();
    assert!(chats > 0, "the first snippet printed no chat:\n{printed}");
    assert!(
        messages > 0,
        "the first snippet printed no message:\n{printed}"
    );
    assert!(
        printed.contains("Some(\"Visitor message"),
        "messages print their text:\n{printed}"
    );
}

/// The README's first two commands: the main job, then the test command, which `.ci/run` calls
/// as it is written.
#[test]
fn ci_runs_the_readme_test_command() {
    let root = workspace();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let (_, first) = blocks(&readme, "sh")
        .into_iter()
        .next()
        .expect("a sh block");
    let commands: Vec<&str> = first
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert_eq!(commands[1], "cargo xtask test");
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == commands[1]),
        ".ci/run must call {:?}",
        commands[1]
    );
    assert!(
        ci.contains(commands[0].trim()),
        ".ci/run runs the main job too"
    );
}

/// The workspace's debug-info settings, so the fresh crate's build stays as small as ours.
const PROFILE: &str =
    "[profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n";

/// Runs cargo in the fresh crate `dir`, with its own target directory (the workspace's is
/// locked by the `cargo test` running this).
fn cargo_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

//! The tap as Python users install it: `pip install` of its folder (a maturin project, PEP
//! 517) into a fresh virtual environment, and the Meltano project beside it
//! (`bold360-sdk/cli/meltano`), run by Meltano from PyPI (pinned, `target/tools/meltano`)
//! against the sandbox: `meltano install`, `invoke --discover`, then `meltano run` twice, the
//! second loading only what the sandbox gained meanwhile.
//!
//! Both build the wheel as pip does, with the pinned maturin from PyPI, in the debug profile
//! and in `target/tests/wheel` (shared, so the second build reuses the first), one at a time:
//! maturin moves the built program out of the build directory, so two builds at once race.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::ExposeSecret;
use common::{installed, run, text, workspace};
use serde_json::Value;

/// The tap's folder: what `pip install` and the Meltano project's `pip_url` name.
fn tap_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bold360-meltano-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// How pip builds the tap here: the debug profile (the release build users get is the same
/// code, slower to build) in a build directory of its own (the workspace's is the running
/// `cargo test`'s).
fn pip_build_env(cmd: &mut Command) -> &mut Command {
    cmd.env("CARGO_TARGET_DIR", workspace().join("target/tests/wheel"))
        .env("MATURIN_PEP517_ARGS", "--profile dev")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env_remove("RUSTFLAGS");
    for var in common::CONFIG_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// Held while a wheel is built: the two tests run at once, and maturin stages the program by
/// moving it out of the shared build directory.
static WHEEL_BUILD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn succeeded(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pip_install_of_the_tap_folder_installs_tap_bold360_alone() {
    let dir = temp("pip");
    let venv = dir.join("venv");
    let out = run({
        let mut c = Command::new("python3");
        c.args(["-m", "venv"]).arg(&venv);
        c
    })
    .await;
    succeeded(
        "python3 -m venv (Debian: apt-get install python3-venv)",
        &out,
    );

    let building = WHEEL_BUILD.lock().await;
    let out = run({
        let mut c = Command::new(venv.join("bin/pip"));
        c.args(["install", "--quiet"]).arg(tap_folder());
        pip_build_env(&mut c);
        c
    })
    .await;
    drop(building);
    succeeded("pip install of the tap's folder", &out);

    let tap = venv.join("bin/tap-bold360");
    let out = run({
        let mut c = Command::new(&tap);
        c.arg("--version");
        c
    })
    .await;
    succeeded("tap-bold360 --version", &out);
    assert_eq!(
        text(&out.stdout).trim(),
        format!("tap-bold360 {}", env!("CARGO_PKG_VERSION"))
    );
    let out = run({
        let mut c = Command::new(&tap);
        c.args(["--about", "--format", "json"]);
        c
    })
    .await;
    succeeded("tap-bold360 --about", &out);
    let about: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(about["name"], "tap-bold360");

    // The wheel is named after the tap, carries the workspace's version, and holds the tap
    // only: the command line is not installed with it.
    let out = run({
        let mut c = Command::new(venv.join("bin/pip"));
        c.args(["show", "--files", "tap-bold360"]);
        pip_build_env(&mut c);
        c
    })
    .await;
    succeeded("pip show", &out);
    let shown = text(&out.stdout);
    assert!(
        shown.contains(&format!("Version: {}", env!("CARGO_PKG_VERSION"))),
        "{shown}"
    );
    let programs: Vec<&str> = shown
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("/bin/"))
        .collect();
    assert_eq!(programs, ["../../../bin/tap-bold360"], "{shown}");
    assert!(!venv.join("bin/bold360").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `meltano …` in the repository's Meltano project, its system directory (state database,
/// plugin environments) and the CSV files kept in `dir`.
fn meltano(dir: &Path, sandbox: &Sandbox, args: &[&str]) -> Command {
    let exe = installed(
        workspace().join("target/tools/meltano/bin/meltano"),
        "run `cargo xtask install-tools` (it installs the pinned Meltano from tests/tools/python/meltano.txt)",
    );
    let c = sandbox.credentials();
    let mut cmd = Command::new(exe);
    cmd.args(args)
        .current_dir(tap_folder().join("meltano"))
        .env("MELTANO_SYS_DIR_ROOT", dir.join("system"))
        .env("MELTANO_SEND_ANONYMOUS_USAGE_STATS", "false")
        .env("TARGET_CSV_OUTPUT_PATH", dir.join("output"))
        .env("TAP_BOLD360_ENDPOINT", sandbox.base_url())
        .env("TAP_BOLD360_ACCOUNT_ID", c.account_id())
        .env("TAP_BOLD360_API_SETTING_ID", c.api_setting_id())
        .env("TAP_BOLD360_API_KEY", c.api_key().expose_secret());
    pip_build_env(&mut cmd);
    cmd
}

/// The CSV files target-csv wrote, by name, with their text.
fn outputs(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir.join("output"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read_to_string(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The values of `column` in the files of one stream among `files`.
fn ids(files: &BTreeMap<String, String>, stream: &str, column: &str) -> Vec<String> {
    files
        .iter()
        .filter(|(name, _)| name.starts_with(&format!("{stream}-")))
        .flat_map(|(_, text)| common::csv::column(text, column))
        .collect()
}

/// Every message ID the sandbox serves, read through the SDK.
async fn served_message_ids(sandbox: &Sandbox) -> BTreeSet<String> {
    use bold360_sdk::prelude::*;
    let client = sandbox.client().unwrap();
    let pages: Vec<_> = client
        .pages_raw("getAllChatMessages", Params::new())
        .try_collect()
        .await
        .unwrap();
    pages
        .iter()
        .flat_map(|p| p.data.as_ref().unwrap().iter())
        .map(|r| r["ChatMessageID"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meltano_project_loads_the_sandbox_then_only_what_it_gained() {
    let dir = temp("project");
    let sandbox = Sandbox::builder()
        .port(0)
        .recent_data()
        .start()
        .await
        .unwrap();

    let building = WHEEL_BUILD.lock().await;
    let out = run(meltano(&dir, &sandbox, &["install"])).await;
    drop(building);
    succeeded("meltano install", &out);

    let out = run(meltano(
        &dir,
        &sandbox,
        &["invoke", "tap-bold360", "--discover"],
    ))
    .await;
    succeeded("meltano invoke tap-bold360 --discover", &out);
    let catalog: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (plans, _) = bold360_cli::tap::streams::plan(
        &bold360_api_spec::Manifest::embedded().unwrap(),
        bold360_api_spec::Version::V1,
    );
    assert_eq!(catalog["streams"].as_array().unwrap().len(), plans.len());

    // First run: every message of the sandbox, once; the project selects two streams.
    let out = run(meltano(
        &dir,
        &sandbox,
        &["run", "tap-bold360", "target-csv"],
    ))
    .await;
    succeeded("meltano run (first)", &out);
    let first = outputs(&dir);
    assert_eq!(
        first.len(),
        2,
        "one file per selected stream: {:?}",
        first.keys()
    );
    let messages = ids(&first, "getAllChatMessages", "ChatMessageID");
    let before = served_message_ids(&sandbox).await;
    assert_eq!(messages.len(), before.len(), "no message twice");
    assert_eq!(messages.iter().cloned().collect::<BTreeSet<_>>(), before);
    let chats = ids(&first, "getInactiveChats", "ChatID");
    assert!(!chats.is_empty());
    assert_eq!(
        chats.iter().collect::<BTreeSet<_>>().len(),
        chats.len(),
        "no chat twice"
    );

    // The sandbox gains three messages; the second run, from the state Meltano kept, loads
    // those and nothing else.
    common::add_messages(&sandbox, 3).await;
    let out = run(meltano(
        &dir,
        &sandbox,
        &["run", "tap-bold360", "target-csv"],
    ))
    .await;
    succeeded("meltano run (second)", &out);
    let second: BTreeMap<String, String> = outputs(&dir)
        .into_iter()
        .filter(|(name, _)| !first.contains_key(name))
        .collect();
    let after = served_message_ids(&sandbox).await;
    let gained: BTreeSet<String> = after.difference(&before).cloned().collect();
    assert_eq!(gained.len(), 3);
    let new_messages = ids(&second, "getAllChatMessages", "ChatMessageID");
    assert_eq!(
        new_messages.iter().cloned().collect::<BTreeSet<_>>(),
        gained
    );
    assert_eq!(new_messages.len(), 3, "only the new messages are loaded");
    assert_eq!(ids(&second, "getInactiveChats", "ChatID").len(), 0);

    // Meltano keeps the bookmark in its system database.
    let out = run(meltano(
        &dir,
        &sandbox,
        &["state", "get", "dev:tap-bold360-to-target-csv"],
    ))
    .await;
    succeeded("meltano state get", &out);
    let state: Value = serde_json::from_str(
        text(&out.stdout)
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .expect("a state"),
    )
    .unwrap();
    assert!(
        state["singer_state"]["bookmarks"]["getAllChatMessages"]["replication_key_value"]
            .is_string(),
        "{state}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

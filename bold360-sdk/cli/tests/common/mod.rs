//! What the command-line tests share: the binary, run with a clean environment, and the
//! sandbox it starts.
#![allow(dead_code)]

pub mod csv;
pub mod postgres;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::ExposeSecret;

pub const BIN: &str = env!("CARGO_BIN_EXE_bold360");

/// The workspace's root directory.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A loopback port free at the time of asking.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An outside tool the test runs: its path, or a failure saying how to install it (a missing
/// tool fails the test; it never skips it).
pub fn installed(path: impl Into<PathBuf>, how: &str) -> PathBuf {
    let path = path.into();
    assert!(path.exists(), "{} is missing: {how}", path.display());
    path
}

/// The variables that configure the SDK and the CLI: a test's programs start without them.
pub const CONFIG_VARS: [&str; 10] = [
    "BOLD360_ACCOUNT_ID",
    "BOLD360_API_SETTING_ID",
    "BOLD360_API_KEY",
    "BOLD360_REGION",
    "BOLD360_ENDPOINT",
    "BOLD360_API_VERSION",
    "BOLD360_TRIGGER_KEY",
    "BOLD360_LIMITER_URL",
    "BOLD360_LIMITER_FALLBACK",
    "RUST_LOG",
];

pub fn command() -> Command {
    let mut cmd = Command::new(BIN);
    for var in CONFIG_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// Adds `n` operator messages to the sandbox's example chat (what a second incremental run
/// must then load, and nothing else), and waits past the second they are dated in.
pub async fn add_messages(sandbox: &Sandbox, n: usize) {
    let client = sandbox.client().unwrap();
    let chat = sandbox.example_values()["ChatID"].clone();
    for i in 0..n {
        let mut p = bold360_sdk::Params::new();
        p.set("ChatID", &chat);
        p.set("Type", "Operator");
        p.set("Message", format!("added {i}"));
        client.call_raw("addChatMessage", p).await.unwrap();
    }
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
}

pub fn against(sandbox: &Sandbox) -> Command {
    let c = sandbox.credentials();
    let mut cmd = command();
    cmd.env("BOLD360_ENDPOINT", sandbox.base_url())
        .env("BOLD360_ACCOUNT_ID", c.account_id())
        .env("BOLD360_API_SETTING_ID", c.api_setting_id())
        .env("BOLD360_API_KEY", c.api_key().expose_secret());
    cmd
}

pub async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
        .await
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A child process that is killed when dropped: a test that fails (panics) leaves nothing
/// running. Derefs to the `Child`.
pub struct Running(pub Child);

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `bold360 sandbox --port 0 EXTRA…` started as a user would: the process, the variables it
/// printed (`export NAME=value`) and every line it printed before "Press Ctrl-C".
pub async fn cli_sandbox(extra: &[&str]) -> (Running, HashMap<String, String>, Vec<String>) {
    let mut child = command()
        .args(["sandbox", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let vars = tokio::task::spawn_blocking(move || {
        let mut vars = HashMap::new();
        let mut printed = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            printed.push(line.clone());
            if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
                vars.insert(k.to_owned(), v.to_owned());
            }
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        (vars, printed)
    })
    .await
    .unwrap();
    (Running(child), vars.0, vars.1)
}

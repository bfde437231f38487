//! Memory of a large export through the typed stream: the sandbox runs as a separate process
//! (this bench binary re-run as a sandbox, so its data does not count), and this process
//! streams every record of
//! getAllChatMessages (v2, 1,000-record pages) with `into_stream()`, then reports its own peak
//! resident memory (VmHWM). Limits are off on both sides: the subject is memory, not pacing.
//!
//! `cargo bench -p bold360-sdk --bench stream_memory` (RECORDS=1000000 by default)

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::{ClientBuilder, ExposeSecret, LimiterConfig};
use futures_util::StreamExt;

/// Set in the child process that serves the data: the number of chats to seed.
const SANDBOX_VAR: &str = "BOLD360_BENCH_SANDBOX_CHATS";

/// The child: a sandbox without limits that prints the variables pointing at it, then serves
/// until the parent kills it.
async fn serve(chats: u32) {
    let sandbox = Sandbox::builder()
        .port(0)
        .chats(chats)
        .without_limits()
        .start()
        .await
        .expect("the sandbox starts");
    let c = sandbox.credentials();
    println!("export BOLD360_ENDPOINT={}", sandbox.base_url());
    println!("export BOLD360_ACCOUNT_ID={}", c.account_id());
    println!("export BOLD360_API_SETTING_ID={}", c.api_setting_id());
    println!("export BOLD360_API_KEY={}", c.api_key().expose_secret());
    println!("ready");
    std::future::pending::<()>().await;
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    if let Some(chats) = std::env::var(SANDBOX_VAR).ok().and_then(|v| v.parse().ok()) {
        return serve(chats).await;
    }
    let records: u64 = std::env::var("RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let chats = records.div_ceil(3).to_string();
    let mut sandbox = Command::new(std::env::current_exe().expect("the bench knows its binary"))
        .env(SANDBOX_VAR, &chats)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the bench binary runs as the sandbox");
    let mut vars = HashMap::new();
    for line in BufReader::new(sandbox.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            vars.insert(k.to_owned(), v.to_owned());
        }
        if line == "ready" {
            break;
        }
    }
    let client = ClientBuilder::from_lookup(|name| vars.get(name).cloned())
        .unwrap()
        .limits(LimiterConfig::unlimited())
        .build()
        .unwrap();
    let before = peak_rss_mb();
    let started = Instant::now();
    let mut stream = Box::pin(client.v2().get_all_chat_messages().into_stream());
    let (mut count, mut digits) = (0u64, 0usize);
    while let Some(record) = stream.next().await {
        let record = record.expect("every page decodes");
        digits += record.chat_message_id.map_or(0, |id| id.as_str().len());
        count += 1;
    }
    let elapsed = started.elapsed();
    let _ = sandbox.kill();
    let _ = sandbox.wait();
    println!("records streamed: {count} (ID digits {digits})");
    println!(
        "time: {:.1} s ({:.0} records/s)",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
    println!(
        "peak RSS of the streaming process: {:.1} MB (before streaming: {:.1} MB)",
        peak_rss_mb(),
        before
    );
}

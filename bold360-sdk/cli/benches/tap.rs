//! `cargo bench -p bold360-cli --bench tap`: tap-bold360 piped into meltanolabs-target-csv, the
//! getAllChatMessages stream from `bold360 sandbox --latency 150ms` (its own process, the
//! account limits enforced), at two volumes, first with the settings users run (the config
//! gives only `start_date`: 7-day windows up to now) on the sandbox's sparse recent data and
//! on dense data (a chat every 3 minutes from `start_date`: 60,000 messages over six weeks),
//! then with 366-day windows; and a child stream with the defaults (getInactiveChats, a walk
//! per folder): on the sparse data of the same chats, and at as many records (60,000 and
//! 100,002 chats, one every 10 minutes from `start_date`). Prints the records per second the
//! pipeline sustained (against the account's 2,000), the windows read and how long each was
//! (from the bookmarks of the `STATE` messages), the tap's peak RSS, and the requests the
//! sandbox held for the account's limits or refused.
//!
//! Needs the pinned target-csv (`cargo xtask install-tools`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bold360_sdk::chrono::{DateTime, Utc};

const SANDBOX: &str = env!("CARGO_BIN_EXE_bold360");
const TAP: &str = env!("CARGO_BIN_EXE_tap-bold360");

struct Stop(Child);
impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Stop {
    /// Stops the sandbox as Ctrl-C does and gives the line it prints then: how many requests
    /// it held for the account's limits, and how many it refused.
    fn interrupt(mut self) -> String {
        let pid = self.0.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -INT {pid}");
        let mut stderr = String::new();
        if let Some(mut err) = self.0.stderr.take() {
            use std::io::Read;
            let _ = err.read_to_string(&mut stderr);
        }
        let _ = self.0.wait();
        let line = stderr
            .lines()
            .find(|l| l.starts_with("bold360 sandbox: stopped after"))
            .unwrap_or_else(|| panic!("the sandbox printed no summary: {stderr}"));
        let held = line.split("; ").nth(1).unwrap_or(line);
        held.trim_end_matches('.').to_owned()
    }
}

/// Peak resident set of a running process, from the kernel (kB).
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The windows a run read, from its `STATE` messages: each bookmark that moved (per partition:
/// a child stream's parent) closes a window that began at the bookmark before it, or at
/// `start_date`.
struct WindowSpans {
    start: DateTime<Utc>,
    /// Each partition (its context as JSON, "" for a root stream), in the order first seen,
    /// with its latest bookmark.
    partitions: Vec<(String, DateTime<Utc>)>,
    /// Each window's length in days, in the order read, with its partition's index.
    days: Vec<(usize, f64)>,
}

impl WindowSpans {
    fn new(config: &str) -> Self {
        let config: serde_json::Value = serde_json::from_str(config).unwrap();
        Self {
            start: config["start_date"].as_str().unwrap().parse().unwrap(),
            partitions: Vec::new(),
            days: Vec::new(),
        }
    }

    fn state(&mut self, line: &str, stream: &str) {
        let state: serde_json::Value = serde_json::from_str(line).unwrap();
        let bookmark = &state["value"]["bookmarks"][stream];
        let marks: Vec<(String, &serde_json::Value)> = match bookmark["partitions"].as_array() {
            Some(parts) => parts
                .iter()
                .map(|p| (p["context"].to_string(), &p["replication_key_value"]))
                .collect(),
            None => vec![(String::new(), &bookmark["replication_key_value"])],
        };
        for (partition, value) in marks {
            let Some(end) = value.as_str().and_then(|v| v.parse::<DateTime<Utc>>().ok()) else {
                continue;
            };
            let index = match self.partitions.iter().position(|(p, _)| *p == partition) {
                Some(i) => i,
                None => {
                    self.partitions.push((partition, self.start));
                    self.partitions.len() - 1
                }
            };
            let from = &mut self.partitions[index].1;
            if end > *from {
                self.days
                    .push((index, (end - *from).num_seconds() as f64 / 86_400.0));
                *from = end;
            }
        }
    }

    /// "7.0 d, 7.0 d, 366.0 d, …"; for a child stream, each parent's windows after its number.
    fn summary(&self) -> String {
        let parents: Vec<String> = (0..self.partitions.len())
            .map(|i| {
                let spans: Vec<String> = self
                    .days
                    .iter()
                    .filter(|(p, _)| *p == i)
                    .map(|(_, d)| format!("{d:.1} d"))
                    .collect();
                match self.partitions.len() {
                    1 => spans.join(", "),
                    _ => format!("parent {}: {}", i + 1, spans.join(", ")),
                }
            })
            .collect();
        parents.join("; ")
    }
}

/// A tap configuration: the label printed, the stream selected, the JSON, the sandbox's data
/// options, and the chats of each row (three messages each).
struct Settings {
    label: &'static str,
    stream: &'static str,
    config: &'static str,
    data: &'static [&'static str],
    chats: &'static [u32],
}

/// The chats of the getAllChatMessages rows: 60,000 and 100,002 messages.
const MESSAGE_ROWS: &[u32] = &[20_000, 33_334];

const SETTINGS: [Settings; 5] = [
    Settings {
        label: "defaults (7-day windows to now)",
        stream: "getAllChatMessages",
        config: r#"{"start_date": "2024-01-01T00:00:00Z"}"#,
        data: &[],
        chats: MESSAGE_ROWS,
    },
    Settings {
        label: "defaults, a child stream (getInactiveChats: a walk per folder)",
        stream: "getInactiveChats",
        config: r#"{"start_date": "2024-01-01T00:00:00Z"}"#,
        data: &[],
        chats: MESSAGE_ROWS,
    },
    Settings {
        label: "defaults, a child stream, as many records (getInactiveChats; a chat every 10 minutes from start_date)",
        stream: "getInactiveChats",
        config: r#"{"start_date": "2024-01-01T00:00:00Z"}"#,
        data: &[
            "--chat-minutes",
            "10",
            "--data-start",
            "2024-01-01T00:00:00Z",
        ],
        chats: &[60_000, 100_002],
    },
    Settings {
        label: "defaults, dense data (a chat every 3 minutes from start_date)",
        stream: "getAllChatMessages",
        config: r#"{"start_date": "2026-01-01T00:00:00Z"}"#,
        data: &[
            "--chat-minutes",
            "3",
            "--data-start",
            "2026-01-01T00:00:00Z",
        ],
        chats: MESSAGE_ROWS,
    },
    Settings {
        label: "date_window_days 366",
        stream: "getAllChatMessages",
        config: r#"{"start_date": "2024-01-01T00:00:00Z", "date_window_days": 366}"#,
        data: &[],
        chats: MESSAGE_ROWS,
    },
];

fn run(chats: u32, settings: &Settings, dir: &Path, target_csv: &Path) {
    let mut sandbox = Command::new(SANDBOX)
        .args([
            "sandbox",
            "--port",
            "0",
            "--latency",
            "150ms",
            "--chats",
            &chats.to_string(),
        ])
        .args(settings.data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bold360 sandbox");
    let stdout = sandbox.stdout.take().unwrap();
    let sandbox = Stop(sandbox);
    let mut env = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            env.push((k.to_owned(), v.to_owned()));
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let messages = u64::from(chats) * 3;
    // Chats are 37 minutes apart (3 with dense data): 100,002 messages span 857 days (69).
    let config = dir.join("config.json");
    std::fs::write(&config, settings.config).unwrap();
    let catalog_out = Command::new(TAP)
        .arg("--config")
        .arg(&config)
        .arg("--discover")
        .envs(env.clone())
        .output()
        .unwrap();
    let mut catalog: serde_json::Value = serde_json::from_slice(&catalog_out.stdout).unwrap();
    for s in catalog["streams"].as_array_mut().unwrap() {
        let on = s["tap_stream_id"] == settings.stream;
        s["metadata"][0]["metadata"]["selected"] = serde_json::json!(on);
    }
    let catalog_path = dir.join("catalog.json");
    std::fs::write(&catalog_path, catalog.to_string()).unwrap();
    let out_dir = dir.join(format!("csv-{chats}"));
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let target_config = dir.join("target.json");
    std::fs::write(
        &target_config,
        serde_json::json!({ "output_path": out_dir }).to_string(),
    )
    .unwrap();

    let started = Instant::now();
    let mut tap = Command::new(TAP)
        .arg("--config")
        .arg(&config)
        .arg("--catalog")
        .arg(&catalog_path)
        .envs(env)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut target = Command::new(target_csv)
        .arg("--config")
        .arg(&target_config)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Counts the STATE messages (one per window read) and the RECORD messages on their way to
    // the target.
    let mut tap_out = tap.stdout.take().unwrap();
    let mut into_target = target.stdin.take().unwrap();
    let mut spans = WindowSpans::new(settings.config);
    let stream = settings.stream;
    let counted = std::thread::spawn(move || {
        use std::io::Write;
        let (mut windows, mut records) = (0u64, 0u64);
        let mut lines = BufReader::new(&mut tap_out);
        let mut line = String::new();
        while lines.read_line(&mut line).unwrap() > 0 {
            if line.starts_with(r#"{"type":"STATE""#) {
                windows += 1;
                spans.state(&line, stream);
            } else if line.contains(r#""type":"RECORD""#) {
                // (A quote inside a value is escaped: this is the message's own type.)
                records += 1;
            }
            into_target.write_all(line.as_bytes()).unwrap();
            line.clear();
        }
        (windows, records, spans)
    });
    let pid = tap.id();
    let mut peak = 0;
    loop {
        if let Some(kb) = peak_rss_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(status) = tap.try_wait().unwrap() {
            assert!(status.success(), "tap-bold360 failed");
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let tap_done = started.elapsed();
    let (windows, records, spans) = counted.join().unwrap();
    let status = target.wait().unwrap();
    let all_done = started.elapsed();
    assert!(status.success(), "target-csv failed");
    let csv = out_dir.join(format!("{}.csv", settings.stream));
    let text = std::fs::read_to_string(csv).unwrap();
    let rows = text.lines().count() as u64 - 1;
    assert_eq!(rows, records, "every record reached the CSV file");
    match settings.stream {
        "getAllChatMessages" => assert_eq!(records, messages, "every message was read"),
        _ => assert_eq!(records, u64::from(chats), "every chat was read"),
    }
    let rate = records as f64 / all_done.as_secs_f64();
    let server = sandbox.interrupt();
    println!(
        "{}: {records} records, 150 ms latency, {windows} STATE messages (windows read: {}): tap done in {:.2} s, target done in {:.2} s: {:.0} records/s = {:.1} % of 2,000; tap peak RSS {:.1} MB; the sandbox {server}",
        settings.label,
        spans.summary(),
        tap_done.as_secs_f64(),
        all_done.as_secs_f64(),
        rate,
        rate / 20.0,
        peak as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&out_dir);
}

fn main() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target_csv: PathBuf = workspace.join("target/tools/target-csv/bin/target-csv");
    assert!(
        target_csv.exists(),
        "run `cargo xtask install-tools` first: it installs the pinned target-csv"
    );
    let dir = std::env::temp_dir().join(format!("bold360-tap-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // `BOLD360_TAP_BENCH=defaults` runs only the settings whose label starts so.
    let only = std::env::var("BOLD360_TAP_BENCH").unwrap_or_default();
    for settings in SETTINGS.iter().filter(|s| s.label.starts_with(&only)) {
        for &chats in settings.chats {
            run(chats, settings, &dir, &target_csv);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

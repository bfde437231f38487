//! `cargo bench -p bold360-cli --bench relay`: how many triggers `bold360 relay` acknowledges
//! per second with its SQLite inbox committed to disk (WAL, `synchronous = FULL`) before each
//! 200, and how long an acknowledgement takes (p50, p99), on this machine. 20,000 distinct
//! signed chat-closed triggers from 32 concurrent senders on loopback; the relay delivers to a
//! command that reads and succeeds (`--exec 'cat >/dev/null'`), so deliveries run alongside.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bold360_sdk::sandbox::signed_trigger_body;

const BIN: &str = env!("CARGO_BIN_EXE_bold360");
const TRIGGERS: usize = 20_000;
const SENDERS: usize = 32;

struct Stop(Child);
impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let dir = std::env::temp_dir().join(format!("bold360-relay-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let key = "bench-trigger-key";
    let _relay = Stop(
        Command::new(BIN)
            .env("BOLD360_TRIGGER_KEY", key)
            .args(["relay", "--listen", &format!("127.0.0.1:{port}")])
            .args([
                "--inbox",
                &format!("sqlite:{}", dir.join("inbox.db").display()),
            ])
            .args(["--exec", "cat >/dev/null", "--reconcile-every", "0"])
            .stderr(Stdio::null())
            .spawn()
            .expect("bold360 relay"),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let url = format!("http://127.0.0.1:{port}/chat-closed");
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http.get(format!("http://127.0.0.1:{port}/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        // Bodies signed up front: the figure is the relay's, not the signing's.
        let bodies: Arc<Vec<String>> = Arc::new(
            (0..TRIGGERS)
                .map(|i| {
                    signed_trigger_body(
                        key,
                        &url,
                        &[
                            ("ChatID", (9_007_199_254_740_993u64 + i as u64).to_string()),
                            ("ChatName", format!("D'Arcy #{i}")),
                            ("Ended", "2026-12-01T10:00:00Z".to_owned()),
                        ],
                    )
                })
                .collect(),
        );
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let mut senders = Vec::new();
        for _ in 0..SENDERS {
            let (http, url, bodies, next) =
                (http.clone(), url.clone(), Arc::clone(&bodies), Arc::clone(&next));
            senders.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= TRIGGERS {
                        return latencies;
                    }
                    let sent = Instant::now();
                    let answer = http
                        .post(&url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(bodies[i].clone())
                        .send()
                        .await
                        .expect("the relay answers");
                    assert_eq!(answer.status(), 200, "trigger {i}");
                    latencies.push(sent.elapsed());
                }
            }));
        }
        let mut latencies = Vec::new();
        for sender in senders {
            latencies.extend(sender.await.unwrap());
        }
        let elapsed = started.elapsed();
        latencies.sort();
        println!(
            "relay: {TRIGGERS} triggers from {SENDERS} senders acknowledged in {:.2} s: {:.0} triggers/s; \
ack p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (SQLite inbox, synchronous=FULL)",
            elapsed.as_secs_f64(),
            TRIGGERS as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
            percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
            latencies.last().unwrap().as_secs_f64() * 1000.0,
        );
    });
    let _ = std::fs::remove_dir_all(&dir);
}

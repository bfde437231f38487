//! The rate limiter against the sandbox's documented limits (100 requests and 2,000 records per
//! second; over that a request is held until its window ends, and the tenth held request is
//! refused with HTTP 500), at the round-trip latencies users live with:
//!
//! 1. 32 tasks of single-record calls at 20, 150 and 300 ms, limited and (for contrast at
//!    150 ms) with limiting disabled;
//! 2. 4 processes × 16 tasks at 150 ms sharing one budget through Redis (a throwaway
//!    `redis-server`; the workers are this program re-run with `BOLD360_*` variables, so they
//!    configure themselves exactly as users' processes do), and the same 4 processes each
//!    with only its own in-process limiter;
//! 3. ours (32 tasks) while an uncoordinated client (no limiter, no retries) sends 40 req/s to
//!    the same account, 150 ms;
//! 4. a paged v2 export of 20,001 records in 1,000-record pages at 150 ms.
//!
//! "Rate at the server" is what spends the account's budget: requests (or records) per second
//! between the first and the last arrival at the sandbox, so a run's last round trip does not
//! count against it; "result" gives the wall-clock time from the first call to the last answer.
//!
//! `cargo bench -p bold360-sdk --bench limits` (about 2 minutes; needs `redis-server`) prints
//! the table that BENCHMARKS.md copies.

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bold360_sdk::sandbox::{arrival_rate, LocalRedis, Sandbox};
use bold360_sdk::{Client, Error, ExposeSecret, LimiterConfig, RetryPolicy};

/// Set in a worker process: `<tasks>:<calls>`.
const WORKER_VAR: &str = "BOLD360_BENCH_WORKER";

struct Outcome {
    elapsed: Duration,
    ok: usize,
    refused: usize,
    other_errors: usize,
}

async fn single_record_calls(client: &Client, tasks: usize, calls: usize) -> Outcome {
    single_record_calls_until(client, tasks, calls, None).await
}

/// `calls` calls over `tasks` tasks, or as many as fit before `deadline`.
async fn single_record_calls_until(
    client: &Client,
    tasks: usize,
    calls: usize,
    deadline: Option<Instant>,
) -> Outcome {
    let left = Arc::new(AtomicUsize::new(calls));
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (v1, left) = (client.v1(), Arc::clone(&left));
            tokio::spawn(async move {
                let (mut ok, mut refused, mut other) = (0, 0, 0);
                while deadline.is_none_or(|d| Instant::now() < d)
                    && left
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                {
                    match v1.get_operator(9007199254740996u64).send().await {
                        Ok(_) => ok += 1,
                        Err(Error::TooManyRequests { .. }) => refused += 1,
                        Err(_) => other += 1,
                    }
                }
                (ok, refused, other)
            })
        })
        .collect();
    let mut outcome = Outcome {
        elapsed: Duration::ZERO,
        ok: 0,
        refused: 0,
        other_errors: 0,
    };
    for h in handles {
        let (ok, refused, other) = h.await.unwrap();
        outcome.ok += ok;
        outcome.refused += refused;
        outcome.other_errors += other;
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// Pages until the end: the outcome, the records, and the records of the last page.
async fn export(client: &Client) -> (Outcome, usize, usize) {
    let started = Instant::now();
    let mut request = client.v2().get_all_chat_messages();
    let mut records = 0;
    let mut last_page = 0;
    let mut outcome = Outcome {
        elapsed: Duration::ZERO,
        ok: 0,
        refused: 0,
        other_errors: 0,
    };
    loop {
        match request.clone().send().await {
            Ok(page) => {
                outcome.ok += 1;
                records += page.record_count();
                last_page = page.record_count();
                match page.next_page {
                    Some(cursor) => request = request.next_page(cursor),
                    None => break,
                }
            }
            Err(Error::TooManyRequests { .. }) => outcome.refused += 1,
            Err(_) => {
                outcome.other_errors += 1;
                break;
            }
        }
    }
    outcome.elapsed = started.elapsed();
    (outcome, records, last_page)
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A worker process: a client from the environment, `tasks` tasks, `calls` calls; prints
/// `ok failed refusals start_ms end_ms`.
async fn worker(spec: &str) {
    let (tasks, calls) = spec.split_once(':').expect("tasks:calls");
    let client = Client::from_env().expect("BOLD360_* set by the parent");
    let start = unix_ms();
    let o = single_record_calls(&client, tasks.parse().unwrap(), calls.parse().unwrap()).await;
    let end = unix_ms();
    let refusals = client.stats().refusals;
    println!(
        "{} {} {refusals} {start} {end}",
        o.ok,
        o.refused + o.other_errors
    );
}

struct Row {
    workload: String,
    client: String,
    result: String,
    rate: String,
    of_limit: String,
    waits: u64,
    server_refusals: u64,
    client_refusals: String,
    failed: usize,
}

impl Row {
    fn print(&self) {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            self.workload,
            self.client,
            self.result,
            self.rate,
            self.of_limit,
            self.waits,
            self.server_refusals,
            self.client_refusals,
            self.failed
        );
    }
}

fn limited() -> (LimiterConfig, RetryPolicy) {
    (LimiterConfig::default(), RetryPolicy::default())
}

fn unlimited() -> (LimiterConfig, RetryPolicy) {
    (LimiterConfig::unlimited(), RetryPolicy::none())
}

async fn single_row(
    latency_ms: u64,
    (limits, retry): (LimiterConfig, RetryPolicy),
    name: &str,
) -> Row {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(latency_ms))
        .start()
        .await
        .unwrap();
    let client = sandbox
        .client_builder()
        .limits(limits)
        .retry_policy(retry)
        .build()
        .unwrap();
    let o = single_record_calls(&client, 32, 1000).await;
    let rate = arrival_rate(&sandbox.requests()).unwrap_or(0.0);
    let s = sandbox.stats();
    let backoffs = client.stats().backoffs;
    Row {
        workload: format!("32 tasks × 1,000 single-record calls, {latency_ms} ms"),
        client: format!("{name}; {backoffs} back-offs"),
        result: format!("{} ok in {:.2} s", o.ok, o.elapsed.as_secs_f64()),
        rate: format!("{rate:.1} req/s"),
        of_limit: format!("{:.1} %", rate),
        waits: s.waits,
        server_refusals: s.refusals,
        client_refusals: client.stats().refusals.to_string(),
        failed: o.refused + o.other_errors,
    }
}

async fn processes_row(shared: Option<&LocalRedis>) -> Row {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let c = sandbox.credentials();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut command = tokio::process::Command::new(&exe);
            command
                .env(WORKER_VAR, "16:250")
                .env("BOLD360_ENDPOINT", sandbox.base_url())
                .env("BOLD360_ACCOUNT_ID", c.account_id())
                .env("BOLD360_API_SETTING_ID", c.api_setting_id())
                .env("BOLD360_API_KEY", c.api_key().expose_secret())
                .env_remove("BOLD360_LIMITER_URL")
                .stdout(Stdio::piped());
            if let Some(redis) = shared {
                command.env("BOLD360_LIMITER_URL", redis.url());
            }
            command.spawn().unwrap()
        })
        .collect();
    let (mut ok, mut failed, mut refusals, mut start, mut end) = (0, 0, 0u64, u64::MAX, 0);
    for child in children {
        let out = child.wait_with_output().await.unwrap();
        assert!(out.status.success(), "a worker failed");
        let line = String::from_utf8(out.stdout).unwrap();
        let v: Vec<u64> = line
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        ok += v[0] as usize;
        failed += v[1] as usize;
        refusals += v[2];
        start = start.min(v[3]);
        end = end.max(v[4]);
    }
    let secs = (end - start) as f64 / 1000.0;
    let rate = arrival_rate(&sandbox.requests()).unwrap_or(0.0);
    let s = sandbox.stats();
    Row {
        workload: "4 processes × 16 tasks × 250 single-record calls, 150 ms".into(),
        client: if shared.is_some() {
            "shared through Redis (`BOLD360_LIMITER_URL`)".into()
        } else {
            "one in-process limiter each".into()
        },
        result: format!("{ok} ok in {secs:.2} s"),
        rate: format!("{rate:.1} req/s"),
        of_limit: format!("{rate:.1} %"),
        waits: s.waits,
        server_refusals: s.refusals,
        client_refusals: refusals.to_string(),
        failed,
    }
}

async fn contended_rows() -> [Row; 2] {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let ours = sandbox.client().unwrap();
    let theirs = sandbox
        .client_builder()
        .limits(LimiterConfig::unlimited())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let period = Duration::from_secs(20);
    let deadline = Instant::now() + period;
    let uncoordinated = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(25));
        let mut calls = Vec::new();
        while Instant::now() < deadline {
            tick.tick().await;
            let v1 = theirs.v1();
            calls.push(tokio::spawn(async move {
                v1.get_operator(9007199254740996u64).send().await
            }));
        }
        let (mut ok, mut refused, mut other) = (0, 0, 0);
        for call in calls {
            match call.await.unwrap() {
                Ok(_) => ok += 1,
                Err(Error::TooManyRequests { .. }) => refused += 1,
                Err(_) => other += 1,
            }
        }
        (ok, refused, other)
    });
    let o = single_record_calls_until(&ours, 32, usize::MAX, Some(deadline)).await;
    let (their_ok, their_refused, their_other) = uncoordinated.await.unwrap();
    let secs = period.as_secs_f64();
    let s = sandbox.stats();
    let stats = ours.stats();
    [
        Row {
            workload:
                "32 tasks of single-record calls for 20 s, 150 ms, beside an uncoordinated 40 req/s"
                    .into(),
            client: format!("ours (limited, adaptive; {} back-offs)", stats.backoffs),
            result: format!("{} ok", o.ok),
            rate: format!("{:.1} req/s", o.ok as f64 / secs),
            of_limit: format!(
                "{:.1} % (of the 60 left: {:.1} %)",
                o.ok as f64 / secs,
                o.ok as f64 / secs / 0.6
            ),
            waits: s.waits,
            server_refusals: s.refusals,
            client_refusals: stats.refusals.to_string(),
            failed: o.refused + o.other_errors,
        },
        Row {
            workload: "the uncoordinated client, same 20 s".into(),
            client: "no limiter, no retries, one call every 25 ms".into(),
            result: format!("{their_ok} ok"),
            rate: format!("{:.1} req/s", their_ok as f64 / secs),
            of_limit: "—".into(),
            waits: s.waits,
            server_refusals: s.refusals,
            client_refusals: their_refused.to_string(),
            failed: their_refused + their_other,
        },
    ]
}

async fn export_row() -> Row {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(150))
        .chats(6667)
        .start()
        .await
        .unwrap();
    let client = sandbox.client().unwrap();
    let (o, records, last_page) = export(&client).await;
    // Records per second between the first and the last page's arrival: the last page's
    // records are spent at the last arrival, so they are not part of the span.
    let arrivals = sandbox.requests();
    let first = arrivals.iter().map(|r| r.received_at).min().unwrap();
    let last = arrivals.iter().map(|r| r.received_at).max().unwrap();
    let rate = (records - last_page) as f64 / last.duration_since(first).as_secs_f64();
    let s = sandbox.stats();
    Row {
        workload: format!("v2 export of {records} records in 1,000-record pages, 150 ms"),
        client: "limited (default)".into(),
        result: format!("{} pages in {:.2} s", o.ok, o.elapsed.as_secs_f64()),
        rate: format!("{rate:.0} rec/s"),
        of_limit: format!("{:.1} %", rate / 20.0),
        waits: s.waits,
        server_refusals: s.refusals,
        client_refusals: client.stats().refusals.to_string(),
        failed: o.refused + o.other_errors,
    }
}

#[tokio::main]
async fn main() {
    if let Ok(spec) = std::env::var(WORKER_VAR) {
        worker(&spec).await;
        return;
    }
    let redis = LocalRedis::start()
        .await
        .unwrap_or_else(|e| panic!("this benchmark needs redis-server: {e}"));
    println!("| workload | client | result | rate at the server | of limit | server waits | server refusals | client saw refusals | failed calls |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for latency in [20, 150, 300] {
        single_row(latency, limited(), "limited (default)")
            .await
            .print();
    }
    single_row(150, unlimited(), "limiting disabled, no retries")
        .await
        .print();
    processes_row(Some(&redis)).await.print();
    processes_row(None).await.print();
    for row in contended_rows().await {
        row.print();
    }
    export_row().await.print();
}

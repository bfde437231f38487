//! The rate limiter against the sandbox's documented limits (100 requests and 2,000 records per
//! second, the tenth waiting request refused), with 20 ms of server latency:
//!
//! 1. 32 concurrent tasks issuing 1,000 single-record calls;
//! 2. a paged export of 20,000 records in 1,000-record pages;
//! 3. both again through a client with limiting disabled.
//!
//! `cargo bench -p bold360-sdk --bench limits` (about 30 s; prints a table).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::{Client, Error, LimiterConfig, RetryPolicy};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// Collects the `wait_us` of every limiter admission.
#[derive(Clone, Default)]
struct Waits(Arc<Mutex<Vec<u64>>>);

impl<S: tracing::Subscriber> Layer<S> for Waits {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        struct V(Option<u64>);
        impl Visit for V {
            fn record_u64(&mut self, field: &Field, value: u64) {
                if field.name() == "wait_us" {
                    self.0 = Some(value);
                }
            }
            fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
        }
        if event.metadata().target() == "bold360_sdk::limiter" {
            let mut v = V(None);
            event.record(&mut v);
            if let Some(us) = v.0 {
                self.0.lock().unwrap().push(us);
            }
        }
    }
}

impl Waits {
    fn take(&self) -> Vec<u64> {
        let mut all = std::mem::take(&mut *self.0.lock().unwrap());
        all.sort_unstable();
        all
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

struct Outcome {
    elapsed: Duration,
    ok: usize,
    refused: usize,
    other_errors: usize,
}

async fn single_record_calls(client: &Client, tasks: usize, calls: usize) -> Outcome {
    let left = Arc::new(AtomicUsize::new(calls));
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (v1, left) = (client.v1(), Arc::clone(&left));
            tokio::spawn(async move {
                let (mut ok, mut refused, mut other) = (0, 0, 0);
                while left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    match v1.get_operator("9007199254740996").send().await {
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

async fn export(client: &Client) -> (Outcome, usize) {
    let started = Instant::now();
    let mut request = client.v2().get_all_chat_messages();
    let mut records = 0;
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
    (outcome, records)
}

#[tokio::main]
async fn main() {
    let waits = Waits::default();
    let subscriber = tracing_subscriber::registry().with(waits.clone());
    tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
    let latency = Duration::from_millis(20);

    println!("| workload | client | result | rate | of limit | server waits | 500s | other failures | limiter wait p50 / p99 |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for limited in [true, false] {
        let (name, limits, retry) = if limited {
            (
                "limited (default)",
                LimiterConfig::default(),
                RetryPolicy::default(),
            )
        } else {
            (
                "limiting disabled",
                LimiterConfig::unlimited(),
                RetryPolicy::none(),
            )
        };

        let sandbox = Sandbox::builder().latency(latency).start().await.unwrap();
        let client = sandbox
            .client_builder()
            .limits(limits.clone())
            .retry_policy(retry.clone())
            .build()
            .unwrap();
        waits.take();
        let o = single_record_calls(&client, 32, 1000).await;
        let w = waits.take();
        let rate = o.ok as f64 / o.elapsed.as_secs_f64();
        let s = sandbox.stats();
        println!(
            "| 32 tasks × 1,000 single-record calls | {name} | {} ok in {:.2} s | {rate:.1} req/s | {:.1} % | {} | {} | {} | {:.1} / {:.1} ms |",
            o.ok, o.elapsed.as_secs_f64(), rate, s.waits, s.refusals, o.other_errors, percentile(&w, 0.5), percentile(&w, 0.99)
        );
        drop(sandbox);

        let sandbox = Sandbox::builder()
            .latency(latency)
            .chats(6667)
            .start()
            .await
            .unwrap();
        let client = sandbox
            .client_builder()
            .limits(limits)
            .retry_policy(retry)
            .build()
            .unwrap();
        waits.take();
        let (o, records) = export(&client).await;
        let w = waits.take();
        let rate = records as f64 / o.elapsed.as_secs_f64();
        let s = sandbox.stats();
        println!(
            "| export of {records} records, 1,000-record pages (v2) | {name} | {} pages in {:.2} s | {rate:.0} rec/s | {:.1} % | {} | {} | {} | {:.1} / {:.1} ms |",
            o.ok, o.elapsed.as_secs_f64(), rate / 20.0, s.waits, s.refusals, o.other_errors, percentile(&w, 0.5), percentile(&w, 0.99)
        );
    }
}

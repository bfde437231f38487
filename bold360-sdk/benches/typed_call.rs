//! A whole call, side by side in one process: the SDK's typed `getAllChatMessages` call
//! against a hand-written reqwest + serde call, on the same 1,000-record page served by a local
//! server.
//!
//! `cargo bench -p bold360-sdk --bench typed_call`
//!
//! What is measured is the CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`): each
//! client runs on a current-thread runtime on the bench thread, so its connection, TLS-free
//! HTTP/1 handling, signing, limiter, decoding and every other step count, while the server,
//! on its own thread and runtime, does not. Wall time per call is printed too. Every variant
//! makes the same calls over one kept-alive connection; rounds alternate variants so drift
//! (frequency, cache) spreads over all of them, and the median round is reported.
//!
//! - `sdk_typed`: `client.v1().get_all_chat_messages().page_size(1000).send()` — validated,
//!   signed, limiter on (unlimited budget: the documented 2,000 records/s would pace this loop),
//!   decoded into the generated record (15 fields, IDs exact, times parsed, unknown fields kept).
//! - `hand_same_fields`: a hand-written client: sign (SHA-512 by hand), GET with the same
//!   `reqwest::Client` settings, read the body, `serde_json` into a struct of the same 15
//!   fields with the same fidelity.
//! - `hand_four_fields`: the same, decoding four fields only.

#[path = "support/chat_page.rs"]
mod chat_page;

use std::time::{Duration, Instant};

use bold360_sdk::{Client, Credentials, Endpoint, LimiterConfig};
use chat_page::{page_body, HandWrittenPage};
use serde::Deserialize;
use sha2::{Digest, Sha512};

const CALLS_PER_ROUND: u32 = 200;
const ROUNDS: usize = 11;

/// A hand-written client that only wants four fields.
#[derive(Deserialize)]
#[allow(dead_code)]
struct FourFields {
    #[serde(rename = "ChatMessageID")]
    chat_message_id: Option<String>,
    #[serde(rename = "ChatID")]
    chat_id: Option<serde_json::Value>,
    #[serde(rename = "Created")]
    created: Option<String>,
    #[serde(rename = "Text")]
    text: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FourFieldsPage {
    #[serde(rename = "Status")]
    status: String,
    #[serde(rename = "Data")]
    data: Vec<FourFields>,
}

/// CPU time consumed by the calling thread so far.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid pointer it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "CLOCK_THREAD_CPUTIME_ID is available");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Serves `body` for every GET on a loopback port, on its own thread and runtime.
fn serve(body: Vec<u8>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let body = bytes::Bytes::from(body);
            let app = axum::Router::new().fallback(move || {
                let body = body.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body,
                    )
                }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// The token a hand-written client computes: `account:setting:millis:sha512hex(...)`.
fn hand_signed_url(base: &str, credentials: &Credentials) -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let key = bold360_sdk::ExposeSecret::expose_secret(credentials.api_key());
    let (account, setting) = (credentials.account_id(), credentials.api_setting_id());
    let hash = hex::encode(Sha512::digest(format!("{account}:{setting}:{millis}{key}")));
    format!(
        "{base}/aid/{account}/data/rest/json/v1/getAllChatMessages?auth={account}%3A{setting}%3A{millis}%3A{hash}&PageSize=1000"
    )
}

fn hand_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Variant {
    SdkTyped,
    HandSameFields,
    HandFourFields,
}

impl Variant {
    const ALL: [Variant; 3] = [
        Variant::SdkTyped,
        Variant::HandSameFields,
        Variant::HandFourFields,
    ];

    fn name(self) -> &'static str {
        match self {
            Variant::SdkTyped => "sdk_typed",
            Variant::HandSameFields => "hand_same_fields",
            Variant::HandFourFields => "hand_four_fields",
        }
    }
}

struct Clients {
    sdk: Client,
    hand: reqwest::Client,
    base: String,
    credentials: Credentials,
}

/// The hand-written clients' exchange: sign, GET, read the whole body.
async fn hand_get(clients: &Clients) -> bytes::Bytes {
    let url = hand_signed_url(&clients.base, &clients.credentials);
    let response = clients.hand.get(url).send().await.unwrap();
    response.bytes().await.unwrap()
}

async fn one_call(variant: Variant, clients: &Clients) -> usize {
    match variant {
        Variant::SdkTyped => {
            let page = clients
                .sdk
                .v1()
                .get_all_chat_messages()
                .page_size(1000)
                .send()
                .await
                .unwrap();
            page.data.map_or(0, |d| d.len())
        }
        Variant::HandSameFields => {
            serde_json::from_slice::<HandWrittenPage>(&hand_get(clients).await)
                .unwrap()
                .data
                .len()
        }
        Variant::HandFourFields => {
            serde_json::from_slice::<FourFieldsPage>(&hand_get(clients).await)
                .unwrap()
                .data
                .len()
        }
    }
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench`-less args; a quick smoke run then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let (calls, rounds) = if quick {
        (3, 1)
    } else {
        (CALLS_PER_ROUND, ROUNDS)
    };
    let body = page_body(1000);
    let base = serve(body.clone());
    let credentials = Credentials::new("400123", "2300987", "k3y+With/Odd=Chars").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = Clients {
        sdk: Client::builder()
            .credentials(credentials.clone())
            .endpoint(Endpoint::custom(&base).unwrap())
            .limits(LimiterConfig::unlimited())
            .build()
            .unwrap(),
        hand: hand_client(),
        base,
        credentials,
    };
    // Warm up every variant (connections, allocator, caches).
    for variant in Variant::ALL {
        for _ in 0..calls.min(20) {
            assert_eq!(rt.block_on(one_call(variant, &clients)), 1000);
        }
    }
    let mut cpu: Vec<Vec<Duration>> = vec![Vec::new(); Variant::ALL.len()];
    let mut wall: Vec<Vec<Duration>> = vec![Vec::new(); Variant::ALL.len()];
    // `BOLD360_BENCH_ONLY=<variant>`: run one variant only (for a profiler).
    let only = std::env::var("BOLD360_BENCH_ONLY").ok();
    for round in 0..rounds {
        // Alternate the order so no variant always runs first.
        let mut order = Variant::ALL;
        order.rotate_left(round % Variant::ALL.len());
        for variant in order {
            if only.as_deref().is_some_and(|o| o != variant.name()) {
                continue;
            }
            let i = Variant::ALL.iter().position(|v| *v == variant).unwrap();
            let (cpu0, wall0) = (thread_cpu(), Instant::now());
            for _ in 0..calls {
                rt.block_on(one_call(variant, &clients));
            }
            cpu[i].push((thread_cpu() - cpu0) / calls);
            wall[i].push(wall0.elapsed() / calls);
        }
    }
    if only.is_some() {
        return;
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let cpu: Vec<Duration> = cpu.into_iter().map(median).collect();
    let wall: Vec<Duration> = wall.into_iter().map(median).collect();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "typed_call: one getAllChatMessages call, 1,000 records ({} bytes), median of {rounds} rounds × {calls} calls",
        body.len()
    );
    println!("| variant | CPU per call | wall per call | CPU vs hand_same_fields | CPU vs hand_four_fields |");
    println!("|---|---|---|---|---|");
    for (i, variant) in Variant::ALL.iter().enumerate() {
        println!(
            "| `{}` | {:.0} µs | {:.0} µs | {:.2}× | {:.2}× |",
            variant.name(),
            micros(cpu[i]),
            micros(wall[i]),
            micros(cpu[i]) / micros(cpu[1]),
            micros(cpu[i]) / micros(cpu[2]),
        );
    }
}

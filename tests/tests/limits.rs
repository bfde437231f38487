//! The sandbox enforces the documented account limits, and the client's limiter keeps calls
//! inside them under concurrency.

mod common;

use std::time::Duration;

use bold360_sdk::sandbox::{Sandbox, SandboxLimits};
use bold360_sdk::{Client, Error, LimiterConfig, Params, RetryPolicy};

async fn sandbox(limits: SandboxLimits) -> Sandbox {
    Sandbox::builder().limits(limits).start().await.unwrap()
}

/// A client without limiting or retries: it shows the server's behaviour as it is.
fn naive(sandbox: &Sandbox) -> Client {
    sandbox
        .client_builder()
        .limits(LimiterConfig::unlimited())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn burst(client: &Client, n: usize, method: &'static str) -> Vec<Result<usize, Error>> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .call_raw(method, Params::new())
                    .await
                    .map(|e| e.record_count())
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test]
async fn requests_over_the_limit_are_held_until_the_window_ends() {
    let window = Duration::from_millis(300);
    let sandbox = sandbox(SandboxLimits {
        requests: 5,
        window,
        ..SandboxLimits::default()
    })
    .await;
    let results = burst(&naive(&sandbox), 12, "getOperators").await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let stats = sandbox.stats();
    assert_eq!(stats.waits, 7, "five go at once, seven are held");
    assert_eq!(stats.refusals, 0);
}

#[tokio::test]
async fn the_tenth_waiting_request_is_refused_with_500() {
    let sandbox = sandbox(SandboxLimits {
        requests: 2,
        window: Duration::from_millis(500),
        ..SandboxLimits::default()
    })
    .await;
    let results = burst(&naive(&sandbox), 15, "getOperators").await;
    let refused = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(Error::TooManyRequests {
                    http_status: 500,
                    ..
                })
            )
        })
        .count();
    assert_eq!(refused, 4, "2 admitted, 9 waiting, 4 refused: {results:?}");
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 11);
    assert_eq!(sandbox.stats().refusals, 4);
    assert_eq!(sandbox.stats().waits, 9);
}

#[tokio::test]
async fn records_over_the_limit_hold_the_next_request() {
    let window = Duration::from_millis(300);
    let sandbox = sandbox(SandboxLimits {
        records: 5,
        window,
        ..SandboxLimits::default()
    })
    .await;
    let client = naive(&sandbox);
    assert_eq!(
        client
            .call_raw("getOperators", Params::new())
            .await
            .unwrap()
            .record_count(),
        6
    );
    client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap();
    assert_eq!(
        sandbox.stats().waits,
        1,
        "six records spent the window's five"
    );
}

#[tokio::test]
async fn the_limiter_keeps_32_concurrent_tasks_from_ever_being_refused() {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(5))
        .start()
        .await
        .unwrap();
    let client = sandbox.client().unwrap();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let v1 = client.v1();
            tokio::spawn(async move {
                for _ in 0..8 {
                    v1.get_operators().send().await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let server = sandbox.stats();
    assert_eq!(server.requests, 256);
    assert_eq!(server.refusals, 0, "never refused");
    assert_eq!(client.stats().refusals, 0);
    assert!(
        server.waits <= 2,
        "the server almost never had to hold a request: {server:?}"
    );
}

#[tokio::test]
async fn without_the_limiter_the_same_load_is_refused() {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(5))
        .start()
        .await
        .unwrap();
    let results = burst(&naive(&sandbox), 120, "getOperators").await;
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(Error::TooManyRequests { .. })))
        .count();
    assert!(refused > 0, "a naive burst is refused");
    assert_eq!(sandbox.stats().refusals as usize, refused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_150_ms_more_than_nine_calls_run_at_once_and_none_is_held() {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let client = sandbox.client().unwrap();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let v1 = client.v1();
            tokio::spawn(async move {
                for _ in 0..5 {
                    v1.get_operator(9007199254740996u64).send().await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let server = sandbox.stats();
    assert_eq!(server.requests, 160);
    assert_eq!((server.waits, server.refusals), (0, 0), "{server:?}");
    assert_eq!(client.rate_limiter().in_flight(), 0);
    // Throughput is no longer capped at 9 / latency: more than 9 were at the server at once.
    assert!(
        peak_in_flight(&sandbox) > 9,
        "at most {} requests were at the server at once",
        peak_in_flight(&sandbox)
    );
}

/// The most requests the sandbox had in progress at once, from their arrival times and its
/// fixed latency of 150 ms.
fn peak_in_flight(sandbox: &Sandbox) -> usize {
    let arrivals: Vec<_> = sandbox.requests().iter().map(|r| r.received_at).collect();
    arrivals
        .iter()
        .map(|a| {
            arrivals
                .iter()
                .filter(|b| *b >= a && b.duration_since(*a) < Duration::from_millis(150))
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_call_that_never_reaches_the_server_gives_its_budget_back() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .credentials(bold360_sdk::Credentials::new("1", "2", "k").unwrap())
        .endpoint(bold360_sdk::Endpoint::custom(&format!("http://127.0.0.1:{closed}")).unwrap())
        .limits(
            LimiterConfig::default()
                .requests_per_second(2)
                .request_burst(2),
        )
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    for _ in 0..6 {
        let err = client
            .call_raw("getOperators", Params::new())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    }
    let stats = client.stats();
    assert_eq!(stats.released, 6, "every admission was given back");
    assert_eq!(
        stats.waited, 0,
        "so six calls never waited on a budget of two per second"
    );
}

#[tokio::test]
async fn a_huge_page_size_reserves_no_more_than_the_methods_page() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    let other = client.clone();
    client
        .call_raw("getAllChatMessages", [("PageSize", "1000000")])
        .await
        .unwrap();
    // Reserving a million records would hold every clone for minutes; the page cap is 1,000.
    other.v1().get_operators().send().await.unwrap();
    other
        .call_raw("getAllChatMessages", [("PageSize", "1000000")])
        .await
        .unwrap();
    assert!(
        client.stats().wait_time < Duration::from_secs(2),
        "{:?}",
        client.stats()
    );
}

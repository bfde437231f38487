//! The shared limiter against a real `redis-server` (started here on a free loopback port,
//! persistence off; `.ci/run` installs it). A missing `redis-server` fails these tests.

mod common;

use std::time::Duration;

use bold360_sdk::sandbox::{LocalRedis, Sandbox, SandboxLimits};
use bold360_sdk::{Client, ClientBuilder, Error, LimiterConfig, RateLimiter};

async fn redis() -> LocalRedis {
    LocalRedis::start()
        .await
        .unwrap_or_else(|e| panic!("these tests need a real redis-server: {e}"))
}

/// Limits small enough that a test sees many windows quickly: 20 requests per 250 ms.
fn tight() -> (SandboxLimits, LimiterConfig) {
    let window = Duration::from_millis(250);
    (
        SandboxLimits {
            requests: 20,
            window,
            ..SandboxLimits::default()
        },
        LimiterConfig::default()
            .requests_per_second(20)
            .window(window)
            .request_burst(1),
    )
}

/// `clients` clients, each with its own limiter (shared through `redis` or not), each with
/// 12 tasks making `calls` single-record calls. Returns the errors.
async fn run(sandbox: &Sandbox, clients: &[Client], calls: usize) -> Vec<Error> {
    let mut tasks = Vec::new();
    for client in clients {
        for _ in 0..12 {
            let v1 = client.v1();
            tasks.push(tokio::spawn(async move {
                let mut errors = Vec::new();
                for _ in 0..calls / 12 {
                    if let Err(e) = v1.get_operator(9007199254740996u64).send().await {
                        errors.push(e);
                    }
                }
                errors
            }));
        }
    }
    let mut errors = Vec::new();
    for task in tasks {
        errors.extend(task.await.unwrap());
    }
    let _ = sandbox;
    errors
}

fn clients(sandbox: &Sandbox, limiter: impl Fn() -> RateLimiter) -> Vec<Client> {
    (0..3)
        .map(|_| {
            sandbox
                .client_builder()
                .rate_limiter(limiter())
                .build()
                .unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn limiters_sharing_redis_keep_the_account_inside_its_limits_together() {
    let redis = redis().await;
    let (limits, config) = tight();

    // Three separate limiters (three connections, as three processes would have).
    let sandbox = Sandbox::builder()
        .limits(limits)
        .latency(Duration::from_millis(40))
        .start()
        .await
        .unwrap();
    let account = sandbox.credentials().account_id().to_owned();
    let shared = clients(&sandbox, || {
        RateLimiter::shared(&redis.url(), &account, config.clone()).unwrap()
    });
    let errors = run(&sandbox, &shared, 60).await;
    assert!(errors.is_empty(), "{errors:?}");
    let s = sandbox.stats();
    assert_eq!(s.requests, 180);
    assert_eq!(
        (s.waits, s.refusals),
        (0, 0),
        "the server never had to hold or refuse a request"
    );

    // The same three, each with only its own limiter: the account goes over its limits.
    let sandbox = Sandbox::builder()
        .limits(limits)
        .latency(Duration::from_millis(40))
        .start()
        .await
        .unwrap();
    let separate = clients(&sandbox, || RateLimiter::new(config.clone()));
    let _ = run(&sandbox, &separate, 60).await;
    assert!(
        sandbox.stats().waits > 0,
        "without sharing the server holds requests: {:?}",
        sandbox.stats()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_variable_shares_the_budget_and_keys_it_by_account() {
    let redis = redis().await;
    let sandbox = Sandbox::start().await.unwrap();
    let c = sandbox.credentials().clone();
    let url = redis.url();
    let vars = |name: &str| match name {
        "BOLD360_ENDPOINT" => Some(sandbox.base_url().to_owned()),
        "BOLD360_ACCOUNT_ID" => Some(c.account_id().to_owned()),
        "BOLD360_API_SETTING_ID" => Some(c.api_setting_id().to_owned()),
        "BOLD360_API_KEY" => Some(bold360_sdk::ExposeSecret::expose_secret(c.api_key()).to_owned()),
        "BOLD360_LIMITER_URL" => Some(url.clone()),
        _ => None,
    };
    let client = ClientBuilder::from_lookup(vars).unwrap().build().unwrap();
    assert!(format!("{:?}", client.rate_limiter())
        .contains(&format!("bold360:limiter:{{{}}}", c.account_id())));
    client.v1().get_operators().send().await.unwrap();
    assert_eq!(client.stats().acquired, 1);

    let bad = |name: &str| match name {
        "BOLD360_LIMITER_FALLBACK" => Some("1.5".to_owned()),
        other => vars(other),
    };
    let err = ClientBuilder::from_lookup(bad).unwrap_err();
    assert!(
        err.to_string().contains("BOLD360_LIMITER_FALLBACK"),
        "{err}"
    );
    let not_redis = |name: &str| match name {
        "BOLD360_LIMITER_URL" => Some("http://127.0.0.1:1".to_owned()),
        other => vars(other),
    };
    let err = ClientBuilder::from_lookup(not_redis)
        .unwrap()
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("BOLD360_LIMITER_URL"), "{err}");
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn an_unreachable_store_fails_the_call_clearly_without_the_password() {
    let sandbox = Sandbox::start().await.unwrap();
    let port = closed_port();
    let client = sandbox
        .client_builder()
        .shared_limiter(format!("redis://:hunter2-secret@127.0.0.1:{port}/0"))
        .build()
        .unwrap();
    let err = client.v1().get_operators().send().await.unwrap_err();
    assert!(matches!(err, Error::RateLimiter { .. }), "{err:?}");
    let text = format!("{err} {err:?} {client:?} {:?}", client.rate_limiter());
    assert!(text.contains("getOperators"), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(sandbox.stats().requests, 0, "nothing was sent");
}

#[tokio::test]
async fn with_a_fallback_share_calls_go_on_and_the_switch_is_logged_once() {
    let (logs, _guard) = common::capture_traces();
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_builder()
        .limits(LimiterConfig::default().fallback_share(0.25))
        .shared_limiter(format!("redis://127.0.0.1:{}/0", closed_port()))
        .build()
        .unwrap();
    for _ in 0..5 {
        client.v1().get_operators().send().await.unwrap();
    }
    let logs = logs.text();
    assert_eq!(
        logs.matches("the shared limiter cannot be reached").count(),
        1,
        "{logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fallback_keeps_its_share_of_the_budget() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_builder()
        .limits(
            LimiterConfig::default()
                .requests_per_second(40)
                .request_burst(1)
                .fallback_share(0.25),
        )
        .shared_limiter(format!("redis://127.0.0.1:{}/0", closed_port()))
        .build()
        .unwrap();
    // A quarter of 40 per second is 10: the 21st call cannot go before two windows passed.
    let started = std::time::Instant::now();
    for _ in 0..21 {
        client
            .v1()
            .get_operator(9007199254740996u64)
            .send()
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_store_gives_a_short_pages_room_to_a_smaller_next_page() {
    let redis = redis().await;
    let config = LimiterConfig::default().guard(Duration::ZERO);
    let limiter = RateLimiter::shared(&redis.url(), "room-test", config).unwrap();
    let method = "getAllChatMessages";
    let page = |records: u64| {
        let limiter = limiter.clone();
        async move {
            let mut permit = limiter.acquire_up_to(1000, method).await.unwrap();
            let asked = permit.records();
            permit.mark_sent();
            permit.answered(method, records.min(asked), Duration::from_millis(5));
            // Settling runs in the background: let it land.
            tokio::time::sleep(Duration::from_millis(30)).await;
            asked
        }
    };
    let started = std::time::Instant::now();
    // The idle window's budget: two full pages, the second of which brought back 193.
    assert_eq!(page(1000).await, 1000);
    assert_eq!(page(193).await, 1000);
    // The 807 it gave back go to a smaller page at once; a whole page would wait ~1 s.
    assert_eq!(page(1000).await, 807);
    assert!(
        started.elapsed() < Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    // The window is full now: the next page waits for the first to leave, whole.
    assert_eq!(page(1000).await, 1000);
    assert!(started.elapsed() >= Duration::from_millis(950));
}

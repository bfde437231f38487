//! A misbehaving server, one fault at a time: each ends in the right typed error or a correct
//! recovery, with no panic and no hang. (Paging faults: `paging_guards.rs`.)

mod common;

use std::time::{Duration, Instant};

use bold360_sdk::sandbox::{Fault, Sandbox};
use bold360_sdk::{Error, Params, RetryPolicy};

async fn sandbox() -> Sandbox {
    Sandbox::builder().without_limits().start().await.unwrap()
}

#[tokio::test]
async fn a_proxys_json_on_http_200_is_not_an_answer() {
    let sandbox = sandbox().await;
    let client = sandbox.client().unwrap();
    sandbox.inject_fault(
        Some("getOperators"),
        Fault::Body(r#"{"error": "upstream request timeout", "code": 504}"#.into()),
        1,
    );
    let err = client.v1().get_operators().send().await.unwrap_err();
    match &err {
        Error::Http {
            method,
            status,
            snippet,
            ..
        } => {
            assert_eq!((method.as_str(), *status), ("getOperators", 200));
            assert!(snippet.contains("upstream request timeout"), "{snippet}");
        }
        other => panic!("{other:?}"),
    }
    // The same through the untyped path, and a lower-case `status` is still a Status.
    sandbox.inject_fault(None, Fault::Body(r#"{"detail": "nope"}"#.into()), 1);
    assert!(matches!(
        client.call_raw("getOperators", Params::new()).await,
        Err(Error::Http { status: 200, .. })
    ));
    sandbox.inject_fault(
        None,
        Fault::Body(r#"{"status": "error", "message": "Invalid"}"#.into()),
        1,
    );
    assert!(matches!(
        client.call_raw("getOperators", Params::new()).await,
        Err(Error::Api { .. })
    ));
}

#[tokio::test]
async fn a_429_with_retry_after_is_a_refusal_retried_no_sooner_than_asked() {
    let sandbox = sandbox().await;
    let client = sandbox.client().unwrap();
    sandbox.inject_fault(
        Some("getOperators"),
        Fault::Busy {
            status: 429,
            retry_after: "1".into(),
        },
        1,
    );
    let started = Instant::now();
    let page = client.v1().get_operators().send().await.unwrap();
    assert!(page.data.is_some());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as asked: {:?}",
        started.elapsed()
    );
    let stats = client.stats();
    assert_eq!((stats.refusals, stats.retries), (1, 1), "{stats:?}");
    // A write is retried too: nothing was done.
    sandbox.inject_fault(
        Some("updateChat"),
        Fault::Busy {
            status: 429,
            retry_after: "0".into(),
        },
        1,
    );
    let chat = sandbox.seeded_ids("chat")[0].clone();
    client
        .v1()
        .update_chat(chat.parse::<bold360_sdk::ids::ChatId>().unwrap())
        .send()
        .await
        .expect("a refused write is sent again");
}

#[tokio::test]
async fn a_503_with_retry_after_paces_reads_and_a_long_wait_gives_up_at_once() {
    let sandbox = sandbox().await;
    let client = sandbox.client().unwrap();
    let date = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc2822();
    sandbox.inject_fault(
        Some("getOperators"),
        Fault::Busy {
            status: 503,
            retry_after: date,
        },
        1,
    );
    let started = Instant::now();
    client.v1().get_operators().send().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "an HTTP date is honoured: {:?}",
        started.elapsed()
    );

    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::default().max_elapsed(Duration::from_secs(10)))
        .build()
        .unwrap();
    sandbox.inject_fault(
        Some("getOperators"),
        Fault::Busy {
            status: 503,
            retry_after: "3600".into(),
        },
        1,
    );
    let started = Instant::now();
    let err = client.v1().get_operators().send().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no hour-long wait"
    );
    assert_eq!(
        err.retry_after(),
        Some(Duration::from_secs(3600)),
        "{err:?}"
    );
    assert!(matches!(err, Error::Http { status: 503, .. }));
}

#[tokio::test]
async fn a_method_outside_the_manifest_is_a_read_when_its_name_says_so() {
    let sandbox = sandbox().await;
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let gateway = || Fault::http(502, "<html>Bad gateway</html>");
    sandbox.inject_fault(Some("getDepartments"), gateway(), 1);
    // getDepartments: no page documents it, the vendor's demo calls it, the sandbox answers it.
    let answer = client
        .call_raw("getDepartments", Params::new())
        .await
        .expect("retried past the 502");
    assert!(answer.record_count() > 0);
    assert_eq!(sandbox.requests().len(), 2);

    sandbox.inject_fault(Some("deleteThing"), gateway(), 1);
    let err = client
        .call_raw("deleteThing", Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 502, .. }), "{err:?}");
    assert_eq!(sandbox.requests().len(), 3, "a write is never sent twice");

    sandbox.inject_fault(Some("getAndReset"), gateway(), 1);
    let err = client
        .call_raw_as("getAndReset", bold360_sdk::MethodKind::Write, Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 502, .. }), "{err:?}");
    assert_eq!(sandbox.requests().len(), 4, "told it is a write");
}

#[tokio::test]
async fn a_report_without_a_known_status_ends_after_a_few_polls() {
    let sandbox = sandbox().await;
    let client = sandbox.client().unwrap();
    let v1 = client.v1();
    let fast = bold360_sdk::ReportPolling::default()
        .first_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(2));
    let id = common::start_report(&client, 0).await;
    sandbox.inject_fault(
        Some("getReport"),
        Fault::Body(r#"{"Status":"success"}"#.into()),
        3,
    );
    let before = sandbox.requests().len();
    let err = v1
        .wait_for_report(id.clone(), fast.clone())
        .await
        .unwrap_err();
    match &err {
        Error::Report {
            status_code,
            outcome,
            ..
        } => assert_eq!((*status_code, *outcome), (None, "has no known status")),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(
        sandbox.requests().len() - before,
        3,
        "three polls, then it stops"
    );
    assert!(err.to_string().contains("StatusCode missing"), "{err}");

    sandbox.inject_fault(
        Some("getReport"),
        Fault::Body(r#"{"Status":"success","StatusCode":42}"#.into()),
        1,
    );
    let err = v1
        .wait_for_report(id.clone(), fast.clone().unknown_polls(1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Report {
                status_code: Some(42),
                ..
            }
        ),
        "{err:?}"
    );

    // A running job resets the count: unknown, running, unknown is not three in a row.
    for body in [
        r#"{"Status":"success"}"#,
        r#"{"Status":"success","StatusCode":1}"#,
        r#"{"Status":"success"}"#,
    ] {
        sandbox.inject_fault(Some("getReport"), Fault::Body(body.into()), 1);
    }
    let id = common::start_report(&client, 0).await;
    let done = v1.wait_for_report(id, fast).await.unwrap();
    assert_eq!(done.status_code, Some(4));
}

#[tokio::test]
async fn no_delay_setting_can_overflow() {
    let sandbox = sandbox().await;
    let client = sandbox
        .client_builder()
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::MAX)
                .max_backoff(Duration::MAX)
                .max_elapsed(Duration::MAX),
        )
        .build()
        .unwrap();
    let id = common::start_report(&client, 0).await;
    let polling = bold360_sdk::ReportPolling::default()
        .first_delay(Duration::MAX)
        .max_delay(Duration::MAX);
    let err = client.v1().wait_for_report(id, polling).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    // The largest Retry-After there is, against a budget of 1 s: give up, no panic.
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::default().max_elapsed(Duration::from_secs(1)))
        .build()
        .unwrap();
    sandbox.inject_fault(
        Some("getOperators"),
        Fault::Busy {
            status: 503,
            retry_after: u64::MAX.to_string(),
        },
        1,
    );
    let err = client.v1().get_operators().send().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(u64::MAX)));
}

#[tokio::test]
async fn a_body_past_the_size_limit_stops_reading_with_a_typed_error() {
    let sandbox = sandbox().await;
    let client = sandbox
        .client_builder()
        .max_body_size(16 * 1024)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    // Announced by Content-Length.
    let big = format!(
        r#"{{"Status":"success","Data":[{}]}}"#,
        vec![r#"{"ChatID":"1"}"#; 2000].join(",")
    );
    sandbox.inject_fault(Some("getOperators"), Fault::Body(big), 1);
    let err = client.v1().get_operators().send().await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 16384, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    // Streamed without a length (the sandbox trickles a real 1,000-record page).
    sandbox.inject_fault(
        Some("getAllChatMessages"),
        Fault::SlowBody(Duration::from_millis(80)),
        1,
    );
    let err = client
        .v1()
        .get_all_chat_messages()
        .page_size(1000)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    // Under the limit, the same answer is fine.
    assert!(client.v1().get_operators().send().await.is_ok());
}

#[tokio::test]
async fn a_url_too_long_is_the_callers_error_never_sent_or_retried() {
    let sandbox = sandbox().await;
    let client = sandbox.client().unwrap();
    let long = "x".repeat(120 * 1024);
    let err = client
        .call_raw("getChat", [("ChatID", "1"), ("Note", long.as_str())])
        .await
        .unwrap_err();
    match &err {
        Error::InvalidRequest {
            method, parameter, ..
        } => {
            assert_eq!(method, "getChat");
            assert_eq!(parameter.as_deref(), Some("Note"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    assert!(sandbox.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn ids_sent_as_numbers_above_2_53_keep_every_digit() {
    let sandbox = sandbox().await;
    let client = sandbox.client().unwrap();
    sandbox.inject_fault(
        Some("getAllChatMessages"),
        Fault::Body(
            r#"{"Status":"success","Data":[{"ChatMessageID":9007199254740993,"ChatID":18446744073709551615}]}"#
                .into(),
        ),
        1,
    );
    let page = client.v2().get_all_chat_messages().send().await.unwrap();
    let record = &page.data.unwrap()[0];
    assert_eq!(
        record.chat_message_id.as_ref().unwrap().as_str(),
        "9007199254740993"
    );
    assert_eq!(
        record.chat_id.as_ref().unwrap().as_str(),
        "18446744073709551615"
    );
}

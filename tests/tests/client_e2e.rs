//! The request path end to end, against the sandbox: a real HTTP server on loopback that
//! verifies every signature.

mod common;

use std::time::Duration;

use bold360_sdk::sandbox::{Fault, Sandbox};
use bold360_sdk::{
    ApiVersion, CallInfo, Client, Credentials, Endpoint, Error, Id, ManualClock, MethodKind,
    Params, RetryPolicy, USER_AGENT,
};
use common::sandbox_and_client;
use serde_json::{json, Value};

#[tokio::test]
async fn signed_requests_are_accepted_and_recorded() {
    let (sandbox, client) = sandbox_and_client().await;
    let env = client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap();
    assert_eq!(env.record_count(), 6);
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].authenticated);
    assert_eq!(requests[0].version, "v1");
    assert_eq!(requests[0].user_agent.as_deref(), Some(USER_AGENT));
    assert!(USER_AGENT.starts_with("bold360-sdk/"));
}

#[tokio::test]
async fn a_wrong_key_is_refused_by_the_server() {
    let (sandbox, _) = sandbox_and_client().await;
    let wrong = Credentials::new("100001", "2000001", "not-the-key").unwrap();
    let client = Client::builder()
        .credentials(wrong)
        .endpoint(Endpoint::custom(sandbox.base_url()).unwrap())
        .build()
        .unwrap();
    let err = client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap_err();
    match err {
        Error::Api {
            method, message, ..
        } => {
            assert_eq!(method, "getOperators");
            assert_eq!(message, "Invalid auth: hash does not match");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sandbox.stats().auth_failures, 1);
}

#[tokio::test]
async fn tokens_are_judged_by_the_injected_clock() {
    let now = 1_700_000_000_000u64;
    let server_clock = ManualClock::new(now);
    let sandbox = Sandbox::builder()
        .credentials(Credentials::new("100001", "2000001", "k").unwrap())
        .clock(server_clock.clone())
        .start()
        .await
        .unwrap();
    let client_clock = ManualClock::new(now - 4 * 60_000);
    let client = sandbox
        .client_builder()
        .clock(client_clock.clone())
        .build()
        .unwrap();
    client
        .call_raw("getOperators", Params::new())
        .await
        .expect("a 4-minute-old token is fine");
    client_clock.set(now - 5 * 60_000 - 1);
    let err = client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { message, .. } if message == "Authentication expired"),
        "{err:?}"
    );
    // Each call signs anew: once the clock is right again, calls succeed.
    client_clock.set(now);
    client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn every_parameter_reaches_the_server_exactly() {
    let (sandbox, client) = sandbox_and_client().await;
    let departments =
        json!([{"DepartmentID": "9007199254740993", "Priority": 1, "AssignmentPriority": 2}]);
    let tricky = [
        ("Spaces", "a b  c"),
        ("Plus", "1+1=2"),
        ("Amp", "x&y=z"),
        ("Colon", "10:30:00"),
        ("Unicode", "Grüße 世界 😀"),
        ("Percent", "100%25 %"),
        ("Slashes", "a/b?c#d"),
        ("CustomFields.Order ID", "#42"),
    ];
    let mut params: Params = tricky.iter().copied().collect();
    params.set("Departments", departments.clone());
    client.call_raw("getOperators", params).await.unwrap();
    let request = &sandbox.requests()[0];
    assert!(request.authenticated);
    for (name, value) in tricky {
        assert_eq!(request.param(name), Some(value), "{name}");
    }
    let sent: Value = serde_json::from_str(request.param("Departments").unwrap()).unwrap();
    assert_eq!(sent, departments);
}

#[tokio::test]
async fn the_version_segment_follows_the_client() {
    let (sandbox, client) = sandbox_and_client().await;
    let v2 = client.with_version(ApiVersion::V2);
    assert_eq!(
        client.api_version(),
        ApiVersion::V1,
        "with_version leaves the original alone"
    );
    v2.call_raw("getAllChatMessages", [("FromDate", "2024-01-01T00:00:00Z")])
        .await
        .unwrap();
    client
        .call_raw("getAllChatMessages", Params::new())
        .await
        .unwrap();
    let versions: Vec<String> = sandbox.requests().into_iter().map(|r| r.version).collect();
    assert_eq!(versions, ["v2", "v1"]);
}

#[tokio::test]
async fn ids_above_2_pow_53_keep_every_digit() {
    let (_sandbox, client) = sandbox_and_client().await;
    let env = client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap();
    let first = env.data.unwrap()[0]["LoginID"].as_str().unwrap().to_owned();
    assert_eq!(first, "9007199254740996");
    let id: Id = serde_json::from_value(json!(9007199254740996u64)).unwrap();
    let env = client
        .call_raw("getOperator", [("OperatorID", id.as_str())])
        .await
        .unwrap();
    assert_eq!(
        env.record_count(),
        1,
        "Data as an object counts as one record"
    );
    assert_eq!(env.data.unwrap()["LoginID"], json!(first));
}

#[tokio::test]
async fn v1_paging_hands_back_an_ordered_next_object() {
    let (sandbox, client) = sandbox_and_client().await;
    let folders = client
        .call_raw("getFolders", [("FolderType", "5")])
        .await
        .unwrap();
    let folder = folders.data.unwrap()[0]["FolderID"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut params = Params::new()
        .with("FolderID", folder.as_str())
        .with("PageSize", 30);
    let mut seen = Vec::new();
    loop {
        let page = client
            .call_raw("getInactiveChats", params.clone())
            .await
            .unwrap();
        seen.extend(
            page.data
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["ChatID"].clone()),
        );
        let Some(next) = page.next else { break };
        assert_eq!(page.truncated, Some(true));
        let mut names: Vec<&str> = next.iter().map(|(k, _)| k).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["FolderID", "PageSize", "PageStart"],
            "the filters come back"
        );
        params = next.to_params();
    }
    assert_eq!(seen.len(), 75);
    let unique: std::collections::HashSet<_> = seen.iter().map(|v| v.to_string()).collect();
    assert_eq!(unique.len(), 75, "no record twice");
    let paged: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "getInactiveChats")
        .collect();
    assert_eq!(paged.len(), 3);
    assert!(
        paged
            .iter()
            .all(|r| r.param("FolderID") == Some(folder.as_str())),
        "the filter survives every page"
    );
}

#[tokio::test]
async fn the_next_object_keeps_the_servers_order() {
    let (sandbox, client) = sandbox_and_client().await;
    sandbox.inject_fault(
        None,
        Fault::Body(r#"{"Status":"success","Data":[],"Truncated":true,"Next":{"Z":"1","PageStart":1000,"A":"x"}}"#.into()),
        1,
    );
    let page = client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap();
    let next = page.next.unwrap();
    assert_eq!(
        next.iter().map(|(k, _)| k).collect::<Vec<_>>(),
        ["Z", "PageStart", "A"]
    );
    let params = next.to_params();
    assert_eq!(
        params.iter().collect::<Vec<_>>(),
        [("Z", "1"), ("PageStart", "1000"), ("A", "x")]
    );
}

#[tokio::test]
async fn v2_paging_hands_back_a_cursor() {
    let (_sandbox, client) = sandbox_and_client().await;
    let v2 = client.with_version(ApiVersion::V2);
    let mut params = Params::new();
    let mut total = 0;
    let mut pages = 0;
    loop {
        let page = v2
            .call_raw("getAllChatMessages", params.clone())
            .await
            .unwrap();
        total += page.record_count();
        pages += 1;
        match page.next_page {
            Some(cursor) => params.set("NextPage", cursor),
            None => break,
        };
    }
    assert_eq!(
        (total, pages),
        (450, 1),
        "450 messages fit the 1000-record cap"
    );
}

#[tokio::test]
async fn jsonp_answers_are_unwrapped() {
    let (sandbox, client) = sandbox_and_client().await;
    let env = client
        .call_raw("getOperators", [("callback", "handle_it")])
        .await
        .unwrap();
    assert_eq!(env.record_count(), 6);
    assert_eq!(sandbox.requests()[0].param("callback"), Some("handle_it"));
}

#[tokio::test]
async fn unknown_envelope_fields_are_kept() {
    let (sandbox, client) = sandbox_and_client().await;
    sandbox.inject_fault(
        None,
        Fault::Body(
            r#"{"Status":"SUCCESS","Data":{"A":1},"ServerTime":"2024-01-01T00:00:00Z","Z":[1]}"#
                .into(),
        ),
        1,
    );
    let env = client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap();
    assert_eq!(env.extra.keys().collect::<Vec<_>>(), ["ServerTime", "Z"]);
    assert_eq!(env.data.unwrap(), json!({"A": 1}));
}

#[tokio::test]
async fn api_errors_carry_the_server_message() {
    let (sandbox, client) = sandbox_and_client().await;
    let err = client
        .call_raw("getChat", Params::new().with("ChatID", "404404"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "getChat: the API answered \"error\": Invalid ChatID: 404404"
    );
    assert_eq!(err.method(), Some("getChat"));
    assert!(!err.is_retryable());
    // A documented required parameter left out is refused before anything is sent.
    let before = sandbox.requests().len();
    let err = client.call_raw("getChat", Params::new()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "getChat: invalid request (parameter \"ChatID\"): ChatID is required in v1"
    );
    assert_eq!(sandbox.requests().len(), before);
}

#[tokio::test]
async fn each_transport_and_body_failure_has_its_own_error() {
    let (sandbox, _) = sandbox_and_client().await;
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let call = || client.call_raw("getOperators", Params::new());

    sandbox.inject_fault(None, Fault::refusal(), 1);
    let err = call().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyRequests {
                http_status: 500,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable() && err.is_refusal());

    sandbox.inject_fault(
        None,
        Fault::http(502, "<html><h1>Bad Gateway</h1></html>"),
        1,
    );
    let err = call().await.unwrap_err();
    assert!(
        matches!(&err, Error::Http { status: 502, snippet, .. } if snippet.contains("Bad Gateway")),
        "{err:?}"
    );
    assert!(err.is_retryable());

    sandbox.inject_fault(
        None,
        Fault::Body(r#"{"Status":"success","Data":[{"A":"#.into()),
        1,
    );
    let err = call().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(!err.is_retryable());

    sandbox.inject_fault(None, Fault::ResetConnection, 1);
    let err = call().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());

    sandbox.inject_fault(None, Fault::Latency(Duration::from_millis(1_000)), 1);
    let err = call().await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { timeout, .. } if timeout == Duration::from_millis(300)),
        "{err:?}"
    );

    sandbox.inject_fault(None, Fault::SlowBody(Duration::from_millis(1_200)), 1);
    let err = call().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");

    // A slow body within the limit is fine.
    sandbox.inject_fault(None, Fault::SlowBody(Duration::from_millis(80)), 1);
    assert_eq!(call().await.unwrap().record_count(), 6);

    // Nothing listening at all.
    let closed = Client::builder()
        .credentials(sandbox.credentials().clone())
        .endpoint(Endpoint::custom("http://127.0.0.1:9").unwrap())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = closed
        .call_raw("getOperators", Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn bad_requests_are_refused_before_sending() {
    let (sandbox, client) = sandbox_and_client().await;
    let err = client
        .call_raw("get Chat", Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidRequest {
                parameter: None,
                ..
            }
        ),
        "{err:?}"
    );
    let err = client
        .call_raw("getChat", [("auth", "x")])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { parameter: Some(p), .. } if p == "auth"),
        "{err:?}"
    );
    assert!(sandbox.requests().is_empty());
}

#[tokio::test]
async fn refusals_are_retried_even_for_writes_but_transport_errors_only_for_reads() {
    let (sandbox, _) = sandbox_and_client().await;
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let chats = client
        .call_raw("getFolders", [("FolderType", "5")])
        .await
        .unwrap();
    assert!(chats.record_count() > 0);

    // A refused write is sent again after the window and succeeds.
    sandbox.inject_fault(Some("getOperators"), Fault::refusal(), 1);
    let env = client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap();
    assert_eq!(env.record_count(), 6);
    let sent = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "getOperators")
        .count();
    assert_eq!(sent, 2);

    // A write whose connection broke might have been applied: not sent again.
    sandbox.inject_fault(Some("addChatMessage"), Fault::ResetConnection, 1);
    let err = client
        .call_raw("addChatMessage", [("ChatID", "1"), ("Type", "System")])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        sandbox
            .requests()
            .iter()
            .filter(|r| r.method == "addChatMessage")
            .count(),
        1
    );

    // The same failure on a read is retried.
    sandbox.inject_fault(Some("getDepartment"), Fault::http(503, "busy"), 2);
    let info = CallInfo::new("getDepartment", MethodKind::Read);
    let err = client
        .execute::<Value>(info, Params::new().with("DepartmentID", "1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Api { .. }),
        "after two 503s the third attempt reaches the API: {err:?}"
    );
    assert_eq!(
        sandbox
            .requests()
            .iter()
            .filter(|r| r.method == "getDepartment")
            .count(),
        3
    );
}

#[tokio::test]
async fn clones_and_version_handles_are_cheap_and_shareable() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
    let (sandbox, client) = sandbox_and_client().await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = if i % 2 == 0 {
            client.clone()
        } else {
            client.with_version(ApiVersion::V2)
        };
        tasks.push(tokio::spawn(async move {
            client.call_raw("getOperators", Params::new()).await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().record_count(), 6);
    }
    assert_eq!(sandbox.stats().requests, 16);
}

#[tokio::test]
async fn requests_go_through_the_callers_own_http_client() {
    let sandbox = bold360_sdk::sandbox::Sandbox::builder()
        .chats(150)
        .start()
        .await
        .unwrap();
    let http = bold360_sdk::reqwest::Client::builder()
        .redirect(bold360_sdk::reqwest::redirect::Policy::none())
        .user_agent("my-app/1.0")
        .build()
        .unwrap();
    let client = sandbox.client_builder().http_client(http).build().unwrap();
    client.v1().get_operators().send().await.unwrap();
    let seen = sandbox.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].user_agent.as_deref(), Some("my-app/1.0"));
}

#[tokio::test]
async fn the_request_timeout_holds_with_the_callers_http_client() {
    let sandbox = bold360_sdk::sandbox::Sandbox::builder()
        .chats(150)
        .start()
        .await
        .unwrap();
    // A client of the caller's with no timeout at all.
    let http = bold360_sdk::reqwest::Client::new();
    let client = sandbox
        .client_builder()
        .http_client(http)
        .request_timeout(std::time::Duration::from_millis(200))
        .retry_policy(bold360_sdk::RetryPolicy::none())
        .build()
        .unwrap();
    sandbox.inject_fault(
        Some("getOperators"),
        bold360_sdk::sandbox::Fault::Latency(std::time::Duration::from_secs(5)),
        1,
    );
    let started = std::time::Instant::now();
    let err = client.v1().get_operators().send().await.unwrap_err();
    assert!(matches!(err, bold360_sdk::Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
}

#[tokio::test]
async fn a_timeout_on_one_request_overrides_the_clients() {
    use futures_util::StreamExt;
    let sandbox = bold360_sdk::sandbox::Sandbox::builder()
        .chats(150)
        .start()
        .await
        .unwrap();
    let client = sandbox
        .client_builder()
        .retry_policy(bold360_sdk::RetryPolicy::none())
        .build()
        .unwrap();
    let slow = || {
        sandbox.inject_fault(
            None,
            bold360_sdk::sandbox::Fault::Latency(std::time::Duration::from_secs(5)),
            1,
        )
    };
    let limit = std::time::Duration::from_millis(200);
    slow();
    let started = std::time::Instant::now();
    let err = client
        .v1()
        .get_operators()
        .timeout(limit)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, bold360_sdk::Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    // Every page of a walk has the same limit.
    slow();
    let first = client
        .v2()
        .get_all_chat_messages()
        .timeout(limit)
        .pages()
        .boxed()
        .next()
        .await
        .unwrap();
    assert!(
        matches!(first, Err(bold360_sdk::Error::Timeout { .. })),
        "{first:?}"
    );
    // Without it the client's (60 s) applies: the same call, not slowed, succeeds.
    client.v1().get_operators().send().await.unwrap();
}

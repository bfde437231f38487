//! No secret ever leaks: every error path, every `Debug`, panics and all trace output
//! (dependencies' `log` records included, at TRACE) are searched for the API key and the
//! token.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bold360_sdk::sandbox::{Fault, Sandbox};
use bold360_sdk::{
    signing, CallInfo, Client, ClientBuilder, Credentials, Endpoint, Error, ManualClock,
    MethodKind, Params, RetryPolicy,
};

const KEY: &str = "Sup3r+Secret/Key=:with spaces";
const NOW: u64 = 1_732_460_400_123;

#[derive(serde::Deserialize, Debug)]
#[allow(dead_code)]
struct Typed {
    #[serde(rename = "Count")]
    count: u64,
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{what} leaks {secret:?}:\n{text}"
        );
    }
}

fn error_texts(err: &Error) -> String {
    let mut out = format!("{err}\n{err:?}\n{err:#?}\n");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        out.push_str(&format!("{cause}\n{cause:?}\n"));
        source = cause.source();
    }
    out
}

#[tokio::test]
async fn secrets_never_leak() {
    let (traces, _guard) = common::capture_traces();
    let credentials = Credentials::new("400123", "2300987", KEY).unwrap();
    let token = signing::sign(&credentials, NOW);
    let token_text = token.expose_secret().to_owned();
    let hash = token_text.rsplit(':').next().unwrap().to_owned();
    let encoded_token = token_text.replace(':', "%3A");
    let encoded_key = KEY
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
        .replace(':', "%3A")
        .replace(' ', "%20");
    let secrets = vec![
        KEY.to_owned(),
        token_text.clone(),
        hash.clone(),
        hash.to_uppercase(),
        encoded_token.clone(),
        encoded_key,
    ];

    let sandbox = Sandbox::builder()
        .credentials(credentials.clone())
        .clock(ManualClock::new(NOW))
        .start()
        .await
        .unwrap();
    let builder = || sandbox.client_builder().clock(ManualClock::new(NOW));
    let client = builder()
        .retry_policy(RetryPolicy::none())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let retrying = builder()
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();

    let mut errors: Vec<Error> = Vec::new();
    // Success first, so the span of a good call is in the traces too.
    client
        .call_raw("getOperators", Params::new())
        .await
        .unwrap();
    // A plain API error.
    errors.push(client.call_raw("getChat", Params::new()).await.unwrap_err());
    // A server that echoes the key and the token in its message.
    sandbox.inject_fault(
        None,
        Fault::Body(format!(
            r#"{{"Status":"error","Message":"key {KEY} auth={token_text} hash {hash}"}}"#
        )),
        1,
    );
    errors.push(
        client
            .call_raw("getOperators", Params::new())
            .await
            .unwrap_err(),
    );
    // An HTML error page that quotes the request URL.
    sandbox.inject_fault(
        None,
        Fault::http(502, format!("<html>GET /aid/400123/data/rest/json/v1/getOperators?auth={encoded_token}&x=1 key={KEY}</html>")),
        1,
    );
    errors.push(
        client
            .call_raw("getOperators", Params::new())
            .await
            .unwrap_err(),
    );
    // A decode failure whose serde message quotes the offending value.
    sandbox.inject_fault(
        None,
        Fault::Body(format!(
            r#"{{"Status":"success","Data":[{{"Count":"{KEY} {hash}"}}]}}"#
        )),
        1,
    );
    let info = CallInfo::new("getOperators", MethodKind::Read);
    errors.push(
        client
            .execute::<Vec<Typed>>(info, Params::new())
            .await
            .unwrap_err(),
    );
    // Refusal, retried (the retry is traced), then refused for good.
    sandbox.inject_fault(None, Fault::refusal(), 2);
    errors.push(
        builder()
            .retry_policy(RetryPolicy::default().max_attempts(2))
            .build()
            .unwrap()
            .call_raw_as("getOperators", MethodKind::Write, Params::new())
            .await
            .unwrap_err(),
    );
    // Read retries of a transport failure.
    sandbox.inject_fault(None, Fault::ResetConnection, 4);
    errors.push(
        retrying
            .execute::<serde_json::Value>(info, Params::new())
            .await
            .unwrap_err(),
    );
    // Timeout.
    sandbox.inject_fault(None, Fault::Latency(Duration::from_secs(1)), 1);
    errors.push(
        client
            .call_raw("getOperators", Params::new())
            .await
            .unwrap_err(),
    );
    // Connection refused.
    let closed = Client::builder()
        .credentials(credentials.clone())
        .clock(ManualClock::new(NOW))
        .endpoint(Endpoint::custom("http://127.0.0.1:9").unwrap())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(
        closed
            .call_raw("getOperators", Params::new())
            .await
            .unwrap_err(),
    );
    // An expired token.
    let stale = builder()
        .clock(ManualClock::new(NOW - 600_000))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(
        stale
            .call_raw("getOperators", Params::new())
            .await
            .unwrap_err(),
    );
    // Invalid requests and configuration.
    errors.push(
        client
            .call_raw("get Operators", Params::new())
            .await
            .unwrap_err(),
    );
    errors.push(
        client
            .call_raw("getOperators", [("auth", token_text.as_str())])
            .await
            .unwrap_err(),
    );
    errors.push(Credentials::new(KEY, "1", "k").unwrap_err());
    errors.push(Credentials::new("1", KEY, "k").unwrap_err());
    errors.push(ClientBuilder::default().build().unwrap_err());

    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '{', '('])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "Api",
            "Config",
            "Decode",
            "Http",
            "InvalidRequest",
            "Timeout",
            "TooManyRequests",
            "Transport"
        ],
        "every error variant is exercised"
    );
    for err in &errors {
        assert_clean("an error", &error_texts(err), &secrets);
    }

    // Panics print an error's Debug; check what a panic would say.
    let panics = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&panics);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        sink.lock().unwrap().push_str(&format!("{info}\n"))
    }));
    for err in errors {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            std::hint::black_box(Err::<(), _>(err)).expect("call failed")
        }));
    }
    std::panic::set_hook(previous);
    let panics = panics.lock().unwrap().clone();
    assert!(panics.contains("call failed"), "the hook saw the panics");
    assert_clean("a panic", &panics, &secrets);

    // Debug of everything that holds a secret.
    let debug = format!(
        "{credentials:?} {token:?} {client:?} {retrying:?} {sandbox:?} {:?}",
        Client::builder().credentials(credentials.clone())
    );
    assert!(debug.contains("[redacted]"));
    assert_clean("Debug output", &debug, &secrets);

    drop(_guard);
    let traces = traces.text();
    assert!(
        traces.contains("bold360.call"),
        "calls are traced:\n{traces}"
    );
    assert!(traces.contains("retrying"), "retries are traced:\n{traces}");
    assert_clean("trace output", &traces, &secrets);
    for (at, _) in traces.match_indices("auth=") {
        assert!(
            traces[at..].starts_with("auth=[redacted]"),
            "an auth value is traced:\n{traces}"
        );
    }
}

#[tokio::test]
async fn each_call_has_a_span_with_method_version_status_records_and_latency() {
    let (traces, guard) = common::capture_traces();
    let sandbox = Sandbox::builder().chats(150).start().await.unwrap();
    let client = sandbox
        .client()
        .unwrap()
        .with_version(bold360_sdk::ApiVersion::V2);
    client
        .call_raw("getAllChatMessages", Params::new())
        .await
        .unwrap();
    drop(guard);
    let text = traces.text();
    let line = text
        .lines()
        .find(|l| l.contains("bold360.call") && l.contains("close"))
        .unwrap_or_else(|| panic!("no closed call span in:\n{text}"));
    for field in [
        "method=\"getAllChatMessages\"",
        "version=\"v2\"",
        "http.status=200",
        "records=450",
        "attempts=1",
        "latency_ms=",
        "limiter_wait_ms=",
    ] {
        assert!(line.contains(field), "{field} missing from {line}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn sensitive_parameters_are_sent_but_never_printed() {
    let (traces, _guard) = common::capture_traces();
    const PASSWORD: &str = "Tr0ub4dor&3-correct horse";
    let secrets = vec![
        PASSWORD.to_owned(),
        PASSWORD.replace('&', "%26").replace(' ', "%20"),
    ];
    let sandbox = Sandbox::builder().chats(150).start().await.unwrap();
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let agents = client
        .v1()
        .get_operators()
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    let template = agents[0].login_id.clone().unwrap();
    let request = client
        .v1()
        .create_operator_from_template(
            template.clone(),
            "new.agent",
            "New Agent",
            PASSWORD,
            "new.agent@example.com",
        )
        .chat_name("Newbie");
    assert_clean(
        "the request's Debug",
        &format!("{request:?} {request:#?}"),
        &secrets,
    );
    assert_clean(
        "its params' Debug",
        &format!("{:?}", request.params()),
        &secrets,
    );
    assert_eq!(
        request.params().get("Password"),
        Some(PASSWORD),
        "still sent"
    );
    request.send().await.unwrap();
    let sent = sandbox.requests();
    assert_eq!(sent.last().unwrap().param("Password"), Some(PASSWORD));

    // A server that echoes the password in an error: scrubbed from the error.
    sandbox.inject_fault(
        Some("operatorLoginControl"),
        Fault::http(500, format!("<html>bad password {PASSWORD}</html>")),
        1,
    );
    let err = client
        .v2()
        .operator_login_control(template)
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { .. }), "{err:?}");
    assert_clean("the error", &error_texts(&err), &secrets);
    assert_clean("the traces", &traces.text(), &secrets);
}

#[tokio::test(flavor = "current_thread")]
async fn each_attempt_traces_its_decision() {
    let (traces, guard) = common::capture_traces();
    let sandbox = Sandbox::builder().chats(150).start().await.unwrap();
    let client = sandbox
        .client_builder()
        .endpoint(bold360_sdk::Endpoint::custom("http://sandbox.invalid").unwrap())
        .http_transport(sandbox.transport())
        .build()
        .unwrap();
    sandbox.inject_fault(None, bold360_sdk::sandbox::Fault::refusal(), 1);
    client.v1().get_operators().send().await.unwrap();
    drop(guard);
    let text = traces.text();
    let retry = text
        .lines()
        .find(|l| l.contains("retrying"))
        .unwrap_or_else(|| panic!("no retry event in:\n{text}"));
    for field in [
        "attempt=1",
        "decision=\"retry\"",
        "reason=\"refused by the server\"",
        "delay_ms=",
        "method=\"getOperators\"",
    ] {
        assert!(retry.contains(field), "{field} missing from {retry}");
    }
    // A refusal waits out the server's one-second window (plus jitter).
    let delay_ms: u64 = retry
        .split("delay_ms=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("no delay_ms in {retry}"));
    assert!((1_000..1_250).contains(&delay_ms), "{retry}");
    let classified: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("attempt classified"))
        .collect();
    assert_eq!(classified.len(), 2, "{text}");
    assert!(classified[1].contains("decision=\"success\""), "{text}");
    assert!(classified[1].contains("attempt=2"), "{text}");
}

//! One pipeline for every entry point: a documented method's rules are refused before any
//! traffic whichever way the call was built; the client runs over an injected transport (the
//! sandbox in memory, no socket) and through a `reqwest-middleware` client; each attempt's
//! decision is traced (in `redaction.rs`, whose tests all capture traces: tracing caches a
//! callsite's interest, so a capturing test beside non-capturing ones in one binary can miss
//! events).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bold360_sdk::paging::{self, PageWalker, PagedCall};
use bold360_sdk::sandbox::{Fault, Sandbox};
use bold360_sdk::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};
use bold360_sdk::{
    methods, ApiVersion, CallInfo, Client, Endpoint, Error, MethodKind, Params, RetryPolicy,
};
use futures_util::future::BoxFuture;
use futures_util::{StreamExt, TryStreamExt};

/// Counts the exchanges that reach the transport, then serves them from the sandbox in memory.
#[derive(Clone)]
struct Counting {
    inner: bold360_sdk::sandbox::InMemoryTransport,
    sent: Arc<AtomicUsize>,
}

impl HttpTransport for Counting {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request)
    }
}

/// A sandbox and a v2 client that reaches it only through a counting in-memory transport, at a
/// host that cannot resolve (so nothing can go over a socket).
async fn counted() -> (Sandbox, Client, Arc<AtomicUsize>) {
    let sandbox = Sandbox::builder().chats(150).start().await.unwrap();
    let sent = Arc::new(AtomicUsize::new(0));
    let transport = Counting {
        inner: sandbox.transport(),
        sent: Arc::clone(&sent),
    };
    let client = sandbox
        .client_builder()
        .endpoint(Endpoint::custom("http://sandbox.invalid").unwrap())
        .api_version(ApiVersion::V2)
        .retry_policy(RetryPolicy::none())
        .http_transport(transport)
        .build()
        .unwrap();
    (sandbox, client, sent)
}

fn assert_refused(entry: &str, err: Error) {
    match &err {
        Error::InvalidRequest {
            method,
            parameter: Some(parameter),
            reason,
        } => {
            assert_eq!(method, "getAllAuditLogs", "{entry}");
            assert_eq!(parameter, "ToDate", "{entry}");
            assert!(reason.contains("must be set together"), "{entry}: {reason}");
        }
        other => panic!("{entry}: expected the all-or-none rule, got {other:?}"),
    }
}

#[tokio::test]
async fn a_constraint_violation_is_refused_before_any_traffic_on_every_entry_point() {
    let (sandbox, client, sent) = counted().await;
    let from = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    // getAllAuditLogs: FromDate and ToDate are all-or-none.
    let typed = || client.v2().get_all_audit_logs().from_date(from);
    let half = || Params::new().with("FromDate", "2024-01-01T00:00:00Z");

    assert_refused("send", typed().send().await.unwrap_err());
    let first = Box::pin(typed().pages()).next().await.unwrap();
    assert_refused("pages", first.unwrap_err());
    let first = Box::pin(typed().into_stream()).next().await.unwrap();
    assert_refused("into_stream", first.unwrap_err());
    assert_refused(
        "call_raw",
        client
            .call_raw("getAllAuditLogs", half())
            .await
            .unwrap_err(),
    );
    assert_refused(
        "call_raw_as",
        client
            .call_raw_as("getAllAuditLogs", MethodKind::Read, half())
            .await
            .unwrap_err(),
    );
    let pages: Result<Vec<_>, _> = client
        .pages_raw("getAllAuditLogs", half())
        .try_collect()
        .await;
    assert_refused("pages_raw", pages.unwrap_err());
    // `execute` with a CallInfo that names no spec: the method table's entry applies.
    let info = CallInfo::new("getAllAuditLogs", MethodKind::Read);
    assert_refused(
        "execute",
        client
            .execute::<serde_json::Value>(info, half())
            .await
            .unwrap_err(),
    );
    let spec = methods::lookup("getAllAuditLogs").unwrap();
    let mut walker = PageWalker::new(PagedCall::for_method(spec, ApiVersion::V2, &half()), half());
    assert_refused(
        "PageWalker",
        walker
            .next_page::<serde_json::Value>(&client)
            .await
            .unwrap()
            .unwrap_err(),
    );
    let records: Result<Vec<serde_json::Value>, _> = paging::records(
        client.clone(),
        PagedCall::for_method(spec, ApiVersion::V2, &half()),
        half(),
    )
    .try_collect()
    .await;
    assert_refused("paging::records", records.unwrap_err());

    assert_eq!(sent.load(Ordering::SeqCst), 0, "no exchange was attempted");
    assert!(sandbox.requests().is_empty(), "nothing reached the server");
    assert_eq!(
        client.stats().acquired,
        0,
        "no budget was taken for a refused call"
    );

    // The same calls with both dates go through.
    let to = from + chrono::Duration::days(30);
    typed().to_date(to).send().await.unwrap();
    assert_eq!(sent.load(Ordering::SeqCst), 1);
}

/// A value the manifest's type rules out, a parameter or method the version does not
/// document: refused on every entry point that calls by name, with nothing spent or sent.
#[tokio::test]
async fn a_wrong_value_or_version_is_refused_before_any_traffic_on_every_entry_point() {
    let (sandbox, client, sent) = counted().await;
    let v1 = client.with_version(ApiVersion::V1);
    let v2 = client.with_version(ApiVersion::V2);
    let refused =
        |entry: &str, err: bold360_sdk::Error, parameter: Option<&str>, said: &str| match &err {
            bold360_sdk::Error::InvalidRequest {
                parameter: p,
                reason,
                ..
            } => {
                assert_eq!(p.as_deref(), parameter, "{entry}: {err}");
                assert!(reason.contains(said), "{entry}: {err}");
            }
            other => panic!("{entry}: not refused before sending: {other}"),
        };
    let bad_id = || Params::new().with("ChatID", "notanumber");
    refused(
        "call_raw",
        client.call_raw("getChat", bad_id()).await.unwrap_err(),
        Some("ChatID"),
        "ChatID=\"notanumber\" is not an ID",
    );
    let info = CallInfo::new("getChat", MethodKind::Read);
    refused(
        "execute",
        client
            .execute::<serde_json::Value>(info, bad_id())
            .await
            .unwrap_err(),
        Some("ChatID"),
        "is not an ID",
    );
    let bad_count = || Params::new().with("PageSize", "-1");
    let pages: Result<Vec<_>, _> = v1
        .pages_raw("getAllChatMessages", bad_count())
        .try_collect()
        .await;
    refused("pages_raw", pages.unwrap_err(), Some("PageSize"), "a count");
    let pages: Result<Vec<_>, _> = v2
        .pages_raw("getAllChatMessages", Params::new().with("PageSize", 10))
        .try_collect()
        .await;
    refused(
        "pages_raw v2",
        pages.unwrap_err(),
        Some("PageSize"),
        "not a parameter of getAllChatMessages in v2 (only in v1)",
    );
    refused(
        "call_raw v2",
        v2.call_raw("getInactiveChats", Params::new().with("FolderID", 1))
            .await
            .unwrap_err(),
        None,
        "getInactiveChats is not documented in v2 (only in v1)",
    );
    refused(
        "call_raw date",
        client
            .call_raw(
                "getAllChatMessages",
                Params::new().with("FromDate", "yesterday"),
            )
            .await
            .unwrap_err(),
        Some("FromDate"),
        "2024-05-01T10:00:00Z",
    );
    assert_eq!(sent.load(Ordering::SeqCst), 0, "no exchange was attempted");
    assert!(sandbox.requests().is_empty(), "nothing reached the server");
    assert_eq!(client.stats().acquired, 0, "no budget was taken");

    // An undocumented parameter of a documented method goes as given (the vendor may add
    // parameters before the manifest knows them); other accepted forms go as typed calls
    // send them.
    client
        .call_raw(
            "getAllChatMessages",
            Params::new()
                .with("FromDate", "2024-05-01")
                .with("NewFilter", "x"),
        )
        .await
        .unwrap();
    let request = sandbox.requests().pop().unwrap();
    assert_eq!(request.param("NewFilter"), Some("x"));
    assert_eq!(request.param("FromDate"), Some("2024-05-01T00:00:00Z"));
}

#[tokio::test]
async fn the_client_runs_over_an_injected_transport() {
    let (sandbox, client, sent) = counted().await;
    // A typed call, decoded into generated types.
    let operators = client.v2().get_operators().send().await.unwrap();
    assert!(!operators.data.unwrap().is_empty());
    // A whole paged walk: every record of the sandbox's chat messages, page by page.
    let messages: Vec<_> = client
        .v1()
        .get_all_chat_messages()
        .page_size(100)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(messages.len(), 450, "150 chats × 3 messages");
    let pages = sent.load(Ordering::SeqCst) - 1;
    assert_eq!(pages, 5, "450 records in pages of 100");
    // Signed like any other request: the sandbox checked every token.
    let requests = sandbox.requests();
    assert!(requests.iter().all(|r| r.authenticated));
    assert_eq!(
        requests[0].user_agent.as_deref(),
        Some(bold360_sdk::USER_AGENT)
    );
    // Retries, the limiter and timeouts are the pipeline's, whatever the transport.
    let retrying = sandbox
        .client_builder()
        .endpoint(Endpoint::custom("http://sandbox.invalid").unwrap())
        .http_transport(sandbox.transport())
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    sandbox.inject_fault(None, Fault::refusal(), 1);
    retrying.v1().get_operators().send().await.unwrap();
    let stats = retrying.stats();
    assert_eq!((stats.refusals, stats.retries), (1, 1), "{stats:?}");
    sandbox.inject_fault(None, Fault::Latency(Duration::from_secs(2)), 4);
    let err = retrying
        .v1()
        .get_operators()
        .retry_policy(RetryPolicy::none())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    // Without the transport, the same endpoint cannot be reached at all.
    let direct = sandbox
        .client_builder()
        .endpoint(Endpoint::custom("http://sandbox.invalid").unwrap())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = direct.v1().get_operators().send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

/// A layer of the user's own: sets the User-Agent and counts what passes through.
struct Layer(Arc<AtomicUsize>);

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for Layer {
    async fn handle(
        &self,
        mut req: bold360_sdk::reqwest::Request,
        extensions: &mut axum::http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<bold360_sdk::reqwest::Response> {
        self.0.fetch_add(1, Ordering::SeqCst);
        req.headers_mut().insert(
            bold360_sdk::reqwest::header::USER_AGENT,
            "my-app-layer/1.0".parse().unwrap(),
        );
        next.run(req, extensions).await
    }
}

#[tokio::test]
async fn a_reqwest_middleware_client_carries_every_request() {
    let sandbox = Sandbox::builder().chats(150).start().await.unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let http = bold360_sdk::reqwest::Client::builder()
        .redirect(bold360_sdk::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let layered = reqwest_middleware::ClientBuilder::new(http)
        .with(Layer(Arc::clone(&seen)))
        .build();
    let client = sandbox
        .client_builder()
        .http_transport(layered)
        .build()
        .unwrap();
    sandbox.inject_fault(None, Fault::refusal(), 1);
    let operators = client.v1().get_operators().send().await.unwrap();
    assert!(!operators.data.unwrap().is_empty());
    assert_eq!(seen.load(Ordering::SeqCst), 2, "the refusal and its retry");
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests
        .iter()
        .all(|r| r.authenticated && r.user_agent.as_deref() == Some("my-app-layer/1.0")));
    // A connection failure through the middleware is a transport error like any other.
    let closed = bold360_sdk::Client::builder()
        .credentials(sandbox.credentials().clone())
        .endpoint(Endpoint::custom("http://127.0.0.1:9").unwrap())
        .retry_policy(RetryPolicy::none())
        .http_transport(reqwest_middleware::ClientBuilder::new(Default::default()).build())
        .build()
        .unwrap();
    let err = closed.v1().get_operators().send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(!err.to_string().contains("auth="), "{err}");
}

/// Answers every request with `body`, in chunks of `chunk` bytes, announcing its length or
/// not; or fails every request with `error`'s kind.
struct Scripted {
    body: &'static str,
    chunk: usize,
    announce: bool,
    error: Option<bold360_sdk::transport::TransportErrorKind>,
    sent: Arc<AtomicUsize>,
}

impl HttpTransport for Scripted {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            if let Some(kind) = self.error {
                return Err(TransportError::new(kind, "scripted failure"));
            }
            let chunks: Vec<Result<bold360_sdk::transport::Bytes, TransportError>> = self
                .body
                .as_bytes()
                .chunks(self.chunk)
                .map(|c| Ok(bold360_sdk::transport::Bytes::copy_from_slice(c)))
                .collect();
            let mut response = HttpResponse::from_bytes(200, self.body);
            response.content_length = self.announce.then_some(self.body.len() as u64);
            response.body = Box::pin(futures_util::stream::iter(chunks));
            Ok(response)
        })
    }
}

const PAGE: &str = r#"{"Status":"success","Data":[{"LoginID":"1"},{"LoginID":"2"}]}"#;

fn scripted_client(transport: Scripted, max_body: u64) -> Client {
    Client::builder()
        .credentials(bold360_sdk::Credentials::new("1", "2", "k").unwrap())
        .endpoint(Endpoint::custom("http://scripted.invalid").unwrap())
        .max_body_size(max_body)
        .retry_policy(RetryPolicy::none())
        .http_transport(transport)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_body_cap_is_exact_whether_the_length_is_announced_or_not() {
    let len = PAGE.len() as u64;
    for announce in [true, false] {
        let at_cap = |max| {
            let transport = Scripted {
                body: PAGE,
                chunk: 7,
                announce,
                error: None,
                sent: Arc::default(),
            };
            scripted_client(transport, max)
        };
        let page = at_cap(len).call_raw("getOperators", Params::new()).await;
        assert_eq!(
            page.unwrap().record_count(),
            2,
            "a body of exactly the cap is read"
        );
        let err = at_cap(len - 1)
            .call_raw("getOperators", Params::new())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::ResponseTooLarge { limit, .. } if limit == len - 1),
            "announce={announce}: {err:?}"
        );
    }
}

#[tokio::test]
async fn a_request_the_transport_cannot_form_is_the_callers_error_and_not_retried() {
    use bold360_sdk::transport::TransportErrorKind;
    let sent = Arc::new(AtomicUsize::new(0));
    let transport = Scripted {
        body: PAGE,
        chunk: 64,
        announce: true,
        error: Some(TransportErrorKind::Request),
        sent: Arc::clone(&sent),
    };
    let client = Client::builder()
        .credentials(bold360_sdk::Credentials::new("1", "2", "k").unwrap())
        .endpoint(Endpoint::custom("http://scripted.invalid").unwrap())
        .http_transport(transport)
        .build()
        .unwrap();
    let err = client.v1().get_operators().send().await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { reason, .. } if reason.contains("scripted failure")),
        "{err:?}"
    );
    assert_eq!(sent.load(Ordering::SeqCst), 1, "not retried");
    assert_eq!(client.stats().released, 1, "its budget was given back");
}

#[tokio::test]
async fn a_read_is_attempted_exactly_as_often_as_the_policy_allows() {
    let sandbox = Sandbox::builder().chats(150).start().await.unwrap();
    let client = sandbox
        .client_builder()
        .endpoint(Endpoint::custom("http://sandbox.invalid").unwrap())
        .http_transport(sandbox.transport())
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    sandbox.inject_fault(None, Fault::http(502, "<html>bad gateway</html>"), 5);
    let err = client.v1().get_operators().send().await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 502, .. }), "{err:?}");
    assert_eq!(sandbox.requests().len(), 3, "three attempts, no more");
    assert_eq!(client.stats().retries, 2);
}

//! The HTTP side of the sandbox: routing, authentication, JSONP, faults, recording.

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

use super::data::Store;
use super::faults::{Fault, Faults};
use super::limits::{Gate, SandboxLimits};
use super::{methods, order, Counters, Log, RecordedRequest};
use crate::auth::credentials::Credentials;
use crate::auth::signing::{self, TokenRejection, TOKEN_LIFETIME};
use crate::config::clock::Clock;

pub(crate) struct SandboxState {
    pub manifest: bold360_api_spec::Manifest,
    pub gate: Gate,
    pub latency: Duration,
    pub credentials: Credentials,
    pub clock: Arc<dyn Clock>,
    pub store: Mutex<Store>,
    pub faults: Mutex<Faults>,
    pub log: Log,
    pub stats: Counters,
}

impl SandboxState {
    pub(crate) fn new(
        credentials: Credentials,
        clock: Arc<dyn Clock>,
        limits: Option<SandboxLimits>,
        latency: Duration,
        chats: u32,
        chat_minutes: u32,
        data_start: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Self {
            manifest: bold360_api_spec::Manifest::embedded()
                .expect("the shipped manifest is valid"),
            gate: Gate::new(limits),
            latency,
            credentials,
            clock,
            store: Mutex::new(Store::seeded(chats, chat_minutes, data_start)),
            faults: Mutex::default(),
            log: Mutex::default(),
            stats: Counters::default(),
        }
    }
}

pub(crate) fn router(state: Arc<SandboxState>) -> Router {
    Router::new()
        .route(
            "/aid/{account}/data/rest/json/{version}/{method}",
            get(handle),
        )
        .fallback(|| async { plain(StatusCode::NOT_FOUND, "404 Not Found") })
        .with_state(state)
}

async fn handle(
    State(state): State<Arc<SandboxState>>,
    Path((account, version, method)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    // Field order differs from one response to the next.
    let rotation = state.stats.requests.fetch_add(1, Ordering::Relaxed) as usize;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let auth = pairs
        .iter()
        .find(|(n, _)| n == "auth")
        .map(|(_, v)| v.clone());
    let params: Vec<(String, String)> = pairs.into_iter().filter(|(n, _)| n != "auth").collect();
    let callback = params
        .iter()
        .find(|(n, _)| n == "callback")
        .map(|(_, v)| v.clone());

    let auth_result = authenticate(&state, &account, auth.as_deref());
    state
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(RecordedRequest {
            method: method.clone(),
            version: version.clone(),
            params: params.clone(),
            authenticated: auth_result.is_ok(),
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            received_at: std::time::Instant::now(),
        });

    if !state.gate.admit(&state.stats).await {
        return plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Too many simultaneous requests",
        );
    }
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let fault = state
        .faults
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take(&method);
    let mut slow = None;
    match fault {
        Some(Fault::Latency(delay)) => {
            state.stats.faults.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(delay).await;
        }
        Some(Fault::SlowBody(total)) => {
            state.stats.faults.fetch_add(1, Ordering::Relaxed);
            slow = Some(total);
        }
        Some(fault) => {
            state.stats.faults.fetch_add(1, Ordering::Relaxed);
            return fault_response(fault);
        }
        None => {}
    }

    let envelope = match auth_result {
        Err(message) => {
            state.stats.auth_failures.fetch_add(1, Ordering::Relaxed);
            error_envelope(&message)
        }
        Ok(()) => match version.as_str() {
            "v1" | "v2" => {
                let result = {
                    let mut store = state.store.lock().unwrap_or_else(|e| e.into_inner());
                    methods::dispatch(&mut store, &state.manifest, &method, &version, &params)
                };
                match result {
                    Ok(reply) => {
                        let records = match reply.get("Data") {
                            Some(Value::Array(items)) => items.len() as u64,
                            Some(Value::Object(_)) => 1,
                            _ => 0,
                        };
                        state
                            .stats
                            .records_served
                            .fetch_add(records, Ordering::Relaxed);
                        state.gate.served(records);
                        success_envelope(reply)
                    }
                    Err(message) => error_envelope(&message),
                }
            }
            other => error_envelope(&format!("Unknown API version {other}")),
        },
    };
    let (body, content_type) = match callback.filter(|c| is_js_identifier(c)) {
        Some(cb) => (
            format!("{cb}({});", order::to_string_rotated(&envelope, rotation)),
            "application/javascript",
        ),
        None => (
            order::to_string_rotated(&envelope, rotation),
            "application/json",
        ),
    };
    let body = match slow {
        Some(total) => trickle(body.into_bytes(), total),
        None => Body::from(body),
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error"))
}

fn authenticate(state: &SandboxState, account: &str, auth: Option<&str>) -> Result<(), String> {
    if account != state.credentials.account_id() {
        return Err(format!("Invalid account ID {account}"));
    }
    let Some(token) = auth else {
        return Err("Missing auth".to_owned());
    };
    signing::verify(
        token,
        &state.credentials,
        state.clock.now_millis(),
        TOKEN_LIFETIME,
    )
    .map_err(|rejection| match rejection {
        TokenRejection::Expired { .. } => "Authentication expired".to_owned(),
        TokenRejection::Malformed => "Invalid auth format".to_owned(),
        TokenRejection::WrongAccount => "Invalid auth: account ID does not match".to_owned(),
        TokenRejection::WrongApiSetting => "Invalid auth: unknown API setting".to_owned(),
        TokenRejection::BadSignature => "Invalid auth: hash does not match".to_owned(),
        TokenRejection::FromTheFuture => "Invalid auth: timestamp is in the future".to_owned(),
    })
}

fn success_envelope(reply: Map<String, Value>) -> Value {
    let mut envelope = Map::new();
    envelope.insert("Status".to_owned(), json!("success"));
    envelope.extend(reply);
    Value::Object(envelope)
}

fn error_envelope(message: &str) -> Value {
    json!({ "Status": "error", "Message": message })
}

fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::Http { status, body } => plain(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &body,
        ),
        Fault::Busy {
            status,
            retry_after,
        } => Response::builder()
            .status(StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE))
            .header(header::RETRY_AFTER, retry_after)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("busy, come back later"))
            .unwrap_or_default(),
        Fault::Body(body) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap_or_default(),
        // The body stream fails after its first chunk, so hyper aborts the connection.
        Fault::ResetConnection => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"{\"Status\":\"success\",\"Data\":[")),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "sandbox reset",
                )),
            ];
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap_or_default()
        }
        Fault::Latency(_) | Fault::SlowBody(_) => {
            plain(StatusCode::INTERNAL_SERVER_ERROR, "unreachable")
        }
    }
}

/// The body in eight pieces spread over `total`.
fn trickle(body: Vec<u8>, total: Duration) -> Body {
    let pieces = 8;
    let size = body.len().div_ceil(pieces).max(1);
    let chunks: Vec<Bytes> = body.chunks(size).map(Bytes::copy_from_slice).collect();
    let pause = total / pieces as u32;
    let stream = futures_util::stream::unfold(chunks.into_iter(), move |mut rest| async move {
        let chunk = rest.next()?;
        tokio::time::sleep(pause).await;
        Some((Ok::<_, Infallible>(chunk), rest))
    });
    Body::from_stream(stream)
}

fn plain(status: StatusCode, text: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(text.to_owned()))
        .unwrap_or_default()
}

fn is_js_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'))
}

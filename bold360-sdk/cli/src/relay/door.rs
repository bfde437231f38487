//! The relay's door: Bold360's trigger requests come in at `<public-url>/<name>`, are
//! verified against exactly that URL (the SDK's verifier: every accepted signature form, and
//! Basic credentials when configured), committed to the inbox, and only then acknowledged.
//! A forged, unsigned or malformed trigger is answered 401/400 and never stored.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bold360_sdk::chrono::Utc;
use bold360_sdk::trigger::{TriggerError, TriggerFields, TriggerVerifier};
use serde_json::json;

use super::event::Event;
use super::inbox::Inbox;

/// The largest trigger body read (a long transcript fits; more is refused with 413).
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// What the door needs.
pub struct Door {
    pub verifier: TriggerVerifier,
    /// The base URL configured in Bold360's trigger setup, without a trailing `/`.
    pub public_url: String,
    /// The trigger names served (the path after the public URL).
    pub routes: BTreeSet<String>,
    pub inbox: Inbox,
    /// Woken when an event is stored, so a worker delivers it at once.
    pub wake: Arc<tokio::sync::Notify>,
}

fn refuse(status: StatusCode, why: impl Into<String>) -> Response {
    (status, Json(json!({ "error": why.into() }))).into_response()
}

fn refuse_trigger(error: &TriggerError) -> Response {
    if matches!(error, TriggerError::Unauthorized(_)) {
        let mut response = refuse(StatusCode::UNAUTHORIZED, error.to_string());
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"bold360-relay\""),
        );
        return response;
    }
    let status = if error.is_unauthorized() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    refuse(status, error.to_string())
}

async fn receive(
    State(door): State<Arc<Door>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !door.routes.contains(&name) {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("no trigger is configured at /{name}"),
        );
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if let Err(e) = door.verifier.verify_basic(authorization) {
        return refuse_trigger(&e);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if let Some(kind) = content_type {
        let kind = kind.to_ascii_lowercase();
        if !kind.contains("json") && !kind.starts_with("application/x-www-form-urlencoded") {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "a trigger body is application/x-www-form-urlencoded or JSON",
            );
        }
    }
    let fields = match TriggerFields::from_body_strict(content_type, &body) {
        Ok(fields) => fields,
        Err(e) => return refuse_trigger(&e),
    };
    let url = format!("{}/{name}", door.public_url);
    let signed = match door.verifier.verify(&url, &fields) {
        Ok(signed) => signed,
        Err(e) => {
            tracing::info!(trigger = %name, error = %e, "trigger refused");
            return refuse_trigger(&e);
        }
    };
    let event = match Event::from_trigger(&name, &signed, Utc::now()) {
        Ok(event) => event,
        Err(why) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("trigger body is malformed: {why}"),
            )
        }
    };
    match door.inbox.insert(&event).await {
        Ok(new) => {
            if new {
                door.wake.notify_one();
            }
            tracing::info!(event = %event.id, trigger = %name, duplicate = !new, "trigger stored");
            (
                StatusCode::OK,
                Json(json!({ "id": event.id, "duplicate": !new })),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(trigger = %name, error = %e, "the inbox refused the event");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the inbox is unavailable; nothing was stored",
            )
        }
    }
}

async fn health(State(door): State<Arc<Door>>) -> Response {
    match door.inbox.status().await {
        Ok(status) => Json(json!({
            "status": "ok",
            "queued": status.queued,
            "in_flight": status.in_flight,
            "dead": status.dead,
        }))
        .into_response(),
        Err(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, "the inbox is unavailable"),
    }
}

async fn body_too_large(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a trigger body is at most {MAX_BODY} bytes"),
        );
    }
    next.run(request).await
}

/// The door's routes: `POST /{name}` and `GET /healthz`.
pub fn router(door: Arc<Door>) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/{name}", post(receive))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(body_too_large))
        .with_state(door)
}

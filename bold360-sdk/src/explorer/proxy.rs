//! The proxy: `/explorer/api/{v1|v2}/{method}?Param=…` with the page's token, sent through the
//! client (signing, limiter, retries, paging guards, redaction) and answered with the API's
//! envelope. Only methods of the manifest are forwarded; the URL is never the caller's.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use subtle::ConstantTimeEq;

use super::context::{State, TOKEN_HEADER};
use crate::config::endpoint::ApiVersion;
use crate::error::Error;
use crate::params::Params;

fn refuse(status: StatusCode, message: String) -> Response {
    (
        status,
        Json(json!({ "Status": "error", "Message": message })),
    )
        .into_response()
}

pub(crate) async fn call(
    Extract(state): Extract<Arc<State>>,
    Path((version, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get(TOKEN_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !bool::from(token.ct_eq(state.token.as_bytes())) {
        return refuse(
            StatusCode::FORBIDDEN,
            format!("{method}: refused: calls need the token of the explorer's page ({TOKEN_HEADER}); reload the page"),
        );
    }
    let version = match version.parse::<ApiVersion>() {
        Ok(version) => version,
        Err(reason) => return refuse(StatusCode::NOT_FOUND, format!("{method}: {reason}")),
    };
    let Some(spec) = crate::methods::lookup(&method) else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("{method}: not a documented method; the explorer forwards only the manifest's methods"),
        );
    };
    let mut params = Params::new();
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        // The proxy signs; a token in the query is not the caller's to give.
        if name == "auth" {
            continue;
        }
        // One value per name, as the SDK sends it: which of two a caller meant is a guess.
        if params.contains(&name) {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("{method}: invalid request (parameter {name:?}): given more than once"),
            );
        }
        params.set(name.as_ref(), value.as_ref());
    }
    let result = state
        .client
        .with_version(version)
        .call_raw(spec.name(), params)
        .await;
    match result {
        Ok(envelope) => Json(envelope).into_response(),
        Err(e) => {
            let status = match &e {
                Error::Api { .. } => StatusCode::OK,
                Error::InvalidRequest { .. } => StatusCode::BAD_REQUEST,
                Error::TooManyRequests { .. } | Error::RateLimiter { .. } => {
                    StatusCode::TOO_MANY_REQUESTS
                }
                _ => StatusCode::BAD_GATEWAY,
            };
            tracing::info!(target: "bold360_sdk::explorer", method = spec.name(), error = %e, "explorer call failed");
            refuse(status, e.to_string())
        }
    }
}

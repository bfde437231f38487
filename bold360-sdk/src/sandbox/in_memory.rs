//! The sandbox served without a socket: an [`HttpTransport`] that hands each request straight
//! to the sandbox's router, in process. The client's pipeline runs unchanged (validation,
//! signing, limiter, timeout, body cap, decoding, retries); only the exchange skips TCP.

use std::sync::Arc;

use axum::body::Body;
use futures_util::future::BoxFuture;
use futures_util::StreamExt;
use tower::ServiceExt;

use super::server::{self, SandboxState};
use crate::transport::{
    HttpRequest, HttpResponse, HttpTransport, TransportError, TransportErrorKind,
};

/// An in-process transport to one sandbox: see
/// [`Sandbox::transport`](super::Sandbox::transport).
#[derive(Clone)]
pub struct InMemoryTransport {
    router: axum::Router,
}

impl InMemoryTransport {
    pub(super) fn new(state: Arc<SandboxState>) -> Self {
        Self {
            router: server::router(state),
        }
    }
}

impl std::fmt::Debug for InMemoryTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryTransport").finish_non_exhaustive()
    }
}

impl HttpTransport for InMemoryTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let router = self.router.clone();
        Box::pin(async move {
            let url = request.into_url();
            // The router sees what a server would: the path and query, and our User-Agent.
            let target = match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            };
            let http_request = axum::http::Request::get(target)
                .header(axum::http::header::USER_AGENT, crate::transport::USER_AGENT)
                .body(Body::empty())
                .map_err(|e| TransportError::new(TransportErrorKind::Request, e))?;
            let response = match router.oneshot(http_request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let (parts, body) = response.into_parts();
            let body = body
                .into_data_stream()
                .map(|chunk| chunk.map_err(|e| TransportError::new(TransportErrorKind::Other, e)));
            Ok(HttpResponse {
                status: parts.status.as_u16(),
                content_length: parts
                    .headers
                    .get(axum::http::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok()),
                headers: parts.headers,
                body: Box::pin(body),
            })
        })
    }
}

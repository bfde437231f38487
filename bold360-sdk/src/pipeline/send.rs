//! Stage 5, send: one exchange over the client's [`HttpTransport`], bounded in time (the
//! attempt's timeout covers the head and the whole body, whatever the transport) and in size
//! (the body cap is checked while it streams in, so memory stays bounded).

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::error::Error;
use crate::redact;
use crate::transport::{HttpRequest, HttpTransport, TransportError, TransportErrorKind};

/// A response read in full.
#[derive(Debug)]
pub(crate) struct Received {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
    /// From sending to the response head.
    pub round_trip: Duration,
}

/// A failed exchange, and whether the server can have seen the request.
#[derive(Debug)]
pub(crate) struct SendFailure {
    pub error: Error,
    pub reached_server: bool,
}

/// Sends `request` and reads its body, failing past `max_body` bytes or `timeout`.
pub(crate) async fn send(
    transport: &dyn HttpTransport,
    method: &str,
    request: HttpRequest,
    max_body: u64,
    secrets: &[&str],
) -> Result<Received, SendFailure> {
    let timeout = request.timeout();
    let sent_at = Instant::now();
    let exchange = async {
        let response = transport
            .send(request)
            .await
            .map_err(|e| failure(method, e, timeout, secrets))?;
        let round_trip = sent_at.elapsed();
        let too_large = || SendFailure {
            error: Error::ResponseTooLarge {
                method: method.to_owned(),
                limit: max_body,
            },
            reached_server: true,
        };
        if response.content_length.is_some_and(|n| n > max_body) {
            return Err(too_large());
        }
        let capacity = response
            .content_length
            .map_or(8 * 1024, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let mut body = Vec::with_capacity(capacity);
        let mut chunks = response.body;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| failure(method, e, timeout, secrets))?;
            if body.len() as u64 + chunk.len() as u64 > max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Received {
            status: response.status,
            headers: response.headers,
            body,
            round_trip,
        })
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(SendFailure {
            error: Error::Timeout {
                method: method.to_owned(),
                timeout,
            },
            reached_server: true,
        }),
    }
}

/// A transport's error as ours, with secrets scrubbed from its message.
fn failure(method: &str, err: TransportError, timeout: Duration, secrets: &[&str]) -> SendFailure {
    let kind = err.kind();
    let error = match kind {
        // Nothing was sent: a request that cannot be built is the caller's to fix.
        TransportErrorKind::Request => Error::invalid_request(
            method,
            None,
            format!(
                "the HTTP request could not be built: {}",
                redact::scrub(&err.message(), secrets)
            ),
        ),
        TransportErrorKind::Timeout => Error::Timeout {
            method: method.to_owned(),
            timeout,
        },
        _ => Error::Transport {
            method: method.to_owned(),
            message: redact::scrub(&err.message(), secrets),
            source: Some(err.into_source()),
        },
    };
    SendFailure {
        error,
        reached_server: !matches!(
            kind,
            TransportErrorKind::Connect | TransportErrorKind::Request
        ),
    }
}

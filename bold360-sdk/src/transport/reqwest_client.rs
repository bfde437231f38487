//! [`HttpTransport`] over a `reqwest::Client`: the default transport.

use futures_util::future::BoxFuture;

use super::{HttpRequest, HttpResponse, HttpTransport, TransportError, TransportErrorKind};

impl HttpTransport for reqwest::Client {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let timeout = request.timeout();
        let pending = self.get(request.into_url()).timeout(timeout).send();
        Box::pin(async move {
            pending
                .await
                .map(from_reqwest)
                .map_err(TransportError::from)
        })
    }
}

/// A `reqwest` response as the pipeline reads it.
pub(super) fn from_reqwest(mut response: reqwest::Response) -> HttpResponse {
    let content_length = response.content_length();
    HttpResponse {
        status: response.status().as_u16(),
        // Taken, not copied: the body is read through `chunk`, which needs no headers.
        headers: std::mem::take(response.headers_mut()),
        content_length,
        body: Box::pin(futures_util::stream::unfold(
            Some(response),
            |response| async move {
                let mut response = response?;
                match response.chunk().await {
                    Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                    Ok(None) => None,
                    Err(err) => Some((Err(TransportError::from(err)), None)),
                }
            },
        )),
    }
}

impl From<reqwest::Error> for TransportError {
    /// Classifies the error and drops its URL (it carries the token).
    fn from(err: reqwest::Error) -> Self {
        let kind = if err.is_builder() {
            TransportErrorKind::Request
        } else if err.is_timeout() {
            TransportErrorKind::Timeout
        } else if err.is_connect() {
            TransportErrorKind::Connect
        } else {
            TransportErrorKind::Other
        };
        TransportError::new(kind, err.without_url())
    }
}

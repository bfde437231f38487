//! The seam between the request pipeline and the network: [`HttpTransport`] sends one signed
//! GET and hands back the status, headers and body as a stream.
//!
//! The client uses a pooled `reqwest` client by default ([`TransportConfig`] builds it);
//! [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) takes your own,
//! [`ClientBuilder::http_transport`](crate::ClientBuilder::http_transport) any implementation
//! of the trait (with the `reqwest-middleware` feature, a `ClientWithMiddleware` is one), and
//! the sandbox serves one in memory ([`Sandbox::transport`](crate::sandbox::Sandbox::transport)).
//!
//! Whatever the transport, the SDK applies the per-attempt timeout around the whole exchange,
//! caps the body at [`TransportConfig::max_body_size`] while it streams in, and scrubs secrets
//! from every error message.

mod config;
#[cfg(feature = "reqwest-middleware")]
mod middleware;
mod reqwest_client;

use std::fmt;
use std::pin::Pin;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::Stream;

/// The chunk type of a [`BodyStream`], for transports of your own.
pub use bytes::Bytes;
pub use config::{TransportConfig, DEFAULT_MAX_BODY_SIZE, USER_AGENT};

use crate::error::BoxError;

/// Sends one request of the pipeline. Implement it to run the client over something other
/// than a socket (an in-process server, a recorder) or through your own HTTP stack.
///
/// ```
/// use bold360_sdk::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};
/// use futures_util::future::BoxFuture;
///
/// /// Answers every call with an empty success, without any network.
/// struct Canned;
///
/// impl HttpTransport for Canned {
///     fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
///         Box::pin(async { Ok(HttpResponse::from_bytes(200, r#"{"Status":"success","Data":[]}"#)) })
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = bold360_sdk::Client::builder()
///     .credentials(bold360_sdk::Credentials::new("1", "2", "k").unwrap())
///     .http_transport(Canned)
///     .build()
///     .unwrap();
/// let page = client.call_raw("getOperators", bold360_sdk::Params::new()).await.unwrap();
/// assert_eq!(page.record_count(), 0);
/// # }
/// ```
pub trait HttpTransport: Send + Sync + 'static {
    /// Sends `request` (a GET) and returns the response once its head has arrived; the body
    /// may still be streaming.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// One signed GET request.
///
/// Its URL carries the `auth` token, a live credential for five minutes: `Debug` shows only
/// the path, and the transport must not log or return the URL.
pub struct HttpRequest {
    url: reqwest::Url,
    timeout: Duration,
}

impl HttpRequest {
    /// A request for `url` limited to `timeout`: what the pipeline hands a transport, and
    /// what a test of your own transport can build.
    ///
    /// ```
    /// use std::time::Duration;
    /// use bold360_sdk::transport::HttpRequest;
    /// let url = "http://127.0.0.1:9/aid/1/data/rest/json/v1/getChat?auth=secret&ChatID=5";
    /// let request = HttpRequest::new(url.parse().unwrap(), Duration::from_secs(5));
    /// // Debug never shows the query, where the token travels.
    /// assert!(!format!("{request:?}").contains("secret"));
    /// ```
    pub fn new(url: reqwest::Url, timeout: Duration) -> Self {
        Self { url, timeout }
    }

    /// The full URL, token included: send it, never print it.
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// The limit on this attempt (the SDK enforces it around the transport too).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The URL, consumed.
    pub fn into_url(self) -> reqwest::Url {
        self.url
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("path", &self.url.path())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A response body arriving in chunks.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, TransportError>> + Send>>;

/// What came back: status, headers and the body as a stream.
///
/// ```
/// use bold360_sdk::transport::HttpResponse;
/// let canned = HttpResponse::from_bytes(200, r#"{"Status":"success"}"#);
/// assert_eq!((canned.status, canned.content_length), (200, Some(20)));
/// ```
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers (`Retry-After` is read from them).
    pub headers: reqwest::header::HeaderMap,
    /// The body length the server announced, if it did; a length over the body cap fails
    /// before anything is read.
    pub content_length: Option<u64>,
    /// The body.
    pub body: BodyStream,
}

impl HttpResponse {
    /// A response with this status and a body already in memory, no headers.
    pub fn from_bytes(status: u16, body: impl Into<Bytes>) -> Self {
        let body: Bytes = body.into();
        Self {
            status,
            headers: reqwest::header::HeaderMap::new(),
            content_length: Some(body.len() as u64),
            body: Box::pin(futures_util::stream::once(async move { Ok(body) })),
        }
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

/// Why a transport could not complete an exchange.
///
/// Its message must not hold the request URL (it carries the token); the SDK scrubs known
/// secrets from it anyway before it reaches an [`Error`](crate::Error).
///
/// ```
/// use bold360_sdk::transport::{TransportError, TransportErrorKind};
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// let err = TransportError::new(TransportErrorKind::Connect, refused);
/// // Never connected: the limiter gives the budget back, a read is retried.
/// assert_eq!(err.kind(), TransportErrorKind::Connect);
/// ```
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: BoxError,
}

/// What kind of failure a [`TransportError`] is: it decides what the limiter and the retry
/// policy do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection was made: the server never saw the request (its budget is given back).
    Connect,
    /// The exchange ran out of time.
    Timeout,
    /// The request could not be formed (the caller's to fix; never retried).
    Request,
    /// Anything else: the connection broke, the body could not be read.
    Other,
}

impl TransportError {
    /// A failure of `kind` caused by `source`.
    pub fn new(kind: TransportErrorKind, source: impl Into<BoxError>) -> Self {
        Self {
            kind,
            source: source.into(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The message, with every cause in the chain that adds something.
    pub(crate) fn message(&self) -> String {
        let mut message = self.source.to_string();
        let mut cause = self.source.source();
        while let Some(c) = cause {
            let text = c.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            cause = c.source();
        }
        message
    }

    pub(crate) fn into_source(self) -> BoxError {
        self.source
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

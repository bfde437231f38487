//! The default transport's settings: one pooled `reqwest` client (rustls) per SDK client.
//!
//! Redirects are off (the API has none, and following one would carry the token elsewhere).
//! `reqwest`'s own retry layer is left at its default, which only resends requests the server
//! explicitly refused at the protocol level before processing them (HTTP/2 NACKs); all other
//! retrying is the SDK's [`RetryPolicy`](crate::RetryPolicy).

use std::time::Duration;

use crate::error::Error;

/// The `User-Agent` sent with every request: this crate's name and version.
pub const USER_AGENT: &str = concat!("bold360-sdk/", env!("CARGO_PKG_VERSION"), " (rust)");

/// Timeouts and pool settings of the HTTP transport.
///
/// ```
/// use std::time::Duration;
/// use bold360_sdk::TransportConfig;
/// let config = TransportConfig::default().connect_timeout(Duration::from_secs(3));
/// assert_eq!(config.get_connect_timeout(), Duration::from_secs(3));
/// ```
#[derive(Debug, Clone)]
pub struct TransportConfig {
    connect_timeout: Duration,
    request_timeout: Duration,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    max_body_size: u64,
}

/// Default of [`TransportConfig::max_body_size`]: 64 MiB, far above the largest page a
/// documented method returns (1,000 records), so only a misbehaving server reaches it.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 64 * 1024 * 1024;

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            pool_idle_timeout: Duration::from_secs(60),
            pool_max_idle_per_host: 16,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        }
    }
}

impl TransportConfig {
    /// Limit on establishing a connection (TCP and TLS). Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Limit on a whole request, from sending to the last byte of the body. Default 60 s.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long an idle pooled connection is kept. Default 60 s.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections are kept per host. Default 16.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// The largest response body read, in bytes; a larger one is
    /// [`Error::ResponseTooLarge`], found while the body streams in (memory stays bounded).
    /// Default [`DEFAULT_MAX_BODY_SIZE`].
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// The body size limit.
    pub fn get_max_body_size(&self) -> u64 {
        self.max_body_size
    }

    /// The connect timeout.
    pub fn get_connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The request timeout.
    pub fn get_request_timeout(&self) -> Duration {
        self.request_timeout
    }

    pub(crate) fn build(&self) -> Result<reqwest::Client, Error> {
        reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            // The API never redirects; following one would hand the token to another URL.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::config(
                    "transport",
                    format!("could not be built: {}", e.without_url()),
                )
            })
    }
}

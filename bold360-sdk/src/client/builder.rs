//! The client's configuration, from code or from the environment.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::{Client, DEFAULT_MAX_PAGES};
use crate::auth::credentials::Credentials;
use crate::config::clock::{Clock, SystemClock};
use crate::config::endpoint::{ApiVersion, Endpoint, Region};
use crate::config::env;
use crate::error::Error;
use crate::limiter::{LimiterConfig, RateLimiter};
use crate::pipeline::retry::{RetryBudget, RetryPolicy};
use crate::pipeline::Pipeline;
use crate::transport::{HttpTransport, TransportConfig};

/// Configures a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use bold360_sdk::{ApiVersion, Client, Credentials, Endpoint, ManualClock};
/// let client = Client::builder()
///     .credentials(Credentials::new("1", "2", "key").unwrap())
///     .endpoint(Endpoint::custom("http://127.0.0.1:8080").unwrap())
///     .api_version(ApiVersion::V2)
///     .request_timeout(Duration::from_secs(5))
///     .clock(ManualClock::new(1_700_000_000_000))
///     .build()
///     .unwrap();
/// assert_eq!(client.endpoint().as_str(), "http://127.0.0.1:8080");
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    credentials: Option<Credentials>,
    endpoint: Option<Endpoint>,
    region: Region,
    version: ApiVersion,
    transport: TransportConfig,
    clock: Option<Arc<dyn Clock>>,
    retry: RetryPolicy,
    limiter: Option<RateLimiter>,
    http: Option<Arc<dyn HttpTransport>>,
    limits: Option<LimiterConfig>,
    shared_limiter: Option<SecretString>,
    fallback_share: Option<f64>,
    max_pages: Option<u64>,
}

impl ClientBuilder {
    /// A builder filled from the environment: `BOLD360_ACCOUNT_ID`, `BOLD360_API_SETTING_ID`
    /// and `BOLD360_API_KEY` (required), `BOLD360_REGION` (`us` | `emea`, default `us`),
    /// `BOLD360_ENDPOINT` (a base URL that overrides the region) and `BOLD360_API_VERSION`
    /// (`v1` | `v2`, default `v1`).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(env::process_lookup)
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// ```
    /// use bold360_sdk::{ApiVersion, ClientBuilder};
    /// let vars = [
    ///     ("BOLD360_ACCOUNT_ID", "1"), ("BOLD360_API_SETTING_ID", "2"), ("BOLD360_API_KEY", "k"),
    ///     ("BOLD360_API_VERSION", "v3"),
    /// ];
    /// let lookup = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
    /// let err = ClientBuilder::from_lookup(lookup).unwrap_err();
    /// assert!(err.to_string().contains("BOLD360_API_VERSION"));
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let credentials = Credentials::from_lookup(&lookup)?;
        let mut builder = Self::default().credentials(credentials);
        if let Some(region) = lookup(env::REGION).filter(|v| !v.trim().is_empty()) {
            builder.region = region
                .parse()
                .map_err(|reason: String| Error::config(env::REGION, reason))?;
        }
        if let Some(endpoint) = lookup(env::ENDPOINT).filter(|v| !v.trim().is_empty()) {
            builder.endpoint = Some(Endpoint::parse(env::ENDPOINT, &endpoint)?);
        }
        if let Some(version) = lookup(env::API_VERSION).filter(|v| !v.trim().is_empty()) {
            builder.version = version
                .parse()
                .map_err(|reason: String| Error::config(env::API_VERSION, reason))?;
        }
        if let Some(url) = lookup(env::LIMITER_URL).filter(|v| !v.trim().is_empty()) {
            builder = builder.shared_limiter(url.trim());
        }
        if let Some(share) = lookup(env::LIMITER_FALLBACK).filter(|v| !v.trim().is_empty()) {
            let share = share
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| *s > 0.0 && *s <= 1.0)
                .ok_or_else(|| {
                    Error::config(
                        env::LIMITER_FALLBACK,
                        "must be a share of the budget above 0 and at most 1, e.g. 0.25",
                    )
                })?;
            builder.fallback_share = Some(share);
        }
        Ok(builder)
    }

    /// The caller's credentials. Required.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// A region's endpoint. Ignored when [`endpoint`](Self::endpoint) is set.
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// A custom base URL (proxy, sandbox, tests). Overrides the region.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// The API version. Default v1.
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.version = version;
        self
    }

    /// Transport settings.
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// Limit on establishing a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport = self.transport.connect_timeout(timeout);
        self
    }

    /// Limit on a whole request.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.transport = self.transport.request_timeout(timeout);
        self
    }

    /// The largest response body read (see [`TransportConfig::max_body_size`]).
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.transport = self.transport.max_body_size(bytes);
        self
    }

    /// The clock used to sign requests.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// When failed calls are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Send requests through your own `reqwest::Client` (a proxy, extra root certificates,
    /// your own connection pool). The SDK still applies its request timeout to every request
    /// and its body size cap; [`connect_timeout`](Self::connect_timeout) and the pool settings
    /// are then your client's. Build it with `redirect(Policy::none())`: the API never
    /// redirects, and a followed redirect would carry the `auth` token to another URL.
    ///
    /// ```
    /// use bold360_sdk::{reqwest, Client, Credentials};
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .user_agent("my-app/1.0")
    ///     .build()
    ///     .unwrap();
    /// let client = Client::builder()
    ///     .credentials(Credentials::new("1", "2", "k").unwrap())
    ///     .http_client(http)
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(Arc::new(client));
        self
    }

    /// Send requests through any [`HttpTransport`]: an in-process server (the sandbox's
    /// [`transport`](crate::sandbox::Sandbox::transport)), a recorder, or, with the
    /// `reqwest-middleware` feature, a `reqwest_middleware::ClientWithMiddleware` carrying
    /// your own tracing or auth layers. Every stage of the pipeline but the exchange itself
    /// stays the SDK's: validation, signing, the rate limiter, the per-attempt timeout, the
    /// body cap, decoding and retries. Replaces [`http_client`](Self::http_client).
    ///
    /// ```
    /// # #[cfg(feature = "reqwest-middleware")]
    /// # {
    /// use bold360_sdk::{reqwest, Client, Credentials};
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()
    ///     .unwrap();
    /// let with_layers = reqwest_middleware::ClientBuilder::new(http).build();
    /// let client = Client::builder()
    ///     .credentials(Credentials::new("1", "2", "k").unwrap())
    ///     .http_transport(with_layers)
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// # }
    /// ```
    pub fn http_transport(mut self, transport: impl HttpTransport) -> Self {
        self.http = Some(Arc::new(transport));
        self
    }

    /// Share this rate limiter (for several clients of one account).
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// A new rate limiter with these limits (shared through Redis when
    /// [`shared_limiter`](Self::shared_limiter) is set). Default: the documented 100 requests
    /// and 2,000 records per second, see [`LimiterConfig`].
    pub fn limits(mut self, config: LimiterConfig) -> Self {
        self.limits = Some(config);
        self.limiter = None;
        self
    }

    /// Share the account's budget with every process and host that uses the Redis at `url`
    /// (e.g. `redis://127.0.0.1:6379/0`); see [`RateLimiter::shared`]. Needs the `redis`
    /// feature (building without it fails with [`Error::Config`]). `BOLD360_LIMITER_URL` sets
    /// it from the environment, `BOLD360_LIMITER_FALLBACK` the fallback share.
    ///
    /// ```
    /// use bold360_sdk::{Client, Credentials};
    /// let client = Client::builder()
    ///     .credentials(Credentials::new("100001", "2", "k").unwrap())
    ///     .shared_limiter("redis://127.0.0.1:6379/0")
    ///     .build();
    /// # #[cfg(feature = "redis")]
    /// assert!(client.is_ok(), "connects on first use");
    /// ```
    pub fn shared_limiter(mut self, url: impl Into<String>) -> Self {
        self.shared_limiter = Some(SecretString::from(url.into()));
        self.limiter = None;
        self
    }

    /// A second guard for paging, after cycle detection: a walk over more than `pages` pages
    /// stops with [`Error::Paging`]. Default [`DEFAULT_MAX_PAGES`].
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// Builds the client. Fails when credentials are missing or the transport cannot be set up.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self
            .credentials
            .ok_or_else(|| Error::config("credentials", "are required"))?;
        let limiter = match self.limiter {
            Some(limiter) => limiter,
            None => {
                let mut config = self.limits.unwrap_or_default();
                if let Some(share) = self.fallback_share {
                    config = config.fallback_share(share);
                }
                match &self.shared_limiter {
                    Some(url) => shared_limiter(url, credentials.account_id(), config)?,
                    None => RateLimiter::new(config),
                }
            }
        };
        Ok(Client {
            pipeline: Arc::new(Pipeline {
                transport: match self.http {
                    Some(transport) => transport,
                    None => Arc::new(self.transport.build()?),
                },
                credentials,
                endpoint: self
                    .endpoint
                    .unwrap_or_else(|| Endpoint::region(self.region)),
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                retry: self.retry,
                retry_budget: RetryBudget::new(),
                limiter,
                request_timeout: self.transport.get_request_timeout(),
                max_body_size: self.transport.get_max_body_size(),
                max_pages: self.max_pages.unwrap_or(DEFAULT_MAX_PAGES),
            }),
            version: self.version,
        })
    }
}

#[cfg(feature = "redis")]
fn shared_limiter(
    url: &SecretString,
    account_id: &str,
    config: LimiterConfig,
) -> Result<RateLimiter, Error> {
    RateLimiter::shared(
        secrecy::ExposeSecret::expose_secret(url),
        account_id,
        config,
    )
}

#[cfg(not(feature = "redis"))]
fn shared_limiter(
    _url: &SecretString,
    _account_id: &str,
    _config: LimiterConfig,
) -> Result<RateLimiter, Error> {
    Err(Error::config(
        env::LIMITER_URL,
        "is set, but bold360-sdk was built without its `redis` feature",
    ))
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("version", &self.version)
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .field("limiter", &self.limiter.is_some())
            .field("http_client", &self.http.is_some())
            .field("shared_limiter", &self.shared_limiter.is_some())
            .finish_non_exhaustive()
    }
}

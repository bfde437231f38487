//! The client and its configuration. The path each call takes is the
//! [`pipeline`](crate::pipeline)'s.

pub(crate) mod api;
mod builder;
mod call_info;
pub(crate) mod reports;

pub use builder::ClientBuilder;
pub use call_info::CallInfo;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::auth::credentials::Credentials;
use crate::config::clock::Clock;
use crate::config::endpoint::{ApiVersion, Endpoint};
use crate::error::Error;
use crate::limiter::{LimiterStats, RateLimiter};
use crate::method::info::unknown_method_records;
use crate::method::kind::MethodKind;
use crate::params::Params;
use crate::pipeline::retry::{RetryBudget, RetryPolicy};
use crate::response::envelope::Envelope;
use crate::transport::HttpTransport;

/// A Bold360 API client.
///
/// Cheap to clone: clones share the connection pool and configuration.
/// [`with_version`](Self::with_version) gives a handle on the other API version that shares
/// them too.
///
/// ```no_run
/// # async fn demo() -> Result<(), bold360_sdk::Error> {
/// use bold360_sdk::{ApiVersion, Client, Credentials, Region};
/// let client = Client::builder()
///     .credentials(Credentials::new("100001", "2000001", "secret-key")?)
///     .region(Region::Emea)
///     .api_version(ApiVersion::V2)
///     .build()?;
/// let chats = client.call_raw("getInactiveChats", [("FolderID", "5")]).await?;
/// println!("{} chats", chats.record_count());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) state: Arc<ClientState>,
    pub(crate) version: ApiVersion,
}

/// What every clone of a client shares: the pipeline's configuration and state.
pub(crate) struct ClientState {
    pub(crate) transport: Arc<dyn HttpTransport>,
    pub(crate) credentials: Credentials,
    pub(crate) endpoint: Endpoint,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pub(crate) retry_budget: RetryBudget,
    pub(crate) limiter: RateLimiter,
    pub(crate) request_timeout: Duration,
    pub(crate) max_body_size: u64,
    pub(crate) max_pages: u64,
}

/// Default of [`ClientBuilder::max_pages`]: 100,000 pages (100 million records at the usual
/// 1,000 per page), far beyond any real result, so only a misbehaving server reaches it.
pub const DEFAULT_MAX_PAGES: u64 = 100_000;

impl Client {
    /// A builder with defaults: region US, API v1, system clock, default timeouts and retries.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the `BOLD360_*` environment variables.
    ///
    /// See [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The API version this handle calls.
    pub fn api_version(&self) -> ApiVersion {
        self.version
    }

    /// A handle on another API version sharing this one's pool and configuration.
    pub fn with_version(&self, version: ApiVersion) -> Self {
        Self {
            state: Arc::clone(&self.state),
            version,
        }
    }

    /// The base URL requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.state.endpoint
    }

    /// The rate limiter this client (and its clones) use.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.state.limiter
    }

    /// Counters of waits, retries and refusals, for monitoring.
    pub fn stats(&self) -> LimiterStats {
        self.state.limiter.stats()
    }

    /// How many pages one paged walk may fetch before it stops with [`Error::Paging`]
    /// (see [`ClientBuilder::max_pages`]).
    pub fn max_pages(&self) -> u64 {
        self.state.max_pages
    }

    /// The account this client calls for.
    pub fn account_id(&self) -> &str {
        self.state.credentials.account_id()
    }

    /// Calls any method by name: signed, encoded, decoded and retried like the typed methods,
    /// returning the envelope with `Data` as JSON. For methods the SDK does not describe yet.
    ///
    /// Its kind comes from its name ([`MethodKind::from_name`]): `get…` methods are reads
    /// (transient failures retried), anything else a write (only refusals retried). Use
    /// [`call_raw_as`](Self::call_raw_as) to say otherwise.
    ///
    /// ```no_run
    /// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
    /// use bold360_sdk::Params;
    /// let envelope = client
    ///     .call_raw("getCustomOperatorStatuses", Params::new().with("ServiceTypeID", 1))
    ///     .await?;
    /// for status in envelope.data.iter().flat_map(|d| d.as_array()).flatten() {
    ///     println!("{status}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn call_raw(
        &self,
        method: &str,
        params: impl Into<Params>,
    ) -> Result<Envelope<Value>, Error> {
        self.call_raw_as(method, MethodKind::from_name(method), params)
            .await
    }

    /// [`call_raw`](Self::call_raw) with the method's kind given.
    ///
    /// ```no_run
    /// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
    /// use bold360_sdk::{MethodKind, Params};
    /// // A write that happens to start with "get": never sent twice.
    /// client.call_raw_as("getAndResetCounter", MethodKind::Write, Params::new()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call_raw_as(
        &self,
        method: &str,
        kind: MethodKind,
        params: impl Into<Params>,
    ) -> Result<Envelope<Value>, Error> {
        let params = params.into();
        // A documented method reserves by its manifest entry (the one rule typed calls use);
        // the name is sent as given (an alias stays an alias).
        let call = match crate::methods::lookup(method) {
            Some(spec) => CallInfo {
                method,
                kind,
                ..CallInfo::for_method(spec, &params)
            },
            None => CallInfo::new(method, kind).expected_records(unknown_method_records(&params)),
        };
        self.execute(call, params).await
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.state.endpoint.as_str())
            .field("version", &self.version)
            .field("credentials", &self.state.credentials)
            .finish_non_exhaustive()
    }
}

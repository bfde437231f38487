//! The client and its configuration. The path each call takes is the
//! [`pipeline`](crate::pipeline)'s.

pub(crate) mod api;
mod builder;
pub(crate) mod reports;

pub use builder::ClientBuilder;

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::config::endpoint::{ApiVersion, Endpoint};
use crate::error::Error;
use crate::limiter::{LimiterStats, RateLimiter};
use crate::method::info::unknown_method_records;
use crate::method::kind::MethodKind;
use crate::params::Params;
use crate::pipeline::{CallInfo, Pipeline};
use crate::response::envelope::{Envelope, RecordCount};
use serde::de::DeserializeOwned;

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
    pub(crate) pipeline: Arc<Pipeline>,
    pub(crate) version: ApiVersion,
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
            pipeline: Arc::clone(&self.pipeline),
            version,
        }
    }

    /// The base URL requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.pipeline.endpoint
    }

    /// The rate limiter this client (and its clones) use.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.pipeline.limiter
    }

    /// Counters of waits, retries and refusals, for monitoring.
    pub fn stats(&self) -> LimiterStats {
        self.pipeline.limiter.stats()
    }

    /// How many pages one paged walk may fetch before it stops with [`Error::Paging`]
    /// (see [`ClientBuilder::max_pages`]).
    pub fn max_pages(&self) -> u64 {
        self.pipeline.max_pages
    }

    /// The account this client calls for.
    pub fn account_id(&self) -> &str {
        self.pipeline.credentials.account_id()
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

impl Client {
    /// The path every call takes (typed, raw and paged): validate, then for each attempt
    /// wait for the budget, sign, build the URL, send, decode `Data` as `D`, classify and
    /// settle, retrying as the method's kind allows. For calls by name that need control over the
    /// kind, the records reserved, the retry policy or the timeout.
    ///
    /// A documented method's rules are checked here whatever `call` says: `call.spec` when
    /// set, else the method table entry of `call.method`.
    ///
    /// ```no_run
    /// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
    /// use bold360_sdk::{CallInfo, MethodKind, Params};
    /// let call = CallInfo::new("getOperators", MethodKind::Read).expected_records(50);
    /// let page = client.execute::<serde_json::Value>(call, Params::new()).await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn execute<D>(&self, call: CallInfo<'_>, params: Params) -> Result<Envelope<D>, Error>
    where
        D: DeserializeOwned + RecordCount,
    {
        self.pipeline.execute(self.version, call, params).await
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.pipeline.endpoint.as_str())
            .field("version", &self.version)
            .field("credentials", &self.pipeline.credentials)
            .finish_non_exhaustive()
    }
}

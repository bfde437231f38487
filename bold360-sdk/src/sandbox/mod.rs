//! A local Bold360 server for tests, examples and offline development (feature `sandbox`).
//!
//! It is a real HTTP server on loopback that checks every request the way the service does:
//! the account in the path, the SHA-512 `auth` token and its five-minute window (a distinct
//! message when expired), the method and version, required parameters (`Missing <Param>`) and
//! parameter rules, all from the manifest, so every documented method is served. It enforces
//! the account limits (100 requests and 2,000 records per one-second window; over that a request
//! is held, and a tenth held request is refused with HTTP 500).
//!
//! Data is seeded and deterministic: departments, agents, folders, chats and messages that refer
//! to each other, with IDs above 2^53 and ISO-8601 UTC times; methods without hand-written state
//! get records derived from their manifest entry. Some records carry fields the manifest does
//! not list, and field order changes from one response to the next. Pages come in v1
//! (`PageStart` + `Next`) and v2 (`NextPage`) styles with the manifest's caps; `FromDate`/`ToDate`
//! filter; `callback=` gets JSONP. Writes change what reads return (addChatMessage, editOperator,
//! createOperatorFromTemplate, setOperatorAvailability, updateChat, assignChat), and reports run
//! to completion over a few polls. Tests can inject faults and read what it received and counted.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use bold360_sdk::sandbox::Sandbox;
//! let sandbox = Sandbox::start().await?;
//! let client = sandbox.client()?;
//! let operators = client.call_raw("getOperators", bold360_sdk::Params::new()).await?;
//! assert!(operators.record_count() > 0);
//! # Ok(()) }
//! ```

mod data;
mod examples;
mod faults;
mod in_memory;
mod limits;
mod methods;
mod order;
mod paging;
mod protocol;
#[cfg(feature = "redis")]
mod redis;
mod server;
mod synthetic;
mod triggers;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

pub use faults::Fault;
pub use in_memory::InMemoryTransport;
pub use limits::SandboxLimits;
#[cfg(feature = "redis")]
pub use redis::{LocalRedis, REDIS_SERVER_VAR};
pub use triggers::{
    signed_trigger_body, ChatSimulation, SimulationReport, SimulationRun, Subscription,
};

use crate::auth::credentials::Credentials;
use crate::client::{Client, ClientBuilder};
use crate::config::clock::{Clock, SystemClock};
use crate::config::endpoint::Endpoint;
use crate::error::Error;

/// A running sandbox. Stops when dropped.
pub struct Sandbox {
    base_url: String,
    addr: SocketAddr,
    state: Arc<server::SandboxState>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Sandbox {
    /// Starts a sandbox on an ephemeral loopback port with fresh credentials.
    pub async fn start() -> std::io::Result<Sandbox> {
        Self::builder().start().await
    }

    /// A builder to choose credentials, port or clock.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The credentials the sandbox accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.state.credentials
    }

    /// A client builder aimed at this sandbox with its credentials.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .credentials(self.state.credentials.clone())
            .endpoint(Endpoint::custom(&self.base_url).expect("the sandbox's own URL is valid"))
    }

    /// A client for this sandbox with default settings.
    pub fn client(&self) -> Result<Client, Error> {
        self.client_builder().build()
    }

    /// A transport that serves this sandbox in process, without a socket: give it to
    /// [`ClientBuilder::http_transport`] to run a client with no network at all (the
    /// endpoint's host is then never resolved). What it serves is what the listening sandbox
    /// serves: the same data, faults, limits and request log.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use bold360_sdk::{sandbox::Sandbox, Endpoint};
    /// let sandbox = Sandbox::start().await?;
    /// let client = sandbox
    ///     .client_builder()
    ///     .endpoint(Endpoint::custom("http://sandbox.invalid")?)
    ///     .http_transport(sandbox.transport())
    ///     .build()?;
    /// let operators = client.v1().get_operators().send().await?;
    /// assert!(!operators.data.unwrap().is_empty());
    /// assert_eq!(sandbox.requests().len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn transport(&self) -> InMemoryTransport {
        InMemoryTransport::new(Arc::clone(&self.state))
    }

    /// The sandbox's routes, to serve under a server of your own or to send requests to
    /// without a socket (any method, path, query and headers: the fuzz targets do).
    ///
    /// ```
    /// # async fn demo() -> std::io::Result<()> {
    /// use tower::ServiceExt;
    /// let sandbox = bold360_sdk::sandbox::Sandbox::start().await?;
    /// let request = axum::http::Request::get("/aid/1/data/rest/json/v1/getOperators")
    ///     .body(axum::body::Body::empty())
    ///     .unwrap();
    /// let response = sandbox.router().oneshot(request).await.unwrap();
    /// assert_eq!(response.status(), 200); // the vendor's in-band error: no valid token
    /// # Ok(()) }
    /// ```
    pub fn router(&self) -> axum::Router {
        server::router(Arc::clone(&self.state))
    }

    /// Simulates chats that start, get answered and close, stored where getInactiveChats and
    /// getChat find them, and sends a signed `chat-closed` trigger for each to every
    /// subscription, as Bold360 does (see [`ChatSimulation`]). Fails when a subscription's host
    /// is neither loopback nor allowed.
    pub fn simulate_chats(&self, plan: ChatSimulation) -> Result<SimulationRun, Error> {
        triggers::start(Arc::clone(&self.state), plan).map_err(|reason| Error::Config {
            setting: "trigger subscription".into(),
            reason,
        })
    }

    /// Makes the next `times` requests (to `method`, or to any method when `None`) fail with
    /// `fault`. Rules are used in the order they were added.
    pub fn inject_fault(&self, method: Option<&str>, fault: Fault, times: usize) {
        self.state
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(method, fault, times);
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// IDs of `entity` (as named in the manifest: `"chat"`, `"operator"`, `"visit"`,
    /// `"contact"`, …) that the sandbox serves records for, so a test can call a single-item
    /// method such as `getVisit` or `getContact` with an ID that exists.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let sandbox = bold360_sdk::sandbox::Sandbox::start().await.unwrap();
    /// let visits = sandbox.seeded_ids("visit");
    /// assert!(!visits.is_empty());
    /// let id: bold360_sdk::ids::VisitId = visits[0].parse().unwrap();
    /// let visit = sandbox.client().unwrap().v1().get_visit(id).send().await.unwrap();
    /// // The vendor's table for getVisit is cut off before VisitID: it arrives in `extra`.
    /// assert_eq!(visit.data.unwrap().extra["VisitID"], visits[0].as_str());
    /// # }
    /// ```
    pub fn seeded_ids(&self, entity: &str) -> Vec<String> {
        let store = self.state.store.lock().unwrap_or_else(|e| e.into_inner());
        synthetic::ids(&store, entity)
    }

    /// For every parameter a call cannot go without (the required ones, and the members of
    /// an exactly-one-of group), a value this sandbox accepts: IDs of records it holds, an
    /// enumeration's first value, a date, a name. `bold360 sandbox` prints them as Postman
    /// variables; the explorer fills them in.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let sandbox = bold360_sdk::sandbox::Sandbox::start().await.unwrap();
    /// let examples = sandbox.example_values();
    /// let mut params = bold360_sdk::Params::new();
    /// params.set("ChatID", &examples["ChatID"]);
    /// let chat = sandbox.client().unwrap().call_raw("getChat", params).await.unwrap();
    /// assert_eq!(chat.record_count(), 1);
    /// # }
    /// ```
    pub fn example_values(&self) -> std::collections::BTreeMap<String, String> {
        examples::of(&self.state)
    }

    /// Counters of what the sandbox has done.
    pub fn stats(&self) -> SandboxStats {
        self.state.stats.snapshot()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .field("credentials", &self.state.credentials)
            .finish_non_exhaustive()
    }
}

/// Closed chats seeded by default: enough that every chat-based paged method spans several of
/// the server's 1,000-record pages in both versions (1,050 chats in each of the two folders,
/// 6,300 messages), so paging shows out of the box.
pub const DEFAULT_CHATS: u32 = 2_100;

/// Configures a [`Sandbox`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use bold360_sdk::{sandbox::Sandbox, Credentials, ManualClock};
/// let sandbox = Sandbox::builder()
///     .credentials(Credentials::new("100001", "2000001", "sandbox-key").unwrap())
///     .clock(ManualClock::new(1_700_000_000_000))
///     .start()
///     .await?;
/// assert!(sandbox.base_url().starts_with("http://127.0.0.1:"));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SandboxBuilder {
    credentials: Option<Credentials>,
    addr: SocketAddr,
    clock: Arc<dyn Clock>,
    limits: Option<SandboxLimits>,
    latency: std::time::Duration,
    chats: u32,
    chat_minutes: u32,
    data: DataStart,
}

/// When the seeded data starts.
#[derive(Debug, Clone, Copy)]
enum DataStart {
    /// 2024-01-01: the same times on every run.
    Fixed(chrono::DateTime<chrono::Utc>),
    /// Ending about an hour before the sandbox starts.
    Recent,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            credentials: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: Arc::new(SystemClock),
            limits: Some(SandboxLimits::default()),
            latency: std::time::Duration::ZERO,
            chats: DEFAULT_CHATS,
            chat_minutes: data::CHAT_MINUTES,
            data: DataStart::Fixed(data::epoch()),
        }
    }
}

impl SandboxBuilder {
    /// The credentials to accept. Default: account `100001`, setting `2000001`, a random key.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Listen on this loopback port (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// Listen on this address.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The clock used to judge token age.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The account limits to enforce (default: the documented ones).
    pub fn limits(mut self, limits: SandboxLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Enforce no limits.
    pub fn without_limits(mut self) -> Self {
        self.limits = None;
        self
    }

    /// Add this latency to every request (as a distant server would).
    pub fn latency(mut self, latency: std::time::Duration) -> Self {
        self.latency = latency;
        self
    }

    /// How many closed chats to seed (three messages each). Default [`DEFAULT_CHATS`].
    pub fn chats(mut self, chats: u32) -> Self {
        self.chats = chats;
        self
    }

    /// Minutes between seeded chats (default 37; at least 3, so each chat's messages stay
    /// inside its own slot and messages sort as their chats do). Denser data makes each date
    /// window hold more pages.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use bold360_sdk::chrono::{TimeZone, Utc};
    /// use bold360_sdk::sandbox::Sandbox;
    /// let sandbox = Sandbox::builder().chats(480).chat_minutes(3).start().await?;
    /// let day = |d| Utc.with_ymd_and_hms(2024, 1, d, 0, 0, 0).unwrap();
    /// let page = sandbox.client()?.v1().get_all_chat_messages().from_date(day(1)).to_date(day(2)).send().await?;
    /// assert_eq!(page.record_count(), 1000, "480 chats a day, 3 messages each: a full page");
    /// # Ok(()) }
    /// ```
    pub fn chat_minutes(mut self, minutes: u32) -> Self {
        self.chat_minutes = minutes.clamp(3, 24 * 60);
        self
    }

    /// Seeded chats (37 minutes apart unless [`chat_minutes`](Self::chat_minutes)) start at `start` (default 2024-01-01T00:00:00Z, the same
    /// on every run). IDs do not depend on it.
    pub fn data_start(mut self, start: chrono::DateTime<chrono::Utc>) -> Self {
        self.data = DataStart::Fixed(start);
        self
    }

    /// Seeded data dated up to the moment the sandbox starts: the last chats closed within the
    /// last two hours, so "the last day" or "the last week" finds records (what `bold360
    /// sandbox` serves). IDs stay the same.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use bold360_sdk::chrono::{Duration, Utc};
    /// use bold360_sdk::sandbox::Sandbox;
    /// let sandbox = Sandbox::builder().chats(100).recent_data().start().await?;
    /// let client = sandbox.client()?;
    /// let page = client.v2().get_all_chat_messages().from_date(Utc::now() - Duration::days(1)).send().await?;
    /// assert!(page.record_count() > 0);
    /// # Ok(()) }
    /// ```
    pub fn recent_data(mut self) -> Self {
        self.data = DataStart::Recent;
        self
    }

    /// Binds and starts serving in the background of the current tokio runtime.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let credentials = match self.credentials {
            Some(c) => c,
            None => {
                let key = format!("sandbox-{:032x}", rand::random::<u128>());
                Credentials::new("100001", "2000001", key)
                    .expect("default sandbox credentials are valid")
            }
        };
        let state = Arc::new(server::SandboxState::new(
            credentials,
            self.clock,
            self.limits,
            self.latency,
            self.chats,
            self.chat_minutes,
            match self.data {
                DataStart::Fixed(start) => start,
                DataStart::Recent => {
                    data::recent_start(self.chats, self.chat_minutes, chrono::Utc::now())
                }
            },
        ));
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let router = server::router(Arc::clone(&state));
        // With the explorer, the sandbox serves it at /explorer, calling itself in process.
        #[cfg(feature = "explorer")]
        let router = router.merge(explorer_router(&state, addr)?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Sandbox {
            base_url: format!("http://{addr}"),
            addr,
            state,
            shutdown: Some(tx),
        })
    }
}

/// The explorer of a sandbox: its page at `/explorer`, trying calls against the sandbox in
/// process (no second socket), with the sandbox's example values filled in.
#[cfg(feature = "explorer")]
fn explorer_router(
    state: &Arc<server::SandboxState>,
    addr: SocketAddr,
) -> std::io::Result<axum::Router> {
    let client = Client::builder()
        .credentials(state.credentials.clone())
        .endpoint(Endpoint::custom(&format!("http://{addr}")).map_err(std::io::Error::other)?)
        .http_transport(InMemoryTransport::new(Arc::clone(state)))
        .build()
        .map_err(std::io::Error::other)?;
    Ok(crate::explorer::Explorer::new(client)
        .examples(examples::of(state))
        .target("the local sandbox")
        .router(addr))
}

/// One request as the sandbox received it, with `auth` left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method segment of the path.
    pub method: String,
    /// The version segment of the path (`v1`, `v2`).
    pub version: String,
    /// Decoded query parameters in arrival order, `auth` excluded.
    pub params: Vec<(String, String)>,
    /// Whether the `auth` token was accepted.
    pub authenticated: bool,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// When it arrived (before the account limits held it, if they did): what the account's
    /// budget is counted by.
    pub received_at: std::time::Instant,
}

/// Requests per second between the first and the last of `requests` to arrive: the rate at
/// which they spent the account's request budget (`None` for fewer than two).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use bold360_sdk::sandbox::{arrival_rate, Sandbox};
/// let sandbox = Sandbox::start().await?;
/// assert_eq!(arrival_rate(&sandbox.requests()), None);
/// # Ok(()) }
/// ```
pub fn arrival_rate(requests: &[RecordedRequest]) -> Option<f64> {
    let first = requests.iter().map(|r| r.received_at).min()?;
    let last = requests.iter().map(|r| r.received_at).max()?;
    let span = last.duration_since(first).as_secs_f64();
    (requests.len() >= 2 && span > 0.0).then(|| (requests.len() - 1) as f64 / span)
}

impl RecordedRequest {
    /// The value of one parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A snapshot of the sandbox's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SandboxStats {
    /// Requests received.
    pub requests: u64,
    /// Requests refused for authentication.
    pub auth_failures: u64,
    /// Requests answered with an injected fault.
    pub faults: u64,
    /// Records returned in `Data`.
    pub records_served: u64,
    /// Requests held because a window's budget was spent.
    pub waits: u64,
    /// Requests refused with HTTP 500 `Too many simultaneous requests`.
    pub refusals: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    auth_failures: AtomicU64,
    faults: AtomicU64,
    records_served: AtomicU64,
    pub(crate) waits: AtomicU64,
    pub(crate) refusals: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> SandboxStats {
        SandboxStats {
            requests: self.requests.load(Ordering::Relaxed),
            auth_failures: self.auth_failures.load(Ordering::Relaxed),
            faults: self.faults.load(Ordering::Relaxed),
            records_served: self.records_served.load(Ordering::Relaxed),
            waits: self.waits.load(Ordering::Relaxed),
            refusals: self.refusals.load(Ordering::Relaxed),
        }
    }
}

pub(crate) type Log = Mutex<Vec<RecordedRequest>>;

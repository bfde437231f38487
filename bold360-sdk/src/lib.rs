//! # bold360-sdk
//!
//! A typed client for the Bold360 (BoldChat) REST API.
//!
//! Every call goes through one path: the request is signed with a fresh SHA-512 `auth` token,
//! its parameters are percent-encoded, it is sent over a pooled HTTPS connection, and the
//! response envelope is decoded into typed data or a typed [`Error`]. Secrets (the API key and
//! the token, a live credential for five minutes) never appear in `Debug`, `Display`, errors
//! or traces.
//!
//! ```no_run
//! # async fn demo() -> Result<(), bold360_sdk::Error> {
//! use bold360_sdk::Client;
//! // BOLD360_ACCOUNT_ID, BOLD360_API_SETTING_ID, BOLD360_API_KEY, and optionally
//! // BOLD360_REGION, BOLD360_ENDPOINT, BOLD360_API_VERSION.
//! let client = Client::from_env()?;
//! let operators = client.call_raw("getOperators", bold360_sdk::Params::new()).await?;
//! println!("{} agents", operators.record_count());
//! # Ok(()) }
//! ```
//!
//! ## Dependencies worth a word
//! - `secrecy` holds the API key so it is zeroed on drop and never printed by accident.
//! - `serde_path_to_error` reports *where* in a response decoding failed (`Data[3].ChatID`).
//! - `indexmap` keeps the v1 `Next` object (and unknown fields) in the order the server sent.
//! - `percent-encoding` gives exact control over query encoding (`+` must travel as `%2B`).
//! - `chrono` is the time type of `datetime` parameters and fields, being the one most Rust
//!   code already uses.
//! - The `sandbox` feature adds `axum` for the local server.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

// Generated code names this crate `::bold360_sdk`, as it would in a user's crate.
extern crate self as bold360_sdk;

mod api;
mod client;
mod clock;
mod constraint;
mod credentials;
mod endpoint;
pub mod env;
mod envelope;
mod error;
mod id;
mod id_type;
pub mod lenient;
mod limiter;
mod method_info;
pub mod paging;
mod params;
mod pipeline;
mod records;
mod redact;
mod reports;
mod retry;
pub mod signing;
pub mod transport;
pub mod trigger;
pub mod wire;
pub use futures_util::Stream;
/// The HTTP client the SDK is built on, for [`ClientBuilder::http_client`] (same version).
pub use reqwest;

#[cfg(feature = "sandbox")]
pub mod sandbox;

/// Every documented method as a typed call, generated at compile time from the manifest in
/// `bold360-api-spec`: one module per method (its request builder, record type and enums),
/// and the methods on [`Api<V1>`](crate::Api) / [`Api<V2>`](crate::Api) that create requests.
///
/// ```no_run
/// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
/// use bold360_sdk::ids::FolderId;
/// let page = client
///     .v1()
///     .get_inactive_chats(FolderId::from(9007199254740993u64))
///     .page_size(500)
///     .send()
///     .await?;
/// for chat in page.data.iter().flatten() {
///     println!("{:?} in department {:?}", chat.chat_id, chat.department_id);
/// }
/// # Ok(()) }
/// ```
pub mod methods {
    #[cfg(not(bold360_golden))]
    bold360_macros::bold360_api!(embedded);
    // `.ci/run` compiles the checked-in expansion in the macro's place
    // (`cargo rustc -p bold360-sdk --lib -- --cfg bold360_golden`), so the golden file is not
    // only compared with the expansion but compiled as the SDK's methods.
    #[cfg(bold360_golden)]
    include!("../../bold360-macros/tests/output/methods.rs");
}
pub use methods::ids;

/// Typed calls for a manifest of your own (methods your account has that the vendor's pages
/// do not list), with only `bold360-sdk` as a dependency: the same macro that generates
/// [`methods`], re-exported. `path` is relative to your crate's `Cargo.toml`; `extension`
/// names the traits (`<Name>V1`, `<Name>V2`) that add the methods to [`Api`].
///
/// ```ignore
/// bold360_sdk::bold360_api!(path = "bold360-private", extension = PrivateMethods);
/// use PrivateMethodsV1 as _;
/// ```
pub use bold360_macros::bold360_api;

pub use api::{Api, Version, V1, V2};
pub use client::{CallInfo, Client, ClientBuilder, DEFAULT_MAX_PAGES};
pub use clock::{Clock, ManualClock, SystemClock};
pub use constraint::Constraint;
pub use credentials::Credentials;
pub use endpoint::{ApiVersion, Endpoint, Region};
pub use envelope::{Envelope, NextParams, RecordCount};
pub use error::{BoxError, Error};
pub use id::{Id, InvalidId};
pub use limiter::{
    LimiterConfig, LimiterError, LimiterStats, Permit, RateLimiter, DEFAULT_MAX_IN_FLIGHT,
};
pub use method_info::{MethodInfo, Paging, Returns};
pub use params::{Params, ToParam};
pub use records::Records;
pub use reports::ReportPolling;
pub use retry::{MethodKind, RetryPolicy};
pub use secrecy::{ExposeSecret, SecretString};
pub use transport::{HttpTransport, TransportConfig, DEFAULT_MAX_BODY_SIZE, USER_AGENT};

/// Support for generated code. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use chrono;
    pub use serde;
    pub use serde_json;
}

/// Internal steps of the request path, exposed for the benchmarks. Not a stable API.
#[doc(hidden)]
#[path = "bench_support.rs"]
pub mod __bench;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

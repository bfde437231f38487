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

mod auth;
mod client;
mod config;
mod encoding;
mod error;
mod fields;
mod limiter;
mod method;
pub mod methods;
pub mod paging;
mod params;
mod pipeline;
mod redact;
mod response;
pub mod transport;
pub mod trigger;

pub use auth::signing;
/// The date-time library of the public API (`from_date` takes a `chrono::DateTime<Utc>`),
/// re-exported so your code needs no separate dependency or version match.
pub use chrono;
pub use config::env;
pub use fields::{lenient, wire};
pub use futures_util::Stream;
/// The JSON library of the public API (`call_raw` answers `serde_json::Value`, records keep
/// unknown fields in a `serde_json::Map`), re-exported so your code needs no separate
/// dependency or version match.
pub use serde_json;

/// What a program using the SDK usually needs in scope: the stream extension traits
/// (`try_next`, `try_collect`, `next`, …) for the SDK's streams, and the client's main types.
///
/// ```no_run
/// use bold360_sdk::prelude::*;
/// # async fn demo() -> Result<(), Error> {
/// let client = Client::from_env()?;
/// let mut messages = client.v2().get_all_chat_messages().into_stream();
/// while let Some(message) = messages.try_next().await? {
///     println!("{:?} said {:?}", message.name, message.extra.get("Text"));
/// }
/// # Ok(()) }
/// ```
pub mod prelude {
    pub use crate::{ApiVersion, Client, Error, Params};
    pub use futures_util::{StreamExt, TryStreamExt};
}
/// The HTTP client the SDK is built on, for [`ClientBuilder::http_client`] (same version).
pub use reqwest;

#[cfg(feature = "sandbox")]
pub mod sandbox;

#[cfg(feature = "explorer")]
pub mod explorer;

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

pub use auth::credentials::Credentials;
pub use client::api::{Api, Version, V1, V2};
pub use client::reports::ReportPolling;
pub use client::{Client, ClientBuilder, DEFAULT_MAX_PAGES};
pub use config::clock::{Clock, ManualClock, SystemClock};
pub use config::endpoint::{ApiVersion, Endpoint, Region};
pub use error::{BoxError, Error};
pub use fields::id::{Id, InvalidId};
pub use limiter::{
    LimiterConfig, LimiterError, LimiterStats, Permit, RateLimiter, DEFAULT_MAX_IN_FLIGHT,
};
pub use method::constraint::Constraint;
pub use method::info::{MethodInfo, Paging, Returns};
pub use method::kind::MethodKind;
pub use method::param::{closest_name, EnumValue, ParamInfo, ParamType};
pub use method::undocumented::UndocumentedMethod;
pub use params::{Params, ToParam};
pub use pipeline::retry::RetryPolicy;
pub use pipeline::CallInfo;
pub use response::envelope::{Envelope, NextParams, RecordCount};
pub use response::records::Records;
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

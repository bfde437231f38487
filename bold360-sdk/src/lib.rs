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
mod credentials;
mod decode;
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
mod records;
mod redact;
mod reports;
mod request_url;
mod retry;
pub mod signing;
mod transport;
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
    bold360_macros::bold360_api!(embedded);
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
pub use credentials::Credentials;
pub use endpoint::{ApiVersion, Endpoint, Region};
pub use envelope::{Envelope, NextParams, RecordCount};
pub use error::{BoxError, Error};
pub use id::{Id, InvalidId};
pub use limiter::{
    LimiterConfig, LimiterError, LimiterStats, Permit, RateLimiter, DEFAULT_MAX_IN_FLIGHT,
};
pub use method_info::{MethodInfo, Paging};
pub use params::{Params, ToParam};
pub use records::Records;
pub use reports::ReportPolling;
pub use retry::{MethodKind, RetryPolicy};
pub use secrecy::{ExposeSecret, SecretString};
pub use transport::{TransportConfig, DEFAULT_MAX_BODY_SIZE, USER_AGENT};

/// Support for generated code. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use chrono;
    pub use serde;
    pub use serde_json;

    use crate::{Error, Params};

    /// Records a call should reserve: the page size asked for, else the method's page cap,
    /// else `otherwise` (1 for single items, 0 when no data comes back).
    pub fn expected_records(params: &Params, cap: Option<u64>, otherwise: u64) -> u64 {
        params
            .get("PageSize")
            .and_then(|v| v.parse::<u64>().ok())
            .map(|size| cap.map_or(size, |cap| size.min(cap)))
            .or(cap)
            .unwrap_or(otherwise)
    }

    /// Fails unless exactly one of `names` is set.
    pub fn check_exactly_one_of(
        method: &str,
        params: &Params,
        names: &[&str],
    ) -> Result<(), Error> {
        let set: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| params.contains(n))
            .collect();
        if set.len() == 1 {
            return Ok(());
        }
        let which = if set.is_empty() {
            "none is set".to_owned()
        } else {
            format!("{} are set", set.join(" and "))
        };
        Err(Error::invalid_request(
            method,
            Some(set.first().copied().unwrap_or(names[0])),
            format!("exactly one of {} must be set; {which}", names.join(", ")),
        ))
    }

    /// Fails when some but not all of `names` are set.
    pub fn check_all_or_none(method: &str, params: &Params, names: &[&str]) -> Result<(), Error> {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !params.contains(n))
            .collect();
        if missing.is_empty() || missing.len() == names.len() {
            return Ok(());
        }
        Err(Error::invalid_request(
            method,
            Some(missing[0]),
            format!(
                "{} must be set together; {} is missing",
                names.join(" and "),
                missing.join(", ")
            ),
        ))
    }
}

/// Internal steps of the request path, exposed for the benchmarks. Not a stable API.
#[doc(hidden)]
pub mod __bench {
    use crate::{ApiVersion, Endpoint, Envelope, Error, Params};

    /// Signs and builds the URL of one call.
    pub fn signed_url(
        credentials: &crate::Credentials,
        millis: u64,
        endpoint: &Endpoint,
        version: ApiVersion,
        method: &str,
        params: &Params,
    ) -> Result<String, Error> {
        let token = crate::signing::sign(credentials, millis);
        crate::request_url::build(
            endpoint,
            credentials.account_id(),
            version,
            method,
            &token,
            params,
        )
        .map(String::from)
    }

    /// Decodes a response body.
    pub fn decode<D: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Envelope<D>, Error> {
        crate::decode::decode("bench", 200, body, &[])
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

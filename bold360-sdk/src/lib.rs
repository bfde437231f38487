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
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod client;
mod clock;
mod credentials;
mod decode;
mod endpoint;
pub mod env;
mod envelope;
mod error;
mod id;
mod params;
mod redact;
mod request_url;
mod retry;
pub mod signing;
mod transport;

#[cfg(feature = "sandbox")]
pub mod sandbox;

pub use client::{CallInfo, Client, ClientBuilder};
pub use clock::{Clock, ManualClock, SystemClock};
pub use credentials::Credentials;
pub use endpoint::{ApiVersion, Endpoint, Region};
pub use envelope::{Envelope, NextParams, RecordCount};
pub use error::{BoxError, Error};
pub use id::Id;
pub use params::{Params, ToParam};
pub use retry::{MethodKind, RetryPolicy};
pub use secrecy::{ExposeSecret, SecretString};
pub use transport::{TransportConfig, USER_AGENT};

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

//! Triggers: the HTTP requests Bold360 sends to your endpoints when something happens (a chat
//! starts, is answered or closes, a message is added, an agent changes status), and how to
//! trust them.
//!
//! Bold360 signs each request: the body's `signed` field lists the names of the signed fields
//! (joined by `&`), and `signature` is the uppercase hex SHA-512 of the trigger URL (as
//! configured in Bold360) with `name=value` pairs appended, percent-encoded, `%20` written as
//! `+`, followed by the API key. Public integrations show three encodings of that text (see
//! [`SignatureForm`]: JavaScript's `encodeURIComponent`, the same with `'` as `%27`, and Java's
//! `URLEncoder`); a signature under any of them is accepted, and [`TriggerVerifier::sign`]
//! uses the `%27` one, which real Bold360 most likely sends.
//! [`TriggerVerifier`] checks that in constant time and hands back only the signed fields
//! ([`SignedFields`]); the typed payloads in [`payload`] give them Rust types. A
//! [`ReplayGuard`] refuses a validly signed trigger received twice.
//!
//! ```
//! use bold360_sdk::trigger::{payload::AgentStatusChanged, TriggerFields, TriggerVerifier};
//! let body = "LoginID=2150000000000001&UserName=jane+doe&StatusType=2&signed=LoginID%26UserName%26StatusType\
//!             &signature=B7B8DBFE34C5D1D02B24F5A2C629DD1B608CDC996A3FEE2110570ADBE88C54BD8A5AECD84D8140659B201374553BF8C2B7119AC644C49369FEC86F57B69F343C";
//! let fields = TriggerFields::from_form(body.as_bytes());
//! let verifier = TriggerVerifier::new("TrIgGeRkEy==");
//! let signed = verifier.verify("https://hooks.example.com/operator-status-changed", &fields).unwrap();
//! let event: AgentStatusChanged = signed.parse().unwrap();
//! assert_eq!(event.user_name.as_deref(), Some("jane doe"));
//! ```

#[cfg(feature = "trigger-axum")]
mod axum_extractor;
mod encode;
mod error;
mod fields;
pub mod payload;
mod replay;
mod verify;

#[cfg(feature = "trigger-axum")]
pub use axum_extractor::{ReplayMiddleware, TriggerConfig, TriggerRejection, VerifiedTrigger};
pub use encode::{encode_uri_component, SignatureForm};
pub use error::TriggerError;
pub use fields::{SignedFields, TriggerFields};
pub use replay::{ReplayGuard, ReplayTicket};
pub use verify::{string_to_sign, string_to_sign_as, TriggerVerifier};

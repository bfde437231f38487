//! An `axum` extractor (feature `trigger-axum`): an unverified trigger is answered 401 and never
//! reaches the handler; the handler receives the verified, typed payload.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::{ReplayGuard, TriggerError, TriggerFields, TriggerVerifier};

/// Largest trigger body read (chat transcripts can be long).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// What the extractor needs from the router's state: the verifier and the public base URL
/// Bold360 calls (the signature covers the URL as configured there, which a server behind a
/// proxy cannot see).
///
/// ```
/// use bold360_sdk::trigger::{TriggerConfig, TriggerVerifier};
/// let config = TriggerConfig::new(TriggerVerifier::new("key"), "https://hooks.example.com");
/// assert_eq!(config.url_for("/chat-closed?tenant=acme"), "https://hooks.example.com/chat-closed?tenant=acme");
/// ```
#[derive(Debug, Clone)]
pub struct TriggerConfig {
    verifier: Arc<TriggerVerifier>,
    public_base: String,
    replay: Option<Arc<ReplayGuard>>,
}

impl TriggerConfig {
    /// A configuration for triggers sent to `public_base` + the request's path and query.
    pub fn new(verifier: TriggerVerifier, public_base: impl Into<String>) -> Self {
        Self {
            verifier: Arc::new(verifier),
            public_base: public_base.into().trim_end_matches('/').to_owned(),
            replay: None,
        }
    }

    /// Also refuse (401) a validly signed trigger already received within the guard's window.
    pub fn with_replay_guard(mut self, guard: ReplayGuard) -> Self {
        self.replay = Some(Arc::new(guard));
        self
    }

    /// The trigger URL for a request path (with query).
    pub fn url_for(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.public_base)
    }
}

/// A trigger whose signature (and Basic credentials, and replay guard, when configured)
/// checked out, with its **signed** fields parsed as `T` (a [`payload`](super::payload) type,
/// or [`SignedFields`](super::SignedFields) for all of them as text). Fields the signature
/// does not cover never reach `T`.
#[derive(Debug, Clone)]
pub struct VerifiedTrigger<T>(pub T);

/// Why the extractor refused a request: 401 for failures of trust, 400 for malformed bodies.
#[derive(Debug)]
pub struct TriggerRejection(pub TriggerError);

impl IntoResponse for TriggerRejection {
    fn into_response(self) -> Response {
        let status = if self.0.is_unauthorized() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let mut response = (status, self.0.to_string()).into_response();
        if matches!(self.0, TriggerError::Unauthorized(_)) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"bold360-trigger\""),
            );
        }
        response
    }
}

impl<S, T> FromRequest<S> for VerifiedTrigger<T>
where
    TriggerConfig: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = TriggerRejection;

    async fn from_request(request: Request<Body>, state: &S) -> Result<Self, Self::Rejection> {
        let config = TriggerConfig::from_ref(state);
        let (parts, body) = request.into_parts();
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        config
            .verifier
            .verify_basic(authorization)
            .map_err(TriggerRejection)?;
        let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| {
            TriggerRejection(TriggerError::MalformedBody(format!(
                "cannot read the body: {e}"
            )))
        })?;
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let fields = TriggerFields::from_body(content_type, &bytes).map_err(TriggerRejection)?;
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let signed = config
            .verifier
            .verify(&config.url_for(path), &fields)
            .map_err(TriggerRejection)?;
        if let Some(guard) = &config.replay {
            guard.check(&signed).map_err(TriggerRejection)?;
        }
        signed
            .parse::<T>()
            .map(VerifiedTrigger)
            .map_err(TriggerRejection)
    }
}

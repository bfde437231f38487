//! An `axum` extractor (feature `trigger-axum`): an unverified trigger is answered 401 and never
//! reaches the handler; the handler receives the verified, typed payload. With a
//! [`ReplayGuard`], [`TriggerConfig::replay_layer`] records a trigger as handled only when the
//! handler answered 2xx, so a retry of a failed one is handled again.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::replay::ReplayTicket;
use super::{ReplayGuard, TriggerError, TriggerFields, TriggerVerifier};

/// Where the extractor leaves the replay ticket for [`TriggerConfig::replay_layer`] to settle.
#[derive(Clone, Default)]
struct ReplaySlot(Arc<Mutex<Option<ReplayTicket>>>);

/// The middleware [`TriggerConfig::replay_layer`] installs.
pub type ReplayMiddleware =
    fn(Request, axum::middleware::Next) -> Pin<Box<dyn Future<Output = Response> + Send>>;

fn settle_replay(
    mut request: Request,
    next: axum::middleware::Next,
) -> Pin<Box<dyn Future<Output = Response> + Send>> {
    Box::pin(async move {
        let slot = ReplaySlot::default();
        request.extensions_mut().insert(slot.clone());
        let response = next.run(request).await;
        let ticket = slot.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(ticket) = ticket {
            if response.status().is_success() {
                ticket.succeeded();
            }
            // Otherwise dropped: the signature is let go, and a retry is handled.
        }
        response
    })
}

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

    /// Also refuse (401) a validly signed trigger already handled within the guard's window
    /// (and, 409, one being handled right now). Add [`replay_layer`](Self::replay_layer) to
    /// the routes: a trigger counts as handled only when its handler answered 2xx.
    pub fn with_replay_guard(mut self, guard: ReplayGuard) -> Self {
        self.replay = Some(Arc::new(guard));
        self
    }

    /// The layer that settles the replay guard after the handler: a 2xx answer records the
    /// trigger as handled, anything else lets it go so Bold360's or an operator's retry is
    /// handled. Without it, a route with a guard answers 500 (misconfigured).
    ///
    /// ```
    /// use std::time::Duration;
    /// use axum::{routing::post, Router};
    /// use bold360_sdk::trigger::{payload::ChatClosed, ReplayGuard, TriggerConfig, TriggerVerifier, VerifiedTrigger};
    /// async fn closed(VerifiedTrigger(_event): VerifiedTrigger<ChatClosed>) -> &'static str { "ok" }
    /// let config = TriggerConfig::new(TriggerVerifier::new("key"), "https://hooks.example.com")
    ///     .with_replay_guard(ReplayGuard::new(Duration::from_secs(3600), 100_000));
    /// let app: Router = Router::new()
    ///     .route("/chat-closed", post(closed))
    ///     .layer(TriggerConfig::replay_layer())
    ///     .with_state(config);
    /// ```
    pub fn replay_layer() -> axum::middleware::FromFnLayer<ReplayMiddleware, (), (Request,)> {
        axum::middleware::from_fn(settle_replay as ReplayMiddleware)
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
        let status = match self.0 {
            TriggerError::InFlight => StatusCode::CONFLICT,
            TriggerError::Misconfigured(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ if self.0.is_unauthorized() => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
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
        let payload = signed.parse::<T>().map_err(TriggerRejection)?;
        if let Some(guard) = &config.replay {
            let slot = parts.extensions.get::<ReplaySlot>().ok_or(TriggerRejection(
                TriggerError::Misconfigured(
                    "a replay guard is configured but TriggerConfig::replay_layer() is not on the route",
                ),
            ))?;
            let ticket = guard.begin(&signed).map_err(TriggerRejection)?;
            *slot.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(ticket);
        }
        Ok(VerifiedTrigger(payload))
    }
}

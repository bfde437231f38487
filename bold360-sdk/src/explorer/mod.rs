//! An interactive API explorer on loopback (feature `explorer`): every manifest method in a
//! browser, tried through a local proxy that signs with the client's credentials, so the
//! browser never sees the key or a token.
//!
//! Routes, all under `/explorer`:
//! - `/explorer` — the page: Swagger UI (its assets embedded in the binary, served from
//!   `/explorer/ui/…`; nothing is loaded from another site) over
//! - `/explorer/openapi.json` — the manifest's OpenAPI document, pointed at the proxy, with
//!   example values filled in when the explorer has them (the sandbox's);
//! - `/explorer/api/{v1|v2}/{method}` — the proxy: manifest methods only, sent through the
//!   [`Client`] (limiter, retries, paging guards, redaction), answered with the API's envelope.
//!
//! The proxy holds a credential, so every route is guarded ([`guard`]): a request whose
//! `Host` is not the server's own loopback address (DNS rebinding) or whose `Origin` is another
//! site gets 403, and the proxy also wants the token of this start, which only the page carries.
//!
//! ```no_run
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use bold360_sdk::explorer::Explorer;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let router = Explorer::new(bold360_sdk::Client::from_env()?).router(addr);
//! println!("open http://{addr}/explorer");
//! axum::serve(listener, router).await?;
//! # Ok(()) }
//! ```

mod context;
pub mod guard;
mod page;
mod proxy;
mod routes;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;

use crate::client::Client;

use context::State;
pub use context::TOKEN_HEADER;

/// The explorer of one client: its page, document and proxy.
pub struct Explorer {
    client: Client,
    examples: BTreeMap<String, String>,
    target: String,
}

impl std::fmt::Debug for Explorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explorer")
            .field("target", &self.target)
            .field("examples", &self.examples.len())
            .finish_non_exhaustive()
    }
}

impl Explorer {
    /// An explorer that sends every call through `client`.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            examples: BTreeMap::new(),
            target: "your account".to_owned(),
        }
    }

    /// Values shown in the page's parameter fields (parameter name → value), e.g. the
    /// sandbox's [`example_values`](crate::sandbox::Sandbox::example_values).
    pub fn examples(mut self, examples: BTreeMap<String, String>) -> Self {
        self.examples = examples;
        self
    }

    /// What the page says it is exploring (default "your account"), e.g. "the local sandbox".
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = target.into();
        self
    }

    /// The routes, for a server listening on `addr` (a loopback address: only requests
    /// addressed to it by `Host` are served). A new token is made for each router.
    pub fn router(self, addr: SocketAddr) -> Router {
        let token = format!("{:032x}", rand::random::<u128>());
        let state = Arc::new(State {
            page: page::Page::new(&token, &self.examples, &self.target),
            client: self.client,
            token,
        });
        let ui = swagger_ui_dist::generate_routes(swagger_ui_dist::ApiDefinition {
            uri_prefix: "/explorer/ui",
            api_definition: swagger_ui_dist::OpenApiSource::Uri("/explorer/openapi.json"),
            title: Some("Bold360 API explorer"),
        });
        Router::new()
            .route("/explorer", get(routes::html))
            .route("/explorer/", get(routes::html))
            .route("/explorer/explorer.js", get(routes::script))
            .route("/explorer/openapi.json", get(routes::openapi_json))
            .route("/explorer/api/{version}/{method}", get(proxy::call))
            .with_state(state)
            .merge(ui)
            .layer(axum::middleware::from_fn(move |req, next| {
                guard::check(addr, req, next)
            }))
    }
}

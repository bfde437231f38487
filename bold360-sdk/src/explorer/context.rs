//! What every route of one explorer reads: the client that sends its calls, the token of this
//! start, and the page made for it.

use crate::client::Client;

use super::page::Page;

/// The header that carries the page's per-start token on proxy calls.
pub const TOKEN_HEADER: &str = "x-bold360-explorer-token";

/// One explorer's state, shared by its routes.
pub(crate) struct State {
    pub client: Client,
    pub token: String,
    pub page: Page,
}

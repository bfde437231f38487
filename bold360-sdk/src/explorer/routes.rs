//! The routes that serve the page, its script and its OpenAPI document.

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use super::context::State;

pub(crate) async fn html(Extract(state): Extract<Arc<State>>) -> Html<String> {
    Html(state.page.html().to_owned())
}

pub(crate) async fn script(Extract(state): Extract<Arc<State>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        state.page.script().to_owned(),
    )
        .into_response()
}

pub(crate) async fn openapi_json(Extract(state): Extract<Arc<State>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.page.openapi().to_owned(),
    )
        .into_response()
}

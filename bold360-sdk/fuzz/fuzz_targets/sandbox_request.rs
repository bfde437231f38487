//! `bold360 sandbox`'s request handling: any method, path, query, headers and body. Beyond
//! "no panic": never a server error (the limits are off, so no refusal is due), every API
//! answer is the vendor's JSON envelope, and the account's key never appears in one.
#![no_main]

use std::sync::OnceLock;

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::ExposeSecret;
use libfuzzer_sys::fuzz_target;

include!("common.rs");

fn sandbox() -> &'static (Sandbox, axum::Router) {
    static SANDBOX: OnceLock<(Sandbox, axum::Router)> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let sandbox = runtime()
            .block_on(Sandbox::builder().port(0).without_limits().start())
            .unwrap();
        let router = sandbox.router();
        (sandbox, router)
    })
}

fuzz_target!(|data: &[u8]| {
    let (sandbox, router) = sandbox();
    let Some(request) = request_from(data, "127.0.0.1") else {
        return;
    };
    let path = request.uri().path().to_owned();
    let head = request.method() == axum::http::Method::HEAD;
    let (status, body) = runtime().block_on(send(router, request));
    assert!(
        status < 500,
        "{path}: HTTP {status}: {}",
        String::from_utf8_lossy(&body)
    );
    let key = sandbox.credentials().api_key().expose_secret().to_owned();
    assert!(
        !String::from_utf8_lossy(&body).contains(&key),
        "{path}: an answer shows the key"
    );
    // (A HEAD answer has no body, by definition.)
    if path.contains("/data/rest/json/") && status == 200 && !head {
        let envelope: serde_json::Value = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!("{path}: not JSON ({e}): {}", String::from_utf8_lossy(&body))
        });
        assert!(
            envelope.get("Status").is_some(),
            "{path}: no Status: {envelope}"
        );
    }
});

//! `bold360 explore`'s proxy and pages: any method, path, query, headers (Host, Origin, the
//! token header) and body. Beyond "no panic": never a server error, and nothing reaches the
//! account: a request cannot carry the page's token (made at random per start), so the
//! sandbox behind the proxy must never see one.
#![no_main]

use std::sync::OnceLock;

use bold360_sdk::explorer::Explorer;
use bold360_sdk::sandbox::Sandbox;
use libfuzzer_sys::fuzz_target;

include!("common.rs");

const ADDR: &str = "127.0.0.1:8361";

fn explorer() -> &'static (Sandbox, axum::Router) {
    static EXPLORER: OnceLock<(Sandbox, axum::Router)> = OnceLock::new();
    EXPLORER.get_or_init(|| {
        let sandbox = runtime()
            .block_on(Sandbox::builder().port(0).without_limits().start())
            .unwrap();
        let client = sandbox.client().unwrap();
        let router = Explorer::new(client).router(ADDR.parse().unwrap());
        (sandbox, router)
    })
}

fuzz_target!(|data: &[u8]| {
    let (sandbox, router) = explorer();
    let Some(request) = request_from(data, ADDR) else {
        return;
    };
    let target = request.uri().to_string();
    let (status, body) = runtime().block_on(send(router, request));
    assert!(
        status < 500,
        "{target}: HTTP {status}: {}",
        String::from_utf8_lossy(&body)
    );
    assert!(
        sandbox.requests().is_empty(),
        "{target}: forwarded to the account without the page's token"
    );
});

//! `bold360 relay`'s door: any method, path, headers and body, as received (which cannot be
//! signed: nothing may be stored) and, for form bodies, signed with the relay's key as Bold360
//! would sign them (the path past verification: stored, or refused as malformed, never lost to
//! a server error). The key never appears in an answer to a request that did not carry it.
#![no_main]

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use bold360_cli::relay::door::{router, Door};
use bold360_cli::relay::inbox::{Inbox, Location};
use bold360_sdk::trigger::{TriggerFields, TriggerVerifier};
use libfuzzer_sys::fuzz_target;

include!("common.rs");

const KEY: &str = "relay-fuzz-key-0123456789";
const PUBLIC: &str = "https://relay.example.com/hooks";

fn door() -> &'static (Inbox, axum::Router) {
    static DOOR: OnceLock<(Inbox, axum::Router)> = OnceLock::new();
    DOOR.get_or_init(|| {
        let path = scratch("relay").with_extension("db");
        let _ = std::fs::remove_file(&path);
        let inbox = runtime()
            .block_on(Inbox::open(&Location::Sqlite(path)))
            .unwrap();
        let door = Door {
            verifier: TriggerVerifier::new(KEY),
            public_url: PUBLIC.to_owned(),
            routes: BTreeSet::from(["chat-closed".to_owned()]),
            inbox: inbox.clone(),
            wake: Arc::new(tokio::sync::Notify::new()),
        };
        (inbox, router(Arc::new(door)))
    })
}

fn stored(inbox: &Inbox) -> i64 {
    let s = runtime().block_on(inbox.status()).unwrap();
    s.queued + s.in_flight + s.delivered + s.dead + s.duplicates
}

fuzz_target!(|data: &[u8]| {
    let (inbox, router) = door();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let before = stored(inbox);
    if mode % 2 == 0 {
        // As received: unsigned (or signed by someone without the key).
        let Some(request) = request_from(rest, "relay.example.com") else {
            return;
        };
        let target = request.uri().to_string();
        let (status, body) = runtime().block_on(send(router, request));
        let text = String::from_utf8_lossy(&body);
        assert!(status < 500, "{target}: HTTP {status}: {text}");
        // (A request that carries the key itself may see it echoed: not a leak.)
        let sent_key = String::from_utf8_lossy(rest).contains(KEY);
        assert!(sent_key || !text.contains(KEY), "an answer shows the key");
        assert_eq!(
            stored(inbox),
            before,
            "{target}: stored without a valid signature"
        );
    } else {
        // A form body signed as Bold360 signs it, posted to the configured trigger.
        let Ok(fields) =
            TriggerFields::from_body_strict(Some("application/x-www-form-urlencoded"), rest)
        else {
            return;
        };
        if fields.get("signature").is_some() {
            return;
        }
        let Ok(signature) =
            TriggerVerifier::new(KEY).sign(&format!("{PUBLIC}/chat-closed"), &fields)
        else {
            return;
        };
        let mut body = rest.to_vec();
        body.extend_from_slice(format!("&signature={signature}").as_bytes());
        let request = axum::http::Request::post("/chat-closed")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .unwrap();
        let (status, answer) = runtime().block_on(send(router, request));
        let text = String::from_utf8_lossy(&answer);
        assert!(status < 500, "signed body: HTTP {status}: {text}");
        // (A request that carries the key itself may see it echoed: not a leak.)
        let sent_key = String::from_utf8_lossy(rest).contains(KEY);
        assert!(sent_key || !text.contains(KEY), "an answer shows the key");
        if status == 200 {
            assert!(
                stored(inbox) > before || text.contains("\"duplicate\":true"),
                "answered 200 and stored nothing: {text}"
            );
        } else {
            assert!(
                status == 400 || status == 401,
                "signed body: HTTP {status}: {text}"
            );
            assert_eq!(stored(inbox), before);
        }
    }
});

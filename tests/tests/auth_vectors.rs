//! Signing reproduces every independently computed known-answer vector.

use bold360_sdk::{signing, Credentials};
use serde_json::Value;

const VECTORS: &str = include_str!("../fixtures/auth-vectors.json");

fn vectors(text: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(text).expect("vector file is JSON");
    doc["vectors"].as_array().expect("vectors array").clone()
}

#[test]
fn every_vector_is_reproduced() {
    let vectors = vectors(VECTORS);
    assert!(vectors.len() >= 6, "the fixture holds the full set");
    for v in &vectors {
        let creds = Credentials::new(
            v["account_id"].as_str().unwrap(),
            v["api_setting_id"].as_str().unwrap(),
            v["api_key"].as_str().unwrap(),
        )
        .unwrap();
        let millis = v["timestamp_ms"].as_u64().unwrap();
        let token = signing::sign(&creds, millis);
        assert_eq!(
            token.expose_secret(),
            v["token"].as_str().unwrap(),
            "vector {v}"
        );
        assert!(token
            .expose_secret()
            .starts_with(v["auth"].as_str().unwrap()));
        // And the verifier accepts what the vector says is right.
        signing::verify(
            v["token"].as_str().unwrap(),
            &creds,
            millis,
            signing::TOKEN_LIFETIME,
        )
        .unwrap_or_else(|e| panic!("verify {v}: {e}"));
    }
}

/// The repo's copy must not drift from the shared original when that is present.
#[test]
fn fixture_matches_the_shared_vectors_when_present() {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/auth-vectors.json"
    );
    if let Ok(text) = std::fs::read_to_string(shared) {
        assert_eq!(
            vectors(&text),
            vectors(VECTORS),
            "tests/fixtures/auth-vectors.json is stale"
        );
    }
}

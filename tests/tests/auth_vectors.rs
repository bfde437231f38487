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

/// The sandbox accepts each vector's token sent by plain HTTP (not by the SDK's signer), and
/// refuses it with one hex digit changed: its checks are held against the independent vectors
/// too.
#[tokio::test]
async fn the_sandbox_accepts_exactly_the_vector_tokens() {
    use bold360_sdk::sandbox::Sandbox;
    use bold360_sdk::ManualClock;
    let http = reqwest::Client::new();
    for v in vectors(VECTORS) {
        let creds = Credentials::new(
            v["account_id"].as_str().unwrap(),
            v["api_setting_id"].as_str().unwrap(),
            v["api_key"].as_str().unwrap(),
        )
        .unwrap();
        let millis = v["timestamp_ms"].as_u64().unwrap();
        let sandbox = Sandbox::builder()
            .credentials(creds)
            .clock(ManualClock::new(millis + 1_000))
            .start()
            .await
            .unwrap();
        let token = v["token"].as_str().unwrap();
        let get = |token: String| {
            let url = format!(
                "{}/aid/{}/data/rest/json/v1/getOperators?auth={}",
                sandbox.base_url(),
                v["account_id"].as_str().unwrap(),
                token.replace(':', "%3A")
            );
            http.get(url).send()
        };
        let text = get(token.to_owned()).await.unwrap().text().await.unwrap();
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["Status"], "success", "{v}: {answer}");
        let last = token.chars().last().unwrap();
        let flipped = format!(
            "{}{}",
            &token[..token.len() - 1],
            if last == '0' { '1' } else { '0' }
        );
        let text = get(flipped).await.unwrap().text().await.unwrap();
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["Status"], "error", "{v}");
        assert_eq!(answer["Message"], "Invalid auth: hash does not match");
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

//! Trigger verification: the independent vectors, typed failures, properties, and the axum
//! extractor on a real server on loopback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use bold360_sdk::trigger::payload::{AgentStatusChanged, ChatClosed, ChatStarted};
use bold360_sdk::trigger::{
    encode_uri_component, string_to_sign, string_to_sign_as, SignatureForm, TriggerConfig,
    TriggerError, TriggerFields, TriggerVerifier, VerifiedTrigger,
};
use proptest::prelude::*;
use serde_json::Value;

const VECTORS: &str = include_str!("../fixtures/trigger-vectors.json");

struct Vector {
    form: SignatureForm,
    url: String,
    key: String,
    body: serde_json::Map<String, Value>,
    string_to_sign: String,
    signature: String,
}

/// The vectors of the first demo's form, then those of the other forms (`other_forms`).
fn vectors() -> Vec<Vector> {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    let first = doc["vectors"].as_array().unwrap().iter();
    let others = doc["other_forms"]["vectors"].as_array().unwrap().iter();
    first
        .chain(others)
        .map(|v| Vector {
            form: match v["form"].as_str() {
                None => SignatureForm::UriComponent,
                Some("pct27") => SignatureForm::Apostrophe,
                Some("urlencoder") => SignatureForm::UrlEncoder,
                Some(other) => panic!("unknown form {other}"),
            },
            url: v["trigger_url"].as_str().unwrap().into(),
            key: v["api_key"].as_str().unwrap().into(),
            body: v["body"].as_object().unwrap().clone(),
            string_to_sign: v["string_to_sign"].as_str().unwrap().into(),
            signature: v["expected_signature"].as_str().unwrap().into(),
        })
        .collect()
}

fn form_body(body: &serde_json::Map<String, Value>) -> String {
    body.iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                encode_uri_component(k),
                encode_uri_component(v.as_str().unwrap())
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn fields_of(body: &serde_json::Map<String, Value>) -> TriggerFields {
    TriggerFields::from_json(serde_json::to_string(body).unwrap().as_bytes()).unwrap()
}

#[test]
fn every_vector_verifies_as_json_and_as_form() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 7);
    for v in &vectors {
        let verifier = TriggerVerifier::new(v.key.clone());
        let json = fields_of(&v.body);
        assert_eq!(
            string_to_sign_as(&v.url, &json, v.form).unwrap(),
            v.string_to_sign
        );
        assert_eq!(
            verifier.sign_as(&v.url, &json, v.form).unwrap(),
            v.signature
        );
        assert!(verifier.verify(&v.url, &json).is_ok(), "{}", v.url);
        let form = TriggerFields::from_form(form_body(&v.body).as_bytes());
        assert_eq!(form, json, "form and JSON bodies give the same fields");
        assert!(verifier.verify(&v.url, &form).is_ok());
    }
}

#[test]
fn signing_uses_the_apostrophe_form_real_bold360_most_likely_sends() {
    for v in vectors()
        .iter()
        .filter(|v| v.form == SignatureForm::Apostrophe)
    {
        let fields = fields_of(&v.body);
        assert_eq!(string_to_sign(&v.url, &fields).unwrap(), v.string_to_sign);
        assert_eq!(
            TriggerVerifier::new(v.key.clone())
                .sign(&v.url, &fields)
                .unwrap(),
            v.signature
        );
    }
}

/// A chat-closed trigger whose signed fields hold every character the forms treat apart, and
/// those around them: `' ! ( ) ~ *`, spaces, `+`, `%`, non-ASCII and a JSON transcript.
fn awkward_trigger() -> TriggerFields {
    let transcript = serde_json::json!([
        {"Name": "Visitor", "Text": "I'm locked out (again)! ~50% off? 1+1=2 * é 鍵 😀"},
        {"Name": "Agent D'Arcy", "Text": "we're on it: \"*now*\" & then; <b>ok</b>"}
    ])
    .to_string();
    let mut fields = TriggerFields::default();
    fields.insert("ChatID", "9007199254741993");
    fields.insert("ChatName", "D'Arcy (returning) ~ VIP!");
    fields.insert(
        "InitialQuestion",
        "can't log in: l'accès est refusé 100% + more",
    );
    fields.insert("ChatTranscript", transcript);
    fields.insert("signed", "ChatID&ChatName&InitialQuestion&ChatTranscript");
    fields
}

#[test]
fn a_trigger_signed_under_any_form_verifies_and_any_change_is_refused() {
    let url = "https://hooks.example.com/chat-closed?tenant=o'neil";
    let verifier = TriggerVerifier::new("Key'With!Odd(Chars)~");
    let texts: Vec<String> = SignatureForm::ALL
        .iter()
        .map(|&form| string_to_sign_as(url, &awkward_trigger(), form).unwrap())
        .collect();
    assert_eq!(
        texts.iter().collect::<std::collections::HashSet<_>>().len(),
        3,
        "the three forms differ on this trigger: {texts:#?}"
    );
    for form in SignatureForm::ALL {
        let mut fields = awkward_trigger();
        let signature = verifier.sign_as(url, &fields, form).unwrap();
        fields.insert("signature", signature.clone());
        let signed = verifier.verify(url, &fields).expect("verifies");
        assert_eq!(
            signed.get("ChatName"),
            Some("D'Arcy (returning) ~ VIP!"),
            "{form:?}"
        );
        let closed: ChatClosed = signed.parse().unwrap();
        assert_eq!(closed.chat_id.unwrap().as_str(), "9007199254741993");
        // As a form body, as Bold360 posts it, too.
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", form.encode(k), form.encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        assert!(verifier
            .verify(url, &TriggerFields::from_form(body.as_bytes()))
            .is_ok());
        // Any one value changed, in any one way the forms could blur, is refused.
        for name in ["ChatID", "ChatName", "InitialQuestion", "ChatTranscript"] {
            let value = fields.get(name).unwrap().to_owned();
            for changed in [
                format!("{value} "),
                value.replacen('\'', "%27", 1),
                value.replacen('(', "%28", 1),
                value.replacen(' ', "+", 1),
                value.replacen('!', "", 1),
                value.replacen('~', "%7E", 1),
                format!("{value}0"),
            ] {
                if changed == value {
                    continue;
                }
                let mut forged = fields.clone();
                forged.insert(name, changed.clone());
                assert_eq!(
                    verifier.verify(url, &forged),
                    Err(TriggerError::BadSignature),
                    "{form:?}: {name} = {changed:?}"
                );
            }
        }
        // Nor does another key or URL verify it.
        assert_eq!(
            TriggerVerifier::new("other").verify(url, &fields),
            Err(TriggerError::BadSignature)
        );
        assert_eq!(
            verifier.verify(
                "https://hooks.example.com/chat-closed?tenant=oneil",
                &fields
            ),
            Err(TriggerError::BadSignature)
        );
    }
}

#[test]
fn the_fixture_matches_the_shared_vectors_when_present() {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/trigger-vectors.json"
    );
    if let Ok(text) = std::fs::read_to_string(shared) {
        let a: Value = serde_json::from_str(&text).unwrap();
        let b: Value = serde_json::from_str(VECTORS).unwrap();
        assert_eq!(a, b, "tests/fixtures/trigger-vectors.json is stale");
    }
}

#[test]
fn each_failure_has_its_own_error() {
    let v = &vectors()[0];
    let verifier = TriggerVerifier::new(v.key.clone());
    let mut body = v.body.clone();
    body.remove("signed");
    assert_eq!(
        verifier.verify(&v.url, &fields_of(&body)),
        Err(TriggerError::MissingSigned)
    );
    let mut body = v.body.clone();
    body.remove("signature");
    assert_eq!(
        verifier.verify(&v.url, &fields_of(&body)),
        Err(TriggerError::MissingSignature)
    );
    let mut body = v.body.clone();
    body.remove("UserName");
    assert_eq!(
        verifier.verify(&v.url, &fields_of(&body)),
        Err(TriggerError::MissingField("UserName".into()))
    );
    let mut body = v.body.clone();
    body.insert("signature".into(), Value::String("00".repeat(64)));
    assert_eq!(
        verifier.verify(&v.url, &fields_of(&body)),
        Err(TriggerError::BadSignature)
    );
    // A lower-case signature is the same signature.
    let mut body = v.body.clone();
    body.insert(
        "signature".into(),
        Value::String(v.signature.to_lowercase()),
    );
    assert!(verifier.verify(&v.url, &fields_of(&body)).is_ok());
    assert!(TriggerFields::from_json(b"[1,2]").is_err());
    let debug = format!("{verifier:?}");
    assert!(!debug.contains(&v.key), "the key is not in Debug");
    assert!(
        debug.starts_with("TriggerVerifier") && debug.contains("[redacted]"),
        "{debug}"
    );
}

#[test]
fn a_field_the_signature_does_not_cover_never_reaches_the_verified_payload() {
    let v = &vectors()[0];
    let verifier = TriggerVerifier::new(v.key.clone());
    let mut body = v.body.clone();
    // An attacker who captured the trigger adds a field and sends it again.
    body.insert("StatusType".into(), Value::String("2".into()));
    body.insert("CustomOperatorStatusID".into(), Value::String("666".into()));
    body.insert("Injected".into(), Value::String("yes".into()));
    let fields = fields_of(&body);
    let signed = verifier
        .verify(&v.url, &fields)
        .expect("the signed part is intact");
    let mut names: Vec<&str> = signed.iter().map(|(n, _)| n).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["LoginID", "StatusType", "UserName", "signature", "signed"],
        "only what `signed` lists, plus signed and signature"
    );
    let status: AgentStatusChanged = signed.parse().unwrap();
    assert_eq!(status.custom_operator_status_id, None);
    assert!(!status.extra.contains_key("Injected"));
    // Still reachable, but only as unverified input, by a method that says so.
    let raw: AgentStatusChanged = fields.parse_unverified().unwrap();
    assert_eq!(raw.extra["Injected"], "yes");
}

#[test]
fn a_replayed_trigger_is_refused() {
    let v = &vectors()[1];
    let verifier = TriggerVerifier::new(v.key.clone());
    let guard = bold360_sdk::trigger::ReplayGuard::new(std::time::Duration::from_secs(600), 100);
    let signed = verifier.verify(&v.url, &fields_of(&v.body)).unwrap();
    assert_eq!(guard.check(&signed), Ok(()));
    let again = verifier.verify(&v.url, &fields_of(&v.body)).unwrap();
    assert_eq!(guard.check(&again), Err(TriggerError::Replayed));
    assert!(TriggerError::Replayed.is_unauthorized());
    let other = verifier
        .verify(&vectors()[1].url, &fields_of(&vectors()[1].body))
        .unwrap();
    assert_eq!(guard.check(&other), Err(TriggerError::Replayed));
    assert_eq!(guard.len(), 1);
}

#[test]
fn basic_credentials_are_checked_when_configured() {
    let verifier = TriggerVerifier::new("k").with_basic_auth("hook", "s3cret:pw");
    use base64::Engine;
    let good = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("hook:s3cret:pw")
    );
    let bad = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("hook:nope")
    );
    assert_eq!(verifier.verify_basic(Some(&good)), Ok(()));
    assert!(matches!(
        verifier.verify_basic(Some(&bad)),
        Err(TriggerError::Unauthorized(_))
    ));
    assert!(matches!(
        verifier.verify_basic(None),
        Err(TriggerError::Unauthorized(_))
    ));
    assert!(matches!(
        verifier.verify_basic(Some("Bearer x")),
        Err(TriggerError::Unauthorized(_))
    ));
    assert_eq!(
        TriggerVerifier::new("k").verify_basic(None),
        Ok(()),
        "not required unless configured"
    );
    assert!(verifier.requires_basic_auth());
    assert!(!TriggerVerifier::new("k").requires_basic_auth());
}

#[test]
fn typed_payloads_keep_ids_times_and_unknown_fields() {
    let v = &vectors()[0];
    let verifier = TriggerVerifier::new(v.key.clone());
    let signed = verifier.verify(&v.url, &fields_of(&v.body)).unwrap();
    let status: AgentStatusChanged = signed.parse().unwrap();
    assert_eq!(status.login_id.unwrap().as_str(), "2150000000000001");
    assert_eq!(status.status_type, Some(2));
    assert!(status.extra.contains_key("signature"));
    let v = &vectors()[1];
    let started: ChatStarted = fields_of(&v.body).parse_unverified().unwrap();
    assert_eq!(started.chat_id.unwrap().as_str(), "107984128488260560");
    assert_eq!(started.department_id, None, "an empty ID is absent");
    assert_eq!(
        started.started.unwrap().to_rfc3339(),
        "2024-05-01T10:00:00+00:00"
    );
    let bad = TriggerFields::from_form(b"ChatID=1&Ended=yesterday");
    let err = bad.parse_unverified::<ChatClosed>().unwrap_err();
    assert!(
        matches!(&err, TriggerError::MalformedBody(m) if m.contains("Ended")),
        "{err}"
    );
}

/// Replaces the character at `at` (modulo length) with a different one.
fn mutate(text: &str, at: usize, with: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return with.to_string();
    }
    let i = at % chars.len();
    chars[i] = if chars[i] == with {
        if with == 'a' {
            'b'
        } else {
            'a'
        }
    } else {
        with
    };
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bodies, URLs and keys never panic: verification answers Ok or a typed error,
    /// and an Ok only ever holds fields that `signed` lists.
    #[test]
    fn arbitrary_input_never_panics(
        body in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
        json in proptest::bool::ANY,
        url in ".{0,40}",
        key in ".{0,12}",
    ) {
        let content_type = if json { Some("application/json") } else { None };
        if let Ok(fields) = TriggerFields::from_body(content_type, &body) {
            let verifier = TriggerVerifier::new(key);
            let _ = string_to_sign(&url, &fields);
            if let Ok(signed) = verifier.verify(&url, &fields) {
                let listed: Vec<&str> = fields.get("signed").unwrap_or_default().split('&').collect();
                for (name, _) in signed.iter() {
                    prop_assert!(listed.contains(&name) || name == "signed" || name == "signature");
                }
            }
        }
    }


    #[test]
    fn changing_any_signed_value_fails(index in 0usize..7, field in 0usize..8, at in 0usize..256, with in any::<char>()) {
        let v = &vectors()[index];
        let signed: Vec<String> = v.body["signed"].as_str().unwrap().split('&').map(str::to_owned).collect();
        let name = &signed[field % signed.len()];
        let mut body = v.body.clone();
        let changed = mutate(body[name].as_str().unwrap(), at, with);
        body.insert(name.clone(), Value::String(changed));
        let verifier = TriggerVerifier::new(v.key.clone());
        prop_assert_eq!(verifier.verify(&v.url, &fields_of(&body)), Err(TriggerError::BadSignature));
    }

    #[test]
    fn changing_the_url_or_the_key_fails(index in 0usize..7, at in 0usize..256, with in any::<char>(), key in any::<bool>()) {
        let v = &vectors()[index];
        let fields = fields_of(&v.body);
        let (url, secret) = if key { (v.url.clone(), mutate(&v.key, at, with)) } else { (mutate(&v.url, at, with), v.key.clone()) };
        // `%20` and `+` are the same after encoding; a change between them is not a change.
        prop_assume!(url.replace("%20", "+") != v.url.replace("%20", "+") || secret != v.key);
        prop_assert_eq!(TriggerVerifier::new(secret).verify(&url, &fields), Err(TriggerError::BadSignature));
    }

    #[test]
    fn reordering_signed_changes_the_result(index in 0usize..7, seed in any::<u64>()) {
        let v = &vectors()[index];
        let mut names: Vec<&str> = v.body["signed"].as_str().unwrap().split('&').collect();
        let original = names.clone();
        // A deterministic shuffle from the seed; skip the identity permutation.
        let mut s = seed;
        for i in (1..names.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            names.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assume!(names != original);
        let mut body = v.body.clone();
        body.insert("signed".into(), Value::String(names.join("&")));
        let fields = fields_of(&body);
        let verifier = TriggerVerifier::new(v.key.clone());
        prop_assert_ne!(verifier.sign(&v.url, &fields).unwrap(), v.signature.clone());
        prop_assert_eq!(verifier.verify(&v.url, &fields), Err(TriggerError::BadSignature));
    }
}

#[derive(Clone)]
struct AppState {
    config: TriggerConfig,
    handled: Arc<AtomicUsize>,
}

impl axum::extract::FromRef<AppState> for TriggerConfig {
    fn from_ref(state: &AppState) -> Self {
        state.config.clone()
    }
}

async fn on_status(
    State(state): State<AppState>,
    VerifiedTrigger(event): VerifiedTrigger<AgentStatusChanged>,
) -> String {
    state.handled.fetch_add(1, Ordering::SeqCst);
    let fields: Vec<&String> = event.extra.keys().collect();
    format!("{}|{fields:?}", event.user_name.unwrap_or_default())
}

/// Fails (503) the first time it is called, as a handler whose own work failed.
async fn flaky(
    State(state): State<AppState>,
    VerifiedTrigger(_event): VerifiedTrigger<AgentStatusChanged>,
) -> (axum::http::StatusCode, &'static str) {
    if state.handled.fetch_add(1, Ordering::SeqCst) == 0 {
        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "try again")
    } else {
        (axum::http::StatusCode::OK, "ok")
    }
}

async fn serve(verifier: TriggerVerifier) -> (String, Arc<AtomicUsize>) {
    serve_with(TriggerConfig::new(verifier, "https://hooks.example.com")).await
}

async fn serve_with(config: TriggerConfig) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Bold360 is configured with the public URL; the server behind it sees only the path.
    let handled = Arc::new(AtomicUsize::new(0));
    let state = AppState {
        config,
        handled: Arc::clone(&handled),
    };
    let app = Router::new()
        .route("/operator-status-changed", post(on_status))
        .route("/flaky", post(flaky))
        .layer(TriggerConfig::replay_layer())
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/operator-status-changed"), handled)
}

#[tokio::test]
async fn the_extractor_lets_only_verified_triggers_reach_the_handler() {
    let v = &vectors()[0];
    let (url, handled) = serve(TriggerVerifier::new(v.key.clone())).await;
    let http = reqwest::Client::new();
    let post = |body: String, content_type: &'static str| {
        http.post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let ok = post(form_body(&v.body), "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.text().await.unwrap(),
        "jane doe|[\"signature\", \"signed\"]",
        "the handler got the typed payload"
    );
    let ok = post(serde_json::to_string(&v.body).unwrap(), "application/json")
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "JSON bodies work too");
    assert_eq!(handled.load(Ordering::SeqCst), 2);

    let mut forged = v.body.clone();
    forged.insert("StatusType".into(), Value::String("0".into()));
    let refused = post(form_body(&forged), "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.text().await.unwrap(),
        "trigger signature does not match"
    );
    let mut unsigned = v.body.clone();
    unsigned.remove("signature");
    let refused = post(
        serde_json::to_string(&unsigned).unwrap(),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 401);
    let malformed = post("{not json".into(), "application/json").await.unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        handled.load(Ordering::SeqCst),
        2,
        "no unverified request reached the handler"
    );
    // A captured trigger with a field added: accepted, but the added field is not passed on.
    let mut extended = v.body.clone();
    extended.insert("Injected".into(), Value::String("yes".into()));
    let ok = post(form_body(&extended), "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.text().await.unwrap(),
        "jane doe|[\"signature\", \"signed\"]"
    );
}

#[tokio::test]
async fn the_extractor_refuses_a_replay_when_guarded() {
    let v = &vectors()[0];
    let config = TriggerConfig::new(
        TriggerVerifier::new(v.key.clone()),
        "https://hooks.example.com",
    )
    .with_replay_guard(bold360_sdk::trigger::ReplayGuard::new(
        std::time::Duration::from_secs(600),
        1000,
    ));
    let (url, handled) = serve_with(config).await;
    let http = reqwest::Client::new();
    let send = || http.post(&url).body(form_body(&v.body)).send();
    assert_eq!(send().await.unwrap().status(), 200);
    let again = send().await.unwrap();
    assert_eq!(again.status(), 401);
    assert_eq!(
        again.text().await.unwrap(),
        "trigger was already received (a replay)"
    );
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_extractor_checks_basic_credentials() {
    let v = &vectors()[0];
    let (url, handled) =
        serve(TriggerVerifier::new(v.key.clone()).with_basic_auth("hook", "pw")).await;
    let http = reqwest::Client::new();
    let body = form_body(&v.body);
    let refused = http.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().contains_key("www-authenticate"));
    use base64::Engine;
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("hook:pw")
    );
    let ok = http
        .post(&url)
        .header("authorization", auth)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

/// A form body for `fields`, signed for the test server's public URL with `key`.
fn signed_form(key: &str, fields: &[(&str, String)]) -> String {
    let mut map = serde_json::Map::new();
    for (name, value) in fields {
        map.insert((*name).into(), Value::String(value.clone()));
    }
    let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    map.insert("signed".into(), Value::String(names.join("&")));
    let as_fields =
        TriggerFields::from_json(serde_json::to_string(&map).unwrap().as_bytes()).unwrap();
    let signature = TriggerVerifier::new(key)
        .sign(
            "https://hooks.example.com/operator-status-changed",
            &as_fields,
        )
        .unwrap();
    map.insert("signature".into(), Value::String(signature));
    form_body(&map)
}

#[tokio::test]
async fn the_extractor_reads_bodies_up_to_4_mib_and_refuses_larger_ones() {
    let (url, handled) = serve(TriggerVerifier::new("big-key")).await;
    let http = reqwest::Client::new();
    let send = |size: usize| {
        let body = signed_form(
            "big-key",
            &[
                ("UserName", "jane".into()),
                ("Transcript", "x".repeat(size)),
            ],
        );
        http.post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    // A long transcript (2 MiB) is a normal trigger.
    let ok = send(2 * 1024 * 1024).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
    // Past 4 MiB the body is not read.
    let refused = send(4 * 1024 * 1024 + 1).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[test]
fn a_body_is_json_when_its_type_says_so_or_it_starts_with_a_brace() {
    let json = br#"{"ChatID":"7","Name":"a&b=c"}"#;
    for (content_type, body) in [
        (Some("application/json; charset=utf-8"), &json[..]),
        (Some("APPLICATION/JSON"), &json[..]),
        (None, &json[..]),
        (Some("text/plain"), &json[..]),
        (None, &b" \n\t{\"ChatID\":\"7\",\"Name\":\"a&b=c\"}"[..]),
    ] {
        let fields = TriggerFields::from_body(content_type, body).unwrap();
        assert_eq!(fields.get("ChatID"), Some("7"), "{content_type:?}");
        assert_eq!(fields.get("Name"), Some("a&b=c"), "{content_type:?}");
    }
    let form = TriggerFields::from_body(None, b"ChatID=7&Name=a%26b%3Dc").unwrap();
    assert_eq!(form.get("Name"), Some("a&b=c"));
    let form =
        TriggerFields::from_body(Some("application/x-www-form-urlencoded"), b" ChatID=7").unwrap();
    assert_eq!(form.iter().count(), 1, "a form body, leading space and all");
    assert!(
        TriggerFields::from_body(Some("application/json"), b"ChatID=7").is_err(),
        "a JSON type with a form body is malformed, not guessed"
    );
}

#[test]
fn insert_sets_a_field_and_signed_fields_hold_only_what_was_signed() {
    let mut fields = TriggerFields::from_form(b"ChatID=1&signed=ChatID");
    fields.insert("Rating", "5");
    fields.insert("ChatID", "2");
    assert_eq!(fields.get("Rating"), Some("5"));
    assert_eq!(fields.get("ChatID"), Some("2"), "insert replaces");
    let verifier = TriggerVerifier::new("k");
    let url = "https://h.example.com/t";
    let signature = verifier.sign(url, &fields).unwrap();
    fields.insert("signature", signature);
    let signed = verifier.verify(url, &fields).unwrap();
    assert_eq!(signed.get("ChatID"), Some("2"));
    assert_eq!(signed.get("Rating"), None);
    assert_eq!(signed.get("Nothing"), None);
}

#[tokio::test]
async fn the_extractor_accepts_every_signature_form() {
    let (url, handled) = serve(TriggerVerifier::new("Key'With!Odd(Chars)~")).await;
    let http = reqwest::Client::new();
    let public = "https://hooks.example.com/operator-status-changed";
    let verifier = TriggerVerifier::new("Key'With!Odd(Chars)~");
    for (i, form) in SignatureForm::ALL.into_iter().enumerate() {
        let mut fields = TriggerFields::default();
        fields.insert("LoginID", "2150000000000001");
        fields.insert("UserName", "D'Arcy (on call) ~ it's me! *50%* + é");
        fields.insert("signed", "LoginID&UserName");
        let signature = verifier.sign_as(public, &fields, form).unwrap();
        fields.insert("signature", signature);
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", form.encode(k), form.encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let answer = http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{form:?}");
        assert!(answer
            .text()
            .await
            .unwrap()
            .starts_with("D'Arcy (on call) ~ it's me! *50%* + é|"));
        assert_eq!(handled.load(Ordering::SeqCst), i + 1);
        let forged = body.replace("2150000000000001", "2150000000000002");
        let refused = http.post(&url).body(forged).send().await.unwrap();
        assert_eq!(refused.status(), 401, "{form:?}");
        assert_eq!(handled.load(Ordering::SeqCst), i + 1);
    }
}

#[tokio::test]
async fn a_trigger_whose_handler_failed_is_handled_again_not_refused_as_a_replay() {
    let key = "flaky-key";
    let config = TriggerConfig::new(TriggerVerifier::new(key), "https://hooks.example.com")
        .with_replay_guard(bold360_sdk::trigger::ReplayGuard::new(
            std::time::Duration::from_secs(600),
            1000,
        ));
    let (url, handled) = serve_with(config).await;
    let url = url.replace("/operator-status-changed", "/flaky");
    let fields = [
        ("LoginID", "1".to_owned()),
        ("UserName", "it's me".to_owned()),
    ];
    let body =
        bold360_sdk::sandbox::signed_trigger_body(key, "https://hooks.example.com/flaky", &fields);
    let http = reqwest::Client::new();
    let send = || {
        http.post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 503, "the handler failed");
    assert_eq!(send().await.unwrap().status(), 200, "the retry is handled");
    let again = send().await.unwrap();
    assert_eq!(again.status(), 401, "now it is a replay");
    assert_eq!(handled.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_guard_without_its_layer_is_a_clear_server_error() {
    let v = &vectors()[0];
    let config = TriggerConfig::new(
        TriggerVerifier::new(v.key.clone()),
        "https://hooks.example.com",
    )
    .with_replay_guard(bold360_sdk::trigger::ReplayGuard::new(
        std::time::Duration::from_secs(600),
        10,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState {
        config,
        handled: Arc::new(AtomicUsize::new(0)),
    };
    let app = Router::new()
        .route("/operator-status-changed", post(on_status))
        .with_state(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let answer = reqwest::Client::new()
        .post(format!("http://{addr}/operator-status-changed"))
        .body(form_body(&v.body))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 500);
    assert!(answer.text().await.unwrap().contains("replay_layer"));
    assert_eq!(state.handled.load(Ordering::SeqCst), 0);
}

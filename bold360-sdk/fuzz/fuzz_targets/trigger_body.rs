//! Trigger bodies (form and JSON) through field parsing, signature verification and the typed
//! payloads. Beyond "no panic": a body signed under each signature form verifies, and the
//! fields a verification returns are fields of the body, with the body's values.
#![no_main]

use bold360_sdk::trigger::payload::{
    ChatAnswered, ChatClosed, ChatMessageAdded, ChatStarted, ChatUnavailable,
};
use bold360_sdk::trigger::{SignatureForm, TriggerFields, TriggerVerifier};
use libfuzzer_sys::fuzz_target;

const URL: &str = "https://hooks.example.com/bold360/chat-closed?team=a";

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let content_type = match kind % 4 {
        0 => Some("application/x-www-form-urlencoded"),
        1 => Some("application/json"),
        2 => Some("text/plain; charset=utf-8"),
        _ => None,
    };
    let lenient = TriggerFields::from_body(content_type, body);
    let strict = TriggerFields::from_body_strict(content_type, body);
    if let (Err(_), Ok(_)) = (&lenient, &strict) {
        panic!("the strict parser accepted a body the lenient one refused");
    }
    let Ok(fields) = lenient else { return };
    let verifier = TriggerVerifier::new("fuzz-key");
    // A forged or unsigned body: refused or accepted, never a panic.
    let _ = verifier.verify(URL, &fields);
    let _ = fields.parse_unverified::<ChatClosed>();

    // The body signed as Bold360 would sign it verifies under every form, and what comes back
    // is the body's own fields.
    if fields
        .get("signed")
        .is_some_and(|s| s.to_ascii_lowercase().contains("signature"))
    {
        return; // a body that signs its own signature field cannot be re-signed
    }
    for form in SignatureForm::ALL {
        let Ok(signature) = verifier.sign_as(URL, &fields, form) else {
            continue;
        };
        let mut signed_body = fields.clone();
        signed_body.insert("signature", signature);
        let verified = verifier
            .verify(URL, &signed_body)
            .unwrap_or_else(|e| panic!("a body signed as {form:?} is refused: {e}"));
        for (name, value) in verified.iter() {
            assert_eq!(
                signed_body.get(name),
                Some(value),
                "a verified field that the body does not hold as such: {name}"
            );
        }
        let _ = verified.parse::<ChatStarted>();
        let _ = verified.parse::<ChatAnswered>();
        let _ = verified.parse::<ChatClosed>();
        let _ = verified.parse::<ChatUnavailable>();
        let _ = verified.parse::<ChatMessageAdded>();
        // Signed by another key: refused.
        assert!(TriggerVerifier::new("other-key")
            .verify(URL, &signed_body)
            .is_err());
    }
});

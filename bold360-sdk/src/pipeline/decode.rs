//! Stage 6, decode: the response (status, `Retry-After`, body) read into an [`Envelope`] with
//! typed `Data`, or into the [`Error`] variant that says what the server meant: a refusal, the
//! API's own error, a body that is not a Bold360 answer, data that does not decode. Deciding
//! what to do about it is the next stage's (`classify`).

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::send::Received;

use crate::error::Error;
use crate::redact;
use crate::response::envelope::{decode_data, parse_as, parse_raw, Envelope};

/// The text that marks the server's account-wide refusal.
const REFUSAL: &str = "too many simultaneous requests";

/// Decodes a response read in full; `now_millis` dates an HTTP-date `Retry-After`.
pub(crate) fn response<D: DeserializeOwned>(
    method: &str,
    received: &Received,
    now_millis: u64,
    secrets: &[&str],
) -> Result<Envelope<D>, Error> {
    let retry_after = received
        .headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now_millis));
    decode(method, received.status, &received.body, secrets)
        .map_err(|e| pacing(e, received.status, retry_after))
}

/// Applies what the status and `Retry-After` say about pacing: a 429 is a refusal (nothing
/// was done), and on 429 and 503 the server's `Retry-After` is kept for the retry decision.
fn pacing(error: Error, http_status: u16, retry_after: Option<Duration>) -> Error {
    match (error, http_status) {
        (Error::Http { method, .. }, 429) | (Error::TooManyRequests { method, .. }, 429) => {
            Error::TooManyRequests {
                method,
                http_status: 429,
                retry_after,
            }
        }
        (
            Error::Http {
                method,
                status,
                snippet,
                ..
            },
            503,
        ) => Error::Http {
            method,
            status,
            snippet,
            retry_after,
        },
        (other, _) => other,
    }
}

/// A `Retry-After` header value: delay-seconds or an HTTP date (RFC 9110), as a wait from
/// `now_millis` (Unix milliseconds). A date in the past is no wait; garbage is `None`.
fn parse_retry_after(value: &str, now_millis: u64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let when_ms = u64::try_from(when.timestamp_millis()).unwrap_or(0);
    Some(Duration::from_millis(when_ms.saturating_sub(now_millis)))
}

/// Decodes a response body. `secrets` are scrubbed from anything copied into an error.
pub(crate) fn decode<D: DeserializeOwned>(
    method: &str,
    http_status: u16,
    body: &[u8],
    secrets: &[&str],
) -> Result<Envelope<D>, Error> {
    let http_error = || Error::Http {
        method: method.to_owned(),
        status: http_status,
        snippet: redact::snippet(body, secrets),
        retry_after: None,
    };
    let success = (200..300).contains(&http_status);
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(http_error());
    };
    let text = text.trim_start_matches('\u{feff}').trim();
    let json = unwrap_jsonp(text).unwrap_or(text);
    if !json.starts_with('{') {
        if is_refusal(json) {
            return Err(refused(method, http_status));
        }
        return Err(if success && json.starts_with('[') {
            Error::Decode {
                method: method.to_owned(),
                path: "$".to_owned(),
                message: "expected a response object, got an array".to_owned(),
            }
        } else {
            http_error()
        });
    }
    // The usual answer, a success with data that fits, is read in one pass. Anything else
    // (an error status, data that does not decode, a foreign object) is read again below,
    // where each case gets its own error and a failed decode its JSON path.
    if success {
        if let Ok(env) = parse_as::<D>(json) {
            if env.is_envelope() && env.status_ok() {
                return Ok(env);
            }
        }
    }
    let raw = match parse_raw(json) {
        Ok(raw) => raw,
        Err(_) if !success => return Err(http_error()),
        Err(err) => {
            return Err(Error::Decode {
                method: method.to_owned(),
                path: "$".to_owned(),
                message: redact::scrub(&err.to_string(), secrets),
            })
        }
    };
    if !raw.is_envelope() {
        return Err(http_error());
    }
    if !raw.status_ok() {
        let message = raw.message.as_deref().unwrap_or("(no message)");
        if is_refusal(message) {
            return Err(refused(method, http_status));
        }
        return Err(Error::Api {
            method: method.to_owned(),
            // The status is the server's text like the message: a secret in it is scrubbed.
            status: redact::scrub(raw.status.as_deref().unwrap_or_default(), secrets),
            message: redact::scrub(message, secrets),
            http_status,
        });
    }
    if !success {
        return Err(http_error());
    }
    raw.try_map_data(|raw_data| {
        decode_data(raw_data).map_err(|(path, message)| Error::Decode {
            method: method.to_owned(),
            path: redact::scrub(&path, secrets),
            message: redact::scrub(&message, secrets),
        })
    })
}

fn refused(method: &str, http_status: u16) -> Error {
    Error::TooManyRequests {
        method: method.to_owned(),
        http_status,
        retry_after: None,
    }
}

fn is_refusal(text: &str) -> bool {
    text.len() < 4096 && text.to_ascii_lowercase().contains(REFUSAL)
}

/// Strips a JSONP wrapper, `name( … )` or `name( … );`, optionally preceded by `/**/`.
pub(crate) fn unwrap_jsonp(text: &str) -> Option<&str> {
    let text = text.strip_prefix("/**/").unwrap_or(text).trim_start();
    let open = text.find('(')?;
    let name = text[..open].trim_end();
    let valid_name = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'));
    if !valid_name {
        return None;
    }
    let rest = text[open + 1..].trim_end();
    let rest = rest.strip_suffix(';').unwrap_or(rest).trim_end();
    rest.strip_suffix(')').map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn received(status: u16, retry_after: Option<&str>, body: &str) -> Received {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(reqwest::header::RETRY_AFTER, value.parse().unwrap());
        }
        Received {
            status,
            headers,
            body: body.as_bytes().to_vec(),
            round_trip: Duration::ZERO,
        }
    }

    #[test]
    fn retry_after_is_read_from_429_and_503_only() {
        assert_eq!(parse_retry_after("2", 0), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 120 ", 0),
            Some(Duration::from_secs(120))
        );
        // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480000 ms.
        let date = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(
            parse_retry_after(date, 1_445_412_477_500),
            Some(Duration::from_millis(2_500))
        );
        assert_eq!(
            parse_retry_after(date, 1_445_412_490_000),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
        assert_eq!(parse_retry_after("-3", 0), None);

        let e = response::<Value>("m", &received(429, Some("2"), "slow down"), 0, &[]).unwrap_err();
        assert!(e.is_refusal(), "429 is a refusal: {e:?}");
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        let e = response::<Value>(
            "m",
            &received(503, Some(date), "<html>"),
            1_445_412_477_500,
            &[],
        )
        .unwrap_err();
        assert!(matches!(e, Error::Http { status: 503, .. }) && !e.is_refusal());
        assert_eq!(e.retry_after(), Some(Duration::from_millis(2_500)));
        let e = response::<Value>("m", &received(500, Some("3"), "<html>"), 0, &[]).unwrap_err();
        assert_eq!(e.retry_after(), None, "only 429 and 503 carry it");
        let e = response::<Value>(
            "m",
            &received(500, Some("3"), "500 Too many simultaneous requests"),
            0,
            &[],
        )
        .unwrap_err();
        assert!(e.is_refusal() && e.retry_after().is_none());
        let ok = response::<Value>(
            "m",
            &received(200, Some("3"), r#"{"Status":"success","Data":[1]}"#),
            0,
            &[],
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn broken_json_is_an_http_error_off_2xx_and_a_decode_error_on_2xx() {
        let off = decode::<Value>("m", 502, b"{not json", &[]).unwrap_err();
        assert!(matches!(off, Error::Http { status: 502, .. }), "{off:?}");
        let on = decode::<Value>("m", 200, b"{not json", &[]).unwrap_err();
        assert!(matches!(on, Error::Decode { .. }), "{on:?}");
    }

    #[test]
    fn each_envelope_field_alone_makes_an_answer() {
        for body in [
            r#"{"Status":"success"}"#,
            r#"{"Data":[]}"#,
            r#"{"Truncated":false}"#,
            r#"{"Next":{"PageStart":"2"}}"#,
            r#"{"NextPage":"abc"}"#,
            r#"{"StatusCode":5}"#,
        ] {
            assert!(
                decode::<Value>("m", 200, body.as_bytes(), &[]).is_ok(),
                "{body}"
            );
        }
        let foreign = decode::<Value>("m", 200, br#"{"error":"upstream"}"#, &[]).unwrap_err();
        assert!(matches!(foreign, Error::Http { .. }), "{foreign:?}");
    }

    #[test]
    fn a_refusal_is_recognised_only_in_a_short_body() {
        let phrase = "500 Too many simultaneous requests";
        let body = |len: usize| format!("{phrase}{}", "x".repeat(len - phrase.len()));
        let short = decode::<Value>("m", 500, body(4095).as_bytes(), &[]).unwrap_err();
        assert!(short.is_refusal(), "{short:?}");
        let long = decode::<Value>("m", 500, body(4096).as_bytes(), &[]).unwrap_err();
        assert!(
            !long.is_refusal(),
            "a 4 KiB page that mentions it is not a refusal"
        );
    }

    proptest::proptest! {
        /// Arbitrary bytes with any status never panic: a typed answer or a typed error.
        #[test]
        fn arbitrary_bodies_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..512), status in 100u16..600) {
            let _ = decode::<Value>("m", status, &body, &["secret"]);
            let _ = decode::<crate::response::records::Records<Value>>("m", status, &body, &["secret"]);
        }

        /// Envelope-like JSON with arbitrary values in every known field never panics, and an
        /// error never carries a secret.
        #[test]
        fn arbitrary_envelopes_never_panic(
            status in proptest::option::of("[a-zA-Z]{0,8}"),
            data in arbitrary_json(),
            truncated in arbitrary_json(),
            next in arbitrary_json(),
            message in ".{0,20}",
        ) {
            let mut object = serde_json::Map::new();
            if let Some(s) = status { object.insert("Status".into(), Value::String(s)); }
            object.insert("Data".into(), data);
            object.insert("Truncated".into(), truncated);
            object.insert("Next".into(), next);
            object.insert("Message".into(), Value::String(format!("{message} secret")));
            let body = serde_json::to_vec(&Value::Object(object)).unwrap();
            for status in [200, 500] {
                if let Err(e) = decode::<crate::response::records::Records<Value>>("m", status, &body, &["secret"]) {
                    proptest::prop_assert!(!e.to_string().contains("secret"), "{}", e);
                }
            }
        }
    }

    fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[A-Za-z]{1,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn ok(body: &str) -> Envelope<Value> {
        decode("m", 200, body.as_bytes(), &[]).unwrap()
    }

    #[test]
    fn foreign_json_is_not_an_answer() {
        for body in [
            r#"{"error": "upstream request timeout", "code": 504}"#,
            r#"{}"#,
            r#"{"message": "gateway"}"#,
        ] {
            match decode::<Value>("getChat", 200, body.as_bytes(), &["secret"]) {
                Err(Error::Http {
                    method,
                    status,
                    snippet,
                    ..
                }) => {
                    assert_eq!((method.as_str(), status), ("getChat", 200));
                    assert!(!snippet.is_empty() || body == "{}", "{body}");
                }
                other => panic!("{body}: {other:?}"),
            }
        }
        // Without Status, the envelope's own fields still make an answer.
        assert_eq!(ok(r#"{"Data": []}"#).data, Some(Value::Array(vec![])));
        assert_eq!(ok(r#"{"StatusCode": 1}"#).status_code, Some(1));
        assert_eq!(
            ok(r#"{"status": "success"}"#).status.as_deref(),
            Some("success")
        );
    }

    #[test]
    fn envelope_fields_and_unknown_fields() {
        let env = ok(
            r#"{"Status":"Success","Data":[{"A":1},{"B":2}],"Truncated":"true",
            "Next":{"Z":"1","PageStart":1000},"NextPage":"abc","StatusCode":"4",
            "FieldTypes":{"A":"int"},"Surprise":[1,2]}"#,
        );
        assert_eq!(env.record_count(), 2);
        assert_eq!(env.truncated, Some(true));
        let next: Vec<_> = env.next.as_ref().unwrap().iter().map(|(k, _)| k).collect();
        assert_eq!(next, ["Z", "PageStart"]);
        assert_eq!(env.next_page.as_deref(), Some("abc"));
        assert_eq!(env.status_code, Some(4));
        assert_eq!(env.extra["Surprise"], serde_json::json!([1, 2]));
        let env = ok(r#"{"Status":"success","Data":{"ChatID":"1"}}"#);
        assert_eq!(env.record_count(), 1);
        let env = ok(r#"{"Status":"success","Data":null}"#);
        assert!(env.data.is_none());
    }

    #[test]
    fn envelopes_serialize_with_the_api_names_known_fields_first() {
        let env = ok(
            r#"{"Surprise":[1],"NextPage":"abc","Status":"success","Data":[{"A":1}],
            "Next":{"Z":"1","PageStart":"2"},"Truncated":true,"Late":null}"#,
        );
        let text = serde_json::to_string(&env).unwrap();
        assert_eq!(
            text,
            r#"{"Status":"success","Data":[{"A":1}],"Truncated":true,"Next":{"Z":"1","PageStart":"2"},"NextPage":"abc","Surprise":[1],"Late":null}"#
        );
    }

    #[test]
    fn status_is_compared_without_case() {
        for s in ["success", "SUCCESS", "Success"] {
            assert!(
                decode::<Value>("m", 200, format!(r#"{{"Status":"{s}"}}"#).as_bytes(), &[]).is_ok()
            );
        }
        let err = decode::<Value>(
            "getChat",
            200,
            br#"{"Status":"error","Message":"Invalid ChatID"}"#,
            &[],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Api { message, .. } if message == "Invalid ChatID"),
            "{err:?}"
        );
    }

    #[test]
    fn jsonp_is_unwrapped() {
        let env = ok(r#"cb({"Status":"success","Data":[1]});"#);
        assert_eq!(env.record_count(), 1);
        let env = ok("/**/ jQuery_123.x ( {\"Status\":\"success\"} )");
        assert_eq!(env.status.as_deref(), Some("success"));
        assert_eq!(unwrap_jsonp("(x)"), None);
        assert_eq!(unwrap_jsonp("1abc(x)"), None);
        // Names may start with a letter, `_` or `$`, and go on with digits and dots.
        assert_eq!(unwrap_jsonp("$cb({})"), Some("{}"));
        assert_eq!(unwrap_jsonp("_cb({})"), Some("{}"));
        assert_eq!(unwrap_jsonp("a1.$_b({})"), Some("{}"));
        assert_eq!(unwrap_jsonp("a-b({})"), None);
        assert_eq!(unwrap_jsonp("cb({}"), None, "no closing parenthesis");
        assert_eq!(unwrap_jsonp("cb ( {} ) ; "), Some("{}"));
    }

    #[test]
    fn non_json_bodies_become_http_errors() {
        let err =
            decode::<Value>("m", 500, b"500 Too many simultaneous requests", &[]).unwrap_err();
        assert!(err.is_refusal(), "{err:?}");
        let err =
            decode::<Value>("m", 502, b"<html><body>Bad gateway</body></html>", &[]).unwrap_err();
        assert!(
            matches!(&err, Error::Http { status: 502, snippet, .. } if snippet.contains("Bad gateway"))
        );
        let err = decode::<Value>("m", 200, b"", &[]).unwrap_err();
        assert!(matches!(&err, Error::Http { status: 200, .. }), "{err:?}");
        let err = decode::<Value>("m", 200, br#"{"Status":"success","Data":[1,"#, &[]).unwrap_err();
        assert!(matches!(&err, Error::Decode { .. }), "{err:?}");
        let err = decode::<Value>("m", 503, br#"{"Status":"success"}"#, &[]).unwrap_err();
        assert!(matches!(&err, Error::Http { status: 503, .. }), "{err:?}");
    }

    #[test]
    fn a_secret_in_an_error_envelopes_status_is_scrubbed() {
        // Found by the response_body fuzz target: the status was copied into the error as sent.
        let body = "{\"Status\":\"\u{fffd}\u{fffd} tok3n-secret\"}";
        let err = decode::<Value>("getChat", 200, body.as_bytes(), &["tok3n-secret"]).unwrap_err();
        assert!(!err.to_string().contains("tok3n-secret"), "{err}");
        assert!(!format!("{err:?}").contains("tok3n-secret"), "{err:?}");
        let body =
            "{\"Status\":\"success\",\"Data\":{\"tok3n-secret\":1},\"Truncated\":\"tok3n-secret\"}";
        let err = decode::<Value>("getChat", 200, body.as_bytes(), &["tok3n-secret"]).unwrap_err();
        assert!(
            !format!("{err} {err:?}").contains("tok3n-secret"),
            "{err:?}"
        );
    }

    #[test]
    fn decode_errors_carry_the_path() {
        #[derive(serde::Deserialize, Debug)]
        struct Rec {
            #[serde(rename = "ChatID")]
            _chat_id: crate::fields::id::Id,
        }
        let err = decode::<Vec<Rec>>(
            "m",
            200,
            br#"{"Data":[{"ChatID":"1"},{"ChatID":true}]}"#,
            &[],
        )
        .unwrap_err();
        match err {
            Error::Decode { path, .. } => assert_eq!(path, "Data[1].ChatID"),
            other => panic!("{other:?}"),
        }
    }
}

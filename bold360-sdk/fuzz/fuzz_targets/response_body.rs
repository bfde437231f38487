//! API response bodies through the envelope decoder (raw, lenient JSON and the typed records
//! of several methods), with any HTTP status. Beyond "no panic": a secret the body carries
//! never reaches an error; a typed record encodes and decodes to itself; the continuation
//! parameters of a page are parameters.
#![no_main]

use bold360_sdk::__bench::decode_as;
use bold360_sdk::methods::{get_all_chat_messages, get_inactive_chats, get_operators};
use bold360_sdk::{Envelope, Records};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Stands for a token and a key: `$T` and `$K` in the input become these.
const TOKEN: &str = "tok3n0123456789ABCDEFfuzzsecretvalue";
const KEY: &str = "k3yfuzzSECRETkeyvalue0123456789";

fn no_secret(what: &str, text: &str) {
    assert!(
        !text.contains(TOKEN) && !text.contains(KEY),
        "{what} shows a secret: {text}"
    );
}

fn typed<T>(method: &str, status: u16, body: &[u8])
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    match decode_as::<Records<T>>(method, status, body, &[TOKEN, KEY]) {
        Err(e) => {
            no_secret("an error's Display", &e.to_string());
            no_secret("an error's Debug", &format!("{e:?}"));
        }
        Ok(page) => round_trip(method, page),
    }
}

fn round_trip<T>(method: &str, page: Envelope<Records<T>>)
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    for (k, _) in page.next.iter().flat_map(|n| n.iter()) {
        assert!(
            !k.is_empty(),
            "{method}: a continuation parameter without a name"
        );
    }
    let Some(records) = page.data else { return };
    for record in records.0 {
        let encoded = serde_json::to_value(&record).unwrap();
        let decoded: T = serde_json::from_value(encoded.clone()).unwrap_or_else(|e| {
            panic!("{method}: a record's own encoding does not decode: {e}\n{encoded}")
        });
        assert_eq!(decoded, record, "{method}: decode(encode(record)) differs");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&status, body)) = data.split_first() else {
        return;
    };
    let status = match status % 8 {
        0 => 500,
        1 => 429,
        2 => 503,
        3 => 404,
        _ => 200,
    };
    let text = String::from_utf8_lossy(body)
        .replace("$T", TOKEN)
        .replace("$K", KEY);
    let body = text.as_bytes();
    match decode_as::<Records<Value>>("getAllChatMessages", status, body, &[TOKEN, KEY]) {
        Err(e) => {
            no_secret("an error's Display", &e.to_string());
            no_secret("an error's Debug", &format!("{e:?}"));
        }
        Ok(page) => {
            let _ = page.record_count();
            if let Some(next) = &page.next {
                let _ = next.to_params();
            }
        }
    }
    typed::<get_all_chat_messages::Record>("getAllChatMessages", status, body);
    typed::<get_inactive_chats::Record>("getInactiveChats", status, body);
    typed::<get_operators::Record>("getOperators", status, body);
});

//! `bold360 send-trigger --url URL [Field=value …] [--print]`: signs a trigger as Bold360
//! signs it (the key from BOLD360_TRIGGER_KEY, else BOLD360_API_KEY; `'` as `%27`) and POSTs
//! it form-encoded, or prints the body, so a receiver can be tried without a Bold360 account.

use bold360_sdk::sandbox::signed_trigger_body;

use crate::exit::{API, OK};
use crate::fail::Failure;
use crate::out::outln;

pub async fn run(url: &str, items: &[String], print: bool) -> Result<u8, Failure> {
    let key = crate::relay::trigger_key()?;
    let mut fields: Vec<(&str, String)> = Vec::new();
    for item in items {
        let (name, value) = item
            .split_once('=')
            .filter(|(name, _)| !name.trim().is_empty())
            .ok_or_else(|| Failure::usage(format!("field {item:?} is not Name=Value")))?;
        if name == "signed" || name == "signature" {
            return Err(Failure::usage(format!("{name} is computed, not given")));
        }
        if fields.iter().any(|(n, _)| *n == name) {
            return Err(Failure::usage(format!("field {name} is given twice")));
        }
        fields.push((name, value.to_owned()));
    }
    if fields.is_empty() {
        return Err(Failure::usage("give at least one field, e.g. ChatID=1"));
    }
    let body = signed_trigger_body(&key, url, &fields);
    if print {
        outln!("{body}");
        return Ok(OK);
    }
    let answer = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| Failure {
            code: crate::exit::NETWORK,
            message: format!("cannot send the trigger: {e}"),
        })?;
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    outln!("{} {}", status.as_u16(), text.trim());
    if status.is_success() {
        Ok(OK)
    } else {
        Err(Failure {
            code: API,
            message: format!("the receiver answered {status}"),
        })
    }
}

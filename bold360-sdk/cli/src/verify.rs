//! `bold360 verify-trigger --url URL [--body FILE]`: prints the verified fields (only those
//! the signature covers) as one JSON object and exits 0, or exits 1 with the reason.

use crate::out::outln;
use std::io::Read;
use std::path::Path;

use bold360_sdk::trigger::{TriggerFields, TriggerVerifier};

use crate::exit::{INVALID, OK};
use crate::fail::Failure;

pub fn run(url: &str, body: Option<&Path>) -> Result<u8, Failure> {
    let key = std::env::var("BOLD360_TRIGGER_KEY")
        .or_else(|_| std::env::var("BOLD360_API_KEY"))
        .map_err(|_| {
            Failure::usage(
                "set BOLD360_TRIGGER_KEY (or BOLD360_API_KEY) to the key triggers are signed with",
            )
        })?;
    let bytes = match body {
        Some(path) => {
            std::fs::read(path).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        }
        None => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes)?;
            bytes
        }
    };
    let verdict = TriggerFields::from_body(None, &bytes)
        .and_then(|fields| TriggerVerifier::new(key).verify(url, &fields));
    match verdict {
        Ok(signed) => {
            // The verified fields only, as one JSON object, in arrival order.
            let mut object = String::from("{");
            for (i, (name, value)) in signed.iter().enumerate() {
                if i > 0 {
                    object.push(',');
                }
                let pair = (
                    serde_json::to_string(name).map_err(|e| Failure::usage(e.to_string()))?,
                    serde_json::to_string(value).map_err(|e| Failure::usage(e.to_string()))?,
                );
                object.push_str(&format!("{}:{}", pair.0, pair.1));
            }
            object.push('}');
            outln!("{object}");
            Ok(OK)
        }
        Err(e) => Err(Failure {
            code: INVALID,
            message: format!("invalid: {e}"),
        }),
    }
}

//! `bold360 verify-trigger --url URL [--body FILE]`.

use crate::out::outln;
use std::io::Read;
use std::path::Path;

use bold360_sdk::trigger::{TriggerFields, TriggerVerifier};

use crate::fail::{Failure, INVALID, OK};

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
        Ok(()) => {
            outln!("valid");
            Ok(OK)
        }
        Err(e) => Err(Failure {
            code: INVALID,
            message: format!("invalid: {e}"),
        }),
    }
}

//! IDs, dates and every parameter type's value check, as a call by name meets them. Beyond "no
//! panic": an ID printed then parsed is the same ID; a date-time the wire parser reads prints
//! and reads back to the same instant; a value a method accepts is accepted again as it is
//! sent (normalizing is idempotent), and a refusal names the method and the parameter.
#![no_main]

use bold360_sdk::wire::parse_datetime;
use bold360_sdk::{methods, ApiVersion, Id, Params};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [m, v, p, rest @ ..] = data else { return };
    let value = String::from_utf8_lossy(rest);

    if let Ok(id) = Id::parse(&value) {
        assert_eq!(Id::parse(id.as_str()).unwrap().as_str(), id.as_str());
        assert_eq!(id.as_str(), value.as_ref(), "an ID is kept as written");
    }
    if let Some(when) = parse_datetime(&value) {
        let printed = when.to_rfc3339();
        assert_eq!(
            parse_datetime(&printed),
            Some(when),
            "{value:?} → {printed}"
        );
    }

    let method = &methods::ALL[usize::from(*m) % methods::ALL.len()];
    let version = if v % 2 == 0 {
        ApiVersion::V1
    } else {
        ApiVersion::V2
    };
    let params_of = method.params();
    if params_of.is_empty() {
        return;
    }
    let param = &params_of[usize::from(*p) % params_of.len()];
    if let Ok(normalized) = param.ty().normalize(&value) {
        let again = param.ty().normalize(&normalized).unwrap_or_else(|e| {
            panic!(
                "{}.{}: {value:?} accepted as {normalized:?}, which is refused: {e}",
                method.name(),
                param.name()
            )
        });
        assert_eq!(
            again,
            normalized,
            "{}.{}: normalizing twice differs",
            method.name(),
            param.name()
        );
    }
    let params = Params::new().with(param.name(), value.as_ref());
    match method.normalize(version, &params) {
        Ok(Some(sent)) => {
            assert!(
                matches!(method.normalize(version, &sent), Ok(None)),
                "{}: what is sent for {params:?} is not accepted as it is: {sent:?}",
                method.name()
            );
        }
        Ok(None) => {}
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains(method.name()),
                "an error without the method's name: {text}"
            );
        }
    }
});

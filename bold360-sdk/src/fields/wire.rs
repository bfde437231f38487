//! Lenient decoding of record fields, for generated types.
//!
//! The service is loose about JSON types: IDs come as strings or numbers, booleans as `true`,
//! `"true"` or `1`, numbers as strings, and an empty string or `null` where a value is absent.
//! [`Wire`] types accept every such form in one pass (no intermediate `Value`), and
//! [`deserialize_opt`] maps absence to `None`.

use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use serde::de::{self, Deserializer, Visitor};

use crate::fields::id::Id;

pub use crate::fields::blank::is_blank;

/// A type that can be read from any of the JSON forms the service uses for it.
pub trait Wire: Sized {
    /// What the type is, for error messages.
    const EXPECTING: &'static str;
    /// From a non-empty string.
    fn from_wire_str(text: &str) -> Result<Self, String>;
    /// From an unsigned integer.
    fn from_wire_u64(value: u64) -> Result<Self, String> {
        Self::from_wire_str(&value.to_string())
    }
    /// From a signed integer.
    fn from_wire_i64(value: i64) -> Result<Self, String> {
        Self::from_wire_str(&value.to_string())
    }
    /// From a floating-point number.
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        Err(format!(
            "expected {}, got the number {value}",
            Self::EXPECTING
        ))
    }
    /// From a boolean.
    fn from_wire_bool(value: bool) -> Result<Self, String> {
        Err(format!("expected {}, got {value}", Self::EXPECTING))
    }
    /// From a JSON array or object.
    fn from_wire_json(value: serde_json::Value) -> Result<Self, String> {
        let shape = if value.is_array() {
            "an array"
        } else {
            "an object"
        };
        Err(format!("expected {}, got {shape}", Self::EXPECTING))
    }
}

/// Deserializes an optional field: `null`, a blank string ([`is_blank`]) and absence are
/// `None`; a value that does not fit `T` is an error.
pub fn deserialize_opt<'de, D: Deserializer<'de>, T: Wire>(d: D) -> Result<Option<T>, D::Error> {
    match d.deserialize_option(WireVisitor::<T>(PhantomData))? {
        Decoded::Fits(value) => Ok(value),
        Decoded::Misfit(_, why) => Err(de::Error::custom(why)),
    }
}

/// A field's value read by the wire rules: it fits `T` (or is absent), or it does not, with
/// the value as sent and why.
pub(crate) enum Decoded<T> {
    Fits(Option<T>),
    Misfit(serde_json::Value, String),
}

fn fit<T>(result: Result<T, String>, raw: impl FnOnce() -> serde_json::Value) -> Decoded<T> {
    match result {
        Ok(v) => Decoded::Fits(Some(v)),
        Err(why) => Decoded::Misfit(raw(), why),
    }
}

/// The one visitor that reads a field's JSON by the wire rules, for strict fields
/// ([`deserialize_opt`]) and lenient record fields ([`lenient::field`](crate::lenient::field))
/// alike: absence, `null` and blank text are `None`; every other form goes to `T`'s
/// [`Wire`] methods, in one pass (no intermediate `Value` unless the value is an array or an
/// object, or does not fit).
pub(crate) struct WireVisitor<T>(pub(crate) PhantomData<T>);

impl<'de, T: Wire> Visitor<'de> for WireVisitor<T> {
    type Value = Decoded<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "any JSON value (read as {})", T::EXPECTING)
    }
    fn visit_none<E: de::Error>(self) -> Result<Decoded<T>, E> {
        Ok(Decoded::Fits(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Decoded<T>, E> {
        Ok(Decoded::Fits(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Decoded<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decoded<T>, E> {
        if is_blank(v) {
            return Ok(Decoded::Fits(None));
        }
        Ok(fit(T::from_wire_str(v), || serde_json::Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decoded<T>, E> {
        Ok(fit(T::from_wire_u64(v), || serde_json::Value::from(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decoded<T>, E> {
        Ok(fit(T::from_wire_i64(v), || serde_json::Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decoded<T>, E> {
        Ok(fit(T::from_wire_f64(v), || serde_json::Value::from(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Decoded<T>, E> {
        Ok(fit(T::from_wire_bool(v), || serde_json::Value::from(v)))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Decoded<T>, A::Error> {
        let value: serde_json::Value =
            serde::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(fit(T::from_wire_json(value.clone()), || value))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Decoded<T>, A::Error> {
        let value: serde_json::Value =
            serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(fit(T::from_wire_json(value.clone()), || value))
    }
}

impl Wire for i64 {
    const EXPECTING: &'static str = "an integer";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("expected an integer, got {text:?}"))
    }
    fn from_wire_u64(value: u64) -> Result<Self, String> {
        i64::try_from(value).map_err(|_| format!("integer {value} is out of range"))
    }
    fn from_wire_i64(value: i64) -> Result<Self, String> {
        Ok(value)
    }
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        if value.fract() == 0.0 && value.abs() < 9.007_199_254_740_992e15 {
            Ok(value as i64)
        } else {
            Err(format!("expected an integer, got {value}"))
        }
    }
    fn from_wire_bool(value: bool) -> Result<Self, String> {
        Ok(i64::from(value))
    }
}

/// A count: a whole number that cannot be negative.
impl Wire for u64 {
    const EXPECTING: &'static str = "a count (a whole number, 0 or more)";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("expected a count, got {text:?}"))
    }
    fn from_wire_u64(value: u64) -> Result<Self, String> {
        Ok(value)
    }
    fn from_wire_i64(value: i64) -> Result<Self, String> {
        u64::try_from(value).map_err(|_| format!("expected a count, got {value}"))
    }
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        if value.fract() == 0.0 && (0.0..9.007_199_254_740_992e15).contains(&value) {
            Ok(value as u64)
        } else {
            Err(format!("expected a count, got {value}"))
        }
    }
    fn from_wire_bool(value: bool) -> Result<Self, String> {
        Ok(u64::from(value))
    }
}

impl Wire for f64 {
    const EXPECTING: &'static str = "a number";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("expected a number, got {text:?}"))
    }
    fn from_wire_u64(value: u64) -> Result<Self, String> {
        Ok(value as f64)
    }
    fn from_wire_i64(value: i64) -> Result<Self, String> {
        Ok(value as f64)
    }
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        Ok(value)
    }
}

impl Wire for bool {
    const EXPECTING: &'static str = "a boolean";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(format!("expected a boolean, got {text:?}")),
        }
    }
    fn from_wire_u64(value: u64) -> Result<Self, String> {
        match value {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(format!("expected a boolean, got {value}")),
        }
    }
    fn from_wire_i64(value: i64) -> Result<Self, String> {
        Self::from_wire_u64(u64::try_from(value).unwrap_or(u64::MAX))
    }
    fn from_wire_bool(value: bool) -> Result<Self, String> {
        Ok(value)
    }
}

/// An optional value read by its [`Wire`] rules, for `next_value::<WireValue<T>>()`: the
/// envelope's own fields (`Truncated`, `StatusCode`, …) accept exactly the forms a record's
/// fields of the same type do.
pub(crate) struct WireValue<T>(pub Option<T>);

impl<'de, T: Wire> serde::Deserialize<'de> for WireValue<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_opt(d).map(WireValue)
    }
}

impl Wire for String {
    const EXPECTING: &'static str = "a string";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        Ok(value.to_string())
    }
    fn from_wire_bool(value: bool) -> Result<Self, String> {
        Ok(value.to_string())
    }
    /// Text fields that arrive as JSON structure keep their JSON text: nothing is lost.
    fn from_wire_json(value: serde_json::Value) -> Result<Self, String> {
        Ok(value.to_string())
    }
}

impl Wire for Id {
    const EXPECTING: &'static str = "an ID (string or integer)";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        Ok(Id::new(text))
    }
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        Id::from_float(value)
    }
}

impl Wire for DateTime<Utc> {
    const EXPECTING: &'static str = "an ISO-8601 time";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        parse_datetime(text).ok_or_else(|| format!("expected an ISO-8601 time, got {text:?}"))
    }
}

/// Parses the time formats the service uses: RFC 3339 (`Z` or an offset), a date and time
/// without zone (taken as UTC, as the docs say all times are), or a bare date.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    // A four-digit year, as ISO 8601's and RFC 3339's profile has it: chrono's `%Y` also
    // reads signed and longer years, whose own printed form it then cannot read back.
    let b = text.as_bytes();
    if b.len() < 10 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        // An offset may move the instant out of the four-digit years (0000-01-01T00:00:00+01:00
        // is in the year -1): its UTC form could not be read back either.
        let t = t.with_timezone(&Utc);
        return (0..=9999).contains(&t.year()).then_some(t);
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Rec {
        #[serde(default, deserialize_with = "deserialize_opt")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "deserialize_opt")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "deserialize_opt")]
        t: Option<DateTime<Utc>>,
        #[serde(default, deserialize_with = "deserialize_opt")]
        id: Option<Id>,
        #[serde(default, deserialize_with = "deserialize_opt")]
        s: Option<String>,
    }

    #[test]
    fn a_count_is_a_whole_number_not_below_zero() {
        assert_eq!(u64::from_wire_str(" 7 "), Ok(7));
        assert_eq!(u64::from_wire_i64(3), Ok(3));
        assert_eq!(u64::from_wire_f64(4.0), Ok(4));
        assert_eq!(u64::from_wire_u64(u64::MAX), Ok(u64::MAX));
        assert!(u64::from_wire_i64(-1).is_err());
        assert!(u64::from_wire_f64(-1.0).is_err());
        assert!(u64::from_wire_f64(1.5).is_err());
        assert!(u64::from_wire_str("-2").is_err());
        assert_eq!(u64::from_wire_bool(true), Ok(1));
    }

    #[test]
    fn a_year_has_four_digits_so_a_parsed_time_reads_back() {
        // Found by the param_values fuzz target: "-054-…" parsed, its RFC 3339 print did not.
        for text in [
            "-054-05-01T00:08:05.00",
            "+2024-05-01",
            "12024-05-01",
            "24-05-01",
            // Four-digit years whose offset moves the instant out of them.
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:30:00-01:00",
        ] {
            assert_eq!(parse_datetime(text), None, "{text}");
        }
        for text in [
            "0054-05-01T00:08:05.00",
            "2024-05-01",
            "2024-05-01 10:00:00",
        ] {
            let t = parse_datetime(text).unwrap();
            assert_eq!(parse_datetime(&t.to_rfc3339()), Some(t), "{text}");
        }
    }

    #[test]
    fn loose_forms_are_accepted() {
        let r: Rec = serde_json::from_str(
            r#"{"n":"42","b":1,"t":"2024-05-01T10:00:00Z","id":9007199254740993,"s":7}"#,
        )
        .unwrap();
        assert_eq!(r.n, Some(42));
        assert_eq!(r.b, Some(true));
        assert_eq!(r.t.unwrap().to_rfc3339(), "2024-05-01T10:00:00+00:00");
        assert_eq!(r.id.unwrap().as_str(), "9007199254740993");
        assert_eq!(r.s.as_deref(), Some("7"));
        let r: Rec =
            serde_json::from_str(r#"{"n":"","b":null,"t":"2024-05-01 10:00:00","id":""}"#).unwrap();
        assert_eq!((r.n, r.b, r.id), (None, None, None));
        assert!(r.t.is_some());
        let r: Rec = serde_json::from_str("{}").unwrap();
        assert!(r.n.is_none() && r.s.is_none());
        assert!(serde_json::from_str::<Rec>(r#"{"b":"maybe"}"#).is_err());
        assert!(serde_json::from_str::<Rec>(r#"{"t":"yesterday"}"#).is_err());
        assert!(serde_json::from_str::<Rec>(r#"{"id":1.5}"#).is_err());
        let r: Rec = serde_json::from_str(r#"{"s":[{"A":1}]}"#).unwrap();
        assert_eq!(
            r.s.as_deref(),
            Some(r#"[{"A":1}]"#),
            "structure in a text field is kept as JSON text"
        );
        assert!(serde_json::from_str::<Rec>(r#"{"n":[1]}"#).is_err());
    }
}

#[cfg(test)]
mod wire_forms {
    use super::*;

    fn opt<T: Wire>(json: &str) -> Result<Option<T>, String> {
        let mut de = serde_json::Deserializer::from_str(json);
        deserialize_opt::<_, T>(&mut de).map_err(|e| e.to_string())
    }

    #[test]
    fn integers_in_every_form() {
        assert_eq!(opt::<i64>("5"), Ok(Some(5)));
        assert_eq!(opt::<i64>("-5"), Ok(Some(-5)));
        assert_eq!(opt::<i64>(r#"" 7 ""#), Ok(Some(7)));
        assert_eq!(opt::<i64>("2.0"), Ok(Some(2)));
        assert_eq!(opt::<i64>("-3.0"), Ok(Some(-3)));
        assert_eq!(opt::<i64>("true"), Ok(Some(1)));
        assert_eq!(opt::<i64>("false"), Ok(Some(0)));
        assert_eq!(opt::<i64>("null"), Ok(None));
        assert_eq!(opt::<i64>(r#""  ""#), Ok(None));
        assert!(opt::<i64>("2.5")
            .unwrap_err()
            .contains("expected an integer"));
        assert!(
            opt::<i64>("9.1e15").is_err(),
            "past 2^53 a float is not exact"
        );
        assert!(
            opt::<i64>("9007199254740992.0").is_err(),
            "2^53 itself is ambiguous"
        );
        assert_eq!(
            opt::<i64>("9007199254740991.0"),
            Ok(Some(9_007_199_254_740_991))
        );
        assert!(opt::<i64>("18446744073709551615")
            .unwrap_err()
            .contains("out of range"));
        assert!(opt::<i64>("[1]").unwrap_err().contains("got an array"));
        assert!(opt::<i64>(r#"{"a":1}"#)
            .unwrap_err()
            .contains("got an object"));
        assert!(opt::<i64>(r#""x""#).is_err());
    }

    #[test]
    fn booleans_numbers_strings_and_ids_in_every_form() {
        assert_eq!(opt::<bool>("1"), Ok(Some(true)));
        assert_eq!(opt::<bool>("0"), Ok(Some(false)));
        assert_eq!(opt::<bool>("true"), Ok(Some(true)));
        assert_eq!(opt::<bool>(r#""Yes""#), Ok(Some(true)));
        assert_eq!(opt::<bool>(r#""NO""#), Ok(Some(false)));
        assert!(opt::<bool>("2").is_err());
        assert!(opt::<bool>("-1").is_err());
        assert!(opt::<bool>("0.5")
            .unwrap_err()
            .contains("got the number 0.5"));

        assert_eq!(opt::<f64>("1"), Ok(Some(1.0)));
        assert_eq!(opt::<f64>("-2"), Ok(Some(-2.0)));
        assert_eq!(opt::<f64>("1.5"), Ok(Some(1.5)));
        assert_eq!(opt::<f64>(r#""2.5""#), Ok(Some(2.5)));
        assert!(opt::<f64>("true")
            .unwrap_err()
            .contains("expected a number, got true"));

        assert_eq!(opt::<String>("12"), Ok(Some("12".to_owned())));
        assert_eq!(opt::<String>("-3"), Ok(Some("-3".to_owned())));
        assert_eq!(opt::<String>("1.5"), Ok(Some("1.5".to_owned())));
        assert_eq!(opt::<String>("true"), Ok(Some("true".to_owned())));
        assert_eq!(
            opt::<String>(r#"{"a":1}"#),
            Ok(Some(r#"{"a":1}"#.to_owned()))
        );
        assert_eq!(opt::<String>("[1,2]"), Ok(Some("[1,2]".to_owned())));

        assert_eq!(opt::<Id>("12"), Ok(Some(Id::new("12"))));
        assert_eq!(opt::<Id>("-12"), Ok(Some(Id::new("-12"))));
        assert_eq!(opt::<Id>(r#""x1""#), Ok(Some(Id::new("x1"))));
        assert!(opt::<Id>("1.5").unwrap_err().contains("floating-point"));
    }

    #[test]
    fn a_form_no_json_has_names_the_type_expected() {
        let bytes = serde::de::value::BytesDeserializer::<serde::de::value::Error>::new(b"1");
        let err = deserialize_opt::<_, i64>(bytes).unwrap_err();
        assert!(
            err.to_string()
                .contains("expected any JSON value (read as an integer)"),
            "{err}"
        );
    }
}

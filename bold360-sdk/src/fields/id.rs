//! Identifiers. Bold360 IDs are 64-bit numbers, often above 2^53, sent sometimes as JSON strings
//! and sometimes as JSON numbers. A JavaScript-style `f64` would silently change their last
//! digits, so [`Id`] keeps the exact text it was given.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An identifier exactly as the server wrote it, whether it came as a string or a number.
///
/// ```
/// use bold360_sdk::Id;
/// let from_number: Id = serde_json::from_str("9007199254740993").unwrap();
/// let from_string: Id = serde_json::from_str("\"9007199254740993\"").unwrap();
/// assert_eq!(from_number, from_string);
/// assert_eq!(from_number.as_str(), "9007199254740993");
/// assert_eq!(serde_json::to_string(&from_number).unwrap(), "\"9007199254740993\"");
/// // A number that already lost precision is refused instead of being passed on wrong.
/// assert!(serde_json::from_str::<Id>("9.007199254740993e15").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(Box<str>);

/// Text that is not an ID: IDs are 64-bit numbers written in decimal digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ID: expected 1 to 20 decimal digits of a 64-bit number, got {shown}")]
pub struct InvalidId {
    /// The text refused, cut to 40 characters and quoted.
    shown: String,
}

impl Id {
    /// An ID from its text, as given (no check): for text that comes from the server.
    /// Validate text from elsewhere with [`Id::parse`] (or `str::parse`).
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into().into_boxed_str())
    }

    /// An ID from text that must be the decimal digits of a 64-bit number (no sign, no
    /// spaces), such as user input or a command-line argument.
    ///
    /// ```
    /// use bold360_sdk::Id;
    /// assert_eq!(Id::parse("9007199254740993").unwrap().as_str(), "9007199254740993");
    /// assert!(Id::parse("").is_err());
    /// assert!(Id::parse("12 ").is_err());
    /// assert!(Id::parse("-5").is_err());
    /// assert!(Id::parse("18446744073709551616").is_err(), "past u64::MAX");
    /// let id: bold360_sdk::ids::ChatId = "42".parse().unwrap();
    /// assert_eq!(id.as_str(), "42");
    /// ```
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if digits && text.parse::<u64>().is_ok() {
            Ok(Self::new(text))
        } else {
            let mut shown: String = text.chars().take(40).collect();
            if shown.len() < text.len() {
                shown.push('…');
            }
            Err(InvalidId {
                shown: format!("{shown:?}"),
            })
        }
    }

    /// The one rule for an ID that arrives as a floating-point number: refused, since a
    /// float cannot be trusted to hold every digit of a 64-bit ID (past 2^53 it rounds). Both
    /// the ID type's own `Deserialize` and the lenient record decoder call it.
    pub(crate) fn from_float(_: f64) -> Result<Self, String> {
        Err(
            "an ID arrived as a floating-point number, which cannot be trusted to hold every digit"
                .to_owned(),
        )
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as a `u64`, when it is a decimal number in range.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Id {
    type Err = InvalidId;
    fn from_str(text: &str) -> Result<Self, InvalidId> {
        Self::parse(text)
    }
}

impl From<u64> for Id {
    fn from(v: u64) -> Self {
        Self::new(v.to_string())
    }
}

/// Validated like [`Id::parse`]: text is never taken as an ID unchecked by a conversion.
impl TryFrom<&str> for Id {
    type Error = InvalidId;
    fn try_from(v: &str) -> Result<Self, InvalidId> {
        Self::parse(v)
    }
}

/// Validated like [`Id::parse`].
impl TryFrom<String> for Id {
    type Error = InvalidId;
    fn try_from(v: String) -> Result<Self, InvalidId> {
        Self::parse(&v)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ID as a string or an integer")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id::new(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id::new(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id::new(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id::new(v.to_string()))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Id, E> {
                Ok(Id::new(v.to_string()))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Id, E> {
                Ok(Id::new(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id, E> {
                Id::from_float(v).map_err(E::custom)
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_ids_round_trip_exactly() {
        for text in [
            "18446744073709551615",
            "9223372036854775807",
            "2150000000000001",
        ] {
            let id: Id = serde_json::from_str(text).unwrap();
            assert_eq!(id.as_str(), text);
            let id: Id = serde_json::from_str(&format!("\"{text}\"")).unwrap();
            assert_eq!(id.as_str(), text);
        }
        let neg: Id = serde_json::from_str("-5").unwrap();
        assert_eq!(neg.as_str(), "-5");
        assert!(serde_json::from_str::<Id>("true").is_err());
        assert!(serde_json::from_str::<Id>("1.5").is_err());
    }
}

//! A documented parameter as the method table states it (name, type, versions), and the one
//! rule for whether a value given by name fits its type. Typed builders cannot send a wrong
//! value; calls by name (`call_raw`, `execute`, `pages_raw`, `bold360 call`) are checked by
//! this rule in the pipeline's validate stage, and the sandbox judges requests by it too.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use crate::config::endpoint::ApiVersion;
use crate::fields::id::Id;
use crate::fields::wire::parse_datetime;
use crate::params::ToParam;

/// One value of an enumeration parameter: the value sent, the name of its variant in the
/// generated Rust enum, and what the vendor's page says it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumValue {
    /// The value on the wire, e.g. `2`.
    pub value: &'static str,
    /// The generated variant, e.g. `LoggedInAsAvailable`.
    pub name: &'static str,
    /// The vendor's meaning, e.g. `logged in as available`.
    pub meaning: &'static str,
}

/// The type of a documented parameter, as the manifest states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamType {
    /// An ID: the decimal digits of a 64-bit number.
    Id,
    /// A signed 64-bit integer.
    Integer,
    /// A non-negative 64-bit integer (page sizes, offsets).
    Count,
    /// A finite number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Any text.
    String,
    /// A point in time (ISO 8601).
    DateTime,
    /// A JSON value.
    Json,
    /// One of these values (given by value, variant name or meaning).
    Enum(&'static [EnumValue]),
}

/// The accepted forms of a date-time, as error messages state them.
pub const DATE_TIME_FORMS: &str = "an ISO 8601 date-time: 2024-05-01T10:00:00Z, \
2024-05-01T12:00:00+02:00, 2024-05-01T10:00:00 (taken as UTC) or 2024-05-01 (midnight UTC)";

impl ParamType {
    /// Checks `value` against this type and gives the form that is sent: the value itself,
    /// or for a date-time the form typed calls send (RFC 3339 in UTC), for an enum the wire
    /// value of a name, for a boolean lower case. `Err` says what was expected.
    ///
    /// ```
    /// use bold360_sdk::ParamType;
    /// assert_eq!(ParamType::Count.normalize("500").unwrap(), "500");
    /// assert!(ParamType::Count.normalize("-1").unwrap_err().contains("whole number"));
    /// assert_eq!(ParamType::DateTime.normalize("2024-05-01").unwrap(), "2024-05-01T00:00:00Z");
    /// assert!(ParamType::Id.normalize("notanumber").is_err());
    /// ```
    pub fn normalize<'v>(&self, value: &'v str) -> Result<Cow<'v, str>, String> {
        let fits = match self {
            ParamType::Id => Id::parse(value).is_ok(),
            ParamType::Integer => value.parse::<i64>().is_ok(),
            ParamType::Count => value.parse::<u64>().is_ok(),
            ParamType::Number => value.parse::<f64>().is_ok_and(f64::is_finite),
            ParamType::Boolean => {
                return ["true", "false"]
                    .into_iter()
                    .find(|b| b.eq_ignore_ascii_case(value))
                    .map(Cow::Borrowed)
                    .ok_or_else(|| self.expected())
            }
            ParamType::String => true,
            ParamType::DateTime => {
                return parse_datetime(value)
                    .map(|t: DateTime<Utc>| {
                        let sent = t.to_param();
                        if sent == value {
                            Cow::Borrowed(value)
                        } else {
                            Cow::Owned(sent)
                        }
                    })
                    .ok_or_else(|| self.expected());
            }
            ParamType::Json => serde_json::from_str::<serde_json::Value>(value).is_ok(),
            ParamType::Enum(values) => {
                return values
                    .iter()
                    .find(|v| v.value == value)
                    .or_else(|| {
                        values.iter().find(|v| {
                            v.name.eq_ignore_ascii_case(value)
                                || v.meaning.eq_ignore_ascii_case(value)
                        })
                    })
                    .map(|v| Cow::Borrowed(v.value))
                    .ok_or_else(|| self.expected())
            }
        };
        if fits {
            Ok(Cow::Borrowed(value))
        } else {
            Err(self.expected())
        }
    }

    /// What a value of this type looks like, for error messages.
    ///
    /// ```
    /// assert!(bold360_sdk::ParamType::Id.expected().contains("64-bit"));
    /// ```
    pub fn expected(&self) -> String {
        match self {
            ParamType::Id => "an ID (the decimal digits of a 64-bit number)".to_owned(),
            ParamType::Integer => "an integer".to_owned(),
            ParamType::Count => "a count (a whole number, 0 or more)".to_owned(),
            ParamType::Number => "a number".to_owned(),
            ParamType::Boolean => "true or false".to_owned(),
            ParamType::String => "text".to_owned(),
            ParamType::DateTime => DATE_TIME_FORMS.to_owned(),
            ParamType::Json => "a JSON value".to_owned(),
            ParamType::Enum(values) => {
                let listed: Vec<String> = values
                    .iter()
                    .map(|v| format!("{} ({}: {})", v.value, v.name, v.meaning))
                    .collect();
                format!("one of {}", listed.join(", "))
            }
        }
    }
}

/// One documented parameter of a method.
///
/// ```
/// use bold360_sdk::{methods, ApiVersion, ParamType};
/// let m = methods::lookup("getAllChatMessages").unwrap();
/// let page_size = m.param("PageSize").unwrap();
/// assert_eq!(page_size.ty(), ParamType::Count);
/// assert!(page_size.in_version(ApiVersion::V1) && !page_size.in_version(ApiVersion::V2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    name: &'static str,
    ty: ParamType,
    versions: &'static [ApiVersion],
    sensitive: bool,
}

impl ParamInfo {
    /// A parameter in these versions.
    pub const fn new(name: &'static str, ty: ParamType, versions: &'static [ApiVersion]) -> Self {
        Self {
            name,
            ty,
            versions,
            sensitive: false,
        }
    }

    /// Marks the parameter as sensitive: its value is scrubbed from errors and traces.
    pub const fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// The wire name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its type.
    pub fn ty(&self) -> ParamType {
        self.ty
    }

    /// The versions that document it.
    pub fn versions(&self) -> &'static [ApiVersion] {
        self.versions
    }

    /// True when `version` documents it.
    pub fn in_version(&self, version: ApiVersion) -> bool {
        self.versions.contains(&version)
    }

    /// True for a secret (a password, a key).
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }
}

/// The documented name closest to `name`, for a did-you-mean: the same name in another case,
/// else one within two edits.
///
/// ```
/// use bold360_sdk::closest_name;
/// assert_eq!(closest_name("chatid", ["ChatID", "FolderID"]), Some("ChatID"));
/// assert_eq!(closest_name("PageSise", ["PageSize", "PageStart"]), Some("PageSize"));
/// assert_eq!(closest_name("Bogus", ["ChatID"]), None);
/// ```
pub fn closest_name<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let known: Vec<&str> = known.into_iter().collect();
    if let Some(same) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    let lower = name.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &[EnumValue] = &[
        EnumValue {
            value: "1",
            name: "LoggedInAsAway",
            meaning: "logged in as away",
        },
        EnumValue {
            value: "2",
            name: "LoggedInAsAvailable",
            meaning: "logged in as available",
        },
    ];

    fn ok(ty: ParamType, value: &str) -> String {
        ty.normalize(value)
            .unwrap_or_else(|e| panic!("{value:?}: {e}"))
            .into_owned()
    }

    #[test]
    fn each_type_accepts_its_forms_and_refuses_the_rest() {
        use ParamType::*;
        assert_eq!(ok(Id, "9007199254740993"), "9007199254740993");
        for bad in ["", "x", "-1", "1.5", " 1", "18446744073709551616"] {
            assert!(Id.normalize(bad).is_err(), "{bad:?}");
        }
        assert_eq!(ok(Integer, "-5"), "-5");
        assert!(Integer.normalize("5.0").is_err());
        assert!(Integer.normalize("9223372036854775808").is_err());
        assert_eq!(ok(Count, "0"), "0");
        for bad in ["-1", "abc", "", "1e3"] {
            assert!(Count.normalize(bad).is_err(), "{bad:?}");
        }
        assert_eq!(ok(Number, "-2.5"), "-2.5");
        for bad in ["NaN", "inf", "x"] {
            assert!(Number.normalize(bad).is_err(), "{bad:?}");
        }
        assert_eq!(ok(Boolean, "true"), "true");
        assert_eq!(ok(Boolean, "FALSE"), "false");
        for bad in ["1", "yes", ""] {
            assert!(Boolean.normalize(bad).is_err(), "{bad:?}");
        }
        assert_eq!(ok(String, ""), "");
        assert_eq!(ok(Json, r#"{"a":1}"#), r#"{"a":1}"#);
        assert!(Json.normalize("{a").is_err());
    }

    #[test]
    fn dates_travel_in_the_form_typed_calls_send() {
        use ParamType::DateTime;
        assert_eq!(ok(DateTime, "2024-05-01T10:00:00Z"), "2024-05-01T10:00:00Z");
        assert_eq!(
            ok(DateTime, "2024-05-01T12:00:00+02:00"),
            "2024-05-01T10:00:00Z"
        );
        assert_eq!(ok(DateTime, "2024-05-01T10:00:00"), "2024-05-01T10:00:00Z");
        assert_eq!(ok(DateTime, "2024-05-01"), "2024-05-01T00:00:00Z");
        for bad in ["yesterday", "2024-13-01", "01/05/2024", ""] {
            let err = DateTime.normalize(bad).unwrap_err();
            assert!(err.contains("2024-05-01T10:00:00Z"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn enums_take_a_value_a_variant_name_or_a_meaning() {
        let ty = ParamType::Enum(STATUS);
        assert_eq!(ok(ty, "2"), "2");
        assert_eq!(ok(ty, "loggedinasaway"), "1");
        assert_eq!(ok(ty, "Logged in as available"), "2");
        let err = ty.normalize("3").unwrap_err();
        assert_eq!(
            err,
            "one of 1 (LoggedInAsAway: logged in as away), 2 (LoggedInAsAvailable: logged in as available)"
        );
    }

    #[test]
    fn a_parameter_knows_its_versions() {
        let p = ParamInfo::new("PageSize", ParamType::Count, &[ApiVersion::V1]);
        assert_eq!(p.name(), "PageSize");
        assert_eq!(p.ty(), ParamType::Count);
        assert!(p.in_version(ApiVersion::V1) && !p.in_version(ApiVersion::V2));
        let cursor = ParamInfo::new("NextPage", ParamType::String, &[ApiVersion::V2]);
        assert_eq!(cursor.versions(), &[ApiVersion::V2]);
        assert!(!p.is_sensitive() && p.sensitive().is_sensitive());
    }

    #[test]
    fn closest_names_are_a_case_or_two_edits_away() {
        assert_eq!(closest_name("chatid", ["ChatID"]), Some("ChatID"));
        assert_eq!(
            closest_name("FolderId", ["FolderID", "FolderType"]),
            Some("FolderID")
        );
        assert_eq!(closest_name("PageSzie", ["PageSize"]), Some("PageSize"));
        assert_eq!(closest_name("Pages", ["PageSize"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ab", "a"), 1, "a deletion costs one");
        assert_eq!(edit_distance("a", "ab"), 1, "an insertion costs one");
        assert_eq!(edit_distance("ab", "ab"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("ab", ""), 2);
    }
}

//! Request parameters: an ordered list of names and their wire values, and [`ToParam`], the
//! conversion of typed values into the text the API expects.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::fields::id::Id;

/// The query parameters of one call, in the order they will be sent.
///
/// Setting a name twice replaces the first value in place, so a parameter is never sent twice.
///
/// ```
/// use bold360_sdk::Params;
/// let params = Params::new().with("FolderID", 42u64).with("PageSize", 100u32).with("FolderID", 7u64);
/// assert_eq!(params.get("FolderID"), Some("7"));
/// assert_eq!(params.len(), 2);
/// ```
///
/// Values set with [`set_sensitive`](Self::set_sensitive) (passwords) print as `[redacted]`
/// in `Debug`:
///
/// ```
/// use bold360_sdk::Params;
/// let mut params = Params::new().with("OperatorID", 7u64);
/// params.set_sensitive("Password", "hunter2");
/// assert_eq!(params.get("Password"), Some("hunter2"));
/// assert!(!format!("{params:?}").contains("hunter2"));
/// ```
#[derive(Clone, Default, Eq)]
pub struct Params {
    entries: Vec<(String, String)>,
    /// Names whose values are secrets.
    sensitive: Vec<String>,
    /// Set by generated request builders: every documented value came from a typed setter,
    /// whose type already holds the manifest's, so the validate stage does not check values
    /// again (and an enum's `Unknown` value, a deliberate choice, goes as given).
    typed: bool,
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries && self.sensitive == other.sensitive
    }
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.entries {
            if self.is_sensitive(name) {
                map.entry(name, &format_args!("[redacted]"));
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`, replacing an earlier value of the same name.
    pub fn set(&mut self, name: impl Into<String>, value: impl ToParam) -> &mut Self {
        let name = name.into();
        let value = value.to_param();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name, value)),
        }
        self
    }

    /// Sets a parameter whose value is a secret: sent like any other, never printed by
    /// `Debug` and scrubbed from error snippets.
    pub fn set_sensitive(&mut self, name: impl Into<String>, value: impl ToParam) -> &mut Self {
        let name = name.into();
        if !self.is_sensitive(&name) {
            self.sensitive.push(name.clone());
        }
        self.set(name, value)
    }

    /// Marks values as set by a generated request builder's typed setters. Used by generated
    /// code; not a stable API.
    #[doc(hidden)]
    pub fn __typed(mut self) -> Self {
        self.typed = true;
        self
    }

    /// Whether the values were set by typed setters (see [`__typed`](Self::__typed)).
    pub(crate) fn is_typed(&self) -> bool {
        self.typed
    }

    /// True when `name` was set with [`set_sensitive`](Self::set_sensitive).
    pub fn is_sensitive(&self, name: &str) -> bool {
        self.sensitive.iter().any(|n| n == name)
    }

    /// The values of sensitive parameters, for scrubbing.
    pub(crate) fn sensitive_values(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|(n, _)| self.is_sensitive(n))
            .map(|(_, v)| v.as_str())
            .filter(|v| !crate::fields::blank::is_blank(v))
    }

    /// Builder form of [`set`](Self::set).
    pub fn with(mut self, name: impl Into<String>, value: impl ToParam) -> Self {
        self.set(name, value);
        self
    }

    /// Removes a parameter, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let at = self.entries.iter().position(|(n, _)| n == name)?;
        Some(self.entries.remove(at).1)
    }

    /// The value of a parameter.
    #[inline]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when `name` is present, whatever its value (even an empty one).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// True when `name` is set: present with a value that is not blank
    /// ([`wire::is_blank`](crate::wire::is_blank), the one rule for "no value"). This is what
    /// a method's rules (required, all-or-none, exactly-one-of) count, in the SDK and the
    /// sandbox alike.
    ///
    /// ```
    /// use bold360_sdk::Params;
    /// let p = Params::new().with("ChatID", "").with("FolderID", 5u64);
    /// assert!(p.contains("ChatID") && !p.is_set("ChatID"));
    /// assert!(p.is_set("FolderID"));
    /// ```
    pub fn is_set(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| !crate::fields::blank::is_blank(v))
    }

    /// Names and values in sending order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// How many parameters are set.
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when none are set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: Into<String>, V: ToParam> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut params = Params::new();
        for (k, v) in iter {
            params.set(k, v);
        }
        params
    }
}

impl<K: Into<String>, V: ToParam, const N: usize> From<[(K, V); N]> for Params {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: Into<String>, V: ToParam> From<Vec<(K, V)>> for Params {
    fn from(pairs: Vec<(K, V)>) -> Self {
        pairs.into_iter().collect()
    }
}

/// Conversion of a typed value into the text of a query parameter.
///
/// Booleans are sent as `true`/`false`, times as ISO-8601 UTC with a `Z`, JSON values as
/// compact JSON (editOperator's `Departments`, for instance).
///
/// ```
/// use bold360_sdk::ToParam;
/// use chrono::{TimeZone, Utc};
/// assert_eq!(true.to_param(), "true");
/// assert_eq!(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap().to_param(), "2024-05-01T10:00:00Z");
/// assert_eq!(serde_json::json!([{"DepartmentID": "1"}]).to_param(), r#"[{"DepartmentID":"1"}]"#);
/// ```
pub trait ToParam {
    /// The wire text.
    fn to_param(&self) -> String;
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> String {
        (**self).to_param()
    }
}

impl ToParam for str {
    fn to_param(&self) -> String {
        self.to_owned()
    }
}

impl ToParam for String {
    fn to_param(&self) -> String {
        self.clone()
    }
}

impl ToParam for bool {
    fn to_param(&self) -> String {
        if *self { "true" } else { "false" }.to_owned()
    }
}

macro_rules! display_to_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
display_to_param!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64);

impl ToParam for DateTime<Utc> {
    fn to_param(&self) -> String {
        self.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

impl ToParam for Id {
    fn to_param(&self) -> String {
        self.as_str().to_owned()
    }
}

impl ToParam for serde_json::Value {
    fn to_param(&self) -> String {
        match self {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

//! The three values that identify and authenticate an API caller.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::config::env;
use crate::error::Error;

/// Account ID, API setting ID and API key.
///
/// The key is held in a [`SecretString`]: it is zeroed on drop and never shown by `Debug`.
///
/// ```
/// use bold360_sdk::Credentials;
/// let creds = Credentials::new("100001", "2000001", "my-api-key").unwrap();
/// assert_eq!(creds.account_id(), "100001");
/// assert!(!format!("{creds:?}").contains("my-api-key"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    account_id: String,
    api_setting_id: String,
    api_key: SecretString,
}

impl Credentials {
    /// Builds credentials, checking that both IDs are non-empty decimal numbers and the key is
    /// not empty. The key is used exactly as given (leading or trailing spaces included).
    pub fn new(
        account_id: impl Into<String>,
        api_setting_id: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Result<Self, Error> {
        Self::checked(
            ("account_id", account_id.into()),
            ("api_setting_id", api_setting_id.into()),
            ("api_key", api_key.into()),
        )
    }

    /// Reads `BOLD360_ACCOUNT_ID`, `BOLD360_API_SETTING_ID` and `BOLD360_API_KEY`.
    ///
    /// The error names the first variable that is missing or malformed.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(env::process_lookup)
    }

    /// Like [`from_env`](Self::from_env) but reads variables through `lookup`, which makes it
    /// testable without touching the process environment.
    ///
    /// ```
    /// use bold360_sdk::Credentials;
    /// let err = Credentials::from_lookup(|name| match name {
    ///     "BOLD360_ACCOUNT_ID" => Some("123".into()),
    ///     _ => None,
    /// })
    /// .unwrap_err();
    /// assert!(err.to_string().contains("BOLD360_API_SETTING_ID"));
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let read = |name: &'static str| {
            lookup(name)
                .map(|v| (name, v))
                .ok_or_else(|| Error::config(name, "is not set"))
        };
        Self::checked(
            read(env::ACCOUNT_ID)?,
            read(env::API_SETTING_ID)?,
            read(env::API_KEY)?,
        )
    }

    /// True when all three credential variables are present in the process environment.
    pub fn present_in_env() -> bool {
        [env::ACCOUNT_ID, env::API_SETTING_ID, env::API_KEY]
            .iter()
            .all(|name| env::process_lookup(name).is_some())
    }

    fn checked(
        (account_name, account_id): (&'static str, String),
        (setting_name, api_setting_id): (&'static str, String),
        (key_name, api_key): (&'static str, String),
    ) -> Result<Self, Error> {
        check_numeric_id(account_name, &account_id)?;
        check_numeric_id(setting_name, &api_setting_id)?;
        if api_key.is_empty() {
            return Err(Error::config(key_name, "is empty"));
        }
        Ok(Self {
            account_id,
            api_setting_id,
            api_key: SecretString::from(api_key),
        })
    }

    /// The account ID.
    #[inline]
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The API setting ID.
    #[inline]
    pub fn api_setting_id(&self) -> &str {
        &self.api_setting_id
    }

    /// The API key. Keep what you do with it out of logs.
    pub fn api_key(&self) -> &SecretString {
        &self.api_key
    }

    #[inline]
    pub(crate) fn api_key_str(&self) -> &str {
        self.api_key.expose_secret()
    }
}

fn check_numeric_id(name: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::config(name, "is empty"));
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::config(
            name,
            // The value is not echoed: a key pasted into the wrong variable must not leak.
            format!(
                "must contain only the digits 0-9 (got {} characters, not all digits)",
                value.chars().count()
            ),
        ));
    }
    if value.len() > 20 {
        return Err(Error::config(name, "is longer than 20 digits"));
    }
    Ok(())
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("account_id", &self.account_id)
            .field("api_setting_id", &self.api_setting_id)
            .field("api_key", &"[redacted]")
            .finish()
    }
}

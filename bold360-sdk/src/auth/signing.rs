//! Request signing: the `auth` token every call carries, and its verification (used by the
//! sandbox, and useful to anyone running a proxy).
//!
//! The token is `AccountID:ApiSettingID:Millis:hex(sha512("AccountID:ApiSettingID:Millis" + ApiKey))`.
//! It is a live credential until the server's 5-minute window passes, so [`AuthToken`] never
//! shows its value in `Debug`.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha512};

use crate::auth::credentials::Credentials;

/// How long the service accepts a token after its timestamp.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// A signed `auth` token. Its `Debug` is redacted.
///
/// ```
/// use bold360_sdk::{signing, Credentials};
/// let creds = Credentials::new("7", "8", "x").unwrap();
/// let token = signing::sign(&creds, 0);
/// assert!(token.expose_secret().starts_with("7:8:0:173003c2"));
/// assert_eq!(format!("{token:?}"), "AuthToken { issued_at_millis: 0, value: [redacted] }");
/// ```
#[derive(Clone)]
pub struct AuthToken {
    value: SecretString,
    issued_at_millis: u64,
}

impl AuthToken {
    /// The token text, as sent in `auth=`.
    pub fn expose_secret(&self) -> &str {
        self.value.expose_secret()
    }

    /// The timestamp the token was signed with.
    pub fn issued_at_millis(&self) -> u64 {
        self.issued_at_millis
    }

    /// The hex SHA-512 part of the token, for redaction.
    pub(crate) fn hash(&self) -> &str {
        let value = self.value.expose_secret();
        value.rsplit(':').next().unwrap_or(value)
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthToken")
            .field("issued_at_millis", &self.issued_at_millis)
            .field("value", &format_args!("[redacted]"))
            .finish()
    }
}

/// Signs with the given timestamp (Unix milliseconds).
pub fn sign(credentials: &Credentials, millis: u64) -> AuthToken {
    let prefix = format!(
        "{}:{}:{}",
        credentials.account_id(),
        credentials.api_setting_id(),
        millis
    );
    // The token is built straight into its secret wrapper; the hex digest, a live
    // credential on its own, is wiped before its buffer is freed.
    let mut hash = digest_hex(&prefix, credentials.api_key_str());
    let mut value = prefix;
    value.push(':');
    value.push_str(&hash);
    secrecy::zeroize::Zeroize::zeroize(&mut hash);
    AuthToken {
        value: SecretString::from(value),
        issued_at_millis: millis,
    }
}

fn digest_hex(prefix: &str, key: &str) -> String {
    let mut hasher = Sha512::new();
    hasher.update(prefix.as_bytes());
    hasher.update(key.as_bytes());
    hex::encode(hasher.finalize())
}

/// Why a token was refused by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenRejection {
    /// Not four `:`-separated parts with a numeric timestamp.
    Malformed,
    /// The account ID is not the expected one.
    WrongAccount,
    /// The API setting ID is not the expected one.
    WrongApiSetting,
    /// The hash does not match the key.
    BadSignature,
    /// The timestamp is older than the allowed age.
    Expired {
        /// How old the token was.
        age: Duration,
    },
    /// The timestamp is further in the future than the allowed age.
    FromTheFuture,
}

impl fmt::Display for TokenRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("malformed auth token"),
            Self::WrongAccount => f.write_str("auth token is for another account"),
            Self::WrongApiSetting => f.write_str("auth token names an unknown API setting"),
            Self::BadSignature => f.write_str("auth token signature does not match"),
            Self::Expired { age } => write!(f, "auth token expired ({} s old)", age.as_secs()),
            Self::FromTheFuture => f.write_str("auth token timestamp is in the future"),
        }
    }
}

/// Checks a token against credentials and a time window: the check a Bold360 server makes.
///
/// ```
/// use std::time::Duration;
/// use bold360_sdk::{signing, Credentials};
/// let creds = Credentials::new("7", "8", "x").unwrap();
/// let token = signing::sign(&creds, 1_000);
/// assert!(signing::verify(token.expose_secret(), &creds, 2_000, signing::TOKEN_LIFETIME).is_ok());
/// ```
pub fn verify(
    token: &str,
    credentials: &Credentials,
    now_millis: u64,
    max_age: Duration,
) -> Result<(), TokenRejection> {
    let mut parts = token.splitn(4, ':');
    let (Some(account), Some(setting), Some(millis), Some(hash)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenRejection::Malformed);
    };
    let millis: u64 = millis.parse().map_err(|_| TokenRejection::Malformed)?;
    if account != credentials.account_id() {
        return Err(TokenRejection::WrongAccount);
    }
    if setting != credentials.api_setting_id() {
        return Err(TokenRejection::WrongApiSetting);
    }
    let expected = digest_hex(
        &format!("{account}:{setting}:{millis}"),
        credentials.api_key_str(),
    );
    if !constant_time_eq(expected.as_bytes(), hash.to_ascii_lowercase().as_bytes()) {
        return Err(TokenRejection::BadSignature);
    }
    let max_age_ms = u64::try_from(max_age.as_millis()).unwrap_or(u64::MAX);
    let age = now_millis.saturating_sub(millis);
    if age > max_age_ms {
        return Err(TokenRejection::Expired {
            age: Duration::from_millis(age),
        });
    }
    if millis.saturating_sub(now_millis) > max_age_ms {
        return Err(TokenRejection::FromTheFuture);
    }
    Ok(())
}

/// Compares in constant time (`subtle`), so timing does not reveal how much of a hash or a
/// credential matched. Lengths are public (every hash has a fixed length).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_rejects_each_kind_of_bad_token() {
        let creds = Credentials::new("1", "2", "key").unwrap();
        let good = sign(&creds, 10_000);
        let t = good.expose_secret();
        let life = TOKEN_LIFETIME;
        assert_eq!(verify(t, &creds, 10_000, life), Ok(()));
        assert_eq!(
            verify("1:2", &creds, 0, life),
            Err(TokenRejection::Malformed)
        );
        assert_eq!(
            verify("1:2:x:ab", &creds, 0, life),
            Err(TokenRejection::Malformed)
        );
        let other = Credentials::new("9", "2", "key").unwrap();
        assert_eq!(
            verify(t, &other, 10_000, life),
            Err(TokenRejection::WrongAccount)
        );
        let other = Credentials::new("1", "3", "key").unwrap();
        assert_eq!(
            verify(t, &other, 10_000, life),
            Err(TokenRejection::WrongApiSetting)
        );
        let other = Credentials::new("1", "2", "kez").unwrap();
        assert_eq!(
            verify(t, &other, 10_000, life),
            Err(TokenRejection::BadSignature)
        );
        let late = 10_000 + 5 * 60_000 + 1;
        assert!(matches!(
            verify(t, &creds, late, life),
            Err(TokenRejection::Expired { .. })
        ));
        assert_eq!(verify(t, &creds, 10_000 + 5 * 60_000, life), Ok(()));
        let early = sign(&creds, 10_000 + 5 * 60_000 + 1);
        assert_eq!(
            verify(early.expose_secret(), &creds, 10_000, life),
            Err(TokenRejection::FromTheFuture)
        );
    }

    #[test]
    fn the_time_window_is_exact_at_both_ends() {
        let creds = Credentials::new("1", "2", "key").unwrap();
        let life = Duration::from_millis(1_000);
        let token = sign(&creds, 50_000);
        assert_eq!(token.issued_at_millis(), 50_000);
        let t = token.expose_secret();
        assert_eq!(
            verify(t, &creds, 51_000, life),
            Ok(()),
            "exactly the max age"
        );
        assert_eq!(
            verify(t, &creds, 51_007, life),
            Err(TokenRejection::Expired {
                age: Duration::from_millis(1_007)
            })
        );
        assert_eq!(
            verify(t, &creds, 49_000, life),
            Ok(()),
            "exactly the max skew"
        );
        assert_eq!(
            verify(t, &creds, 48_999, life),
            Err(TokenRejection::FromTheFuture)
        );
    }

    #[test]
    fn rejections_and_tokens_print_without_secrets() {
        let texts = [
            (TokenRejection::Malformed, "malformed auth token"),
            (
                TokenRejection::WrongAccount,
                "auth token is for another account",
            ),
            (
                TokenRejection::WrongApiSetting,
                "auth token names an unknown API setting",
            ),
            (
                TokenRejection::BadSignature,
                "auth token signature does not match",
            ),
            (
                TokenRejection::Expired {
                    age: Duration::from_secs(301),
                },
                "auth token expired (301 s old)",
            ),
            (
                TokenRejection::FromTheFuture,
                "auth token timestamp is in the future",
            ),
        ];
        for (rejection, text) in texts {
            assert_eq!(rejection.to_string(), text);
        }
        let creds = Credentials::new("1", "2", "key").unwrap();
        let token = sign(&creds, 77);
        let debug = format!("{token:?}");
        assert_eq!(
            debug,
            "AuthToken { issued_at_millis: 77, value: [redacted] }"
        );
        assert!(!debug.contains(token.hash()));
    }

    #[test]
    fn hash_is_the_last_part() {
        let creds = Credentials::new("1", "2", "key").unwrap();
        let token = sign(&creds, 5);
        assert_eq!(token.hash().len(), 128);
        assert!(token.expose_secret().ends_with(token.hash()));
    }
}

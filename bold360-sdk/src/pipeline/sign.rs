//! Stage 3, sign: a fresh `auth` token for each attempt (a retried call is signed again, so a
//! long back-off never sends an expired token), and the secrets this attempt must keep out of
//! anything it reports.

use crate::auth::credentials::Credentials;
use crate::auth::signing::{self, AuthToken};
use crate::config::clock::Clock;
use crate::params::Params;

/// Signs one attempt at the clock's current time.
pub(crate) fn sign(credentials: &Credentials, clock: &dyn Clock) -> AuthToken {
    signing::sign(credentials, clock.now_millis())
}

/// Everything that must never appear in an error from this attempt: the API key, the token
/// and its hash, and the values of parameters marked sensitive.
pub(crate) fn secrets<'a>(
    credentials: &'a Credentials,
    token: &'a AuthToken,
    params: &'a Params,
) -> Vec<&'a str> {
    [
        credentials.api_key_str(),
        token.expose_secret(),
        token.hash(),
    ]
    .into_iter()
    .chain(params.sensitive_values())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::clock::ManualClock;

    #[test]
    fn secrets_hold_key_token_hash_and_sensitive_values() {
        let credentials = Credentials::new("1", "2", "the-key").unwrap();
        let token = sign(&credentials, &ManualClock::new(1_700_000_000_000));
        let mut params = Params::new().with("ChatID", 5);
        params.set_sensitive("Password", "hunter2");
        let secrets = secrets(&credentials, &token, &params);
        assert!(secrets.contains(&"the-key"));
        assert!(secrets.contains(&token.expose_secret()));
        assert!(secrets.contains(&token.hash()));
        assert!(secrets.contains(&"hunter2"));
        assert!(!secrets.contains(&"5"));
        assert_eq!(token.issued_at_millis(), 1_700_000_000_000);
    }
}

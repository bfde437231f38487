//! Standard Webhooks signatures (standardwebhooks.com): `webhook-id`, `webhook-timestamp`
//! and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, with a secret in
//! the spec's `whsec_<base64>` form, so a receiver verifies with any of the spec's libraries.

use std::fmt;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A signing secret (`whsec_…`). Never printed.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl std::str::FromStr for WebhookSecret {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let encoded = text.trim().strip_prefix("whsec_").ok_or(
            "the forward secret must be in the Standard Webhooks form whsec_<base64> (e.g. whsec_ and 24 random bytes in base64)",
        )?;
        let key = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| "the forward secret's part after whsec_ is not base64".to_owned())?;
        if key.len() < 16 {
            return Err("the forward secret is too short: use at least 16 random bytes".into());
        }
        Ok(Self { key })
    }
}

impl WebhookSecret {
    /// The `webhook-signature` header value for a message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key size");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        let signature = mac.finalize().into_bytes();
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(signature)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_spec_example() {
        // The example of the Standard Webhooks specification (spec/standard-webhooks.md).
        let secret: WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse().unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert!(!format!("{secret:?}").contains("MfKQ"));
    }

    #[test]
    fn refuses_a_secret_not_in_the_spec_form() {
        assert!("plain".parse::<WebhookSecret>().is_err());
        assert!("whsec_!!!".parse::<WebhookSecret>().is_err());
        assert!("whsec_c2hvcnQ=".parse::<WebhookSecret>().is_err());
    }
}

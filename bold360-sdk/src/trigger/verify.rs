//! Checking a trigger's signature (and, optionally, its HTTP Basic credentials).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha512};

use super::encode::encode_uri_component;
use super::error::TriggerError;
use super::fields::{SignedFields, TriggerFields};
use crate::auth::signing::constant_time_eq;

/// The text that is hashed: the trigger URL, the signed fields as `name=value` pairs encoded
/// like `encodeURIComponent` and joined with `&` (after `?`, or `&` when the URL has a query),
/// with every `%20` written as `+`.
///
/// ```
/// use bold360_sdk::trigger::{string_to_sign, TriggerFields};
/// let fields = TriggerFields::from_form(b"Name=jane+doe&ChatID=1&signed=ChatID%26Name");
/// assert_eq!(
///     string_to_sign("https://hooks.example.com/chat?tenant=acme", &fields).unwrap(),
///     "https://hooks.example.com/chat?tenant=acme&ChatID=1&Name=jane+doe"
/// );
/// ```
pub fn string_to_sign(trigger_url: &str, fields: &TriggerFields) -> Result<String, TriggerError> {
    let signed = fields
        .get("signed")
        .filter(|s| !s.is_empty())
        .ok_or(TriggerError::MissingSigned)?;
    let mut pairs = Vec::new();
    for name in signed.split('&') {
        let value = fields
            .get(name)
            .ok_or_else(|| TriggerError::MissingField(name.to_owned()))?;
        pairs.push(format!(
            "{}={}",
            encode_uri_component(name),
            encode_uri_component(value)
        ));
    }
    let separator = if trigger_url.contains('?') { '&' } else { '?' };
    Ok(format!("{trigger_url}{separator}{}", pairs.join("&")).replace("%20", "+"))
}

/// Verifies triggers with the key they are signed with (the API key of the trigger's API
/// setting), and optionally HTTP Basic credentials.
///
/// ```
/// use bold360_sdk::trigger::{TriggerError, TriggerFields, TriggerVerifier};
/// let verifier = TriggerVerifier::new("key");
/// let mut fields = TriggerFields::from_form(b"ChatID=1&signed=ChatID");
/// let signature = verifier.sign("https://hooks.example.com/t", &fields).unwrap();
/// fields.insert("signature", signature);
/// assert!(verifier.verify("https://hooks.example.com/t", &fields).is_ok());
/// assert_eq!(verifier.verify("https://hooks.example.com/other", &fields), Err(TriggerError::BadSignature));
/// ```
#[derive(Clone)]
pub struct TriggerVerifier {
    key: SecretString,
    basic: Option<(String, SecretString)>,
}

impl fmt::Debug for TriggerVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TriggerVerifier")
            .field("key", &"[redacted]")
            .field("basic_user", &self.basic.as_ref().map(|(user, _)| user))
            .finish()
    }
}

impl TriggerVerifier {
    /// A verifier for triggers signed with `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: SecretString::from(key.into()),
            basic: None,
        }
    }

    /// Also require these HTTP Basic credentials (checked by [`verify_basic`](Self::verify_basic)).
    pub fn with_basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic = Some((user.into(), SecretString::from(password.into())));
        self
    }

    /// The signature Bold360 would send for these fields (uppercase hex).
    pub fn sign(&self, trigger_url: &str, fields: &TriggerFields) -> Result<String, TriggerError> {
        let text = string_to_sign(trigger_url, fields)?;
        let mut hasher = Sha512::new();
        hasher.update(text.as_bytes());
        hasher.update(self.key.expose_secret().as_bytes());
        Ok(hex::encode_upper(hasher.finalize()))
    }

    /// Checks the signature of a trigger received at `trigger_url` (the URL as configured in
    /// Bold360, query included) and returns the fields it covers: fields that `signed` does
    /// not list are left out (they stay reachable, unverified, in `fields`).
    pub fn verify(
        &self,
        trigger_url: &str,
        fields: &TriggerFields,
    ) -> Result<SignedFields, TriggerError> {
        let given = fields
            .get("signature")
            .ok_or(TriggerError::MissingSignature)?;
        let expected = self.sign(trigger_url, fields)?;
        if constant_time_eq(
            expected.as_bytes(),
            given.trim().to_ascii_uppercase().as_bytes(),
        ) {
            Ok(fields.signed_only())
        } else {
            Err(TriggerError::BadSignature)
        }
    }

    /// True when Basic credentials are configured.
    pub fn requires_basic_auth(&self) -> bool {
        self.basic.is_some()
    }

    /// Checks an `Authorization` header against the configured Basic credentials (always
    /// passes when none are configured).
    pub fn verify_basic(&self, authorization: Option<&str>) -> Result<(), TriggerError> {
        let Some((user, password)) = &self.basic else {
            return Ok(());
        };
        let header = authorization.ok_or(TriggerError::Unauthorized("no Authorization header"))?;
        let encoded = header
            .strip_prefix("Basic ")
            .or_else(|| header.strip_prefix("basic "))
            .ok_or(TriggerError::Unauthorized("not Basic authorization"))?;
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| TriggerError::Unauthorized("malformed Basic credentials"))?;
        let expected = format!("{user}:{}", password.expose_secret());
        if constant_time_eq(expected.as_bytes(), &decoded) {
            Ok(())
        } else {
            Err(TriggerError::Unauthorized("wrong user or password"))
        }
    }
}

//! Checking a trigger's signature (and, optionally, its HTTP Basic credentials).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha512};

use super::encode::SignatureForm;
use super::error::TriggerError;
use super::fields::{SignedFields, TriggerFields};
use crate::auth::signing::constant_time_eq;

/// The text that is hashed, in the form [`TriggerVerifier::sign`] uses
/// ([`SignatureForm::SIGNING`]): the trigger URL, the signed fields as `name=value` pairs
/// encoded like `encodeURIComponent` with `'` as `%27`, joined with `&` (after `?`, or `&` when
/// the URL has a query), with every `%20` written as `+`.
///
/// ```
/// use bold360_sdk::trigger::{string_to_sign, TriggerFields};
/// let fields = TriggerFields::from_form(b"Name=jane+d%27arc&ChatID=1&signed=ChatID%26Name");
/// assert_eq!(
///     string_to_sign("https://hooks.example.com/chat?tenant=acme", &fields).unwrap(),
///     "https://hooks.example.com/chat?tenant=acme&ChatID=1&Name=jane+d%27arc"
/// );
/// ```
pub fn string_to_sign(trigger_url: &str, fields: &TriggerFields) -> Result<String, TriggerError> {
    string_to_sign_as(trigger_url, fields, SignatureForm::SIGNING)
}

/// The text that is hashed, in the given form (see [`SignatureForm`]).
///
/// ```
/// use bold360_sdk::trigger::{string_to_sign_as, SignatureForm, TriggerFields};
/// let fields = TriggerFields::from_form(b"Name=it%27s+(me)&signed=Name");
/// let url = "https://hooks.example.com/chat";
/// let text = |form| string_to_sign_as(url, &fields, form).unwrap();
/// assert_eq!(text(SignatureForm::UriComponent), "https://hooks.example.com/chat?Name=it's+(me)");
/// assert_eq!(text(SignatureForm::Apostrophe), "https://hooks.example.com/chat?Name=it%27s+(me)");
/// assert_eq!(text(SignatureForm::UrlEncoder), "https://hooks.example.com/chat?Name=it%27s+%28me%29");
/// ```
pub fn string_to_sign_as(
    trigger_url: &str,
    fields: &TriggerFields,
    form: SignatureForm,
) -> Result<String, TriggerError> {
    let mut pairs = Vec::new();
    for (name, value) in signed_pairs(fields)? {
        pairs.push(format!(
            "{}={}",
            form.percent_encode(name),
            form.percent_encode(value)
        ));
    }
    let separator = if trigger_url.contains('?') { '&' } else { '?' };
    Ok(format!("{trigger_url}{separator}{}", pairs.join("&")).replace("%20", "+"))
}

/// The signed fields' names and values, in the order `signed` lists them.
fn signed_pairs(fields: &TriggerFields) -> Result<Vec<(&str, &str)>, TriggerError> {
    let signed = fields
        .get("signed")
        .filter(|s| !s.is_empty())
        .ok_or(TriggerError::MissingSigned)?;
    signed
        .split('&')
        .map(|name| {
            fields
                .get(name)
                .map(|value| (name, value))
                .ok_or_else(|| TriggerError::MissingField(name.to_owned()))
        })
        .collect()
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

    /// The signature Bold360 would send for these fields (uppercase hex), over the signed
    /// text in the form real Bold360 most likely uses ([`SignatureForm::SIGNING`]: `'` as
    /// `%27`).
    pub fn sign(&self, trigger_url: &str, fields: &TriggerFields) -> Result<String, TriggerError> {
        self.sign_as(trigger_url, fields, SignatureForm::SIGNING)
    }

    /// The signature over the signed text in the given form (uppercase hex).
    ///
    /// ```
    /// use bold360_sdk::trigger::{SignatureForm, TriggerFields, TriggerVerifier};
    /// let verifier = TriggerVerifier::new("key");
    /// let url = "https://hooks.example.com/t";
    /// for form in SignatureForm::ALL {
    ///     let mut fields = TriggerFields::from_form(b"Text=I%27m+(back)%21&signed=Text");
    ///     let signature = verifier.sign_as(url, &fields, form).unwrap();
    ///     fields.insert("signature", signature);
    ///     assert!(verifier.verify(url, &fields).is_ok(), "{form:?}");
    /// }
    /// ```
    pub fn sign_as(
        &self,
        trigger_url: &str,
        fields: &TriggerFields,
        form: SignatureForm,
    ) -> Result<String, TriggerError> {
        let text = string_to_sign_as(trigger_url, fields, form)?;
        let mut hasher = Sha512::new();
        hasher.update(text.as_bytes());
        hasher.update(self.key.expose_secret().as_bytes());
        Ok(hex::encode_upper(hasher.finalize()))
    }

    /// Checks the signature of a trigger received at `trigger_url` (the URL as configured in
    /// Bold360, query included) and returns the fields it covers: fields that `signed` does
    /// not list are left out (they stay reachable, unverified, in `fields`).
    ///
    /// A signature made under any [`SignatureForm`] is accepted. The other forms are computed
    /// only when a signed name or value holds a character on which they differ (`' ! ( ) ~`);
    /// every candidate is compared in constant time, and all of them always are.
    pub fn verify(
        &self,
        trigger_url: &str,
        fields: &TriggerFields,
    ) -> Result<SignedFields, TriggerError> {
        let given = fields
            .get("signature")
            .ok_or(TriggerError::MissingSignature)?;
        let given = given.trim().to_ascii_uppercase();
        let several = signed_pairs(fields)?.iter().any(|(name, value)| {
            SignatureForm::differs_on(name) || SignatureForm::differs_on(value)
        });
        let forms: &[SignatureForm] = if several {
            &SignatureForm::ALL
        } else {
            &[SignatureForm::SIGNING]
        };
        let mut matched = false;
        for &form in forms {
            let expected = self.sign_as(trigger_url, fields, form)?;
            // No short circuit: every candidate is compared.
            matched |= constant_time_eq(expected.as_bytes(), given.as_bytes());
        }
        if matched {
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

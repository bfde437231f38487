//! Names of the environment variables the SDK reads. Other tools rely on them: keep them stable.

/// Numeric account ID (`AccountID` in the vendor's docs).
pub const ACCOUNT_ID: &str = "BOLD360_ACCOUNT_ID";
/// Numeric ID of the API setting the key belongs to.
pub const API_SETTING_ID: &str = "BOLD360_API_SETTING_ID";
/// The API key of that setting. A secret.
pub const API_KEY: &str = "BOLD360_API_KEY";
/// `us` or `emea`.
pub const REGION: &str = "BOLD360_REGION";
/// A base URL that overrides the region, e.g. `http://127.0.0.1:8080`.
pub const ENDPOINT: &str = "BOLD360_ENDPOINT";
/// `v1` or `v2`.
pub const API_VERSION: &str = "BOLD360_API_VERSION";
/// A Redis URL (`redis://host:6379/0`, `rediss://…` for TLS): when set, every client and
/// process of the account shares one rate budget through it (feature `redis`). May carry a
/// password: a secret.
pub const LIMITER_URL: &str = "BOLD360_LIMITER_URL";
/// With `BOLD360_LIMITER_URL`: when Redis cannot be reached, go on with a local limiter at this
/// share of the budget (e.g. `0.25`) instead of failing calls. Unset: fail.
pub const LIMITER_FALLBACK: &str = "BOLD360_LIMITER_FALLBACK";

/// Reads a variable from the process environment; a value that is not UTF-8 reads as present
/// but unusable, so that the error names it instead of calling it missing.
pub(crate) fn process_lookup(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(v) => Some(v),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => Some("\u{FFFD}".to_owned()),
    }
}

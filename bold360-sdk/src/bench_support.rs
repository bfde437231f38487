//! Single stages of the request pipeline, for the benchmarks and the fuzz targets (`__bench`).
//! Not a stable API.

use crate::auth::credentials::Credentials;
use crate::config::endpoint::{ApiVersion, Endpoint};
use crate::error::Error;
use crate::params::Params;
use crate::response::envelope::Envelope;

/// Signs and builds the URL of one call.
pub fn signed_url(
    credentials: &Credentials,
    millis: u64,
    endpoint: &Endpoint,
    version: ApiVersion,
    method: &str,
    params: &Params,
) -> Result<String, Error> {
    let token = crate::auth::signing::sign(credentials, millis);
    crate::pipeline::url::build(
        endpoint,
        credentials.account_id(),
        version,
        method,
        &token,
        params,
    )
    .map(String::from)
}

/// Decodes a response body.
pub fn decode<D: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Envelope<D>, Error> {
    crate::pipeline::decode_body("bench", 200, body, &[])
}

/// Decodes a response body of `method` with an HTTP status, scrubbing `secrets` from anything
/// an error copies (the fuzz targets check that none survives).
pub fn decode_as<D: serde::de::DeserializeOwned>(
    method: &str,
    http_status: u16,
    body: &[u8],
    secrets: &[&str],
) -> Result<Envelope<D>, Error> {
    crate::pipeline::decode_body(method, http_status, body, secrets)
}

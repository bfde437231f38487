//! Single stages of the request pipeline, for the benchmarks (`__bench`). Not a stable API.

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

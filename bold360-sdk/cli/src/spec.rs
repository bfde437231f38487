//! `bold360 spec openapi|postman [--out FILE]`: the manifest as an OpenAPI 3.1 document or a
//! Postman v2.1 collection, as shipped in the `bold360-api-spec` crate.

use std::path::Path;

use crate::exit::OK;
use crate::fail::Failure;
use crate::out::outln;

/// Which file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The OpenAPI 3.1 document (for Swagger UI, Insomnia, Redocly, code generators).
    Openapi,
    /// The Postman v2.1 collection, which signs its own requests (Postman, newman).
    Postman,
}

impl Format {
    /// The file's text.
    pub fn text(self) -> &'static str {
        match self {
            Format::Openapi => bold360_api_spec::OPENAPI,
            Format::Postman => bold360_api_spec::POSTMAN_COLLECTION,
        }
    }
}

pub fn run(format: Format, out: Option<&Path>) -> Result<u8, Failure> {
    match out {
        Some(path) => std::fs::write(path, format.text())
            .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?,
        None => outln!("{}", format.text().trim_end()),
    }
    Ok(OK)
}

//! Where requests go: a region's host or any base URL, and which API version.

use std::fmt;
use std::str::FromStr;

use reqwest::Url;

use crate::error::Error;

/// A Bold360 data-center region.
///
/// ```
/// use bold360_sdk::Region;
/// assert_eq!("emea".parse::<Region>().unwrap().base_url(), "https://api-eu.boldchat.com");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// `https://api.boldchat.com`
    #[default]
    Us,
    /// `https://api-eu.boldchat.com`
    Emea,
}

impl Region {
    /// The region's API base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.boldchat.com",
            Region::Emea => "https://api-eu.boldchat.com",
        }
    }
}

impl FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "us" => Ok(Region::Us),
            "emea" | "eu" => Ok(Region::Emea),
            other => Err(format!("unknown region {other:?}; expected `us` or `emea`")),
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::Us => "us",
            Region::Emea => "emea",
        })
    }
}

/// The REST API version: the `v1` or `v2` segment of the URL.
///
/// ```
/// use bold360_sdk::ApiVersion;
/// assert_eq!("v2".parse::<ApiVersion>().unwrap(), ApiVersion::V2);
/// assert_eq!(ApiVersion::V1.as_str(), "v1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum ApiVersion {
    /// Offset paging (`PageStart`/`PageSize`, `Next` object).
    #[default]
    V1,
    /// Cursor paging (`NextPage`).
    V2,
}

impl ApiVersion {
    /// `"v1"` or `"v2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1",
            ApiVersion::V2 => "v2",
        }
    }
}

impl FromStr for ApiVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "v1" | "1" => Ok(ApiVersion::V1),
            "v2" | "2" => Ok(ApiVersion::V2),
            other => Err(format!(
                "unknown API version {other:?}; expected `v1` or `v2`"
            )),
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The base URL requests are sent to: a region's, or a custom one (proxy, sandbox, tests).
///
/// A custom base may carry a path prefix (`https://proxy.example/bold360`); it must not carry a
/// query or fragment.
///
/// ```
/// use bold360_sdk::{Endpoint, Region};
/// assert_eq!(Endpoint::region(Region::Us).as_str(), "https://api.boldchat.com");
/// assert_eq!(Endpoint::custom("http://127.0.0.1:8080/").unwrap().as_str(), "http://127.0.0.1:8080");
/// assert!(Endpoint::custom("ftp://example.com").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: String,
}

impl Endpoint {
    /// The endpoint of a region.
    pub fn region(region: Region) -> Self {
        Self {
            base: region.base_url().to_owned(),
        }
    }

    /// A custom base URL. Fails unless it is an absolute `http` or `https` URL without query
    /// or fragment.
    pub fn custom(base_url: &str) -> Result<Self, Error> {
        Self::parse("endpoint", base_url)
    }

    pub(crate) fn parse(source: &'static str, base_url: &str) -> Result<Self, Error> {
        let url = Url::parse(base_url.trim())
            .map_err(|e| Error::config(source, format!("is not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::config(source, "must be an http or https URL"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::config(source, "must not have a query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::config(source, "must not carry user credentials"));
        }
        Ok(Self {
            base: url.as_str().trim_end_matches('/').to_owned(),
        })
    }

    /// The base URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.base
    }
}

impl From<Region> for Endpoint {
    fn from(region: Region) -> Self {
        Self::region(region)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

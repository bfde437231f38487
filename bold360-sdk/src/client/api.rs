//! Typed access to the API, one handle per version. The methods on these handles are
//! generated from the manifest (`api-spec`): a method or parameter the docs give only for v1
//! does not exist on [`Api<V2>`], and the other way round.

use std::marker::PhantomData;

use crate::client::Client;
use crate::config::endpoint::ApiVersion;

/// Marker of API v1 (offset paging with `PageStart`/`PageSize` and `Next`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct V1;

/// Marker of API v2 (cursor paging with `NextPage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct V2;

/// A version marker: [`V1`] or [`V2`].
pub trait Version: Send + Sync + Copy + std::fmt::Debug + 'static + sealed::Sealed {
    /// The version it stands for.
    const VERSION: ApiVersion;
}

impl Version for V1 {
    const VERSION: ApiVersion = ApiVersion::V1;
}

impl Version for V2 {
    const VERSION: ApiVersion = ApiVersion::V2;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::V1 {}
    impl Sealed for super::V2 {}
}

/// The typed methods of one API version.
///
/// ```no_run
/// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
/// let chat = client.v1().get_chat(9007199254740993u64).send().await?;
/// // IDs from text are validated: `parse` refuses anything but the digits of a 64-bit number.
/// let id: bold360_sdk::ids::ChatId = "9007199254740993".parse().expect("an ID");
/// let same = client.v1().get_chat(id).send().await?;
/// let messages = client.v2().get_all_chat_messages().send().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Api<V> {
    client: Client,
    _version: PhantomData<V>,
}

impl<V: Version> Api<V> {
    /// The client this handle calls through (set to this handle's version).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Client {
    /// The typed methods of API v1.
    pub fn v1(&self) -> Api<V1> {
        Api {
            client: self.with_version(ApiVersion::V1),
            _version: PhantomData,
        }
    }

    /// The typed methods of API v2.
    pub fn v2(&self) -> Api<V2> {
        Api {
            client: self.with_version(ApiVersion::V2),
            _version: PhantomData,
        }
    }
}

//! What the manifest says about a method, at run time, for code that calls methods by their
//! wire name (the `bold360` CLI, generic tools): its kind, versions, paging and page limit.
//! The table is generated from the manifest with the typed API
//! ([`methods::lookup`](crate::methods::lookup)), by the same codegen functions, so the two
//! never disagree.

use crate::endpoint::ApiVersion;
use crate::paging::PageStyle;
use crate::retry::MethodKind;

/// How a method pages in one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// v1 style: send back every entry of the response's `Next` object.
    Next,
    /// v2 style: send back `NextPage` as this parameter.
    Cursor(&'static str),
}

/// One documented method.
///
/// ```
/// use bold360_sdk::{methods, ApiVersion, MethodKind, Paging};
/// let m = methods::lookup("getAllChatMessages").unwrap();
/// assert_eq!(m.kind(), MethodKind::Read);
/// assert_eq!(m.paging(ApiVersion::V1), Some(Paging::Next));
/// assert_eq!(m.page_limit(), Some(1000));
/// assert!(methods::lookup("noSuchMethod").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodInfo {
    pub(crate) name: &'static str,
    pub(crate) kind: MethodKind,
    pub(crate) lists: bool,
    pub(crate) versions: &'static [ApiVersion],
    pub(crate) page_limit: Option<u32>,
    pub(crate) v1: Option<Paging>,
    pub(crate) v2: Option<Paging>,
}

impl MethodInfo {
    /// The wire name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Read (retried on transient failures) or write (retried only when refused).
    pub fn kind(&self) -> MethodKind {
        self.kind
    }

    /// Whether `Data` is a list of records.
    pub fn lists(&self) -> bool {
        self.lists
    }

    /// The versions the method exists in.
    pub fn versions(&self) -> &'static [ApiVersion] {
        self.versions
    }

    /// Whether the method exists in `version`.
    pub fn has_version(&self, version: ApiVersion) -> bool {
        self.versions.contains(&version)
    }

    /// The largest page the docs allow, if they give one.
    pub fn page_limit(&self) -> Option<u32> {
        self.page_limit
    }

    /// How the method pages in `version`; `None` when it answers in one response there.
    pub fn paging(&self, version: ApiVersion) -> Option<Paging> {
        match version {
            ApiVersion::V1 => self.v1,
            ApiVersion::V2 => self.v2,
        }
    }

    /// Records a call with `params` reserves from the records budget: `PageSize` capped at
    /// the page limit, else the page limit, else a typical page for lists and one record
    /// otherwise.
    pub fn expected_records(&self, params: &crate::Params) -> u64 {
        let otherwise = if self.lists { 100 } else { 1 };
        crate::__private::expected_records(params, self.page_limit.map(u64::from), otherwise)
    }

    /// The page walk for `version`, as [`paging::PagedCall`](crate::paging::PagedCall) takes it.
    #[doc(hidden)]
    pub fn page_style(&self, version: ApiVersion) -> PageStyle {
        PageStyle::from(self.paging(version))
    }
}

//! Walking every page of a paged method, lazily: one page in memory at a time, whatever the
//! size of the result.
//!
//! v1 pages: every key and value of the response's `Next` object is sent back verbatim (added
//! to, or replacing, the caller's parameters, so filters survive every page) while `Truncated`
//! is not `false`. v2 pages: the response's `NextPage` is sent back as the cursor parameter.
//! Paging ends when no continuation comes back and the page is not truncated.
//!
//! It never loops and never loses silently; each of these ends the walk with
//! [`Error::Paging`] (and nothing of the offending page is returned):
//! - a continuation seen before in this walk (any earlier one, not only the last: A → B → A);
//! - more pages than the client's [`max_pages`](crate::ClientBuilder::max_pages);
//! - a page of a paged method marked `Truncated: true` without a continuation (records are
//!   missing and there is no way to ask for them).
//!
//! A method that does not page and answers `Truncated: true` (the vendor's way of saying
//! "narrow your filter") is not an error: the page is returned with its `truncated` flag set
//! and a `tracing` warning is emitted.

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};

use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::Client;
use crate::config::endpoint::ApiVersion;
use crate::error::Error;
pub use crate::method::info::PageStyle;
use crate::method::info::{unknown_method_records, MethodInfo};
use crate::method::kind::MethodKind;
use crate::params::Params;
use crate::pipeline::retry::RetryPolicy;
use crate::pipeline::CallInfo;
use crate::response::envelope::Envelope;
use crate::response::records::Records;

/// What a page walk calls, owned, so a walk can outlive the request that started it.
///
/// ```
/// use bold360_sdk::{methods, paging::PagedCall, ApiVersion, Params};
/// let params = Params::new().with("PageSize", 500);
/// let call = PagedCall::for_method(methods::lookup("getAllChatMessages").unwrap(), ApiVersion::V2, &params);
/// assert_eq!(call.expected_records, 500);
/// ```
#[derive(Debug, Clone)]
pub struct PagedCall {
    /// The wire name.
    pub method: Cow<'static, str>,
    /// The method's manifest entry, whose rules every page is checked against. `None`: the
    /// method table's entry for `method`, if it has one.
    pub spec: Option<&'static MethodInfo>,
    /// Read or write, for the retry decision.
    pub kind: MethodKind,
    /// Records each page reserves from the records budget until its real count is known.
    pub expected_records: u64,
    /// A retry policy instead of the client's.
    pub retry: Option<RetryPolicy>,
    /// How to ask for the next page.
    pub style: PageStyle,
    /// A limit on each request instead of the client's request timeout.
    pub timeout: Option<std::time::Duration>,
    /// The parameter that sets each page's size, when pages start at a record offset: the
    /// limiter may then send a smaller page early instead of waiting for room for a whole one
    /// (see [`CallInfo::page_size_param`](crate::CallInfo::page_size_param)). `None`: every
    /// page asks for `expected_records`.
    pub page_size_param: Option<Cow<'static, str>>,
}

impl PagedCall {
    /// The walk of a documented method in `version`: its kind, paging and page limit from the
    /// method table; `params` decide how many records each page reserves (`PageSize`, capped
    /// at the method's page limit).
    pub fn for_method(spec: &'static MethodInfo, version: ApiVersion, params: &Params) -> Self {
        Self {
            method: Cow::Borrowed(spec.name()),
            spec: Some(spec),
            kind: spec.kind(),
            expected_records: spec.expected_records(params),
            retry: None,
            style: spec.page_style(version),
            timeout: None,
            page_size_param: spec.page_size_param(version).map(Cow::Borrowed),
        }
    }
}

impl Client {
    /// Every page of any method by its wire name, `Data` as JSON, lazily: documented methods
    /// page as the method table says for this handle's version; a name the SDK does not know
    /// is one request (a `get…` name is a read).
    ///
    /// ```no_run
    /// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
    /// use futures_util::TryStreamExt;
    /// let pages: Vec<_> = client.pages_raw("getAllChatMessages", bold360_sdk::Params::new()).try_collect().await?;
    /// # let _ = pages; Ok(()) }
    /// ```
    pub fn pages_raw(
        &self,
        method: &str,
        params: impl Into<Params>,
    ) -> impl Stream<Item = Result<Envelope<crate::response::records::Records<Value>>, Error>>
           + Send
           + Unpin {
        let params = params.into();
        let call = match crate::methods::lookup(method) {
            Some(spec) => PagedCall::for_method(spec, self.version, &params),
            None => PagedCall {
                method: std::borrow::Cow::Owned(method.to_owned()),
                spec: None,
                kind: MethodKind::from_name(method),
                expected_records: unknown_method_records(&params),
                retry: None,
                style: PageStyle::Single,
                timeout: None,
                page_size_param: None,
            },
        };
        pages::<Value>(self.clone(), call, params)
    }
}

/// Walks a paged call page by page, remembering where it is, so that a caller can save the
/// position (the parameters of the next page) and resume later, as `bold360 export` does.
/// [`pages`] is built on it.
///
/// ```no_run
/// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
/// use bold360_sdk::{methods, paging::{PageWalker, PagedCall}, Params};
/// let params = Params::new();
/// let call = PagedCall::for_method(methods::lookup("getAllChatMessages").unwrap(), client.api_version(), &params);
/// let mut walker = PageWalker::new(call, params);
/// while let Some(page) = walker.next_page::<serde_json::Value>(&client).await {
///     let page = page?;
///     println!("{} records; resume from {:?}", page.record_count(), walker.next_params());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PageWalker {
    call: PagedCall,
    next: Option<Params>,
    /// Every continuation followed so far.
    seen: HashSet<String>,
    pages: u64,
    /// Records the next page asks for, when fewer than a whole page (see
    /// [`next_page_size`](Self::next_page_size)), and the page size the caller's parameters
    /// set.
    smaller_next: Option<(u64, Option<String>)>,
}

impl PageWalker {
    /// A walk starting with `params`.
    pub fn new(call: PagedCall, params: Params) -> Self {
        Self {
            call,
            next: Some(params),
            seen: HashSet::new(),
            pages: 0,
            smaller_next: None,
        }
    }

    /// Asks for only `records` (at least one) in the first page and for whole pages after it,
    /// for a walk that is likely empty: while its answer is on the way it holds `records` of
    /// the account's records budget instead of a page's. If the first page is full, the walk
    /// goes on from there (one more round trip than a whole first page). Only methods whose
    /// pages start at a record offset ([`MethodInfo::page_size_param`](crate::MethodInfo::page_size_param))
    /// can change the page size within a walk; for the others this changes nothing.
    ///
    /// ```
    /// use bold360_sdk::{methods, paging::{PageWalker, PagedCall}, ApiVersion, Params};
    /// let params = Params::new().with("FolderID", 7);
    /// let call = PagedCall::for_method(methods::lookup("getInactiveChats").unwrap(), ApiVersion::V1, &params);
    /// let walker = PageWalker::new(call, params).first_page(100);
    /// assert_eq!(walker.next_params().unwrap().get("PageSize"), Some("100"));
    /// ```
    pub fn first_page(mut self, records: u64) -> Self {
        if self.pages == 0 {
            self.next_page_size(records);
        }
        self
    }

    /// Asks for only `records` (at least one) in the next page, and for what the caller's
    /// parameters ask in the pages after it: for a page the caller expects to be short (the
    /// last of a date window, say), so that it holds only that many of the account's records
    /// budget while its answer is on the way. If the page comes back full, the walk goes on
    /// (one more round trip). `true` when the next page asks for fewer records than a whole
    /// page; `false` (nothing changes) when `records` is not fewer, the walk is over, or the
    /// method's pages cannot change size within a walk (see [`first_page`](Self::first_page)).
    ///
    /// ```
    /// use bold360_sdk::{methods, paging::{PageWalker, PagedCall}, ApiVersion, Params};
    /// let params = Params::new().with("FolderID", 7);
    /// let call = PagedCall::for_method(methods::lookup("getInactiveChats").unwrap(), ApiVersion::V1, &params);
    /// let mut walker = PageWalker::new(call, params);
    /// assert!(walker.next_page_size(40));
    /// assert_eq!(walker.next_params().unwrap().get("PageSize"), Some("40"));
    /// assert!(!walker.next_page_size(5000), "not fewer than a whole page");
    /// ```
    pub fn next_page_size(&mut self, records: u64) -> bool {
        let Some(name) = self.call.page_size_param.as_deref() else {
            return false;
        };
        let records = records.max(1);
        let Some(params) = self.next.as_mut() else {
            return false;
        };
        if records >= self.call.expected_records {
            return false;
        }
        let asked = match self.smaller_next.take() {
            Some((_, asked)) => asked,
            None => params.get(name).map(str::to_owned),
        };
        params.set(name, records);
        self.smaller_next = Some((records, asked));
        true
    }

    /// The parameters of the next page, or `None` when the walk is over.
    pub fn next_params(&self) -> Option<&Params> {
        self.next.as_ref()
    }

    /// Fetches the next page; `None` when there is none. After an error the walk is over.
    pub async fn next_page<T: DeserializeOwned>(
        &mut self,
        client: &Client,
    ) -> Option<Result<Envelope<Records<T>>, Error>> {
        self.next_page_as::<Records<T>>(client).await
    }

    /// Like [`next_page`](Self::next_page), decoding `Data` as `D` (e.g. the raw JSON).
    pub async fn next_page_as<D: DeserializeOwned + crate::response::envelope::RecordCount>(
        &mut self,
        client: &Client,
    ) -> Option<Result<Envelope<D>, Error>> {
        let params = self.next.take()?;
        let method = &self.call.method;
        let stop = |reason: String| {
            Some(Err(Error::Paging {
                method: method.to_string(),
                reason,
            }))
        };
        if self.pages >= client.max_pages() {
            return stop(format!(
                "more than {} pages; stopping (raise ClientBuilder::max_pages if the result really is that large)",
                client.max_pages()
            ));
        }
        let smaller = self.smaller_next.take();
        let mut call = CallInfo::new(method, self.call.kind)
            .expected_records(smaller.as_ref().map_or(self.call.expected_records, |f| f.0))
            .retry(self.call.retry.as_ref())
            .timeout(self.call.timeout)
            .page_size_param(self.call.page_size_param.as_deref());
        call.spec = self.call.spec;
        let page = match client.execute::<D>(call, params.clone()).await {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        self.pages += 1;
        let (mut next, token) = next_params(&self.call, &params, &page);
        if let (Some((_, asked)), Some(next), Some(name)) =
            (smaller, next.as_mut(), self.call.page_size_param.as_deref())
        {
            // The pages after a smaller one ask for what the caller's parameters did.
            match asked {
                Some(size) => {
                    next.set(name, size);
                }
                None => {
                    next.remove(name);
                }
            }
        }
        match (&token, page.truncated) {
            (Some(token), _) if !self.seen.insert(token.clone()) => {
                return stop(format!(
                    "the server sent a continuation it had already sent in this walk (page {}); stopping instead of looping",
                    self.pages
                ));
            }
            (None, Some(true)) if self.call.style != PageStyle::Single => {
                return stop(format!(
                    "page {} is marked Truncated but carries no continuation (no {}): records are missing and cannot be fetched",
                    self.pages,
                    match &self.call.style {
                        PageStyle::Cursor(name) => name.as_ref(),
                        _ => "Next",
                    }
                ));
            }
            (None, truncated) => note_truncation(method, truncated),
            _ => {}
        }
        self.next = next;
        Some(Ok(page))
    }
}

/// Warns when a method that does not page answers `Truncated: true`: the records beyond the
/// server's cap can only be had by narrowing the filter. The response keeps its `truncated`
/// flag for the caller to act on.
#[doc(hidden)]
pub fn note_truncation(method: &str, truncated: Option<bool>) {
    if truncated == Some(true) {
        tracing::warn!(
            method,
            "the answer is truncated and the method does not page: narrow the filter (e.g. the date window) to get every record"
        );
    }
}

/// Every page of a call, one at a time (lazily), decoding records as `T`. Generated `pages()`
/// methods and [`Client::pages_raw`] return this. The stream is `Unpin` (it lives in one
/// allocation), so a plain loop over it compiles as written:
///
/// ```no_run
/// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
/// use bold360_sdk::prelude::*;
/// let mut pages = client.v2().get_all_chat_messages().pages();
/// while let Some(page) = pages.try_next().await? {
///     println!("{} records", page.record_count());
/// }
/// # Ok(()) }
/// ```
pub fn pages<T>(
    client: Client,
    call: PagedCall,
    params: Params,
) -> impl Stream<Item = Result<Envelope<Records<T>>, Error>> + Send + Unpin
where
    T: DeserializeOwned + Send + 'static,
{
    Box::pin(stream::unfold(
        Some(PageWalker::new(call, params)),
        move |walker| {
            let client = client.clone();
            async move {
                let mut walker = walker?;
                let page = walker.next_page::<T>(&client).await?;
                let keep = page.is_ok().then_some(walker);
                Some((page, keep))
            }
        },
    ))
}

/// The parameters of the next page and a token identifying the cursor, or `None` at the end.
fn next_params<D>(
    call: &PagedCall,
    params: &Params,
    page: &Envelope<D>,
) -> (Option<Params>, Option<String>) {
    match &call.style {
        PageStyle::Next => match &page.next {
            Some(next) if !next.is_empty() && page.truncated != Some(false) => {
                let mut params = params.clone();
                let mut token = String::new();
                for (name, value) in next.to_params().iter() {
                    params.set(name, value);
                    token.push_str(name);
                    token.push('=');
                    token.push_str(value);
                    token.push('&');
                }
                (Some(params), Some(token))
            }
            _ => (None, None),
        },
        PageStyle::Cursor(name) => match page.next_page.as_deref().filter(|c| !c.is_empty()) {
            Some(cursor) => (
                Some(params.clone().with(name.as_ref(), cursor)),
                Some(cursor.to_owned()),
            ),
            None => (None, None),
        },
        PageStyle::Single => (None, None),
    }
}

/// Every record of every page, in order, lazily. Generated `into_stream()` methods return this;
/// like [`pages`] it is `Unpin`:
///
/// ```no_run
/// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
/// use bold360_sdk::prelude::*;
/// let mut messages = client.v2().get_all_chat_messages().into_stream();
/// while let Some(message) = messages.try_next().await? {
///     println!("{:?} said {:?}", message.name, message.extra.get("Text"));
/// }
/// # Ok(()) }
/// ```
pub fn records<T>(
    client: Client,
    call: PagedCall,
    params: Params,
) -> impl Stream<Item = Result<T, Error>> + Send + Unpin
where
    T: DeserializeOwned + Send + 'static,
{
    use futures_util::StreamExt;
    let pages = pages::<T>(client, call, params);
    Box::pin(stream::unfold(
        (pages, VecDeque::new(), false),
        |(mut pages, mut buffer, mut done)| async move {
            loop {
                if let Some(record) = buffer.pop_front() {
                    return Some((Ok(record), (pages, buffer, done)));
                }
                if done {
                    return None;
                }
                match pages.next().await {
                    Some(Ok(page)) => {
                        buffer.extend(page.data.map(Records::into_vec).unwrap_or_default())
                    }
                    Some(Err(e)) => {
                        done = true;
                        return Some((Err(e), (pages, buffer, done)));
                    }
                    None => done = true,
                }
            }
        },
    ))
}

//! Walking every page of a paged method, lazily: one page in memory at a time, whatever the
//! size of the result.
//!
//! v1 pages: every key and value of the response's `Next` object is sent back verbatim (added
//! to, or replacing, the caller's parameters, so filters survive every page). v2 pages: the
//! response's `NextPage` is sent back as the cursor parameter. Paging stops when no cursor comes
//! back, and fails with [`Error::Paging`] if the server repeats the one it was just given.

use std::collections::VecDeque;

use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;

use crate::client::{CallInfo, Client};
use crate::envelope::Envelope;
use crate::error::Error;
use crate::params::Params;
use crate::records::Records;
use crate::retry::{MethodKind, RetryPolicy};

/// How a method pages in the version called. Generated code passes the manifest's style.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// Send back the `Next` object.
    Next,
    /// Send back `NextPage` as this parameter.
    Cursor(&'static str),
    /// This version does not page: one request.
    Single,
}

/// One call's description, owned, for a stream that outlives the builder.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct PagedCall {
    pub method: &'static str,
    pub kind: MethodKind,
    pub expected_records: u64,
    pub retry: Option<RetryPolicy>,
    pub style: PageStyle,
}

enum Cursor {
    Start,
    Next(Params),
    Done,
}

/// Every page of a call, one at a time. Generated `pages()` methods return this.
#[doc(hidden)]
pub fn pages<T>(
    client: Client,
    call: PagedCall,
    params: Params,
) -> impl Stream<Item = Result<Envelope<Records<T>>, Error>> + Send
where
    T: DeserializeOwned + Send + 'static,
{
    stream::unfold(
        (Cursor::Start, None::<String>),
        move |(cursor, previous)| {
            let (client, call, base) = (client.clone(), call.clone(), params.clone());
            async move {
                let params = match cursor {
                    Cursor::Start => base,
                    Cursor::Next(params) => params,
                    Cursor::Done => return None,
                };
                let info = CallInfo::new(call.method, call.kind)
                    .expected_records(call.expected_records)
                    .retry(call.retry.as_ref());
                let page = match client.execute::<Records<T>>(info, params.clone()).await {
                    Ok(page) => page,
                    Err(e) => return Some((Err(e), (Cursor::Done, None))),
                };
                let (next, token) = next_params(&call, &params, &page);
                if let (Some(token), Some(previous)) = (&token, &previous) {
                    if token == previous {
                        let error = Error::Paging {
                        method: call.method.to_owned(),
                        reason: "the server sent back the same cursor twice; stopping instead of looping".to_owned(),
                    };
                        return Some((Err(error), (Cursor::Done, None)));
                    }
                }
                let cursor = next.map_or(Cursor::Done, Cursor::Next);
                Some((Ok(page), (cursor, token)))
            }
        },
    )
}

/// The parameters of the next page and a token identifying the cursor, or `None` at the end.
fn next_params<T>(
    call: &PagedCall,
    params: &Params,
    page: &Envelope<Records<T>>,
) -> (Option<Params>, Option<String>) {
    match call.style {
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
                Some(params.clone().with(name, cursor)),
                Some(cursor.to_owned()),
            ),
            None => (None, None),
        },
        PageStyle::Single => (None, None),
    }
}

/// Every record of every page, in order. Generated `into_stream()` methods return this.
#[doc(hidden)]
pub fn records<T>(
    client: Client,
    call: PagedCall,
    params: Params,
) -> impl Stream<Item = Result<T, Error>> + Send
where
    T: DeserializeOwned + Send + 'static,
{
    use futures_util::StreamExt;
    let pages = Box::pin(pages::<T>(client, call, params));
    stream::unfold(
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
    )
}

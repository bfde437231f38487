//! One call's pages, read in the background into a small buffer, for the sync to emit in
//! order while the next ones are fetched.

use bold360_api_spec::Version;
use bold360_sdk::paging::{PageWalker, PagedCall};
use bold360_sdk::{ApiVersion, Client, Params};

use super::streams::StreamPlan;
use crate::fail::Failure;
use crate::raw::RawData;

fn api(version: Version) -> ApiVersion {
    match version {
        Version::V1 => ApiVersion::V1,
        Version::V2 => ApiVersion::V2,
    }
}

/// Pages a window read ahead may hold before its reader waits.
pub(super) const PAGES_BUFFERED: usize = 2;

/// One page's records, or why the window cannot be read.
pub(super) type Page = Result<Option<RawData>, Failure>;

/// The pages of one call, read in the background.
pub(super) struct Reader {
    /// The pages, in order, at most [`PAGES_BUFFERED`] ahead of the reader.
    pub(super) pages: tokio::sync::mpsc::Receiver<Page>,
    /// Ends with the number of records fetched when every page has been, or with `None` when
    /// the walk failed or was given up (the failure is in `pages`).
    pub(super) walk: tokio::task::JoinHandle<Option<usize>>,
}

/// Starts reading every page of one call in the background; with `first_page`, the first page
/// asks for only that many records ([`PageWalker::first_page`]).
pub(super) fn read_ahead(
    client: &Client,
    plan: &StreamPlan,
    params: Params,
    first_page: Option<u64>,
) -> Reader {
    let (tx, rx) = tokio::sync::mpsc::channel(PAGES_BUFFERED);
    let client = client.with_version(api(plan.version));
    let name = plan.name.clone();
    let walk = tokio::spawn(async move {
        let mut records = 0;
        let Some(info) = bold360_sdk::methods::lookup(&name) else {
            let _ = tx
                .send(Err(Failure::usage(format!(
                    "{name} is not in the SDK's method table"
                ))))
                .await;
            return None;
        };
        let single = info.paging(client.api_version()).is_none();
        let call = PagedCall::for_method(info, client.api_version(), &params);
        let mut walker = PageWalker::new(call, params);
        if let Some(records) = first_page {
            walker = walker.first_page(records);
        }
        while let Some(page) = walker.next_page_as::<RawData>(&client).await {
            let item = match page {
                Err(e) => Err(Failure::from(e)),
                Ok(page) if single && page.truncated == Some(true) => {
                    Err(crate::fail::truncated(&name, page.record_count() as u64))
                }
                Ok(page) => {
                    records += page.record_count();
                    Ok(page.data)
                }
            };
            let failed = item.is_err();
            // A closed receiver: the sync stopped (an earlier window failed).
            if tx.send(item).await.is_err() || failed {
                return None;
            }
        }
        Some(records)
    });
    Reader { pages: rx, walk }
}

//! One call's pages, read in the background into a small buffer, for the sync to emit in
//! order while the next ones are fetched.

use std::collections::VecDeque;
use std::sync::Arc;

use bold360_api_spec::Version;
use bold360_sdk::paging::{PageWalker, PagedCall};
use bold360_sdk::{ApiVersion, Client, Params};
use tokio::sync::Notify;

use super::last_page::WindowProgress;
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

/// What the reader of a date window knows beyond its call.
pub(super) struct WindowRead {
    /// How far the window's records have come: it foresees the window's short last page,
    /// which then asks for about as many records as are left ([`WindowProgress`]).
    pub(super) progress: WindowProgress,
    /// The stream's windows share it. A window asking its foreseen last page signals it: the
    /// room that page leaves in the account's budget, nobody in line wants. A window read
    /// ahead whose buffer is full then reads one more page (one page more in memory, once).
    pub(super) spare: Arc<Notify>,
}

/// Starts reading every page of one call in the background; with `first_page`, the first page
/// asks for only that many records ([`PageWalker::first_page`]); with `window`, the window's
/// foreseen last page asks for fewer, and the room it leaves is read into.
pub(super) fn read_ahead(
    client: &Client,
    plan: &StreamPlan,
    params: Params,
    first_page: Option<u64>,
    window: Option<WindowRead>,
) -> Reader {
    let (tx, rx) = tokio::sync::mpsc::channel(PAGES_BUFFERED);
    let client = client.with_version(api(plan.version));
    let name = plan.name.clone();
    let walk = tokio::spawn(async move {
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
        let mut walk = Walk {
            walker,
            client,
            name,
            single,
            records: 0,
            window,
            foreseen: false,
            announce: false,
            more: true,
        };
        let spare = walk.window.as_ref().map(|w| Arc::clone(&w.spare));
        // Fetched pages not yet in the buffer (at most two: one waiting for room, one read
        // into spare room).
        let mut ready: VecDeque<Page> = VecDeque::new();
        loop {
            if ready.is_empty() {
                match walk.fetch().await {
                    Some(page) => ready.push_back(page),
                    None => break,
                }
                continue;
            }
            let one_more = walk.more && ready.len() < 2 && spare.is_some();
            tokio::select! {
                biased;
                slot = tx.reserve() => {
                    // A closed receiver: the sync stopped (an earlier window failed).
                    let Ok(slot) = slot else { return None };
                    let Some(page) = ready.pop_front() else { continue };
                    let failed = page.is_err();
                    slot.send(page);
                    if failed {
                        return None;
                    }
                }
                () = spare_room(spare.as_deref()), if one_more => {
                    if let Some(page) = walk.fetch().await {
                        ready.push_back(page);
                    }
                }
            }
        }
        Some(walk.records)
    });
    Reader { pages: rx, walk }
}

/// Waits for a window's signal of spare room; never, without one.
async fn spare_room(spare: Option<&Notify>) {
    match spare {
        Some(spare) => spare.notified().await,
        None => std::future::pending().await,
    }
}

/// One call's walk, page by page.
struct Walk {
    walker: PageWalker,
    client: Client,
    name: String,
    /// The method does not page: a truncated answer is an error.
    single: bool,
    records: usize,
    window: Option<WindowRead>,
    /// The window's last page has been foreseen. Once a window: if more records were left
    /// than foreseen, the page comes back whole, and one whole page reads the few left
    /// (foreseeing them again only adds round trips).
    foreseen: bool,
    /// The next page is the foreseen last one: signal the spare room as it is asked.
    announce: bool,
    /// Pages are left to fetch.
    more: bool,
}

impl Walk {
    /// The next page; `None` when every page has been fetched (or a failure ended the walk).
    async fn fetch(&mut self) -> Option<Page> {
        if !self.more {
            return None;
        }
        if std::mem::take(&mut self.announce) {
            if let Some(window) = &self.window {
                window.spare.notify_waiters();
            }
        }
        let Some(page) = self.walker.next_page_as::<RawData>(&self.client).await else {
            self.more = false;
            return None;
        };
        let page = match page {
            Err(e) => Err(Failure::from(e)),
            Ok(page) if self.single && page.truncated == Some(true) => Err(crate::fail::truncated(
                &self.name,
                page.record_count() as u64,
            )),
            Ok(page) => {
                // Parsed once here for the count and the window's progress (the sync parses
                // the records it emits on its side).
                let records = page.data.as_ref().map_or(Ok(Vec::new()), RawData::records);
                self.records += records.as_ref().map_or(0, Vec::len);
                if let (Some(window), Ok(records), false) =
                    (self.window.as_mut(), &records, self.foreseen)
                {
                    window.progress.page(records);
                    let foreseen = window.progress.last_page_size();
                    if let Some(size) = foreseen.filter(|&s| self.walker.next_page_size(s)) {
                        self.announce = true;
                        self.foreseen = true;
                        tracing::debug!(
                            stream = %self.name,
                            records = self.records,
                            asked = size,
                            "a window's last page foreseen"
                        );
                    }
                }
                Ok(page.data)
            }
        };
        if page.is_err() {
            self.more = false;
        }
        Some(page)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bold360_api_spec::Manifest;
    use bold360_sdk::chrono::{DateTime, Utc};
    use bold360_sdk::sandbox::Sandbox;
    use bold360_sdk::{LimiterConfig, RateLimiter};

    use super::*;
    use crate::tap::streams;

    async fn until(what: &str, done: impl Fn() -> bool) {
        for _ in 0..1000 {
            if done() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("waited 10 s for {what}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_buffer_reads_one_more_page_into_spare_room_and_no_more() {
        // 1,834 chats 3 minutes apart: 5,502 messages, six pages in one window that ends
        // with the data (so its records' rate foresees the last page).
        let start: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().unwrap();
        let end: DateTime<Utc> = "2024-01-04T19:45:00Z".parse().unwrap();
        let sandbox = Sandbox::builder()
            .port(0)
            .chats(1_834)
            .chat_minutes(3)
            .data_start(start)
            .start()
            .await
            .unwrap();
        let (plans, _) = streams::plan(&Manifest::embedded().unwrap(), Version::V1);
        let plan = plans
            .iter()
            .find(|p| p.name == "getAllChatMessages")
            .unwrap();
        let params = Params::new()
            .with("FromDate", "2024-01-01T00:00:00Z")
            .with("ToDate", "2024-01-04T19:45:00Z");
        let spare = Arc::new(Notify::new());
        let window = WindowRead {
            progress: WindowProgress::new(start, end, "Created"),
            spare: Arc::clone(&spare),
        };
        // No budget to wait for: what the walk asks shows at once.
        let client = sandbox
            .client_builder()
            .rate_limiter(RateLimiter::new(LimiterConfig::unlimited()))
            .build()
            .unwrap();
        let mut reader = read_ahead(&client, plan, params, None, Some(window));
        let asked = || {
            sandbox
                .requests()
                .iter()
                .filter(|r| r.method == "getAllChatMessages")
                .count()
        };
        // Two pages in the buffer and one waiting for room in it: then the walk waits.
        until("three pages", || asked() == 3).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(asked(), 3, "a full buffer stops the walk");
        // Spare room in the budget: one page more.
        for _ in 0..500 {
            spare.notify_waiters();
            if asked() == 4 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(asked(), 4, "spare room reads one more page");
        for _ in 0..30 {
            spare.notify_waiters();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(asked(), 4, "one, not more, while the buffer stays full");
        // Every page comes out, in order.
        let mut created = Vec::new();
        while let Some(page) = reader.pages.recv().await {
            let Some(data) = page.unwrap() else { continue };
            for raw in data.records().unwrap() {
                let rec: serde_json::Value = serde_json::from_str(raw.get()).unwrap();
                created.push(rec["Created"].as_str().unwrap().to_owned());
            }
        }
        assert_eq!(created.len(), 5_502);
        assert!(created.windows(2).all(|w| w[0] <= w[1]), "in order");
        assert_eq!(reader.walk.await.unwrap(), Some(5_502));
        // The last page was foreseen: it asked for about the 502 left, not a whole page.
        let sizes: Vec<Option<String>> = sandbox
            .requests()
            .iter()
            .map(|r| r.param("PageSize").map(str::to_owned))
            .collect();
        assert_eq!(sizes.len(), 6, "{sizes:?}");
        assert!(sizes[..5].iter().all(|s| s.is_none()), "{sizes:?}");
        let last: u64 = sizes[5].as_deref().unwrap().parse().unwrap();
        assert!((490..600).contains(&last), "{sizes:?}");
    }
}

//! The date windows of an incremental stream: how long each next one is, and the windows
//! started ahead of the one being emitted. A child stream's contexts (one per parent) follow
//! each other as one sequence of windows, so the next parent's windows are read while the last
//! ones of the parent before are; a parent's first window is as long as the last one sized.
//! A window likely to be empty while others are read asks for a small first page.

use std::collections::VecDeque;
use std::sync::Arc;

use bold360_sdk::chrono::{DateTime, Duration, SecondsFormat, Utc};
use bold360_sdk::{Client, Params};
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::FuturesUnordered;
use tokio::sync::Notify;

use super::config::TapConfig;
use super::last_page::WindowProgress;
use super::reader::{read_ahead, Page, WindowRead};
use super::state::Context;
use super::streams::StreamPlan;

pub(super) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Windows read ahead of the one being emitted, at most. One is read while it is emitted; more
/// start only while every window ahead has been read completely, so they are empty or small:
/// at most [`PAGES_BUFFERED`](super::reader::PAGES_BUFFERED) pages each wait in memory.
pub(super) const MAX_AHEAD: usize = 8;

/// The pages a window aims at: few enough that a window is cheap to repeat after a kill (64
/// pages are about 33 s at the account's 2,000 records/s), many enough that the window's end
/// costs little: its last page is short, and the room it gives back is only known a round trip
/// later, which costs the budget about one round trip per window (1 % of a 64-page window at
/// 150 ms; 16-page windows measured 1 % slower on dense data).
const TARGET_PAGES: usize = 64;

/// Records a full page holds (the methods' page limit, 1,000).
const PAGE: usize = 1000;

/// Records the first page of a window likely to be empty asks for (a window after an empty
/// one, or a parent's first, once the stream has read records). Every request reserves its
/// page's records from the account's budget until its answer says how many came; a whole
/// page reserved for an empty answer is room the pages being read wait for, a round trip
/// long. If the window does hold records, its pages after the first are whole (one more
/// round trip, while other windows are read).
const SMALL_FIRST_PAGE: u64 = 100;

/// How long the next window is, after one of `size` that held `records`: scaled toward
/// [`TARGET_PAGES`] pages by the density just seen (at most 8 times longer, at least half as
/// long per step; after an empty window, which shows no density, 64 times longer), between
/// an hour and the largest window.
fn next_size(size: Duration, records: usize, config: &TapConfig) -> Duration {
    let target = (TARGET_PAGES * PAGE) as f64;
    let factor = match records {
        0 => 64.0,
        n => (target / n as f64).clamp(0.5, 8.0),
    };
    let millis = (size.num_milliseconds() as f64 * factor) as i64;
    let floor = Duration::hours(1).min(config.max_window);
    Duration::milliseconds(millis).clamp(floor, config.max_window)
}

/// A context of an incremental stream (the parent's values, none for a root stream) and where
/// its first window starts (its bookmark, or `start_date`).
pub(super) type ContextStart = (Context, DateTime<Utc>);

/// A window of an incremental stream, started.
pub(super) struct Window {
    /// Its place in the walk (0 for the first window of the run).
    pub(super) index: u64,
    /// Its context (an index into the contexts given to [`Windows::new`]).
    pub(super) context: usize,
    pub(super) end: DateTime<Utc>,
    pub(super) span: Duration,
    pub(super) pages: tokio::sync::mpsc::Receiver<Page>,
    /// Every page has been fetched (some may still wait in `pages`).
    pub(super) walked: bool,
}

/// A window's walk, ended: its index and what its [`Reader::walk`](super::reader::Reader::walk) ended with.
pub(super) type Walked = BoxFuture<'static, (u64, Result<Option<usize>, tokio::task::JoinError>)>;

/// The windows of one stream that have started, in order (each context's after the one's
/// before), where the next one starts, and how long it is (sized by the latest window read
/// completely).
pub(super) struct Windows<'p> {
    client: Client,
    plan: &'p StreamPlan,
    contexts: &'p [ContextStart],
    config: &'p TapConfig,
    /// The context of the next window; `contexts.len()` when every window has started.
    context: usize,
    start: DateTime<Utc>,
    size: Duration,
    /// The window whose density set `size`.
    sized_by: Option<u64>,
    /// That window held records, so the next one likely does.
    sized_by_records: bool,
    /// A window of this stream has held records: others are likely being read.
    read_records: bool,
    /// Started and not yet being emitted.
    pub(super) started: VecDeque<Window>,
    pub(super) walks: FuturesUnordered<Walked>,
    next_index: u64,
    /// Signalled when a window asks its foreseen last page ([`WindowRead::spare`]).
    spare: Arc<Notify>,
}

impl<'p> Windows<'p> {
    /// None started yet; each context's first window starts where it says, the configured
    /// first window long.
    pub(super) fn new(
        config: &'p TapConfig,
        plan: &'p StreamPlan,
        contexts: &'p [ContextStart],
    ) -> Self {
        let mut windows = Self {
            client: config.client.clone(),
            plan,
            contexts,
            config,
            context: 0,
            start: contexts
                .first()
                .map_or(config.end_date, |(_, start)| *start),
            size: config.window,
            sized_by: None,
            sized_by_records: false,
            read_records: false,
            started: VecDeque::new(),
            walks: FuturesUnordered::new(),
            next_index: 0,
            spare: Arc::new(Notify::new()),
        };
        windows.skip_finished_contexts();
        windows
    }

    /// Moves past contexts with no window left before the end date: to the next one's start.
    /// Its first window is as long as the last one sized (the parents of one account tend to
    /// span the same time, and a wrong guess resizes after one window), but whether it holds
    /// records is not known: it asks for a small first page.
    fn skip_finished_contexts(&mut self) {
        while self.context < self.contexts.len() && self.start >= self.config.end_date {
            self.context += 1;
            if let Some((_, start)) = self.contexts.get(self.context) {
                self.start = *start;
                self.sized_by_records = false;
            }
        }
    }

    /// The walk of window `index` (the one being emitted, or one started) has ended with
    /// `records`: it is marked, and sizes the next windows if it is the latest so far (of
    /// this context, or of the one before while none of this one's has been read).
    pub(super) fn walked(&mut self, current: &mut Window, index: u64, records: usize) {
        let window = if index == current.index {
            Some(current)
        } else {
            self.started.iter_mut().find(|w| w.index == index)
        };
        if let Some(window) = window {
            window.walked = true;
            self.read_records |= records > 0;
            if self.sized_by < Some(index) {
                self.size = next_size(window.span, records, self.config);
                self.sized_by = Some(index);
                // Another parent's records say nothing of whether this one has any.
                self.sized_by_records = window.context == self.context && records > 0;
            }
        }
    }

    /// Whether another window may start: one is left (of this context or a next one), and every
    /// window started (and not yet being emitted) has been read completely, up to
    /// [`MAX_AHEAD`].
    pub(super) fn may_start(&self) -> bool {
        self.context < self.contexts.len()
            && self.started.len() < MAX_AHEAD
            && self.started.iter().all(|w| w.walked)
    }

    /// Starts the next window (up to the end date at most).
    pub(super) fn start_next(&mut self) {
        let Some((context, _)) = self.contexts.get(self.context) else {
            return;
        };
        let start = self.start;
        let end = (start + self.size).min(self.config.end_date);
        let mut params = Params::new();
        params.set("FromDate", rfc3339(start));
        params.set("ToDate", rfc3339(end));
        for (name, value) in context {
            params.set(name, value);
        }
        let likely_empty = self.read_records && !self.sized_by_records;
        let first_page = likely_empty.then_some(SMALL_FIRST_PAGE);
        let window = self.plan.replication.key().map(|key| WindowRead {
            progress: WindowProgress::new(start, end, key),
            spare: Arc::clone(&self.spare),
        });
        let reader = read_ahead(&self.client, self.plan, params, first_page, window);
        let index = self.next_index;
        self.next_index += 1;
        self.walks
            .push(reader.walk.map(move |walked| (index, walked)).boxed());
        self.started.push_back(Window {
            index,
            context: self.context,
            end,
            span: end - start,
            pages: reader.pages,
            walked: false,
        });
        self.start = end;
        self.skip_finished_contexts();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(max_days: i64) -> TapConfig {
        TapConfig {
            client: bold360_sdk::Client::builder()
                .credentials(bold360_sdk::Credentials::new("1", "2", "k").unwrap())
                .build()
                .unwrap(),
            start_date: Utc::now() - Duration::days(30),
            end_date: Utc::now(),
            window: Duration::days(7),
            max_window: Duration::days(max_days),
        }
    }

    #[test]
    fn windows_are_sized_toward_a_target_number_of_pages() {
        let c = config(366);
        let week = Duration::days(7);
        let target = TARGET_PAGES * PAGE;
        assert_eq!(
            next_size(Duration::days(1), 0, &c),
            Duration::days(64),
            "empty: 64 times"
        );
        assert_eq!(
            next_size(week, 1, &c),
            Duration::days(56),
            "sparse: 8 times, at most"
        );
        assert_eq!(
            next_size(week, target / 2, &c),
            Duration::days(14),
            "half the target: twice"
        );
        assert_eq!(next_size(week, target, &c), week, "on target: kept");
        assert_eq!(
            next_size(week, target * 10, &c),
            Duration::hours(84),
            "dense: half, at most"
        );
        assert_eq!(
            next_size(Duration::days(300), 0, &c),
            Duration::days(366),
            "at most 366 days"
        );
        assert_eq!(
            next_size(Duration::minutes(90), 10 * target, &c),
            Duration::hours(1),
            "at least an hour"
        );
        // A configured size is the largest window.
        let configured = config(7);
        assert_eq!(next_size(week, 0, &configured), week);
        assert_eq!(
            next_size(week, 10 * target, &configured),
            Duration::hours(84)
        );
    }
}

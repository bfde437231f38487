//! A sync: each selected stream in order (roots before the children they drive), window by
//! window for incremental streams, page by page through the SDK (signing, the account limiter,
//! retries, paging guards). A bookmark advances, and a `STATE` is emitted, only when a window
//! has been read completely, every page of it, for that parent.
//!
//! Windows are read ahead: while one window's pages are read, the next window (of the same
//! stream and parent) already starts, into a small buffer of pages; when the windows ahead have
//! all been read (empty or small ones: before the data starts, after it ends), the next starts
//! at once, up to [`MAX_AHEAD`] windows. Records and `STATE` still come out in window order.
//! Window sizes adapt to the data: each next window is sized by the density of the latest
//! window read, toward `TARGET_PAGES` (64) pages (between an hour and the largest window: the
//! configured `date_window_days`, else 366 days). So the account's budget, not each window's
//! first and last round trip, bounds the rate, and memory stays at a few pages per window.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use bold360_api_spec::Version;
use bold360_sdk::chrono::{DateTime, Duration, SecondsFormat, Utc};
use bold360_sdk::paging::{PageWalker, PagedCall};
use bold360_sdk::{ApiVersion, Client, Params};
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;

use super::catalog::Selection;
use super::config::TapConfig;
use super::messages::Emitter;
use super::schema::{record, stream_schema};
use super::state::{Context, State};
use super::streams::{Driver, Replication, StreamPlan};
use crate::fail::Failure;
use crate::raw::RawData;

fn api(version: Version) -> ApiVersion {
    match version {
        Version::V1 => ApiVersion::V1,
        Version::V2 => ApiVersion::V2,
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Windows read ahead of the one being emitted, at most. One is read while it is emitted; more
/// start only while every window ahead has been read completely, so they are empty or small:
/// at most [`PAGES_BUFFERED`] pages each wait in memory.
const MAX_AHEAD: usize = 8;

/// Pages a window read ahead may hold before its reader waits.
const PAGES_BUFFERED: usize = 2;

/// The pages a window aims at: few enough that a window is cheap to repeat after a kill (64
/// pages are about 33 s at the account's 2,000 records/s), many enough that the window's end
/// costs little: its last page is short, and the room it gives back is only known a round trip
/// later, which costs the budget about one round trip per window (1 % of a 64-page window at
/// 150 ms; 16-page windows measured 1 % slower on dense data).
const TARGET_PAGES: usize = 64;

/// Records a full page holds (the methods' page limit, 1,000).
const PAGE: usize = 1000;

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

/// One page's records, or why the window cannot be read.
type Page = Result<Option<RawData>, Failure>;

/// The pages of one call, read in the background.
struct Reader {
    /// The pages, in order, at most [`PAGES_BUFFERED`] ahead of the reader.
    pages: tokio::sync::mpsc::Receiver<Page>,
    /// Ends with the number of records fetched when every page has been, or with `None` when
    /// the walk failed or was given up (the failure is in `pages`).
    walk: tokio::task::JoinHandle<Option<usize>>,
}

/// Starts reading every page of one call in the background.
fn read_ahead(client: &Client, plan: &StreamPlan, params: Params) -> Reader {
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

/// A window of an incremental stream, started.
struct Window {
    /// Its place in the walk (0 for the first window of the run).
    index: u64,
    end: DateTime<Utc>,
    span: Duration,
    pages: tokio::sync::mpsc::Receiver<Page>,
    /// Every page has been fetched (some may still wait in `pages`).
    walked: bool,
}

/// A window's walk, ended: its index and what its [`Reader::walk`] ended with.
type Walked = BoxFuture<'static, (u64, Result<Option<usize>, tokio::task::JoinError>)>;

/// The windows of one stream and context that have started, in order, and where the next
/// one starts.
struct Windows<'p> {
    client: Client,
    plan: &'p StreamPlan,
    context: &'p Context,
    end_date: DateTime<Utc>,
    start: DateTime<Utc>,
    started: VecDeque<Window>,
    walks: FuturesUnordered<Walked>,
    next_index: u64,
}

impl Windows<'_> {
    /// Whether another window may start: one is left before the end date, and every window
    /// started (and not yet being emitted) has been read completely, up to [`MAX_AHEAD`].
    fn may_start(&self) -> bool {
        self.start < self.end_date
            && self.started.len() < MAX_AHEAD
            && self.started.iter().all(|w| w.walked)
    }

    /// Starts the next window, `size` long (or up to the end date).
    fn start_next(&mut self, size: Duration) {
        let start = self.start;
        let end = (start + size).min(self.end_date);
        let mut params = Params::new();
        params.set("FromDate", rfc3339(start));
        params.set("ToDate", rfc3339(end));
        for (name, value) in self.context {
            params.set(name, value);
        }
        let reader = read_ahead(&self.client, self.plan, params);
        let index = self.next_index;
        self.next_index += 1;
        self.walks
            .push(reader.walk.map(move |walked| (index, walked)).boxed());
        self.started.push_back(Window {
            index,
            end,
            span: end - start,
            pages: reader.pages,
            walked: false,
        });
        self.start = end;
    }
}

/// Field → the distinct values records carried in it.
type Seen = BTreeMap<String, BTreeSet<String>>;

/// One run of the tap.
pub struct Sync<'a> {
    pub config: &'a TapConfig,
    pub plans: &'a [StreamPlan],
    pub out: Emitter,
    pub state: State,
    /// Parent stream → the values its records carried this run.
    seen: BTreeMap<String, Seen>,
}

impl<'a> Sync<'a> {
    pub fn new(config: &'a TapConfig, plans: &'a [StreamPlan], state: State) -> Self {
        Self {
            config,
            plans,
            out: Emitter::stdout(),
            state,
            seen: BTreeMap::new(),
        }
    }

    /// The fields of `stream` whose values children need, each with no value yet.
    fn wanted_fields(&self, stream: &str) -> Seen {
        self.plans
            .iter()
            .flat_map(|p| p.drivers.iter())
            .filter_map(|d| match d {
                Driver::Parent { parent, field, .. } if parent == stream => {
                    Some((field.clone(), BTreeSet::new()))
                }
                _ => None,
            })
            .collect()
    }

    /// Every selected stream, in plan order.
    pub async fn run(&mut self, selection: &Selection) -> Result<(), Failure> {
        for plan in self.plans {
            if let Some(dropped) = selection.get(&plan.name) {
                self.stream(plan, dropped).await?;
            }
        }
        self.out.flush()
    }

    /// The contexts a stream is read in: one empty context for a root; for a child, every
    /// combination of its drivers' values.
    async fn contexts(&mut self, plan: &StreamPlan) -> Result<Vec<Context>, Failure> {
        let mut contexts = vec![Context::new()];
        for driver in &plan.drivers {
            let values: Vec<String> = match driver {
                Driver::Values { values, .. } => values.clone(),
                Driver::Parent { parent, field, .. } => {
                    if !self.seen.get(parent).is_some_and(|f| f.contains_key(field)) {
                        self.read_parent(parent).await?;
                    }
                    self.seen[parent][field].iter().cloned().collect()
                }
            };
            contexts = contexts
                .into_iter()
                .flat_map(|c| {
                    values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.insert(driver.param().to_owned(), v.clone());
                        c
                    })
                })
                .collect();
        }
        Ok(contexts)
    }

    /// Reads a parent that is not selected, only for the IDs its children need.
    async fn read_parent(&mut self, parent: &str) -> Result<(), Failure> {
        let plan = self
            .plans
            .iter()
            .find(|p| p.name == parent)
            .ok_or_else(|| Failure::usage(format!("no stream {parent}")))?;
        let mut seen = self.wanted_fields(parent);
        let mut pages = read_ahead(&self.config.client, plan, Params::new()).pages;
        while let Some(page) = pages.recv().await {
            let Some(data) = page? else { continue };
            for raw in data.records().map_err(|e| Failure::usage(e.to_string()))? {
                let rec = record(&plan.method, &raw)
                    .map_err(|e| Failure::usage(format!("{}: {e}", plan.name)))?;
                collect(&mut seen, &rec);
            }
        }
        self.seen.insert(parent.to_owned(), seen);
        Ok(())
    }

    async fn stream(&mut self, plan: &StreamPlan, dropped: &[String]) -> Result<(), Failure> {
        let mut schema = stream_schema(plan);
        if let Some(props) = schema["properties"].as_object_mut() {
            for name in dropped {
                props.remove(name);
            }
        }
        self.out
            .schema(&plan.name, &schema, &plan.key, plan.replication.key())?;
        let mut seen = self.wanted_fields(&plan.name);
        for context in self.contexts(plan).await? {
            match &plan.replication {
                Replication::FullTable => {
                    self.read(plan, &context, Params::new(), dropped, &mut seen)
                        .await?;
                }
                Replication::Incremental { .. } => {
                    let start = self
                        .state
                        .bookmark(&plan.name, &context)
                        .unwrap_or(self.config.start_date);
                    self.windows(plan, &context, start, dropped, &mut seen)
                        .await?;
                }
            }
        }
        if !seen.is_empty() {
            self.seen.insert(plan.name.clone(), seen);
        }
        self.out.state(self.state.to_value())
    }

    /// Reads the windows of an incremental stream for one context, from `start` to the end
    /// date, in order, the next ones ahead; after each window, read completely (every page
    /// fetched and emitted), its bookmark advances and a `STATE` is emitted.
    async fn windows(
        &mut self,
        plan: &StreamPlan,
        context: &Context,
        start: DateTime<Utc>,
        dropped: &[String],
        seen: &mut Seen,
    ) -> Result<(), Failure> {
        let mut windows = Windows {
            client: self.config.client.clone(),
            plan,
            context,
            end_date: self.config.end_date,
            start,
            started: VecDeque::new(),
            walks: FuturesUnordered::new(),
            next_index: 0,
        };
        let mut size = self.config.window;
        // The window whose density set `size`: the latest one read completely.
        let mut sized_by = None;
        loop {
            if windows.may_start() {
                windows.start_next(size);
            }
            let Some(mut current) = windows.started.pop_front() else {
                return Ok(());
            };
            let mut emitted = false;
            while !(emitted && current.walked) {
                while windows.may_start() {
                    windows.start_next(size);
                }
                tokio::select! {
                    Some((index, walked)) = windows.walks.next(), if !windows.walks.is_empty() => {
                        let walked = walked.map_err(|e| {
                            Failure::usage(format!("{}: a window's reader stopped: {e}", plan.name))
                        })?;
                        // A failed walk: its failure comes out with its pages, in order.
                        let Some(records) = walked else { continue };
                        let window = if index == current.index {
                            Some(&mut current)
                        } else {
                            windows.started.iter_mut().find(|w| w.index == index)
                        };
                        if let Some(window) = window {
                            window.walked = true;
                            if sized_by < Some(index) {
                                size = next_size(window.span, records, self.config);
                                sized_by = Some(index);
                            }
                        }
                    }
                    page = current.pages.recv(), if !emitted => match page {
                        Some(page) => {
                            if let Some(data) = page? {
                                self.emit(plan, context, &data, dropped, seen)?;
                            }
                        }
                        None => emitted = true,
                    },
                }
            }
            self.state
                .advance(&plan.name, context, plan.replication.key(), current.end);
            self.out.state(self.state.to_value())?;
        }
    }

    /// One page's records as `RECORD` messages (the context's values filled in).
    fn emit(
        &mut self,
        plan: &StreamPlan,
        context: &Context,
        data: &RawData,
        dropped: &[String],
        seen: &mut Seen,
    ) -> Result<usize, Failure> {
        let extracted = rfc3339(Utc::now());
        let mut count = 0;
        for raw in data
            .records()
            .map_err(|e| Failure::usage(format!("{}: {e}", plan.name)))?
        {
            let mut rec = record(&plan.method, &raw)
                .map_err(|e| Failure::usage(format!("{}: {e}", plan.name)))?;
            for (name, value) in context {
                rec.entry(name.clone())
                    .or_insert_with(|| Value::String(value.clone()));
            }
            collect(seen, &rec);
            for name in dropped {
                rec.remove(name);
            }
            self.out.record(&plan.name, rec, &extracted)?;
            count += 1;
        }
        Ok(count)
    }

    async fn read(
        &mut self,
        plan: &StreamPlan,
        context: &Context,
        mut params: Params,
        dropped: &[String],
        seen: &mut Seen,
    ) -> Result<(), Failure> {
        for (name, value) in context {
            params.set(name, value);
        }
        let mut pages = read_ahead(&self.config.client, plan, params).pages;
        while let Some(page) = pages.recv().await {
            if let Some(data) = page? {
                self.emit(plan, context, &data, dropped, seen)?;
            }
        }
        Ok(())
    }
}

/// Notes the values of the wanted fields in a record.
fn collect(seen: &mut Seen, rec: &serde_json::Map<String, Value>) {
    for (field, values) in seen.iter_mut() {
        if let Some(Value::String(v)) = rec.get(field) {
            values.insert(v.clone());
        }
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

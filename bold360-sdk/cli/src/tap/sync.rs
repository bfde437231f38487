//! A sync: each selected stream in order (roots before the children they drive), window by
//! window for incremental streams, page by page through the SDK (signing, the account limiter,
//! retries, paging guards). A bookmark advances, and a `STATE` is emitted, only when a window
//! has been read completely, every page of it, for that parent.
//!
//! Windows are read ahead: while one window's last pages are read, the next window (of the
//! same stream and parent) already starts, into a small buffer of pages; records and `STATE`
//! still come out in window order. Window sizes adapt to the data: each next window is sized
//! by the density of the last one read, toward `TARGET_PAGES` (64) pages (between an hour and the
//! largest window: the configured `date_window_days`, else 366 days). So the account's budget, not each window's first and
//! last round trip, bounds the rate, and memory stays at a few pages per window.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use bold360_api_spec::Version;
use bold360_sdk::chrono::{DateTime, Duration, SecondsFormat, Utc};
use bold360_sdk::paging::{PageWalker, PagedCall};
use bold360_sdk::{ApiVersion, Client, Params};
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

/// Windows read at once (the one being emitted and the one read ahead).
const WINDOWS_AHEAD: usize = 2;

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
/// long per step), between an hour and the largest window.
fn next_size(size: Duration, records: usize, config: &TapConfig) -> Duration {
    let target = (TARGET_PAGES * PAGE) as f64;
    let factor = (target / records.max(1) as f64).clamp(0.5, 8.0);
    let millis = (size.num_milliseconds() as f64 * factor) as i64;
    let floor = Duration::hours(1).min(config.max_window);
    Duration::milliseconds(millis).clamp(floor, config.max_window)
}

/// One page's records, or why the window cannot be read.
type Page = Result<Option<RawData>, Failure>;

/// Starts reading every page of one call in the background; pages arrive in order on the
/// receiver, at most [`PAGES_BUFFERED`] ahead of the reader.
fn read_ahead(
    client: &Client,
    plan: &StreamPlan,
    params: Params,
) -> tokio::sync::mpsc::Receiver<Page> {
    let (tx, rx) = tokio::sync::mpsc::channel(PAGES_BUFFERED);
    let client = client.with_version(api(plan.version));
    let name = plan.name.clone();
    tokio::spawn(async move {
        let Some(info) = bold360_sdk::methods::lookup(&name) else {
            let _ = tx
                .send(Err(Failure::usage(format!(
                    "{name} is not in the SDK's method table"
                ))))
                .await;
            return;
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
                Ok(page) => Ok(page.data),
            };
            let failed = item.is_err();
            // A closed receiver: the sync stopped (an earlier window failed).
            if tx.send(item).await.is_err() || failed {
                return;
            }
        }
    });
    rx
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
        let mut pages = read_ahead(&self.config.client, plan, Params::new());
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
    /// date, in order, the next one ahead; after each window, read completely, its bookmark
    /// advances and a `STATE` is emitted.
    async fn windows(
        &mut self,
        plan: &StreamPlan,
        context: &Context,
        mut start: DateTime<Utc>,
        dropped: &[String],
        seen: &mut Seen,
    ) -> Result<(), Failure> {
        let client = self.config.client.clone();
        let end_date = self.config.end_date;
        let mut size = self.config.window;
        let mut reading = VecDeque::new();
        loop {
            while reading.len() < WINDOWS_AHEAD && start < end_date {
                let end = (start + size).min(end_date);
                let mut params = Params::new();
                params.set("FromDate", rfc3339(start));
                params.set("ToDate", rfc3339(end));
                for (name, value) in context {
                    params.set(name, value);
                }
                reading.push_back((end, end - start, read_ahead(&client, plan, params)));
                start = end;
            }
            let Some((end, span, mut pages)) = reading.pop_front() else {
                return Ok(());
            };
            let mut records = 0;
            while let Some(page) = pages.recv().await {
                if let Some(data) = page? {
                    records += self.emit(plan, context, &data, dropped, seen)?;
                }
            }
            self.state
                .advance(&plan.name, context, plan.replication.key(), end);
            self.out.state(self.state.to_value())?;
            size = next_size(span, records, self.config);
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
        let mut pages = read_ahead(&self.config.client, plan, params);
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
            next_size(week, 0, &c),
            Duration::days(56),
            "empty: 8 times, at most"
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

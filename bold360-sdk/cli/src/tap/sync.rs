//! A sync: each selected stream in order (roots before the children they drive), window by
//! window for incremental streams, page by page through the SDK (signing, the account limiter,
//! retries, paging guards). A bookmark advances, and a `STATE` is emitted, only when a window
//! has been read completely, every page of it, for that parent.
//!
//! Windows are read ahead (`windows.rs`, each call's pages by `reader.rs`): while one window's
//! pages are read, the next window (of the same stream: the same parent's, or after a parent's
//! last window the next parent's first) already starts, into a small buffer of pages; when the
//! windows ahead have all been read (empty or small ones: before the data starts, after it
//! ends), the next starts at once, up to 8 windows ahead.
//! Records and `STATE` still come out in window order. Window sizes adapt to the data: each
//! next window is sized by the density of the latest window read, toward 64 pages (between an
//! hour and the largest window: the configured `date_window_days`, else 366 days); a parent's
//! first window is as long as the last one sized. A window likely to be empty once records
//! are flowing (after an empty one, or a parent's first) asks for a 100-record first page, so
//! it holds little of the account's records budget while the others page. A window's last
//! page is foreseen from its records' dates and asks for about what is left; the room that
//! leaves, the window read ahead reads one more page into (`last_page.rs`). So the account's
//! budget, not each window's first and last round trip, bounds the rate, and memory stays at
//! a few pages per window.

use std::collections::{BTreeMap, BTreeSet};

use bold360_sdk::chrono::Utc;
use bold360_sdk::Params;
use futures_util::stream::StreamExt;
use serde_json::Value;

use super::catalog::Selection;
use super::config::TapConfig;
use super::messages::Emitter;
use super::reader::read_ahead;
use super::schema::{record, stream_schema};
use super::state::{Context, State};
use super::streams::{Driver, Replication, StreamPlan};
use super::windows::{rfc3339, ContextStart, Windows};
use crate::fail::Failure;
use crate::raw::RawData;

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
        let mut pages = read_ahead(&self.config.client, plan, Params::new(), None, None).pages;
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
        let contexts = self.contexts(plan).await?;
        match &plan.replication {
            Replication::FullTable => {
                for context in &contexts {
                    self.read(plan, context, Params::new(), dropped, &mut seen)
                        .await?;
                }
            }
            Replication::Incremental { .. } => {
                let starts: Vec<ContextStart> = contexts
                    .into_iter()
                    .map(|context| {
                        let start = self.state.bookmark(&plan.name, &context);
                        (context, start.unwrap_or(self.config.start_date))
                    })
                    .collect();
                self.windows(plan, &starts, dropped, &mut seen).await?;
            }
        }
        if !seen.is_empty() {
            self.seen.insert(plan.name.clone(), seen);
        }
        self.out.state(self.state.to_value())
    }

    /// Reads the windows of an incremental stream, context after context, each from its start
    /// to the end date, in order, the next ones ahead (the next context's too); after each
    /// window, read completely (every page fetched and emitted), its context's bookmark
    /// advances and a `STATE` is emitted.
    async fn windows(
        &mut self,
        plan: &StreamPlan,
        contexts: &[ContextStart],
        dropped: &[String],
        seen: &mut Seen,
    ) -> Result<(), Failure> {
        let mut windows = Windows::new(self.config, plan, contexts);
        loop {
            if windows.may_start() {
                windows.start_next();
            }
            let Some(mut current) = windows.started.pop_front() else {
                return Ok(());
            };
            let context = &contexts[current.context].0;
            let mut emitted = false;
            while !(emitted && current.walked) {
                while windows.may_start() {
                    windows.start_next();
                }
                tokio::select! {
                    Some((index, walked)) = windows.walks.next(), if !windows.walks.is_empty() => {
                        let walked = walked.map_err(|e| {
                            Failure::usage(format!("{}: a window's reader stopped: {e}", plan.name))
                        })?;
                        // A failed walk: its failure comes out with its pages, in order.
                        let Some(records) = walked else { continue };
                        windows.walked(&mut current, index, records);
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
        let mut pages = read_ahead(&self.config.client, plan, params, None, None).pages;
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

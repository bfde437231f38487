//! A sync: each selected stream in order (roots before the children they drive), window by
//! window for incremental streams, page by page through the SDK (signing, the account limiter,
//! retries, paging guards). A bookmark advances, and a `STATE` is emitted, only when a window
//! has been read completely, every page of it, for that parent.

use std::collections::{BTreeMap, BTreeSet};

use bold360_api_spec::Version;
use bold360_sdk::chrono::{DateTime, SecondsFormat, Utc};
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

/// Reads every page of one call, handing each record to `each`. A list that answers
/// `Truncated` without paging is an error: records would be missing.
async fn read_all(
    client: &Client,
    plan: &StreamPlan,
    params: Params,
    mut each: impl FnMut(&RawData) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let client = client.with_version(api(plan.version));
    let info = bold360_sdk::methods::lookup(&plan.name)
        .ok_or_else(|| Failure::usage(format!("{} is not in the SDK's method table", plan.name)))?;
    let single = info.paging(client.api_version()).is_none();
    let call = PagedCall::for_method(info, client.api_version(), &params);
    let mut walker = PageWalker::new(call, params);
    while let Some(page) = walker.next_page_as::<RawData>(&client).await {
        let page = page?;
        if single && page.truncated == Some(true) {
            return Err(crate::fail::truncated(
                &plan.name,
                page.record_count() as u64,
            ));
        }
        if let Some(data) = &page.data {
            each(data)?;
        }
    }
    Ok(())
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
        read_all(&self.config.client, plan, Params::new(), |data| {
            for raw in data.records().map_err(|e| Failure::usage(e.to_string()))? {
                let rec = record(&plan.method, &raw)
                    .map_err(|e| Failure::usage(format!("{}: {e}", plan.name)))?;
                collect(&mut seen, &rec);
            }
            Ok(())
        })
        .await?;
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
                    let mut start = self
                        .state
                        .bookmark(&plan.name, &context)
                        .unwrap_or(self.config.start_date);
                    while start < self.config.end_date {
                        let end = (start + self.config.window).min(self.config.end_date);
                        let mut params = Params::new();
                        params.set("FromDate", rfc3339(start));
                        params.set("ToDate", rfc3339(end));
                        self.read(plan, &context, params, dropped, &mut seen)
                            .await?;
                        self.state
                            .advance(&plan.name, &context, plan.replication.key(), end);
                        self.out.state(self.state.to_value())?;
                        start = end;
                    }
                }
            }
        }
        if !seen.is_empty() {
            self.seen.insert(plan.name.clone(), seen);
        }
        self.out.state(self.state.to_value())
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
        let out = &mut self.out;
        read_all(&self.config.client, plan, params, |data| {
            let extracted = rfc3339(Utc::now());
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
                out.record(&plan.name, rec, &extracted)?;
            }
            Ok(())
        })
        .await
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

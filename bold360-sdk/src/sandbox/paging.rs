//! Date windows and paging, as the manifest describes each method's: v1 `PageStart`/`PageSize`
//! with a `Next` object to echo back, v2 an opaque `NextPage` cursor; the page cap from the
//! manifest.

use bold360_api_spec::model::{PagingStyle, StartUnit};
use bold360_api_spec::{Method, Version};
use serde_json::{json, Map, Value};

use super::data::{iso, Record};
use super::protocol::Params;

/// A `FromDate`/`ToDate` filter over ISO-8601 UTC text (which sorts like the times it names).
pub(crate) struct Window {
    from: Option<String>,
    to: Option<String>,
}

impl Window {
    pub(crate) fn from(p: &Params<'_>) -> Result<Self, String> {
        let parse = |name: &str| -> Result<Option<String>, String> {
            p.get(name)
                .map(|v| {
                    crate::fields::wire::parse_datetime(v)
                        .map(iso)
                        .ok_or_else(|| format!("Invalid {name}: {v}"))
                })
                .transpose()
        };
        Ok(Self {
            from: parse("FromDate")?,
            to: parse("ToDate")?,
        })
    }

    /// The part of `sorted` (in the order of `time`) inside the window, by binary search.
    pub(crate) fn span<'a, T>(&self, sorted: &'a [T], time: impl Fn(&T) -> &str) -> &'a [T] {
        let lo = self
            .from
            .as_deref()
            .map_or(0, |f| sorted.partition_point(|x| time(x) < f));
        let hi = self
            .to
            .as_deref()
            .map_or(sorted.len(), |t| sorted.partition_point(|x| time(x) < t));
        &sorted[lo..hi.max(lo)]
    }

    pub(crate) fn contains(&self, time: &str) -> bool {
        self.from.as_deref().is_none_or(|f| time >= f)
            && self.to.as_deref().is_none_or(|t| time < t)
    }
}

/// Page size asked for, capped by the method's maximum.
fn page_size(p: &Params<'_>, cap: usize, name: Option<&str>) -> Result<usize, String> {
    match name.and_then(|n| p.get(n).map(|v| (n, v))) {
        Some((n, v)) => match v.parse::<usize>() {
            Ok(size) if size > 0 => Ok(size.min(cap)),
            _ => Err(format!("Invalid {n}: {v}")),
        },
        None => Ok(cap),
    }
}

/// One page of `records` for `spec` in `version`. Methods without paging answer with every
/// record up to the cap and `Truncated` set when there were more.
pub(crate) fn page(
    records: Vec<&Record>,
    spec: &Method,
    version: Version,
    p: &Params<'_>,
) -> Result<Map<String, Value>, String> {
    let cap = spec.max_page_size.map_or(usize::MAX, |c| c as usize);
    let style = spec.paging_for(version);
    let (start, size) = match style {
        Some(PagingStyle::Offset {
            start_param,
            size_param,
            start_unit,
        }) => {
            let size = page_size(p, cap, Some(size_param))?;
            let start = match p.get(start_param) {
                Some(v) => v
                    .parse::<usize>()
                    .map_err(|_| format!("Invalid {start_param}: {v}"))?,
                None => 0,
            };
            let start = if *start_unit == StartUnit::Pages {
                start.saturating_sub(1) * size
            } else {
                start
            };
            (start, size)
        }
        Some(PagingStyle::Cursor {
            cursor_param,
            size_param,
            page_param,
        }) => {
            let size = page_size(p, cap, size_param.as_deref())?;
            let start = match p.get(cursor_param) {
                Some(cursor) => {
                    decode_cursor(cursor).ok_or_else(|| format!("Invalid {cursor_param}"))?
                }
                None => match page_param.as_deref().and_then(|n| p.get(n).map(|v| (n, v))) {
                    Some((n, v)) => {
                        v.parse::<usize>()
                            .map_err(|_| format!("Invalid {n}: {v}"))?
                            .saturating_sub(1)
                            * size
                    }
                    None => 0,
                },
            };
            (start, size)
        }
        None => (0, cap),
    };
    let end = records.len().min(start.saturating_add(size));
    let items: Vec<Value> = records
        .get(start.min(records.len())..end)
        .unwrap_or_default()
        .iter()
        .map(|r| Value::Object((*r).clone()))
        .collect();
    let truncated = end < records.len();
    let mut reply = Map::new();
    reply.insert("Data".to_owned(), Value::Array(items));
    reply.insert("Truncated".to_owned(), Value::Bool(truncated));
    if truncated {
        match style {
            Some(PagingStyle::Offset {
                start_param,
                start_unit,
                ..
            }) => {
                let mut next = Map::new();
                for (name, value) in p.0 {
                    if name != start_param && name != "callback" {
                        next.insert(name.clone(), Value::String(value.clone()));
                    }
                }
                let at = if *start_unit == StartUnit::Pages {
                    end / size.max(1) + 1
                } else {
                    end
                };
                next.insert(start_param.clone(), json!(at));
                reply.insert("Next".to_owned(), Value::Object(next));
            }
            Some(PagingStyle::Cursor { .. }) => {
                reply.insert("NextPage".to_owned(), Value::String(encode_cursor(end)));
            }
            None => {}
        }
    }
    Ok(reply)
}

fn encode_cursor(offset: usize) -> String {
    hex::encode(format!("sandbox-offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = hex::decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("sandbox-offset:")?
        .parse()
        .ok()
}

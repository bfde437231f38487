//! `bold360 export METHOD [Param=Value …] --out FILE.jsonl [--resume]`.
//!
//! Each page's records are appended to the file as the server sent them (one compact record
//! per line whatever the server's formatting: numbers, strings and key order byte for byte; a
//! single object where a list is documented is one record), the file is
//! flushed to disk, and only then is the checkpoint (`FILE.jsonl.checkpoint`) replaced
//! atomically with the file's length and the parameters of the next page. Resuming truncates
//! the file to the checkpoint's length (dropping a page written after the last checkpoint) and
//! continues from its next page: no gap, no duplicate.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::args;
use crate::exit::OK;
use crate::fail::Failure;
use crate::raw::{self, RawData};
use bold360_sdk::paging::{PageWalker, PagedCall};
use bold360_sdk::Params;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

/// Where an export is (`FILE.jsonl.checkpoint`): what `--resume` continues from.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Checkpoint {
    pub method: String,
    pub version: String,
    pub params: Vec<(String, String)>,
    /// Parameters of the next page; `None` once the export is complete.
    pub next: Option<Vec<(String, String)>>,
    pub records: u64,
    pub pages: u64,
    /// Length of the output file when this checkpoint was written.
    pub bytes: u64,
}

impl Checkpoint {
    /// A checkpoint file's contents; the error says what is wrong with them.
    pub fn parse(text: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(text).map_err(|e| e.to_string())
    }
}

fn checkpoint_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".checkpoint");
    PathBuf::from(name)
}

fn pairs(params: &Params) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn save(path: &Path, checkpoint: &Checkpoint) -> Result<(), Failure> {
    let tmp = path.with_extension("checkpoint.tmp");
    let text = serde_json::to_vec_pretty(checkpoint).map_err(|e| Failure::usage(e.to_string()))?;
    {
        let mut file = File::create(&tmp)?;
        file.write_all(&text)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// How `export` was asked to run.
pub struct Options<'a> {
    pub api: Option<&'a str>,
    pub resume: bool,
    pub accept_truncated: bool,
    /// Request timeout in seconds.
    pub timeout: Option<f64>,
}

pub async fn run(
    method: &str,
    items: &[String],
    out: &Path,
    options: Options<'_>,
) -> Result<u8, Failure> {
    let Options {
        api,
        resume,
        accept_truncated,
        timeout,
    } = options;
    let params = args::params(items)?;
    let client = args::client(api, timeout)?;
    let manifest = args::manifest()?;
    let spec = args::method(&manifest, method)?;
    // What the SDK knows of the method: the same table its typed calls are generated from.
    let info = bold360_sdk::methods::lookup(&spec.name)
        .ok_or_else(|| Failure::usage(format!("{} is not in the SDK's method table", spec.name)))?;
    let version = client.api_version();
    if !info.has_version(version) {
        return Err(Failure::usage(format!(
            "{} does not exist in {}; try --api {}",
            info.name(),
            version.as_str(),
            info.versions()[0].as_str()
        )));
    }
    if !info.lists() {
        return Err(Failure::usage(format!(
            "{} does not return a list of records; use `bold360 call`",
            info.name()
        )));
    }
    let call = PagedCall::for_method(info, version, &params);
    let checkpoint_file = checkpoint_path(out);
    let (file, mut checkpoint, start) = if resume {
        let text = std::fs::read(&checkpoint_file).map_err(|_| {
            Failure::usage(format!(
                "nothing to resume: {} does not exist",
                checkpoint_file.display()
            ))
        })?;
        let saved = Checkpoint::parse(&text)
            .map_err(|e| Failure::usage(format!("{}: {e}", checkpoint_file.display())))?;
        if saved.method != spec.name
            || saved.version != version.as_str()
            || saved.params != pairs(&params)
        {
            return Err(Failure::usage(format!(
                "{} belongs to `{} {}` with other parameters; resume with the same method, version and parameters",
                checkpoint_file.display(),
                saved.method,
                saved.version
            )));
        }
        let file = OpenOptions::new().write(true).open(out)?;
        let length = file.metadata()?.len();
        if length < saved.bytes {
            return Err(Failure::usage(format!(
                "{} is shorter than its checkpoint says; cannot resume safely",
                out.display()
            )));
        }
        // Drop whatever was written after the checkpoint: it will be fetched again.
        file.set_len(saved.bytes)?;
        let Some(next) = saved.next.clone() else {
            eprintln!(
                "bold360: {} is already complete ({} records)",
                out.display(),
                saved.records
            );
            return Ok(OK);
        };
        let start: Params = next.into_iter().collect();
        (file, saved, start)
    } else {
        if out.exists() {
            return Err(Failure::usage(format!(
                "{} exists; pass --resume to continue it, or remove it",
                out.display()
            )));
        }
        let file = File::create(out)?;
        let checkpoint = Checkpoint {
            method: spec.name.clone(),
            version: version.as_str().to_owned(),
            params: pairs(&params),
            next: Some(pairs(&params)),
            records: 0,
            pages: 0,
            bytes: 0,
        };
        save(&checkpoint_file, &checkpoint)?;
        (file, checkpoint, params)
    };
    let mut writer = BufWriter::new(file);
    use std::io::Seek;
    writer.seek(std::io::SeekFrom::Start(checkpoint.bytes))?;

    let progress = ProgressBar::new_spinner();
    progress.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}] {human_pos} records ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    progress.set_position(checkpoint.records);
    progress.enable_steady_tick(Duration::from_millis(200));

    let single = info.paging(version).is_none();
    let mut truncated = false;
    let mut walker = PageWalker::new(call, start);
    while let Some(page) = walker.next_page_as::<RawData>(&client).await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                progress.abandon();
                writer.flush()?;
                return Err(Failure::from(e));
            }
        };
        truncated |= single && page.truncated == Some(true);
        let records = match page.data.as_ref().map(RawData::records).transpose() {
            Ok(records) => records.unwrap_or_default(),
            Err(e) => {
                progress.abandon();
                writer.flush()?;
                return Err(Failure::from(bold360_sdk::Error::Decode {
                    method: spec.name.clone(),
                    path: "Data".to_owned(),
                    message: e.to_string(),
                }));
            }
        };
        for record in &records {
            writer.write_all(raw::compact(record.get()).as_bytes())?;
            writer.write_all(b"\n")?;
        }
        writer.flush()?;
        writer.get_ref().sync_data()?;
        checkpoint.records += records.len() as u64;
        checkpoint.pages += 1;
        checkpoint.bytes = writer.get_ref().metadata()?.len();
        checkpoint.next = walker.next_params().map(pairs);
        save(&checkpoint_file, &checkpoint)?;
        progress.set_position(checkpoint.records);
        progress.set_message(crate::out::count(checkpoint.pages, "page"));
    }
    progress.finish_and_clear();
    if truncated && !accept_truncated {
        return Err(crate::fail::truncated(&spec.name, checkpoint.records));
    }
    eprintln!(
        "bold360: exported {} in {} to {}",
        crate::out::count(checkpoint.records, "record"),
        crate::out::count(checkpoint.pages, "page"),
        out.display()
    );
    Ok(OK)
}

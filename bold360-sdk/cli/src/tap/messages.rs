//! Singer messages on stdout, one JSON object per line: `SCHEMA`, `RECORD`, `STATE`. Records
//! are buffered; a `STATE` is written only after every record before it and flushed at once,
//! so a target that has a state has its records.

use std::io::{BufWriter, Stdout, Write};

use serde_json::{json, Map, Value};

use crate::fail::Failure;

/// Where messages go.
pub struct Emitter {
    out: BufWriter<Stdout>,
    /// RECORD messages written.
    pub records: u64,
}

impl Emitter {
    pub fn stdout() -> Self {
        Self {
            out: BufWriter::with_capacity(1 << 16, std::io::stdout()),
            records: 0,
        }
    }

    fn line(&mut self, value: &Value) -> Result<(), Failure> {
        serde_json::to_writer(&mut self.out, value)
            .map_err(std::io::Error::from)
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|e| Failure::usage(format!("cannot write to stdout: {e}")))
    }

    pub fn schema(
        &mut self,
        stream: &str,
        schema: &Value,
        key: &[String],
        bookmark: Option<&str>,
    ) -> Result<(), Failure> {
        let mut message =
            json!({ "type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": key });
        if let Some(b) = bookmark {
            message["bookmark_properties"] = json!([b]);
        }
        self.line(&message)
    }

    pub fn record(
        &mut self,
        stream: &str,
        record: Map<String, Value>,
        extracted: &str,
    ) -> Result<(), Failure> {
        self.records += 1;
        self.line(&json!({ "type": "RECORD", "stream": stream, "record": record, "time_extracted": extracted }))
    }

    pub fn state(&mut self, value: Value) -> Result<(), Failure> {
        self.line(&json!({ "type": "STATE", "value": value }))?;
        self.out
            .flush()
            .map_err(|e| Failure::usage(format!("cannot write to stdout: {e}")))
    }

    pub fn flush(&mut self) -> Result<(), Failure> {
        self.out
            .flush()
            .map_err(|e| Failure::usage(format!("cannot write to stdout: {e}")))
    }
}

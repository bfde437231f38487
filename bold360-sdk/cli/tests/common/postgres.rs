//! A PostgreSQL server of its own for a test: Debian's binaries, a temporary data directory, a
//! free loopback port; run as the `postgres` user when the test runs as root. Stopped on drop.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use super::free_port;

/// A PostgreSQL server of its own: Debian's binaries, a temporary data directory, a free
/// loopback port; run as the `postgres` user when this test runs as root. Stopped on drop.
pub struct Postgres {
    dir: PathBuf,
    pub port: u16,
    bin: PathBuf,
}

fn as_postgres(bin: &Path, args: &[&str]) -> Command {
    let root = effective_uid() == 0;
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args);
    cmd
}

fn effective_uid() -> u32 {
    // The effective user, from the kernel's own record of this process.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2))
                .and_then(|u| u.parse().ok())
        })
        .unwrap_or(u32::MAX)
}

impl Postgres {
    pub fn start(name: &str) -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|d| d.filter_map(Result::ok).map(|e| e.path().join("bin")).filter(|b| b.join("initdb").exists()).max())
            .unwrap_or_else(|| panic!("PostgreSQL is missing: install Debian's postgresql package (apt-get install postgresql; `.ci/run` does)"));
        let dir = std::env::temp_dir().join(format!("bold360-pg-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if effective_uid() == 0 {
            let ok = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(ok.success(), "chown the data directory to postgres");
        }
        let port = free_port();
        let data = dir.join("data");
        let out = as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        )
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.display()
        );
        let log = dir.join("log");
        let out = as_postgres(
            &bin.join("pg_ctl"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        )
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Self { dir, port, bin }
    }

    pub fn target_config(&self, schema: &str) -> Value {
        json!({ "host": "127.0.0.1", "port": self.port, "user": "postgres", "password": "unused", "database": "postgres", "default_target_schema": schema })
    }

    /// A connection URL for the `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// One query's rows, tab-separated, through psql.
    pub fn query(&self, sql: &str) -> Vec<String> {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-At",
                "-F",
                "\t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    pub fn count(&self, table: &str) -> u64 {
        self.query(&format!("select count(*) from {table}"))[0]
            .parse()
            .unwrap()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = as_postgres(
            &self.bin.join("pg_ctl"),
            &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
        )
        .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

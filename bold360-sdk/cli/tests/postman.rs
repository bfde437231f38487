//! The Postman collection, run by newman (the pinned npm package `cargo xtask install-tools` installs) against
//! a `bold360 sandbox` started for the run, pointed at it with the `--env-var`s the sandbox
//! prints, exactly as a user points it at an account. Every request is signed by the
//! collection's own script and must be accepted, every answer must be `success` (reads and
//! writes: the sandbox applies the writes), and no assertion may fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cli_sandbox, command, installed, run, text, workspace};
use serde_json::Value;

fn newman() -> PathBuf {
    installed(
        workspace().join("tests/tools/node_modules/.bin/newman"),
        "run `cargo xtask install-tools` (it installs the pinned newman from tests/tools/package-lock.json with npm)",
    )
}

/// The `--env-var` arguments of the newman line `bold360 sandbox` printed.
fn env_vars(printed: &[String]) -> Vec<String> {
    let line = printed
        .iter()
        .find(|l| l.starts_with("newman run "))
        .expect("the sandbox prints a newman command");
    // Values with spaces are quoted in single quotes; split as a shell would.
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    words.push(word);
    words
        .windows(2)
        .filter(|w| w[0] == "--env-var")
        .map(|w| w[1].clone())
        .collect()
}

struct Run {
    summary: Value,
    exit: Option<i32>,
    output: String,
}

async fn newman_run(collection: &Path, vars: &[String], extra: &[&str], name: &str) -> Run {
    let report =
        std::env::temp_dir().join(format!("bold360-newman-{}-{name}.json", std::process::id()));
    let mut cmd = Command::new(newman());
    cmd.arg("run")
        .arg(collection)
        .args(["--reporters", "cli,json", "--reporter-json-export"])
        .arg(&report)
        .arg("--disable-unicode")
        .arg("--color")
        .arg("off");
    for var in vars {
        cmd.args(["--env-var", var]);
    }
    cmd.args(extra);
    let out = run(cmd).await;
    let summary = serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default())
        .unwrap_or(Value::Null);
    let _ = std::fs::remove_file(&report);
    Run {
        summary,
        exit: out.status.code(),
        output: format!("{}{}", text(&out.stdout), text(&out.stderr)),
    }
}

fn stat(run: &Run, what: &str, field: &str) -> u64 {
    run.summary["run"]["stats"][what][field]
        .as_u64()
        .unwrap_or(u64::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newman_runs_the_whole_collection_against_bold360_sandbox_with_zero_failures() {
    let dir = std::env::temp_dir().join(format!("bold360-postman-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The collection as a user of the installed binary gets it.
    let collection = dir.join("bold360.postman_collection.json");
    let out = run({
        let mut c = command();
        c.args(["spec", "postman", "--out"]).arg(&collection);
        c
    })
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&collection).unwrap(),
        bold360_api_spec::POSTMAN_COLLECTION
    );

    let (mut sandbox, exports, printed) = cli_sandbox(&[]).await;
    let mut vars = env_vars(&printed);
    assert!(vars.iter().any(|v| v.starts_with("apiKey=")), "{vars:?}");
    // createOperatorFromTemplate runs once per version and a user name can be taken only
    // once, so each run gets a fresh one, as a user sending it twice would give.
    vars.push("UserName=newman-{{$guid}}".to_owned());

    let manifest = bold360_api_spec::Manifest::embedded().unwrap();
    let requests: u64 = manifest
        .methods
        .iter()
        .map(|m| m.versions.len() as u64)
        .sum();
    let good = newman_run(&collection, &vars, &[], "all").await;

    // A wrong key: the same collection, refused by the sandbox, so this run can fail.
    let mut wrong = vars.clone();
    wrong.push("apiKey=not-the-key".to_owned());
    let refused = newman_run(&collection, &wrong, &["--folder", "reports"], "wrong-key").await;

    // The writes were applied: the agents newman created are there.
    let mut list = command();
    list.args(["call", "getOperators"]);
    for (k, v) in &exports {
        list.env(k, v);
    }
    let operators = run(list).await;
    sandbox.kill().unwrap();
    let _ = sandbox.wait();
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(good.exit, Some(0), "newman failed:\n{}", good.output);
    assert_eq!(
        stat(&good, "requests", "total"),
        requests,
        "one request per method and version"
    );
    assert_eq!(stat(&good, "requests", "failed"), 0);
    assert_eq!(
        stat(&good, "prerequestScripts", "failed"),
        0,
        "{}",
        good.output
    );
    assert_eq!(stat(&good, "assertions", "total"), 2 * requests);
    assert_eq!(stat(&good, "assertions", "failed"), 0, "{}", good.output);
    for execution in good.summary["run"]["executions"].as_array().unwrap() {
        assert_eq!(
            execution["response"]["code"], 200,
            "{}",
            execution["item"]["name"]
        );
        let url = execution["request"]["url"].to_string();
        assert!(
            url.contains("auth"),
            "signed by the collection's script: {url}"
        );
    }
    println!(
        "newman: {} requests, {} assertions, {} failed",
        stat(&good, "requests", "total"),
        stat(&good, "assertions", "total"),
        stat(&good, "assertions", "failed")
    );

    assert_ne!(
        refused.exit,
        Some(0),
        "a wrong key must fail:\n{}",
        refused.output
    );
    assert!(stat(&refused, "assertions", "failed") > 0);

    let created = text(&operators.stdout).matches("newman-").count();
    assert_eq!(
        created,
        2,
        "both createOperatorFromTemplate requests were applied:\n{}",
        text(&operators.stdout)
    );
}

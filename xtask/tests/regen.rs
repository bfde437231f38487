//! `cargo xtask regen` on small fixture pages that carry every quirk the vendor docs have.

use std::path::{Path, PathBuf};

use bold360_api_spec::model::{PagingStyle, StartUnit};
use bold360_api_spec::{Constraint, DataShape, Kind, TypeRef, Version};
use xtask::regen::overrides::Overrides;
use xtask::regen::source::{RawPage, Source};
use xtask::regen::{self, Generated};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn pages() -> Vec<RawPage> {
    let (pages, errors) = Source::Dir(fixtures().join("docs")).read().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    pages
}

fn overrides() -> Overrides {
    Overrides::parse(&std::fs::read_to_string(fixtures().join("overrides.json")).unwrap()).unwrap()
}

fn generated() -> Generated {
    clean(regen::generate(&pages(), Some(&overrides())))
}

fn clean(g: Generated) -> Generated {
    assert!(g.is_clean(), "{:#?}\n{:#?}", g.failures, g.problems);
    g
}

fn options(docs: &Path, out: &Path, check: bool) -> regen::Options {
    regen::Options {
        docs: docs.display().to_string(),
        out: out.to_path_buf(),
        check,
        changelog: None,
        bump: None,
        date: None,
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn v1_and_v2_pages_merge_into_one_method_with_per_version_parameters() {
    let g = generated();
    let m = &g.methods["getThings"];
    assert_eq!(m.versions, [Version::V1, Version::V2]);
    assert_eq!(m.category.as_deref(), Some("things.paged"));
    assert_eq!(m.kind, Kind::Read);
    assert_eq!(m.data, DataShape::Array);
    assert_eq!(m.max_page_size, Some(500));
    let versions = |name: &str| m.param(name).unwrap().versions.clone();
    assert_eq!(versions("FromDate"), [Version::V1, Version::V2]);
    assert_eq!(versions("PageStart"), [Version::V1]);
    assert_eq!(versions("NextPage"), [Version::V2]);
    assert_eq!(m.param("FromDate").unwrap().ty, TypeRef::Datetime);
    assert!(m.param("ThingKind").unwrap().required);
    assert_eq!(
        m.paging_for(Version::V1),
        Some(&PagingStyle::Offset {
            start_param: "PageStart".into(),
            size_param: "PageSize".into(),
            start_unit: StartUnit::Records
        })
    );
    assert!(
        matches!(m.paging_for(Version::V2), Some(PagingStyle::Cursor { cursor_param, .. }) if cursor_param == "NextPage")
    );
    assert_eq!(
        m.docs,
        ["c_things_v1_getThings.html", "c_things_v2_getThings.html"]
    );
}

#[test]
fn types_enums_and_envelope_rows() {
    let g = generated();
    let m = &g.methods["getThings"];
    let field = |name: &str| {
        m.returns
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.ty.clone())
    };
    // Envelope rows are not record fields.
    for envelope in ["Truncated", "Next", "NextPage"] {
        assert_eq!(field(envelope), None, "{envelope}");
    }
    assert_eq!(
        field("ThingID"),
        Some(TypeRef::Id),
        "ID code and long agree across pages"
    );
    assert_eq!(field("Score"), Some(TypeRef::Number));
    assert_eq!(
        field("Started"),
        Some(TypeRef::String),
        "an empty type falls back to string"
    );
    assert_eq!(
        field("Deleted"),
        Some(TypeRef::Datetime),
        "a duplicate row keeps the first type"
    );
    // `ThingType (aka ThingLaunchType)`: the name is cleaned, the alias kept in the description.
    assert_eq!(field("ThingType"), Some(TypeRef::Enum("ThingType".into())));
    assert!(m
        .returns
        .iter()
        .find(|f| f.name == "ThingType")
        .unwrap()
        .description
        .contains("ThingLaunchType"));
    // Listed values make an enum; items that are not `value - meaning` (cut-off lists) are left out.
    assert_eq!(
        m.param("ThingKind").unwrap().ty,
        TypeRef::Enum("ThingKind".into())
    );
    let kinds: Vec<(&str, &str)> = m.enums["ThingKind"]
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(kinds, [("1", "small"), ("2", "large")]);
    // Fields are sorted, so the order of the vendor's rows does not matter.
    let names: Vec<&str> = m.returns.iter().map(|f| f.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_ascii_lowercase());
    assert_eq!(names, sorted);
    let warnings = g.warnings.join("\n");
    assert!(
        warnings.contains("c_things_v1_getThings.html: row 4: Started: no type given"),
        "{warnings}"
    );
    assert!(
        warnings.contains("row 7: field Deleted: listed again as boolean; kept datetime"),
        "{warnings}"
    );
}

#[test]
fn quirks_are_corrected_by_overrides_and_reported() {
    let g = generated();
    let w = &g.methods["getWidget"];
    assert_eq!(
        w.name, "getWidget",
        "the request sample's name wins over the title"
    );
    assert_eq!(w.aliases, ["getWidgetRecord"]);
    assert_eq!(w.params[0].name, "WidgetID");
    assert_eq!(w.params[0].ty, TypeRef::Id);
    assert!(
        !w.param("Colour").unwrap().required && !w.param("Shade").unwrap().required,
        "Yes* is not plainly required"
    );
    assert_eq!(
        w.param("Colour").unwrap().ty,
        TypeRef::String,
        "an unknown type falls back to string"
    );
    assert_eq!(w.param("Shade").unwrap().ty, TypeRef::Boolean);
    assert_eq!(
        w.constraints,
        [Constraint::ExactlyOneOf(vec![
            "Colour".into(),
            "Shade".into()
        ])]
    );
    assert_eq!(w.dynamic_params.len(), 1);
    assert_eq!(w.dynamic_params[0].pattern, "<API field name>");
    assert_eq!(w.data, DataShape::Object);
    assert_eq!(
        w.returns
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["WidgetID"],
        "Data.WidgetID is a record field"
    );
    let add = &g.methods["addWidget"];
    assert_eq!((add.kind, add.data), (Kind::Write, DataShape::None));
    assert_eq!(
        add.versions,
        [Version::V1, Version::V2],
        "a page without a version documents both"
    );
    let applied = g.applied.join("\n");
    assert!(
        applied.contains("getWidget: param \"Widget ID\" renamed to \"WidgetID\" — stray space"),
        "{applied}"
    );
    let warnings = g.warnings.join("\n");
    assert!(
        warnings.contains("the title \"getWidgetRecord\" disagrees"),
        "{warnings}"
    );
    assert!(
        warnings.contains("Colour: unknown type \"uuid\"; using string"),
        "{warnings}"
    );
    assert!(
        warnings.contains("conditionally required (Yes*)"),
        "{warnings}"
    );
}

#[test]
fn a_broken_page_fails_alone_with_page_pointer_and_a_suggested_override() {
    let g = regen::generate(&pages(), None);
    assert_eq!(g.failures.len(), 1, "{:#?}", g.failures);
    let f = &g.failures[0];
    assert_eq!(f.method, "getWidget");
    assert_eq!(f.pages, ["c_widgets_getWidget.html"]);
    assert_eq!(f.pointer, "/params/0/name");
    assert!(f.problem.contains("parameter name \"Widget ID\""), "{f}");
    let suggestion = f.suggestion.clone().expect("a rename is suggested");
    assert_eq!(suggestion["method"], "getWidget");
    assert_eq!(suggestion["param"], "Widget ID");
    assert_eq!(suggestion["rename"], "WidgetID");
    assert!(
        suggestion["why"].as_str().unwrap().starts_with('<'),
        "the reason is left to a human"
    );
    let pasted: regen::overrides::Override = serde_json::from_value(suggestion).unwrap();
    assert_eq!(
        pasted.rename.as_deref(),
        Some("WidgetID"),
        "the suggestion parses as an entry"
    );
    assert!(
        g.methods.contains_key("getThings") && g.methods.contains_key("addWidget"),
        "every other method is still generated"
    );
    assert!(!g.files.contains_key("methods/getWidget.json"));
}

#[test]
fn run_writes_every_good_method_and_exits_non_zero_until_the_page_is_fixed() {
    let out = temp_dir("broken");
    std::fs::create_dir_all(out.join("methods")).unwrap();
    std::fs::write(out.join("methods/getWidget.json"), "{\"old\": true}\n").unwrap();
    let docs = fixtures().join("docs");
    assert!(
        !regen::run(&options(&docs, &out, false)).unwrap(),
        "no overrides: the stray space needs a decision"
    );
    assert!(out.join("methods/getThings.json").is_file());
    assert!(out.join("methods/addWidget.json").is_file());
    assert_eq!(
        std::fs::read_to_string(out.join("methods/getWidget.json")).unwrap(),
        "{\"old\": true}\n",
        "the failed method's file is left as it was, not removed"
    );
    std::fs::copy(
        fixtures().join("overrides.json"),
        out.join("overrides.json"),
    )
    .unwrap();
    assert!(regen::run(&options(&docs, &out, false)).unwrap());
    assert!(regen::run(&options(&docs, &out, true)).unwrap());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_stale_override_is_reported_and_fails_the_run() {
    let mut o = overrides();
    o.overrides[1].method = "getWidget".into();
    o.overrides[0].param = Some("NoSuchParam".into());
    let g = regen::generate(&pages(), Some(&o));
    assert!(
        g.problems
            .iter()
            .any(|e| e.contains("no parameter \"NoSuchParam\"")),
        "{:#?}",
        g.problems
    );
    assert!(!g.is_clean());
}

#[test]
fn an_override_that_changes_nothing_is_stale() {
    let mut o = overrides();
    let mut noop = o.overrides[0].clone();
    noop.param = Some("FromDate".into());
    noop.method = "getThings".into();
    noop.rename = None;
    noop.ty = Some(bold360_api_spec::TypeRef::Datetime);
    noop.why = "the page already says date".into();
    o.overrides.push(noop);
    let g = regen::generate(&pages(), Some(&o));
    assert!(
        g.problems
            .iter()
            .any(|e| e.contains("(getThings): stale: it changes nothing")),
        "{:#?}",
        g.problems
    );
}

#[test]
fn cross_page_conflicts_need_a_decision_and_notes_go_stale() {
    let mut pages = pages();
    let add = pages
        .iter_mut()
        .find(|p| p.file == "c_widgets_getWidget.html")
        .unwrap();
    assert!(
        add.html.contains("<td><p>Data.WidgetID</p></td>"),
        "fixture shape"
    );
    add.html = add.html.replace(
        "<td><p>Data.WidgetID</p></td>",
        "<td><p>Data.Deleted</p></td><td>boolean</td><td>Removed.</td></tr><tr><td><p>Data.WidgetID</p></td>",
    );
    let g = regen::generate(&pages, Some(&overrides()));
    let unsettled = g.problems.join("\n");
    assert!(
        unsettled.contains(
            "conflict Deleted: boolean in getWidget.Deleted; datetime in getThings.Deleted"
        ),
        "{unsettled}"
    );
    assert!(
        unsettled.contains("\"name\":\"Deleted\""),
        "a note to paste: {unsettled}"
    );
    let mut o = overrides();
    o.conflicts.push(regen::overrides::ConflictNote {
        name: "Deleted".into(),
        why: "different things".into(),
    });
    let settled = clean(regen::generate(&pages, Some(&o)));
    assert!(settled.conflicts[0].ends_with("— different things"));
    let g = regen::generate(&self::pages(), Some(&o));
    assert!(
        g.problems
            .iter()
            .any(|p| p.contains("conflicts/0 (Deleted): stale")),
        "{:#?}",
        g.problems
    );
}

#[test]
fn bad_pages_are_reported_with_page_and_row_never_a_panic() {
    let mut pages = pages();
    pages[0].html = pages[0].html.replace(
        "<th>Description</th></tr></thead><tbody>\n<tr><td><p>FromDate",
        "<th>Description</th><th>Default</th></tr></thead><tbody>\n<tr><td><p>FromDate",
    );
    pages[1].html = pages[1].html.replacen("<td>No</td>", "", 1);
    pages[2].html = "<html><body>not a reference page".into();
    let g = regen::generate(&pages, Some(&overrides()));
    let errors = g
        .failures
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        errors.contains("c_things_v1_getThings.html: input table: unexpected column \"default\""),
        "{errors}"
    );
    assert!(
        errors.contains(
            "c_things_v2_getThings.html: row 1: input table: 3 cells where the header has 4"
        ),
        "{errors}"
    );
    assert!(
        errors.contains("c_widgets_getWidget.html: no <h1> title"),
        "{errors}"
    );
}

#[test]
fn output_is_deterministic_pretty_json_with_a_trailing_newline() {
    let a = generated();
    let b = generated();
    assert_eq!(a.files, b.files);
    let mut shuffled = pages();
    shuffled.reverse();
    let c = clean(regen::generate(&shuffled, Some(&overrides())));
    assert_eq!(a.files, c.files, "page order does not matter");
    for (path, text) in &a.files {
        assert!(text.ends_with("}\n") && text.contains("\n  \""), "{path}");
        let keys: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  \""))
            .map(|l| l.trim().split('"').nth(1).unwrap())
            .collect();
        assert_eq!(
            keys.first(),
            Some(&"name"),
            "{path}: stable key order starts with name"
        );
    }
}

#[test]
fn the_change_report_names_added_and_newly_required_parameters() {
    let before = generated();
    let mut pages = pages();
    let v2 = pages
        .iter_mut()
        .find(|p| p.file == "c_things_v2_getThings.html")
        .unwrap();
    v2.html = v2.html.replace(
        "<tr><td><p>NextPage</p></td><td>string</td><td>No</td>",
        "<tr><td><p>Region</p></td><td>string</td><td>No</td><td>Only this region.</td></tr>\n<tr><td><p>NextPage</p></td><td>string</td><td>No</td>",
    );
    let v1 = pages
        .iter_mut()
        .find(|p| p.file == "c_things_v1_getThings.html")
        .unwrap();
    v1.html = v1.html.replace(
        "<tr><td><p>FromDate</p></td><td>date</td><td>All</td><td>no</td>",
        "<tr><td><p>FromDate</p></td><td>date</td><td>All</td><td>yes</td>",
    );
    let after = clean(regen::generate(&pages, Some(&overrides())));
    let report = regen::report::changes(&before.methods, &after.methods);
    let text = regen::report::grouped(&report);
    assert_eq!(
        text,
        "Breaking\n  getThings: parameter FromDate: optional → required\nAdditive\n  getThings: parameter added: Region (string, optional, v2)\n",
    );
}

#[test]
fn run_writes_then_check_passes_and_detects_drift() {
    let out = temp_dir("regen");
    std::fs::copy(
        fixtures().join("overrides.json"),
        out.join("overrides.json"),
    )
    .unwrap();
    let docs = fixtures().join("docs");
    let options = |check| options(&docs, &out, check);
    assert!(
        !regen::run(&options(true)).unwrap(),
        "--check fails before anything is written"
    );
    assert!(regen::run(&options(false)).unwrap());
    assert!(
        regen::run(&options(true)).unwrap(),
        "--check passes right after a write"
    );
    let file = out.join("methods/getThings.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("\"read\"", "\"write\"")).unwrap();
    assert!(
        !regen::run(&options(true)).unwrap(),
        "--check notices an edited file"
    );
    assert!(regen::run(&options(false)).unwrap());
    // The OpenAPI document and the Postman collection are generated too, and a hand edit of
    // either is caught, then undone by the next write.
    for derived in [xtask::formats::OPENAPI_PATH, xtask::formats::POSTMAN_PATH] {
        let file = out.join(derived);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("getThings"),
            "{derived} describes the fixture's method"
        );
        std::fs::write(&file, text.replacen("getThings", "getThingz", 1)).unwrap();
        assert!(
            !regen::run(&options(true)).unwrap(),
            "--check notices a hand edit of {derived}"
        );
        assert!(regen::run(&options(false)).unwrap());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            text,
            "{derived} rewritten"
        );
        assert!(regen::run(&options(true)).unwrap());
    }
    std::fs::write(out.join("methods/stale.json"), "{}").unwrap();
    assert!(regen::run(&options(false)).unwrap());
    assert!(
        !out.join("methods/stale.json").exists(),
        "files the docs no longer produce are removed"
    );
    assert!(regen::run(&options(true)).unwrap());
    let _ = std::fs::remove_dir_all(&out);
}

/// A small HTTP/1.1 server on loopback that serves `files` under `/docs/` (404 otherwise) and
/// records each request's path, `User-Agent` and arrival time.
struct DocsSite {
    base: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<(String, String, std::time::Instant)>>>,
}

impl DocsSite {
    fn start(files: std::collections::HashMap<String, String>) -> Self {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/docs", listener.local_addr().unwrap());
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
                let mut agent = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("user-agent") {
                            agent = value.trim().to_owned();
                        }
                    }
                }
                seen.lock()
                    .unwrap()
                    .push((path.clone(), agent, std::time::Instant::now()));
                let (status, body) = match path.strip_prefix("/docs/").and_then(|f| files.get(f)) {
                    Some(body) => ("200 OK", body.as_str()),
                    None => ("404 Not Found", "not here"),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Self { base, log }
    }
}

#[test]
fn the_live_site_is_read_politely_and_gives_the_same_pages_as_a_mirror() {
    let dir = fixtures().join("docs");
    let mut files = std::collections::HashMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        files.insert(name, std::fs::read_to_string(&path).unwrap());
    }
    let site = DocsSite::start(files.clone());

    let (fetched, errors) = Source::parse(&format!("{}/", site.base)).read().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let key = |p: &RawPage| (p.file.clone(), p.category.clone(), p.html.clone());
    assert_eq!(
        fetched.iter().map(key).collect::<Vec<_>>(),
        pages().iter().map(key).collect::<Vec<_>>()
    );

    let log = site.log.lock().unwrap().clone();
    assert_eq!(
        log.len(),
        1 + fetched.len(),
        "the index, then each page once"
    );
    assert_eq!(log[0].0, "/docs/index.html");
    for (path, agent, _) in &log {
        assert_eq!(agent, xtask::regen::source::USER_AGENT, "{path}");
    }
    for pair in log.windows(2) {
        let gap = pair[1].2 - pair[0].2;
        assert!(
            gap >= xtask::regen::source::PAUSE - std::time::Duration::from_millis(20),
            "{} came {gap:?} after {}",
            pair[1].0,
            pair[0].0
        );
    }

    // A linked page the site does not have is reported by URL and status; the rest still load.
    let index = files["index.html"].replace(
        "</ul></nav>",
        r#"<li class="topic-group"><span class="title">gone</span><ul><li><a href="c_gone.html">gone</a></li></ul></li></ul></nav>"#,
    );
    files.insert("index.html".to_owned(), index);
    let site = DocsSite::start(files);
    let (fetched, errors) = Source::parse(&site.base).read().unwrap();
    assert_eq!(fetched.len(), 4);
    assert_eq!(
        errors,
        [format!("{}/c_gone.html: HTTP 404 Not Found", site.base)]
    );
}

#[test]
fn an_unreachable_docs_site_is_a_clear_error() {
    let err = Source::parse("http://127.0.0.1:9/docs").read().unwrap_err();
    assert!(
        err.contains("http://127.0.0.1:9/docs/index.html: cannot fetch"),
        "{err}"
    );
}

#[test]
fn the_shipped_mirror_regenerates_into_a_valid_manifest_when_present() {
    let mirror = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bold360-docs");
    if !mirror.is_dir() {
        return;
    }
    let (pages, errors) = Source::Dir(mirror).read().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let repo_overrides = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec/overrides.json");
    let o = Overrides::parse(&std::fs::read_to_string(repo_overrides).unwrap()).unwrap();
    let g = clean(regen::generate(&pages, Some(&o)));
    assert_eq!(g.methods.len(), 37);
    let committed =
        regen::existing_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec"));
    assert_eq!(
        g.files, committed,
        "the committed manifest is the output of regen"
    );
}

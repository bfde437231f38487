//! `cargo xtask regen`: the manifest, regenerated from the vendor's reference pages.
//!
//! Pages are parsed ([`page`]), turned into methods and merged per method ([`normalize`]),
//! given ID entities ([`bold360_api_spec::ids`]), corrected by `overrides.json`
//! ([`overrides`]), checked for cross-page conflicts ([`conflicts`]), validated one method at
//! a time by the same checks the macro runs ([`failures`] keeps a bad page from costing the
//! others), and written deterministically. [`report`] classifies what changed under semver;
//! [`changelog`] turns that into a release entry and version bump.

pub mod changelog;
pub mod conflicts;
pub mod failures;
pub mod normalize;
pub mod overrides;
pub mod page;
pub mod report;
pub mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bold360_api_spec::{Manifest, Method, SourceFile};

use failures::Failure;
use overrides::Overrides;
use source::{RawPage, Source};

/// What a regeneration produced.
#[derive(Debug, Clone)]
pub struct Generated {
    /// `methods/<name>.json` → file text, for every method that is valid.
    pub files: BTreeMap<String, String>,
    /// The valid methods, by name.
    pub methods: BTreeMap<String, Method>,
    /// Methods that could not be generated: not written (their old file stays).
    pub failures: Vec<Failure>,
    /// Decisions the run needs from a reviewer: stale overrides, unsettled conflicts.
    pub problems: Vec<String>,
    /// Oddities handled on the way, with page and row.
    pub warnings: Vec<String>,
    /// Overrides applied, with their reasons.
    pub applied: Vec<String>,
    /// Cross-page conflicts kept on purpose, with their reasons.
    pub conflicts: Vec<String>,
    /// ID type → the `method.field` places mapped to it.
    pub id_kinds: BTreeMap<String, Vec<String>>,
}

impl Generated {
    /// True when nothing needs a reviewer's decision.
    pub fn is_clean(&self) -> bool {
        self.failures.is_empty() && self.problems.is_empty()
    }
}

/// The text of a method file: pretty JSON, fixed key order, trailing newline.
pub fn render(method: &Method) -> String {
    let mut text = serde_json::to_string_pretty(method).unwrap_or_default();
    text.push('\n');
    text
}

fn source_of(method: &Method) -> SourceFile {
    SourceFile {
        path: format!("methods/{}.json", method.name),
        text: render(method),
    }
}

/// Every ID type and where it is used.
pub fn id_kinds(methods: &[Method]) -> BTreeMap<String, Vec<String>> {
    let mut kinds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in methods {
        let params = m.params.iter().map(|p| (&p.name, p.id_entity()));
        let fields = m.returns.iter().map(|f| (&f.name, f.id_entity()));
        for (name, entity) in params.chain(fields) {
            if let Some(entity) = entity {
                let places = kinds
                    .entry(bold360_api_spec::ids::type_name(&entity))
                    .or_default();
                let place = format!("{}.{name}", m.name);
                if !places.contains(&place) {
                    places.push(place);
                }
            }
        }
    }
    kinds
}

/// Turns pages into manifest files. Never all-or-nothing: a method whose pages cannot be
/// read, or that does not validate, is a [`Failure`] (with a suggested override where one
/// can be guessed) and every other method is still produced.
pub fn generate(pages: &[RawPage], overrides: Option<&Overrides>) -> Generated {
    let mut page_problems: BTreeMap<String, Vec<page::PageNote>> = BTreeMap::new();
    let mut parsed = Vec::new();
    for raw in pages {
        let (page, problems) = page::parse(&raw.file, &raw.html);
        let name = normalize::wire_name(&page);
        page_problems.entry(name).or_default().extend(problems);
        parsed.push((page, raw.category.clone()));
    }
    let mut groups: BTreeMap<String, Vec<(&page::Page, Option<&str>)>> = BTreeMap::new();
    for (page, category) in &parsed {
        groups
            .entry(normalize::wire_name(page))
            .or_default()
            .push((page, category.as_deref()));
    }
    let mut warnings = Vec::new();
    let mut methods: Vec<Method> = groups
        .iter()
        .map(|(name, pages)| {
            let category = pages.iter().find_map(|(_, c)| *c);
            let pages: Vec<&page::Page> = pages.iter().map(|(p, _)| *p).collect();
            normalize::build_method(name, &pages, category, &mut warnings)
        })
        .collect();
    methods.iter_mut().for_each(overrides::assign_entities);
    let mut problems = Vec::new();
    let (applied, conflict_notes) = match overrides {
        Some(o) => {
            let result = overrides::apply(&mut methods, o);
            problems.extend(result.stale);
            (result.applied, o.conflicts.as_slice())
        }
        None => (Vec::new(), &[][..]),
    };
    methods.iter_mut().for_each(overrides::assign_entities);
    methods.iter_mut().for_each(overrides::prune_enums);

    let mut failures = Vec::new();
    let mut good = Vec::new();
    for method in methods {
        let unreadable: Vec<&page::PageNote> = page_problems
            .get(&method.name)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        if !unreadable.is_empty() {
            failures.extend(unreadable.iter().map(|note| Failure {
                method: method.name.clone(),
                pages: vec![note.page.clone()],
                pointer: String::new(),
                problem: note.to_string(),
                suggestion: None,
            }));
            continue;
        }
        match Manifest::from_sources(&[source_of(&method)]) {
            Ok(_) => good.push(method),
            Err(found) => failures.extend(found.iter().map(|p| failures::from_problem(&method, p))),
        }
    }
    // Checks across files (a name or alias defined twice) fail every method involved.
    let mut sources: Vec<SourceFile> = good.iter().map(source_of).collect();
    if let Err(found) = Manifest::from_sources(&sources) {
        for p in &found {
            if let Some(at) = sources.iter().position(|s| s.path == p.file) {
                sources.remove(at);
                let method = good.remove(at);
                failures.push(failures::from_problem(&method, p));
            }
        }
    }
    let found = conflicts::find(&good);
    let settled = conflicts::settle(&found, conflict_notes);
    problems.extend(settled.unsettled);
    problems.extend(settled.stale);
    Generated {
        files: good
            .iter()
            .map(|m| (source_of(m).path, render(m)))
            .collect(),
        id_kinds: id_kinds(&good),
        methods: good.into_iter().map(|m| (m.name.clone(), m)).collect(),
        failures,
        problems,
        warnings: warnings.iter().map(ToString::to_string).collect(),
        applied,
        conflicts: settled.kept,
    }
}

/// What `regen` was asked to do (also its command-line arguments).
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// A local mirror directory, or the live site's base URL; must hold index.html.
    #[arg(long)]
    pub docs: String,
    /// The manifest directory (holds methods/ and overrides.json).
    #[arg(long, default_value = "api-spec")]
    pub out: PathBuf,
    /// Write nothing; exit 1 when the committed manifest differs from what the docs produce.
    #[arg(long)]
    pub check: bool,
    /// Write this release's entry (keep-a-changelog style) into this file, e.g. CHANGELOG.md.
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    pub changelog: Option<PathBuf>,
    /// Bump the workspace version in this Cargo.toml to match the changes' semver impact.
    #[arg(long, value_name = "CARGO_TOML", num_args = 0..=1, default_missing_value = "Cargo.toml", conflicts_with = "check")]
    pub bump: Option<PathBuf>,
    /// The release date written into the changelog entry (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

/// The files under `out/methods/` now.
pub fn existing_files(out: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(out.join("methods")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    files.insert(format!("methods/{name}"), text);
                }
            }
        }
    }
    files
}

/// Methods readable from a set of files (unreadable ones are skipped: the report is about
/// the methods that can be compared).
pub fn methods_of(files: &BTreeMap<String, String>) -> BTreeMap<String, Method> {
    files
        .values()
        .filter_map(|text| serde_json::from_str::<Method>(text).ok())
        .map(|m| (m.name.clone(), m))
        .collect()
}

/// Runs the command, printing the report. `Ok(false)` means the run needs attention: a
/// method failed, an override is stale, a conflict is unsettled, or `--check` found a
/// difference. Everything that could be generated is written (unless `--check`).
pub fn run(options: &Options) -> Result<bool, String> {
    let (pages, read_errors) = Source::parse(&options.docs).read()?;
    let overrides_path = options.out.join("overrides.json");
    let overrides = match std::fs::read_to_string(&overrides_path) {
        Ok(text) => Some(Overrides::parse(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", overrides_path.display())),
    };
    let generated = generate(&pages, overrides.as_ref());
    let existing = existing_files(&options.out);
    // A failed method keeps its file and is left out of the comparison (it is not removed).
    let failed: Vec<String> = generated
        .failures
        .iter()
        .map(|f| format!("methods/{}.json", f.method))
        .collect();
    let mut before = methods_of(&existing);
    before.retain(|name, _| !generated.failures.iter().any(|f| f.method == *name));
    let changes = report::changes(&before, &generated.methods);
    let differing: Vec<&String> = generated
        .files
        .iter()
        .filter(|(path, text)| existing.get(*path) != Some(text))
        .map(|(path, _)| path)
        .chain(
            existing
                .keys()
                .filter(|p| !generated.files.contains_key(*p) && !failed.contains(p)),
        )
        .collect();
    // The OpenAPI document and the Postman collection follow the manifest as it will be on
    // disk: the generated files, and the old file of a method that failed.
    let mut on_disk = generated.files.clone();
    on_disk.extend(
        existing
            .iter()
            .filter(|(path, _)| failed.contains(path))
            .map(|(p, t)| (p.clone(), t.clone())),
    );
    // An old file that does not validate leaves them as they are, and the run needs attention.
    let (derived, derived_error) = match derived_files(&on_disk) {
        Ok(files) => (files, None),
        Err(e) => (BTreeMap::new(), Some(e)),
    };
    let derived_differing: Vec<&String> = derived
        .iter()
        .filter(|(path, text)| {
            std::fs::read_to_string(options.out.join(path))
                .ok()
                .as_ref()
                != Some(*text)
        })
        .map(|(path, _)| path)
        .collect();
    let differing: Vec<&String> = differing
        .into_iter()
        .chain(derived_differing.iter().copied())
        .collect();

    println!(
        "regen: {} pages → {} methods ({} failed)",
        pages.len(),
        generated.methods.len(),
        generated.failures.len()
    );
    for line in &generated.applied {
        println!("  override  {line}");
    }
    for line in &generated.conflicts {
        println!("  conflict  {line}");
    }
    for line in &generated.warnings {
        println!("  warning   {line}");
    }
    println!("ID kinds");
    for (kind, places) in &generated.id_kinds {
        println!("  {kind}: {}", places.join(", "));
    }
    if changes.is_empty() {
        println!("Changes: none");
    } else {
        print!("{}", report::grouped(&changes));
    }
    let mut attention = !read_errors.is_empty() || !generated.is_clean();
    for e in &read_errors {
        eprintln!("error: {e}");
    }
    for f in &generated.failures {
        eprintln!("error: not generated: {f}");
    }
    for p in &generated.problems {
        eprintln!("error: {p}");
    }
    if let Some(e) = &derived_error {
        attention = true;
        eprintln!("error: {e}");
    }
    if options.check {
        if differing.is_empty() {
            println!("regen --check: {} is up to date", options.out.display());
        } else {
            attention = true;
            println!(
                "regen --check: {} file(s) differ from what the docs produce:",
                differing.len()
            );
            for path in &differing {
                println!("  {path}");
            }
            println!(
                "run `cargo xtask regen --docs {}` and review the diff",
                options.docs
            );
        }
        return Ok(!attention);
    }
    let methods_dir = options.out.join("methods");
    std::fs::create_dir_all(&methods_dir).map_err(|e| format!("{}: {e}", methods_dir.display()))?;
    for path in &differing {
        let target = options.out.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        match generated.files.get(*path).or_else(|| derived.get(*path)) {
            Some(text) => std::fs::write(&target, text),
            None => std::fs::remove_file(&target),
        }
        .map_err(|e| format!("{}: {e}", target.display()))?;
    }
    println!("regen: {} file(s) written or removed", differing.len());
    release(options, &changes)?;
    if attention {
        eprintln!("regen: resolve the errors above (the rest is written); exit status stays non-zero until then");
    }
    Ok(!attention)
}

/// The files generated from a manifest's method files (see [`crate::formats`]): path
/// relative to the manifest directory → text.
pub fn derived_files(
    methods: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    let sources: Vec<SourceFile> = methods
        .iter()
        .map(|(path, text)| SourceFile {
            path: path.clone(),
            text: text.clone(),
        })
        .collect();
    let manifest = Manifest::from_sources(&sources).map_err(|problems| {
        let first = problems.first().map(ToString::to_string).unwrap_or_default();
        format!("the manifest does not validate, so the OpenAPI document and Postman collection cannot be generated: {first}")
    })?;
    Ok(crate::formats::files(&manifest))
}

/// `--changelog` and `--bump`: the release entry and version for `changes`.
fn release(options: &Options, changes: &[report::Change]) -> Result<(), String> {
    let Some(impact) = report::overall(changes) else {
        return Ok(());
    };
    if options.changelog.is_none() && options.bump.is_none() {
        return Ok(());
    }
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let cargo_toml = options
        .bump
        .clone()
        .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
    let manifest_text = read(&cargo_toml)?;
    let current = changelog::workspace_version(&manifest_text)?;
    let next = current.bump(impact);
    println!(
        "release: {} change(s), strongest {} → version {current} → {next}",
        changes.len(),
        impact.heading()
    );
    if let Some(path) = &options.changelog {
        let date = options.date.clone().unwrap_or_else(today);
        let old = std::fs::read_to_string(path).unwrap_or_default();
        let text = changelog::insert(&old, next, &changelog::entry(next, &date, changes));
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("release: entry for {next} written to {}", path.display());
    }
    if options.bump.is_some() {
        let text = changelog::set_workspace_version(&manifest_text, current, next);
        std::fs::write(&cargo_toml, text).map_err(|e| format!("{}: {e}", cargo_toml.display()))?;
        println!("release: {} now at {next}", cargo_toml.display());
    }
    Ok(())
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock (civil-from-days).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

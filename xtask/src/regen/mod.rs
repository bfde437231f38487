//! `cargo xtask regen`: the manifest, regenerated from the vendor's reference pages.
//!
//! Pages are parsed ([`page`]), turned into methods and merged per method ([`normalize`]),
//! corrected by `overrides.json` ([`overrides`]), validated by the same checks the macro
//! runs, and written deterministically. [`report`] says what changed.

pub mod normalize;
pub mod overrides;
pub mod page;
pub mod report;
pub mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bold360_api_spec::{Manifest, Method, SourceFile};

use overrides::Overrides;
use source::{RawPage, Source};

/// What a regeneration produced.
#[derive(Debug, Clone)]
pub struct Generated {
    /// `methods/<name>.json` → file text.
    pub files: BTreeMap<String, String>,
    /// The methods, by name.
    pub methods: BTreeMap<String, Method>,
    /// Oddities handled on the way, with page and row.
    pub warnings: Vec<String>,
    /// Overrides applied, with their reasons.
    pub applied: Vec<String>,
}

/// The text of a method file: pretty JSON, fixed key order, trailing newline.
pub fn render(method: &Method) -> String {
    let mut text = serde_json::to_string_pretty(method).unwrap_or_default();
    text.push('\n');
    text
}

/// Turns pages into manifest files. Errors are every problem found, each naming its page
/// (and row) or file and JSON pointer.
pub fn generate(
    pages: &[RawPage],
    overrides: Option<&Overrides>,
) -> Result<Generated, Vec<String>> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for raw in pages {
        let (page, problems) = page::parse(&raw.file, &raw.html);
        errors.extend(problems.iter().map(ToString::to_string));
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
    let applied = match overrides {
        Some(o) => overrides::apply(&mut methods, o).unwrap_or_else(|stale| {
            errors.extend(stale);
            Vec::new()
        }),
        None => Vec::new(),
    };
    methods.iter_mut().for_each(overrides::prune_enums);
    let files: BTreeMap<String, String> = methods
        .iter()
        .map(|m| (format!("methods/{}.json", m.name), render(m)))
        .collect();
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|(path, text)| SourceFile {
            path: path.clone(),
            text: text.clone(),
        })
        .collect();
    if let Err(problems) = Manifest::from_sources(&sources) {
        errors.extend(problems.iter().map(|p| format!("generated {p}")));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Generated {
        files,
        methods: methods.into_iter().map(|m| (m.name.clone(), m)).collect(),
        warnings: warnings.iter().map(ToString::to_string).collect(),
        applied,
    })
}

/// What `regen` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub docs: String,
    pub out: PathBuf,
    pub check: bool,
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

/// Runs the command, printing the report. `Ok(false)` means `--check` found a difference.
pub fn run(options: &Options) -> Result<bool, String> {
    let (pages, read_errors) = Source::parse(&options.docs).read()?;
    let overrides_path = options.out.join("overrides.json");
    let overrides = match std::fs::read_to_string(&overrides_path) {
        Ok(text) => Some(Overrides::parse(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", overrides_path.display())),
    };
    let generated = generate(&pages, overrides.as_ref()).map_err(|mut errors| {
        errors.splice(0..0, read_errors.clone());
        format!("regen failed:\n  {}", errors.join("\n  "))
    })?;
    if !read_errors.is_empty() {
        return Err(format!("regen failed:\n  {}", read_errors.join("\n  ")));
    }
    let existing = existing_files(&options.out);
    let changes = report::changes(&methods_of(&existing), &generated.methods);
    let differing: Vec<&String> = generated
        .files
        .iter()
        .filter(|(path, text)| existing.get(*path) != Some(text))
        .map(|(path, _)| path)
        .chain(
            existing
                .keys()
                .filter(|p| !generated.files.contains_key(*p)),
        )
        .collect();

    println!(
        "regen: {} pages → {} methods",
        pages.len(),
        generated.methods.len()
    );
    for line in &generated.applied {
        println!("  override  {line}");
    }
    for line in &generated.warnings {
        println!("  warning   {line}");
    }
    for line in &changes {
        println!("  change    {line}");
    }
    if options.check {
        if differing.is_empty() {
            println!("regen --check: {} is up to date", options.out.display());
            return Ok(true);
        }
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
        return Ok(false);
    }
    let methods_dir = options.out.join("methods");
    std::fs::create_dir_all(&methods_dir).map_err(|e| format!("{}: {e}", methods_dir.display()))?;
    for path in &differing {
        let target = options.out.join(path);
        match generated.files.get(*path) {
            Some(text) => std::fs::write(&target, text),
            None => std::fs::remove_file(&target),
        }
        .map_err(|e| format!("{}: {e}", target.display()))?;
    }
    println!("regen: {} file(s) written or removed", differing.len());
    Ok(true)
}

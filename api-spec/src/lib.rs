//! # bold360-api-spec
//!
//! The Bold360 REST API described as data: one JSON file per method under `methods/`, checked
//! by [`validate`] (every problem at once, each with its file and JSON pointer) and read into
//! the types of [`model`]. The files are embedded in this crate at build time, so the macro
//! that generates the SDK's typed methods, the `xtask` that regenerates the files from the
//! vendor's pages, and the CLI all read the same manifest.
//!
//! ```
//! let manifest = bold360_api_spec::Manifest::embedded().expect("the shipped manifest is valid");
//! let get_chat = manifest.method("getChat").unwrap();
//! assert_eq!(get_chat.params[0].name, "ChatID");
//! assert!(get_chat.params[0].required);
//! ```
#![deny(missing_docs)]

pub mod ids;
pub mod model;
pub mod validate;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub use model::{
    Constraint, DataShape, DynamicParam, EnumValues, Field, Kind, Method, Paging, PagingStyle,
    Param, TypeRef, Version,
};
pub use validate::Problem;

use std::path::{Path, PathBuf};

/// The JSON Schema every method file follows.
pub const SCHEMA: &str = include_str!("../schema.json");

/// One manifest file: its path relative to the manifest directory, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// e.g. `methods/getChat.json`.
    pub path: String,
    /// The JSON text.
    pub text: String,
}

/// A validated set of methods, sorted by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The methods.
    pub methods: Vec<Method>,
}

impl Manifest {
    /// The manifest shipped in this crate.
    pub fn embedded() -> Result<Self, Vec<Problem>> {
        Self::from_sources(&embedded_sources())
    }

    /// Reads and validates `dir/methods/*.json`. On success also returns the files read (to
    /// make a build depend on them).
    pub fn load_dir(dir: &Path) -> Result<(Self, Vec<PathBuf>), Vec<Problem>> {
        let methods_dir = dir.join("methods");
        let entries = std::fs::read_dir(&methods_dir).map_err(|e| {
            vec![Problem::new(
                methods_dir.display().to_string(),
                "",
                format!("cannot read the directory: {e}"),
            )]
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        let mut sources = Vec::new();
        let mut problems = Vec::new();
        for path in &paths {
            let rel = format!(
                "methods/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            match std::fs::read_to_string(path) {
                Ok(text) => sources.push(SourceFile { path: rel, text }),
                Err(e) => {
                    problems.push(Problem::new(rel, "", format!("cannot read the file: {e}")))
                }
            }
        }
        let manifest = Self::from_sources(&sources);
        match manifest {
            Ok(m) if problems.is_empty() => Ok((m, paths)),
            Ok(_) => Err(problems),
            Err(mut more) => {
                problems.append(&mut more);
                Err(problems)
            }
        }
    }

    /// Validates and reads a set of files.
    pub fn from_sources(files: &[SourceFile]) -> Result<Self, Vec<Problem>> {
        let mut methods = validate::validate_files(files)?;
        methods.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self { methods })
    }

    /// A method by wire name or alias.
    pub fn method(&self, name: &str) -> Option<&Method> {
        self.methods
            .iter()
            .find(|m| m.name == name || m.aliases.iter().any(|a| a == name))
    }
}

/// The embedded files as [`SourceFile`]s.
pub fn embedded_sources() -> Vec<SourceFile> {
    embedded::FILES
        .iter()
        .map(|(path, text)| SourceFile {
            path: (*path).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

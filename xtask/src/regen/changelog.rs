//! Release bookkeeping for a regeneration: the next version under semver, the workspace
//! version bump, and a `CHANGELOG.md` entry in keep-a-changelog style.
//!
//! Before 1.0, cargo treats a minor bump as breaking: breaking → minor, anything else →
//! patch. From 1.0: breaking → major, additive → minor, other → patch.

use super::report::{Change, Impact};

/// A `major.minor.patch` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Semver(pub u64, pub u64, pub u64);

impl std::fmt::Display for Semver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl std::str::FromStr for Semver {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<u64> = s
            .trim()
            .split('.')
            .map(|p| p.parse::<u64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("version {s:?} is not major.minor.patch"))?;
        match parts[..] {
            [a, b, c] => Ok(Semver(a, b, c)),
            _ => Err(format!("version {s:?} is not major.minor.patch")),
        }
    }
}

impl Semver {
    /// The version that follows this one for a release with `impact`.
    pub fn bump(self, impact: Impact) -> Semver {
        let Semver(major, minor, patch) = self;
        match (major, impact) {
            (0, Impact::Breaking) => Semver(0, minor + 1, 0),
            (0, _) => Semver(0, minor, patch + 1),
            (_, Impact::Breaking) => Semver(major + 1, 0, 0),
            (_, Impact::Additive) => Semver(major, minor + 1, 0),
            (_, Impact::Other) => Semver(major, minor, patch + 1),
        }
    }
}

/// The `version = "…"` of `[workspace.package]` in a workspace manifest's text.
pub fn workspace_version(cargo_toml: &str) -> Result<Semver, String> {
    let mut in_package = false;
    for line in cargo_toml.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_package = t == "[workspace.package]";
        } else if in_package {
            if let Some(rest) = t.strip_prefix("version") {
                let value = rest.trim_start().trim_start_matches('=').trim();
                return value.trim_matches('"').parse();
            }
        }
    }
    Err("Cargo.toml has no version in [workspace.package]".to_owned())
}

/// The manifest text with the workspace version, and the `version = "…"` of every path
/// dependency in `[workspace.dependencies]` that named the old version, set to `new`.
pub fn set_workspace_version(cargo_toml: &str, old: Semver, new: Semver) -> String {
    let (old, new) = (format!("\"{old}\""), format!("\"{new}\""));
    let mut section = String::new();
    let mut out = String::new();
    for line in cargo_toml.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            section = t.to_owned();
        }
        let rewritten = match section.as_str() {
            "[workspace.package]" if t.starts_with("version") => line.replace(&old, &new),
            "[workspace.dependencies]" if t.contains("path =") => line
                .replace(&format!("version = {old}"), &format!("version = {new}"))
                .replace(
                    &format!("version = \"={}", &old[1..]),
                    &format!("version = \"={}", &new[1..]),
                ),
            _ => line.to_owned(),
        };
        out.push_str(&rewritten);
        out.push('\n');
    }
    out
}

/// A keep-a-changelog entry for `version` released on `date` (`YYYY-MM-DD`).
pub fn entry(version: Semver, date: &str, changes: &[Change]) -> String {
    let count = |i: Impact| changes.iter().filter(|c| c.impact == i).count();
    let mut text = format!(
        "## [{version}] - {date}\n\nManifest regenerated from the vendor's reference pages: {} breaking, {} additive, {} other change(s).\n",
        count(Impact::Breaking),
        count(Impact::Additive),
        count(Impact::Other)
    );
    let removed = |c: &&Change| c.line.contains("removed");
    let sections: [(&str, Vec<String>); 3] = [
        (
            "Added",
            changes
                .iter()
                .filter(|c| c.impact == Impact::Additive)
                .map(|c| c.line.clone())
                .collect(),
        ),
        (
            "Changed",
            changes
                .iter()
                .filter(|c| {
                    c.impact == Impact::Other || (c.impact == Impact::Breaking && !removed(c))
                })
                .map(|c| match c.impact {
                    Impact::Breaking => format!("**Breaking:** {}", c.line),
                    _ => c.line.clone(),
                })
                .collect(),
        ),
        (
            "Removed",
            changes
                .iter()
                .filter(|c| c.impact == Impact::Breaking && removed(c))
                .map(|c| format!("**Breaking:** {}", c.line))
                .collect(),
        ),
    ];
    for (heading, lines) in sections {
        if lines.is_empty() {
            continue;
        }
        text.push_str(&format!("\n### {heading}\n\n"));
        for line in lines {
            text.push_str(&format!("- {line}\n"));
        }
    }
    text
}

const HEADER: &str = "# Changelog\n\nAll notable changes to this project are documented here. The format follows\n[Keep a Changelog](https://keepachangelog.com/en/1.1.0/) and the crates follow\n[Semantic Versioning](https://semver.org/) (before 1.0, a minor bump is breaking).\n";

/// The changelog with `entry` inserted above the newest release (replacing an entry for the
/// same version, so re-running regen on release day does not duplicate it).
pub fn insert(changelog: &str, version: Semver, entry: &str) -> String {
    let body = if changelog.trim().is_empty() {
        HEADER.to_owned()
    } else {
        changelog.to_owned()
    };
    let marker = format!("## [{version}]");
    let mut sections: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in body.lines() {
        if line.starts_with("## ") && !current.is_empty() {
            sections.push(std::mem::take(&mut current));
        }
        current.push_str(line);
        current.push('\n');
    }
    sections.push(current);
    let head = sections.remove(0);
    let (head, first_release) = if head.starts_with("## ") {
        (String::new(), Some(head))
    } else {
        (head, None)
    };
    let mut releases: Vec<String> = first_release.into_iter().chain(sections).collect();
    releases.retain(|s| !s.starts_with(&marker));
    let unreleased = releases
        .iter()
        .position(|s| s.starts_with("## [Unreleased]"))
        .map(|i| releases.remove(i));
    let mut out = head.trim_end().to_owned();
    out.push_str("\n\n");
    if let Some(u) = unreleased {
        out.push_str(u.trim_end());
        out.push_str("\n\n");
    }
    out.push_str(entry.trim_end());
    out.push('\n');
    for r in releases {
        out.push('\n');
        out.push_str(r.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_follow_semver_before_and_after_1_0() {
        let v = Semver(0, 1, 3);
        assert_eq!(v.bump(Impact::Breaking), Semver(0, 2, 0));
        assert_eq!(v.bump(Impact::Additive), Semver(0, 1, 4));
        assert_eq!(v.bump(Impact::Other), Semver(0, 1, 4));
        let v = Semver(1, 4, 2);
        assert_eq!(v.bump(Impact::Breaking), Semver(2, 0, 0));
        assert_eq!(v.bump(Impact::Additive), Semver(1, 5, 0));
        assert_eq!(v.bump(Impact::Other), Semver(1, 4, 3));
    }

    #[test]
    fn workspace_version_is_read_and_rewritten() {
        let toml = "[workspace]\nmembers = []\n\n[workspace.package]\nversion = \"0.1.0\"\n\n[workspace.dependencies]\nbold360-sdk = { path = \"bold360-sdk\", version = \"0.1.0\" }\nbold360-macros = { path = \"bold360-macros\", version = \"=0.1.0\" }\nserde = { version = \"0.1.0\" }\n";
        let v = workspace_version(toml).unwrap();
        assert_eq!(v, Semver(0, 1, 0));
        let new = set_workspace_version(toml, v, Semver(0, 2, 0));
        assert!(new.contains("[workspace.package]\nversion = \"0.2.0\""));
        assert!(new.contains("path = \"bold360-sdk\", version = \"0.2.0\""));
        assert!(new.contains("version = \"=0.2.0\""));
        assert!(
            new.contains("serde = { version = \"0.1.0\" }"),
            "registry dependencies are left alone"
        );
    }

    #[test]
    fn entries_go_above_older_releases_and_replace_their_own_version() {
        let changes = vec![
            Change {
                impact: Impact::Breaking,
                line: "getA: parameter removed: X".into(),
            },
            Change {
                impact: Impact::Breaking,
                line: "getA: parameter Y: optional → required".into(),
            },
            Change {
                impact: Impact::Additive,
                line: "getB: method added (v1+v2)".into(),
            },
        ];
        let e = entry(Semver(0, 2, 0), "2026-11-25", &changes);
        assert!(e.starts_with("## [0.2.0] - 2026-11-25\n"));
        assert!(e.contains("### Added\n\n- getB: method added (v1+v2)\n"));
        assert!(
            e.contains("### Changed\n\n- **Breaking:** getA: parameter Y: optional → required\n")
        );
        assert!(e.contains("### Removed\n\n- **Breaking:** getA: parameter removed: X\n"));
        let old = format!("{HEADER}\n## [Unreleased]\n\n- work in progress\n\n## [0.1.0] - 2026-01-01\n\n- first\n");
        let once = insert(&old, Semver(0, 2, 0), &e);
        let twice = insert(&once, Semver(0, 2, 0), &e);
        assert_eq!(once, twice, "re-running replaces the entry");
        let (u, n, o) = (
            once.find("## [Unreleased]").unwrap(),
            once.find("## [0.2.0]").unwrap(),
            once.find("## [0.1.0]").unwrap(),
        );
        assert!(u < n && n < o, "{once}");
        assert!(insert("", Semver(0, 1, 1), &e).starts_with("# Changelog"));
    }
}

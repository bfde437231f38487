//! `cargo xtask test`: installs what the tests run that is not a Rust crate, pinned and
//! idempotently, then runs `cargo test --workspace`. The README's test command, and what
//! `.ci/run` calls.
//!
//! - Debian's packages (real services and a browser the tests start themselves): redis-server,
//!   postgresql, chromium, chromium-driver. Installed with apt-get when running as root; as
//!   another user, the command stops and names the packages to install.
//! - npm tools (`tests/tools/package-lock.json`, exact versions): `npm ci` into
//!   `tests/tools/node_modules`.
//! - PyPI tools, one virtual environment each under `target/tools/<name>`, from
//!   `tests/tools/python/<name>.txt` (pinned requirements).
//!
//! Each step is skipped when its result is already there and newer than its pin file.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A Debian package the tests need, and how to tell it is installed.
struct DebianPackage {
    name: &'static str,
    installed: fn() -> bool,
    used_by: &'static str,
}

const DEBIAN: &[DebianPackage] = &[
    DebianPackage {
        name: "redis-server",
        installed: || on_path("redis-server"),
        used_by: "the shared limiter's tests",
    },
    DebianPackage {
        name: "postgresql",
        installed: postgres_installed,
        used_by: "the tap's target-postgres test",
    },
    DebianPackage {
        name: "chromium",
        installed: || Path::new("/usr/bin/chromium").exists(),
        used_by: "the explorer's browser test",
    },
    DebianPackage {
        name: "chromium-driver",
        installed: || Path::new("/usr/bin/chromedriver").exists(),
        used_by: "the explorer's browser test",
    },
];

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

fn postgres_installed() -> bool {
    std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions
            .filter_map(Result::ok)
            .any(|v| v.path().join("bin/initdb").is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Runs a command, naming it in the error when it fails.
fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// True when `target` is missing or older than `source`.
fn stale(target: &Path, source: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(target), modified(source)) {
        (Some(t), Some(s)) => t < s,
        _ => true,
    }
}

fn debian_packages() -> Result<(), String> {
    let missing: Vec<&DebianPackage> = DEBIAN.iter().filter(|p| !(p.installed)()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.iter().map(|p| p.name).collect();
    if !is_root() {
        let why: Vec<String> = missing
            .iter()
            .map(|p| format!("{} ({})", p.name, p.used_by))
            .collect();
        return Err(format!(
            "the tests need Debian packages that are not installed: {}.\nInstall them as root, then run this again:\n  sudo apt-get update && sudo apt-get install -y {}",
            why.join(", "),
            names.join(" ")
        ));
    }
    eprintln!("== installing Debian packages: {}", names.join(" "));
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "-qq"])
        .args(&names))
}

fn npm_tools(root: &Path) -> Result<(), String> {
    let dir = root.join("tests/tools");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    if dir.join("node_modules/.bin/newman").exists() && !stale(&installed, &lock) {
        return Ok(());
    }
    if !on_path("npm") {
        return Err("the tests run newman, installed with npm: install Node.js with npm (Debian: apt-get install nodejs npm)".into());
    }
    eprintln!("== installing npm tools ({})", lock.display());
    run(Command::new("npm")
        .args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&dir))
}

fn python_tools(root: &Path) -> Result<(), String> {
    let dir = root.join("tests/tools/python");
    let mut pins: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    pins.sort();
    for pins in pins {
        let name = pins.file_stem().unwrap_or_default().to_string_lossy();
        let venv = root.join("target/tools").join(name.as_ref());
        let stamp = venv.join(".installed");
        if !stale(&stamp, &pins) {
            continue;
        }
        eprintln!(
            "== installing {name} ({}) into {}",
            pins.display(),
            venv.display()
        );
        let _ = std::fs::remove_dir_all(&venv);
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv)).map_err(|e| {
            format!("{e}\nthe tests need Python 3 with venv (Debian: apt-get install python3-venv)")
        })?;
        run(Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&pins))?;
        std::fs::write(&stamp, b"").map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    Ok(())
}

/// The workspace root (this crate's parent).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Installs every outside tool the tests run (see the module docs).
pub fn install(root: &Path) -> Result<(), String> {
    debian_packages()?;
    npm_tools(root)?;
    python_tools(root)
}

/// `cargo xtask test [ARGS…]`: install, then `cargo test --workspace ARGS…`; the exit status
/// is cargo's.
pub fn test(args: &[String]) -> Result<bool, String> {
    let root = workspace_root();
    install(&root)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["test", "--workspace"])
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    Ok(status.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_stale_when_missing_or_older_than_its_pins() {
        let dir = std::env::temp_dir().join(format!("xtask-stale-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pins = dir.join("pins.txt");
        let stamp = dir.join(".installed");
        std::fs::write(&pins, "x==1").unwrap();
        assert!(stale(&stamp, &pins), "missing");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&stamp, "").unwrap();
        assert!(!stale(&stamp, &pins), "installed after the pins changed");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&pins, "x==2").unwrap();
        assert!(stale(&stamp, &pins), "the pins changed since");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn every_python_tool_has_a_pinned_requirements_file() {
        let dir = workspace_root().join("tests/tools/python");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                assert!(
                    line.contains("=="),
                    "{}: {line:?} is not pinned",
                    path.display()
                );
            }
        }
    }
}

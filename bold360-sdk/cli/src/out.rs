//! Standard output that behaves in a pipe: when the reader goes away (`bold360 methods |
//! head -1`), the command ends quietly with exit 0 instead of panicking.

use std::io::{ErrorKind, Write};

/// Writes one line to stdout. A closed pipe ends the process with exit 0; any other write
/// error ends it with the usage exit code and a message on stderr.
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let result = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    match result {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("bold360: cannot write to stdout: {e}");
            std::process::exit(i32::from(crate::exit::USAGE));
        }
    }
}

/// `println!` through [`line()`].
macro_rules! outln {
    () => {
        $crate::out::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// `n` and the noun, in proper English: `1 page`, `3 pages`, `1 record`.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_and_the_rest_plural() {
        assert_eq!(super::count(0, "page"), "0 pages");
        assert_eq!(super::count(1, "page"), "1 page");
        assert_eq!(super::count(2, "record"), "2 records");
    }
}

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

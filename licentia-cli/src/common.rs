//! What every command shares: bounded reads, writes, printing, exit codes,
//! and the small argument parsers clap calls.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use licentia::format::{self, MAX_TEXT_LEN};
use licentia::{Error, PublicKey, Result, Verifier};

/// Exit code of a license that verified but whose verdict is invalid.
pub const EXIT_INVALID: u8 = 1;
/// Exit code of an error: unreadable file, bad signature, bad argument.
/// clap uses the same code for usage errors.
pub const EXIT_ERROR: u8 = 2;

/// Reads a text file, or standard input for `-`, refusing anything over
/// `limit` bytes without reading past it (`licentia::format::read_text_file`).
pub fn read_text(path: &Path, what: &'static str, limit: usize) -> Result<String> {
    if path == Path::new("-") {
        format::read_text(std::io::stdin().lock(), "standard input", what, limit)
    } else {
        format::read_text_file(path, what, limit)
    }
}

/// Reads a signed document or request: armored or compact text.
pub fn read_document(path: &Path) -> Result<String> {
    read_text(path, "document", MAX_TEXT_LEN)
}

/// Loads every public key and trusts them all.
pub fn verifier(public_keys: &[PathBuf]) -> Result<Verifier> {
    let keys = public_keys
        .iter()
        .map(PublicKey::load)
        .collect::<Result<Vec<_>>>()?;
    Ok(Verifier::new(keys))
}

/// Writes `text` (newline-terminated) to `path`.
pub fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, with_newline(text))
        .map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}

/// Prints `text` (newline-terminated) on standard output; a closed pipe is
/// an error, not a panic.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(with_newline(text).as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Io(format!("standard output: {e}")))
}

/// Prints a JSON value, pretty.
pub fn print_json(value: &serde_json::Value) -> Result<()> {
    print(&serde_json::to_string_pretty(value).expect("a JSON value always serializes"))
}

/// Writes a document to `out`, or prints it when there is no `out`.
pub fn emit(out: Option<&Path>, text: &str) -> Result<ExitCode> {
    match out {
        Some(path) => write_file(path, text)?,
        None => print(text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints `error: <message>` on standard error.
pub fn report_error(error: &Error) {
    // Nothing is left to do if standard error itself is gone.
    let _ = writeln!(std::io::stderr(), "error: {error}");
}

fn with_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_owned()
    } else {
        format!("{text}\n")
    }
}

/// Parses `NAME=VALUE` (the value may itself contain `=`).
pub fn key_value(text: &str) -> Result<(String, String)> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| Error::InvalidArgument(format!("'{text}' is not NAME=VALUE")))
}

//! `licentia import` and `licentia export`: CSV to and from a running back
//! office over its API (`--server`, token from `LICENTIA_TOKEN` or standard
//! input with `--token-stdin`, never from the command line, where `ps`
//! shows it, and never printed), with a progress bar on standard error
//! when it is a terminal.
//!
//! An import is checked here first with the server's own rules
//! (`licentia_server::bulk::read`), then sent. A file that fits one request
//! (`--chunk-rows`, and the server's body limit) is one transaction. A
//! larger one is sent in chunks, each one transaction: first a dry run of
//! every chunk (nothing changes; every bad row of the whole file is listed),
//! and only when all pass, the chunks for real. So a bad row anywhere
//! imports nothing; only a change made by someone else between the dry run
//! and the import (a reference taken meanwhile) can stop it midway, and
//! then the lines already imported are named.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use licentia_server::bulk::{read, Cell, CsvWriter, Kind, Parent, Rows, Table};
use serde_json::{json, Value};

/// Where the server is and who calls it.
#[derive(Debug, clap::Args)]
pub struct Remote {
    /// The back office's address.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// Read the API token from the first line of standard input (else it
    /// comes from the environment variable LICENTIA_TOKEN; never from the
    /// command line, where other users' `ps` would show it).
    #[arg(long)]
    token_stdin: bool,
    /// PEM file of the CA that signed an https server's certificate (a
    /// private CA), trusted beside the usual public ones.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
}

impl Remote {
    fn token(&self) -> Result<String, String> {
        let token = if self.token_stdin {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the token from standard input: {e}"))?;
            Some(line)
        } else {
            std::env::var("LICENTIA_TOKEN").ok()
        };
        token
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                "give an API token in LICENTIA_TOKEN, or on standard input with --token-stdin"
                    .to_owned()
            })
    }

    /// The HTTP client: rustls, trusting `--ca-file` too when given.
    fn client(&self) -> Result<reqwest::Client, String> {
        let mut builder = reqwest::Client::builder();
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!("{}: no certificate in it", path.display()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        builder.build().map_err(|e| e.to_string())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.trim_end_matches('/'))
    }
}

/// `licentia import KIND FILE`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// customers, licenses or members.
    #[arg(value_name = "KIND")]
    kind: String,
    /// The CSV file (a header line naming the columns, then one row a line).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Check every row and report the bad ones; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Rows per request.
    #[arg(long, value_name = "N", default_value_t = 500)]
    chunk_rows: usize,
    #[command(flatten)]
    remote: Remote,
}

/// `licentia export KIND`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// customers, licenses or members.
    #[arg(value_name = "KIND")]
    kind: String,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    remote: Remote,
}

fn kind(name: &str) -> Result<Kind, String> {
    Kind::parse(name).ok_or_else(|| format!("'{name}' is not customers, licenses or members"))
}

/// The largest file read.
const MAX_FILE: usize = 256 << 20;

/// A progress bar on standard error, drawn only when it is a terminal.
struct Progress {
    label: &'static str,
    total: usize,
    shown: bool,
}

impl Progress {
    fn new(label: &'static str, total: usize) -> Progress {
        let p = Progress {
            label,
            total,
            shown: std::io::stderr().is_terminal(),
        };
        p.set(0);
        p
    }

    fn set(&self, done: usize) {
        if !self.shown {
            return;
        }
        const WIDTH: usize = 30;
        let text = match (WIDTH * done.min(self.total)).checked_div(self.total) {
            Some(filled) => format!(
                "\r{} [{}{}] {done}/{} rows",
                self.label,
                "#".repeat(filled),
                "-".repeat(WIDTH - filled),
                self.total
            ),
            // No total known (an export): a count.
            None => format!("\r{} {done} rows", self.label),
        };
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    fn finish(&self) {
        if self.shown {
            let _ = std::io::stderr().write_all(b"\n");
        }
    }
}

/// One request's worth of rows: their file lines, and the CSV sent.
struct Chunk {
    lines: Vec<u64>,
    /// Index of its first row in the file.
    first: usize,
    body: String,
}

fn chunks(table: &Table, rows: usize) -> Vec<Chunk> {
    table
        .records
        .chunks(rows.max(1))
        .enumerate()
        .map(|(n, records)| {
            // Rewritten from the checked fields: one row a line, so the
            // server's line L is the chunk's row L - 2.
            let mut w = CsvWriter::new(&table.columns);
            for r in records {
                let cells: Vec<Cell> = table
                    .columns
                    .iter()
                    .map(|c| Cell::Text(r.get(c).unwrap_or("")))
                    .collect();
                w.row(&cells);
            }
            Chunk {
                lines: records.iter().map(|r| r.line).collect(),
                first: n * rows.max(1),
                body: w.finish(),
            }
        })
        .collect()
}

/// `line L, column C: message` for each bad row.
fn report(errors: &[(u64, Option<String>, String)]) -> String {
    let mut text = format!(
        "{} bad row{}; nothing was imported",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for (line, column, message) in errors {
        text.push_str(&format!("\n  line {line}"));
        if let Some(c) = column {
            text.push_str(&format!(", column {c}"));
        }
        text.push_str(&format!(": {message}"));
    }
    text
}

/// Sends one chunk; the server's answer, or its bad rows in file lines.
async fn send(
    client: &reqwest::Client,
    remote: &Remote,
    token: &str,
    kind: Kind,
    chunk: &Chunk,
    dry_run: bool,
    key: &str,
) -> Result<Result<Value, Vec<(u64, Option<String>, String)>>, String> {
    let mut req = client
        .post(remote.url(&format!("/v1/import/{}?dry_run={dry_run}", kind.as_str())))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(chunk.body.clone());
    if !dry_run {
        req = req.header("idempotency-key", key);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| format!("{}: {e}", remote.server))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    let answer: Value =
        serde_json::from_str(&text).map_err(|e| format!("the server's answer is not JSON: {e}"))?;
    if status.is_success() {
        return Ok(Ok(answer));
    }
    let Some(errors) = answer["errors"].as_array() else {
        return Err(format!(
            "{}: {}",
            status.as_u16(),
            answer["detail"]
                .as_str()
                .unwrap_or("the server refused the import")
        ));
    };
    Ok(Err(errors
        .iter()
        .map(|e| {
            let line = e["line"].as_u64().unwrap_or(0);
            // The chunk's line L is its row L - 2 (line 1 is the header).
            let file_line = usize::try_from(line)
                .ok()
                .and_then(|l| l.checked_sub(2))
                .and_then(|i| chunk.lines.get(i).copied())
                .unwrap_or(line);
            (
                file_line,
                e["column"].as_str().map(str::to_owned),
                e["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()))
}

/// Runs `licentia import`; the created records (and license keys) as JSON.
pub async fn import(args: ImportArgs) -> Result<Option<String>, String> {
    let kind = kind(&args.kind)?;
    let token = args.remote.token()?;
    let bytes = std::fs::read(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    if bytes.len() > MAX_FILE {
        return Err(format!(
            "{}: larger than {MAX_FILE} bytes",
            args.file.display()
        ));
    }
    // The server's own checks, on the whole file, before anything is sent.
    let rows = read(kind, &bytes).map_err(|errors| {
        report(
            &errors
                .into_iter()
                .map(|e| (e.line, e.column, e.message))
                .collect::<Vec<_>>(),
        )
    })?;
    let table =
        licentia_server::bulk::parse_table(kind, &bytes).map_err(|_| "unreadable".to_owned())?;
    let chunks = chunks(&table, args.chunk_rows);
    let total = rows.len();
    let client = args.remote.client()?;
    let file_key = licentia_file_key(&bytes);
    let several = chunks.len() > 1;
    if args.dry_run || several {
        let progress = Progress::new("checking", total);
        let mut errors = Vec::new();
        let mut done = 0;
        for chunk in &chunks {
            if let Err(bad) = send(&client, &args.remote, &token, kind, chunk, true, "").await? {
                errors.extend(
                    bad.into_iter()
                        .filter(|e| !parent_in_earlier_chunk(&rows, chunk, e)),
                );
            }
            done += chunk.lines.len();
            progress.set(done);
        }
        progress.finish();
        if !errors.is_empty() {
            errors.sort();
            return Err(report(&errors));
        }
        if args.dry_run {
            return Ok(Some(
                json!({"kind": kind.as_str(), "dry_run": true, "rows": total, "errors": []})
                    .to_string(),
            ));
        }
    }
    let progress = Progress::new("importing", total);
    let mut items = Vec::new();
    let mut done = 0;
    for (n, chunk) in chunks.iter().enumerate() {
        let key = format!("import-{file_key}-{n}");
        match send(&client, &args.remote, &token, kind, chunk, false, &key).await? {
            Ok(answer) => {
                for item in answer["items"].as_array().into_iter().flatten() {
                    let mut item = item.clone();
                    let line = item["line"].as_u64().unwrap_or(0);
                    item["line"] = json!(chunk
                        .lines
                        .get((line as usize).wrapping_sub(2))
                        .copied()
                        .unwrap_or(line));
                    items.push(item);
                }
            }
            Err(bad) => {
                progress.finish();
                let imported = chunk.first;
                return Err(format!(
                    "{}\n{imported} rows before line {} were imported (the rows changed on the server after the dry run)",
                    report(&bad),
                    chunk.lines[0]
                ));
            }
        }
        done += chunk.lines.len();
        progress.set(done);
    }
    progress.finish();
    Ok(Some(
        serde_json::to_string_pretty(
            &json!({"kind": kind.as_str(), "created": items.len(), "items": items}),
        )
        .expect("JSON"),
    ))
}

/// A customer row whose parent is a row of an earlier chunk: in a dry run
/// the server cannot see it yet (it was checked here, and is created first).
fn parent_in_earlier_chunk(
    rows: &Rows,
    chunk: &Chunk,
    error: &(u64, Option<String>, String),
) -> bool {
    let Rows::Customers(rows) = rows else {
        return false;
    };
    error.1.as_deref() == Some("parent")
        && rows.iter().any(|r| {
            r.line == error.0 && matches!(r.parent, Some(Parent::Row(i)) if i < chunk.first)
        })
}

/// A short hash of the file: chunks of the same file sent again replay
/// their first answer (Idempotency-Key) instead of importing twice.
fn licentia_file_key(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs `licentia export`: the server's CSV, streamed to the file or
/// standard output.
pub async fn export(args: ExportArgs) -> Result<Option<String>, String> {
    let kind = kind(&args.kind)?;
    let token = args.remote.token()?;
    let mut resp = args
        .remote
        .client()?
        .get(args.remote.url(&format!("/v1/export/{}", kind.as_str())))
        .bearer_auth(&token)
        .send()
        .await
        .map_err(|e| format!("{}: {e}", args.remote.server))?;
    if !resp.status().is_success() {
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        return Err(format!(
            "{status}: {}",
            answer["detail"]
                .as_str()
                .unwrap_or("the server refused the export")
        ));
    }
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => {
            Box::new(std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let progress = Progress::new("exporting", 0);
    let mut lines = 0usize;
    while let Some(piece) = resp
        .chunk()
        .await
        .map_err(|e| format!("the export stopped: {e}"))?
    {
        out.write_all(&piece).map_err(|e| e.to_string())?;
        lines += piece.iter().filter(|&&b| b == b'\n').count();
        progress.set(lines.saturating_sub(1));
    }
    out.flush().map_err(|e| e.to_string())?;
    progress.finish();
    Ok(None)
}

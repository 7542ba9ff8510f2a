//! The log lines the servers of a test binary write, captured as JSON
//! lines (one global subscriber per binary), for tests of what an operator
//! sees and of what must never be written.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Every log line the servers of this test binary write, as JSON lines.
#[allow(dead_code)] // tests/statements.rs captures with its own filter
pub fn captured_logs() -> &'static Mutex<Vec<u8>> {
    captured("info")
}

/// Every log line `filter` (an `EnvFilter` directive) lets through, as
/// JSON lines with their spans. The binary's first call sets its one
/// subscriber: later calls get the same lines whatever their filter.
pub fn captured(filter: &str) -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        logs
    })
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The whole captured log, as text.
#[allow(dead_code)] // not every binary that captures reads the whole log
pub fn all_logs() -> String {
    String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned()
}

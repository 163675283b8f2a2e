//! Structured logging with `tracing` (text or JSON lines); request spans carry the request id.
//!
//! Lines are written off the request path: each one is appended to a bounded buffer that a
//! thread of its own writes to standard error every [`BATCH`] (or as soon as it holds
//! [`WAKE_AT`] lines), so a request neither waits for a slow terminal or pipe nor wakes a
//! thread per line. When the buffer is full a line is dropped rather than the request slowed;
//! the number dropped is logged with the next batch. Colours are used only when standard error is a terminal. The access log
//! (a line per request, `log.access`) does not even format on the request path: the request
//! queues its fields and the writer thread formats them.

use crate::settings::LogSettings;
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Lines waiting to be written, at most.
const QUEUE: usize = 16 * 1024;
/// How long a line waits at most before it is written.
pub const BATCH: Duration = Duration::from_millis(50);
/// A batch this long is written at once.
const WAKE_AT: usize = 1024;

enum Message {
    Line(Vec<u8>),
    Access(AccessRecord),
    Flush(std::sync::mpsc::Sender<()>),
}

/// One request, as the access log shows it; formatted by the writer thread, not the request.
#[derive(Debug)]
pub struct AccessRecord {
    /// When the request ended.
    pub at: portico_core::Timestamp,
    /// Its id (`X-Request-Id`).
    pub request_id: String,
    /// Method.
    pub method: actix_web::http::Method,
    /// Path (no query string: it may carry search terms).
    pub path: String,
    /// Status.
    pub status: u16,
    /// Microseconds from the first byte in to the response.
    pub elapsed_us: u64,
}

impl AccessRecord {
    fn write(&self, json: bool, out: &mut impl Write) -> std::io::Result<()> {
        let elapsed_ms = self.elapsed_us / 1000;
        if json {
            let line = serde_json::json!({
                "timestamp": self.at.rfc3339(),
                "level": "INFO",
                "target": "portico_gateway::access",
                "message": "request",
                "request_id": self.request_id,
                "method": self.method.as_str(),
                "path": self.path,
                "status": self.status,
                "elapsed_ms": elapsed_ms,
                "elapsed_us": self.elapsed_us,
            });
            writeln!(out, "{line}")
        } else {
            writeln!(
                out,
                "{}  INFO request: request_id={} method={} path={} status={} elapsed_ms={elapsed_ms}",
                self.at.rfc3339(),
                self.request_id,
                self.method,
                self.path,
                self.status
            )
        }
    }
}

/// The buffer in front of the writer thread.
struct Background {
    pending: Mutex<Vec<Message>>,
    /// Signalled when the buffer is long or a flush is asked for.
    wake: Condvar,
    dropped: AtomicU64,
    json: std::sync::atomic::AtomicBool,
}

impl Background {
    /// Appends `message` unless the buffer is full (then it is counted as dropped).
    fn push(&self, message: Message) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if pending.len() >= QUEUE && !matches!(message, Message::Flush(_)) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let urgent = matches!(message, Message::Flush(_));
        pending.push(message);
        if urgent || pending.len() == WAKE_AT {
            self.wake.notify_one();
        }
    }
}

/// Queues an access record (dropped, and counted, when the queue is full).
pub fn access(record: AccessRecord) {
    if let Some(background) = BACKGROUND.get() {
        background.push(Message::Access(record));
    }
}

/// Whether access records are written: `log.access` is on and the filter lets `info` through.
pub fn access_enabled() -> bool {
    ACCESS.load(Ordering::Relaxed) && tracing::enabled!(target: "portico_gateway::access", tracing::Level::INFO)
}

static ACCESS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

static BACKGROUND: OnceLock<Background> = OnceLock::new();

/// One event's bytes, queued when the formatter is done with it.
struct LineWriter {
    line: Vec<u8>,
    background: &'static Background,
}

impl Write for LineWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.line);
        self.background.push(Message::Line(line));
    }
}

/// Hands the formatter a [`LineWriter`] per event.
#[derive(Clone, Copy)]
struct Queued(&'static Background);

impl<'a> MakeWriter<'a> for Queued {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter { line: Vec::with_capacity(256), background: self.0 }
    }
}

fn write_lines(background: &'static Background) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let mut batch = Vec::new();
    loop {
        {
            let pending = background.pending.lock().unwrap_or_else(PoisonError::into_inner);
            let (mut pending, _) = background
                .wake
                .wait_timeout_while(pending, BATCH, |pending| pending.len() < WAKE_AT && !has_flush(pending))
                .unwrap_or_else(PoisonError::into_inner);
            std::mem::swap(&mut *pending, &mut batch);
        }
        let json = background.json.load(Ordering::Relaxed);
        let mut flushed = Vec::new();
        for message in batch.drain(..) {
            match message {
                Message::Line(line) => {
                    let _ = out.write_all(&line);
                }
                Message::Access(record) => {
                    let _ = record.write(json, &mut out);
                }
                Message::Flush(done) => flushed.push(done),
            }
        }
        let dropped = background.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(out, "portico: {dropped} log line(s) dropped: the log output could not keep up");
        }
        let _ = out.flush();
        for done in flushed {
            let _ = done.send(());
        }
    }
}

fn has_flush(pending: &[Message]) -> bool {
    pending.iter().any(|m| matches!(m, Message::Flush(_)))
}

/// Installs the global subscriber once (later calls are ignored, e.g. in tests).
pub fn init(settings: &LogSettings) {
    let mut started = false;
    let background = BACKGROUND.get_or_init(|| {
        started = true;
        Background {
            pending: Mutex::new(Vec::new()),
            wake: Condvar::new(),
            dropped: AtomicU64::new(0),
            json: std::sync::atomic::AtomicBool::new(false),
        }
    });
    background.json.store(settings.format == "json", Ordering::Relaxed);
    ACCESS.store(settings.access, Ordering::Relaxed);
    if started {
        let spawned = std::thread::Builder::new().name("log-writer".into()).spawn(move || write_lines(background));
        if let Err(err) = spawned {
            eprintln!("portico: cannot start the log writer: {err}");
        }
    }
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(Queued(background));
    let result =
        if settings.format == "json" { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
    if result.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
    }
}

/// Writes every queued line before the process exits (waits a second at most).
pub fn flush() {
    if let Some(background) = BACKGROUND.get() {
        let (done, wait) = std::sync::mpsc::channel();
        background.push(Message::Flush(done));
        let _ = wait.recv_timeout(Duration::from_secs(1));
    }
}

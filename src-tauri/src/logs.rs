//! Logging: to a file in the app's log folder, to stderr, and to the UI's log panel.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;
use tauri::{AppHandle, Emitter};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{filter, Layer};

/// Lines kept for a UI that opens its log panel late.
const KEEP_LINES: usize = 500;

/// One line of the log panel.
#[derive(Debug, Clone, Serialize)]
pub struct LogLine {
    pub level: String,
    pub message: String,
}

/// Where log lines go besides the file: a ring buffer and, once the app runs, the UI.
#[derive(Default)]
pub struct LogSink {
    buffer: Mutex<VecDeque<LogLine>>,
    app: OnceLock<AppHandle>,
}

impl LogSink {
    pub fn attach(&self, app: AppHandle) {
        let _ = self.app.set(app);
    }

    pub fn recent(&self) -> Vec<LogLine> {
        self.buffer
            .lock()
            .map(|b| b.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn push(&self, line: LogLine) {
        if let Ok(mut b) = self.buffer.lock() {
            if b.len() == KEEP_LINES {
                b.pop_front();
            }
            b.push_back(line.clone());
        }
        if let Some(app) = self.app.get() {
            let _ = app.emit("slipway://log", line);
        }
    }
}

#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

struct UiLayer(Arc<LogSink>);

impl<S: tracing::Subscriber> Layer<S> for UiLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut text = Text::default();
        event.record(&mut text);
        self.0.push(LogLine {
            level: event.metadata().level().to_string(),
            message: format!("{}{}", text.message, text.fields),
        });
    }
}

/// Starts logging. The returned guard flushes the file when dropped.
pub fn init(log_dir: &Path, sink: Arc<LogSink>) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let ours = filter::filter_fn(|m| m.target().starts_with("slipway"));
    let level = filter::LevelFilter::INFO;
    let (file_layer, guard) = match std::fs::create_dir_all(log_dir) {
        Ok(()) => {
            let (writer, guard) =
                tracing_appender::non_blocking(tracing_appender::rolling::never(log_dir, "slipway.log"));
            let layer = tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_target(false);
            (Some(layer), Some(guard))
        }
        Err(e) => {
            eprintln!(
                "slipway: cannot create the log folder {}: {e}; logging to stderr only",
                log_dir.display()
            );
            (None, None)
        }
    };
    let _ = tracing_subscriber::registry()
        .with(file_layer.with_filter(level).with_filter(ours.clone()))
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false)
                .with_filter(filter::LevelFilter::WARN),
        )
        .with(UiLayer(sink).with_filter(level).with_filter(ours))
        .try_init();
    guard
}

//! Watching the open project: file events, debounced, become one re-analysis.
//!
//! A branch switch or `npm install` fires thousands of events in a second. The watcher waits
//! until the folder has been quiet for a moment (or a burst has lasted too long) and then
//! calls back once. It keeps only a count and a few sample paths, so memory stays flat however
//! many events arrive. Events under `.git`, dependency and build folders are ignored.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher as _};
use slipway_scan::SKIP_DIRS;

/// A burst of changes, after it settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Burst {
    /// Relevant events in the burst.
    pub events: usize,
    /// Up to eight of the changed paths, relative to the root.
    pub sample: Vec<String>,
}

/// A running watch; dropping it stops watching.
pub struct Watch {
    _watcher: notify::RecommendedWatcher,
    stop: Arc<AtomicBool>,
    root: PathBuf,
}

impl Watch {
    /// The folder being watched.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// True when a change at `rel` can change the analysis.
pub fn relevant(rel: &Path) -> bool {
    !rel.components().any(|c| {
        let s = c.as_os_str().to_string_lossy();
        SKIP_DIRS.contains(&s.as_ref()) || s.ends_with(".slipway-tmp") || s.contains(".slipway-") && s.ends_with(".tmp")
    })
}

/// Watches `root` recursively. `on_burst` runs on the watcher's thread once per settled burst:
/// after `quiet` without a relevant event, or after `longest` of continuous events.
pub fn watch(
    root: &Path,
    quiet: Duration,
    longest: Duration,
    on_burst: impl Fn(Burst) + Send + 'static,
) -> notify::Result<Watch> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let (tx, rx) = channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher.watch(&root, RecursiveMode::Recursive)?;
    let stop = Arc::new(AtomicBool::new(false));
    let (halt, base) = (stop.clone(), root.clone());
    std::thread::Builder::new()
        .name("slipway-watch".into())
        .spawn(move || {
            let rel = |p: &Path| p.strip_prefix(&base).unwrap_or(p).to_path_buf();
            let mut burst: Option<(Instant, Burst)> = None;
            loop {
                if halt.load(Ordering::SeqCst) {
                    return;
                }
                let wait = match &burst {
                    Some(_) => quiet,
                    None => Duration::from_millis(250),
                };
                match rx.recv_timeout(wait) {
                    Ok(Ok(event)) => {
                        // Reads (including Slipway's own analysis) change nothing.
                        if matches!(event.kind, notify::EventKind::Access(_)) {
                            continue;
                        }
                        // An overflowed queue (no paths) counts: something changed.
                        let paths: Vec<PathBuf> = event.paths.iter().map(|p| rel(p)).collect();
                        let hits: Vec<&PathBuf> = paths.iter().filter(|p| relevant(p)).collect();
                        if hits.is_empty() && !event.need_rescan() {
                            continue;
                        }
                        let (_, b) = burst.get_or_insert_with(|| {
                            (
                                Instant::now(),
                                Burst {
                                    events: 0,
                                    sample: Vec::new(),
                                },
                            )
                        });
                        b.events += 1;
                        for p in hits {
                            if b.sample.len() < 8 {
                                let s = p.to_string_lossy().replace('\\', "/");
                                if !b.sample.contains(&s) {
                                    b.sample.push(s);
                                }
                            }
                        }
                        let started = burst.as_ref().map(|(t, _)| *t).unwrap_or_else(Instant::now);
                        if started.elapsed() >= longest {
                            if let Some((_, b)) = burst.take() {
                                on_burst(b);
                            }
                        }
                    }
                    Ok(Err(e)) => tracing::warn!("watching the project: {e}"),
                    Err(RecvTimeoutError::Timeout) => {
                        if let Some((_, b)) = burst.take() {
                            on_burst(b);
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        })
        .map_err(|e| notify::Error::generic(&e.to_string()))?;
    Ok(Watch {
        _watcher: watcher,
        stop,
        root,
    })
}

//! One running Slipway per user: the first instance listens on a Unix socket in its data
//! folder; a later launch sends it the folder to open (or nothing, to bring the window up) and
//! exits.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use tauri::{AppHandle, Emitter, Manager};

use crate::AppState;

/// What this launch is.
pub enum Claim {
    /// Another instance runs and got our folder: exit.
    HandedOver,
    /// We are the first (the listener is `None` when the socket could not be made; the app
    /// then runs without the hand-over).
    First(Option<UnixListener>),
}

/// `$XDG_DATA_HOME/dev.slipway.desktop/instance.sock` (the app's own data folder).
fn socket_path() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("dev.slipway.desktop").join("instance.sock"))
}

/// Hands `folder` to a running instance, or claims the socket.
pub fn claim(folder: Option<&Path>) -> Claim {
    let Some(sock) = socket_path() else {
        return Claim::First(None);
    };
    if let Ok(mut stream) = UnixStream::connect(&sock) {
        let folder = folder
            .map(|f| std::fs::canonicalize(f).unwrap_or_else(|_| f.to_path_buf()))
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        if writeln!(stream, "{folder}").is_ok() {
            eprintln!("Slipway is already running; the folder was handed to its window.");
            return Claim::HandedOver;
        }
    }
    // No one answers: a socket left by a crash is replaced.
    let _ = std::fs::remove_file(&sock);
    if let Some(dir) = sock.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match UnixListener::bind(&sock) {
        Ok(l) => Claim::First(Some(l)),
        Err(e) => {
            eprintln!(
                "Slipway could not claim {}: {e}; a second launch will open a second window",
                sock.display()
            );
            Claim::First(None)
        }
    }
}

/// Removes the socket when the app ends.
pub fn release() {
    if let Some(sock) = socket_path() {
        let _ = std::fs::remove_file(sock);
    }
}

/// Opens folders handed over by later launches, and brings the window forward.
pub fn serve(app: AppHandle, listener: UnixListener) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut line = String::new();
            if BufReader::new(stream).read_line(&mut line).is_err() {
                continue;
            }
            let folder = line.trim().to_string();
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
            if folder.is_empty() {
                continue;
            }
            tracing::info!(folder, "a second launch handed over a folder");
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let state = app.state::<AppState>();
                match crate::commands::open(PathBuf::from(folder), &app, &state).await {
                    Ok(profile) => {
                        let _ = app.emit("slipway://project", profile);
                    }
                    Err(e) => {
                        let _ = app.emit("slipway://project-error", e);
                    }
                }
            });
        }
    });
}

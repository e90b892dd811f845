//! The window opens where and as large as it was when last used.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager, PhysicalPosition, PhysicalSize, Window};

use crate::prefs::{Prefs, WindowPlace};

static LAST_SAVE: Mutex<Option<Instant>> = Mutex::new(None);

/// Saves the window's place (at most every 300 ms while it is being dragged or resized).
pub fn remember(window: &Window) {
    {
        let mut last = LAST_SAVE.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(300)) {
            return;
        }
        *last = Some(Instant::now());
    }
    let (Ok(pos), Ok(size)) = (window.outer_position(), window.inner_size()) else {
        return;
    };
    let maximized = window.is_maximized().unwrap_or(false);
    let Ok(path) = crate::commands::prefs_path(window.app_handle()) else {
        return;
    };
    let mut prefs = Prefs::load(&path);
    let place = WindowPlace {
        x: pos.x,
        y: pos.y,
        width: size.width,
        height: size.height,
        maximized,
    };
    if prefs.window != Some(place) {
        prefs.window = Some(place);
        prefs.save(&path);
    }
}

/// Puts the main window back where it was.
pub fn restore(app: &AppHandle) {
    let Ok(path) = crate::commands::prefs_path(app) else {
        return;
    };
    let Some(place) = Prefs::load(&path).window else {
        return;
    };
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    if place.width >= 400 && place.height >= 300 {
        let _ = w.set_size(PhysicalSize::new(place.width, place.height));
    }
    // Only onto a monitor that still shows it.
    let visible = w.available_monitors().unwrap_or_default().iter().any(|m| {
        let (p, s) = (m.position(), m.size());
        place.x >= p.x && place.y >= p.y && place.x < p.x + s.width as i32 && place.y < p.y + s.height as i32
    });
    if visible {
        let _ = w.set_position(PhysicalPosition::new(place.x, place.y));
    }
    if place.maximized {
        let _ = w.maximize();
    }
}

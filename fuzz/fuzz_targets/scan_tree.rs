//! Several files in several folders: input is split on 0xFF; each part's first byte picks the
//! file name and the second the folder, so workspaces, nesting and cross-file reads are reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slipway_scan::{scan_view, ProjectView};

#[path = "names.rs"]
mod names;

const FOLDERS: &[&str] = &["", "apps/web", "apps/api", "packages/ui", "services/a", "crates/core", "a/b/c"];

fuzz_target!(|data: &[u8]| {
    let mut files = Vec::new();
    for part in data.split(|b| *b == 0xff).take(12) {
        if part.len() < 2 {
            continue;
        }
        let name = names::NAMES[part[0] as usize % names::NAMES.len()];
        let folder = FOLDERS[part[1] as usize % FOLDERS.len()];
        let path = if folder.is_empty() { name.to_string() } else { format!("{folder}/{name}") };
        files.push((path, part[2..].to_vec()));
    }
    let view = ProjectView::in_memory(files);
    let _ = scan_view(&view, Vec::new());
});

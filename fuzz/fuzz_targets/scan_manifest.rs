//! One manifest with arbitrary bytes: the first byte picks which file it is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slipway_scan::{scan_view, ProjectView};

#[path = "names.rs"]
mod names;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else { return };
    let name = names::NAMES[pick as usize % names::NAMES.len()];
    let view = ProjectView::in_memory([(name.to_string(), content.to_vec())]);
    let _ = scan_view(&view, Vec::new());
});

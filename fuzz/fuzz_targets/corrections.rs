//! slipway.toml as arbitrary text beside a real service: corrections must never panic the scan.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slipway_scan::{scan_view, ProjectView};

const PACKAGE: &[u8] = br#"{"name":"api","scripts":{"start":"node server.js"},"dependencies":{"express":"5"}}"#;

fuzz_target!(|data: &[u8]| {
    let view = ProjectView::in_memory([
        ("package.json".to_string(), PACKAGE.to_vec()),
        ("apps/web/package.json".to_string(), PACKAGE.to_vec()),
        ("slipway.toml".to_string(), data.to_vec()),
    ]);
    let _ = scan_view(&view, Vec::new());
});

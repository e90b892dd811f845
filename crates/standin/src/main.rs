//! `slipway-standin SCRIPT.json [RECORD.jsonl]`: serves a scripted conversation on 127.0.0.1
//! for end-to-end tests, prints `http://127.0.0.1:PORT` on the first line of stdout, and
//! appends every request it receives to RECORD.jsonl.
//!
//! The script is a JSON array. Each entry is either a raw reply (`status`, `headers`, `chunks`,
//! `delay_ms`, `hang_ms`, `cut`) or a model turn in a provider's shape:
//! `{"openai": {"text": "…", "calls": [["id", "tool", "{…args…}"]]}}` or the same with
//! `"anthropic"`, optionally with `delay_ms`, `hang_ms` and `cut` beside the turn.

use std::io::Write as _;
use std::time::Duration;

use serde_json::Value;
use slipway_standin::{anthropic_turn, openai_turn, Reply, Server};

fn reply(entry: &Value) -> Result<Reply, String> {
    for (key, build) in [
        (
            "openai",
            openai_turn as fn(&str, &[slipway_standin::Call], (u64, u64)) -> Reply,
        ),
        ("anthropic", anthropic_turn),
    ] {
        if let Some(turn) = entry.get(key) {
            let text = turn.get("text").and_then(Value::as_str).unwrap_or("");
            let calls: Vec<(String, String, String)> = turn
                .get("calls")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|c| {
                            let s = |i: usize| c.get(i).and_then(Value::as_str).unwrap_or("").to_string();
                            (s(0), s(1), s(2))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let calls: Vec<slipway_standin::Call> = calls
                .iter()
                .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
                .collect();
            let mut reply = build(text, &calls, (100, 20));
            // Timing and cutting apply to model turns as to raw replies.
            let num = |k: &str| entry.get(k).and_then(Value::as_u64).unwrap_or(0);
            reply.delay_ms = num("delay_ms");
            reply.hang_ms = num("hang_ms");
            reply.cut = entry.get("cut").and_then(Value::as_bool).unwrap_or(false);
            return Ok(reply);
        }
    }
    serde_json::from_value(entry.clone()).map_err(|e| format!("bad script entry {entry}: {e}"))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(script_path) = args.next() else {
        eprintln!("usage: slipway-standin SCRIPT.json [RECORD.jsonl]");
        std::process::exit(2);
    };
    let record = args.next();
    let text = std::fs::read_to_string(&script_path).unwrap_or_else(|e| {
        eprintln!("slipway-standin: cannot read {script_path}: {e}");
        std::process::exit(2)
    });
    let entries: Vec<Value> = serde_json::from_str(&text).unwrap_or_else(|e| {
        eprintln!("slipway-standin: {script_path} is not a JSON array: {e}");
        std::process::exit(2)
    });
    let script: Vec<Reply> = entries.iter().map(reply).collect::<Result<_, _>>().unwrap_or_else(|e| {
        eprintln!("slipway-standin: {e}");
        std::process::exit(2)
    });
    let server = Server::start(script).unwrap_or_else(|e| {
        eprintln!("slipway-standin: cannot listen on 127.0.0.1: {e}");
        std::process::exit(1)
    });
    println!("{}", server.url());
    let _ = std::io::stdout().flush();
    let mut seen = 0;
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let all = server.requests();
        if let Some(path) = &record {
            if all.len() > seen {
                if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                    for r in &all[seen..] {
                        let _ = writeln!(f, "{}", serde_json::to_string(r).unwrap_or_default());
                    }
                }
            }
        }
        seen = all.len();
    }
}

//! Stand-ins for services that sit beyond this machine: LLM providers and documentation
//! services. Each speaks the real wire protocol over HTTP/1.1 on 127.0.0.1 and plays a script:
//! the n-th request gets the n-th reply (the last reply repeats once the script runs out).
//! Every request is recorded (method, path, headers, body) so tests can check what was sent.
//!
//! Replies stream their body in chunks with `Transfer-Encoding: chunked`, so a reply can be
//! slow, paused, or cut off midway exactly as a real connection can.
#![deny(missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// One scripted reply.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Reply {
    /// HTTP status.
    #[serde(default = "ok")]
    pub status: u16,
    /// Extra headers.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Body pieces, each written and flushed on its own.
    #[serde(default)]
    pub chunks: Vec<String>,
    /// Pause before each piece, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    /// Pause after the headers before anything else, in milliseconds (a slow server).
    #[serde(default)]
    pub hang_ms: u64,
    /// Close the connection after the pieces without ending the body (a cut stream).
    #[serde(default)]
    pub cut: bool,
}

fn ok() -> u16 {
    200
}

/// A request as received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recorded {
    /// `POST`, `GET`…
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers, names in lowercase.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Recorded {
    /// The first header called `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    /// The body parsed as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A running stand-in. Dropping it stops the server.
pub struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serves `script` on a free port of 127.0.0.1.
    pub fn start(script: Vec<Reply>) -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let requests: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (reqs, halt) = (requests.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (reqs, script) = (reqs.clone(), script.clone());
                thread::spawn(move || {
                    let _ = serve(stream, &reqs, &script);
                });
            }
        });
        Ok(Server { addr, requests, stop })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, requests: &Mutex<Vec<Recorded>>, script: &[Reply]) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(());
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            }
            headers.push((k, v));
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    let index = {
        let mut all = requests.lock().unwrap_or_else(|p| p.into_inner());
        all.push(Recorded {
            method,
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        all.len() - 1
    };
    let Some(reply) = script.get(index).or(script.last()) else {
        return Ok(());
    };
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status)
    );
    let has_type = reply
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if !has_type {
        head.push_str(if reply.status == 200 {
            "Content-Type: text/event-stream\r\n"
        } else {
            "Content-Type: application/json\r\n"
        });
    }
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.flush()?;
    if reply.hang_ms > 0 {
        thread::sleep(Duration::from_millis(reply.hang_ms));
    }
    for c in &reply.chunks {
        if reply.delay_ms > 0 {
            thread::sleep(Duration::from_millis(reply.delay_ms));
        }
        out.write_all(format!("{:x}\r\n{c}\r\n", c.len()).as_bytes())?;
        out.flush()?;
    }
    if !reply.cut {
        out.write_all(b"0\r\n\r\n")?;
    }
    out.flush()?;
    let _ = out.shutdown(std::net::Shutdown::Both);
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        529 => "Overloaded",
        _ => "Status",
    }
}

/// A tool call a scripted model makes: its id, the tool's name and the raw argument text (which
/// may be deliberately malformed).
pub type Call<'a> = (&'a str, &'a str, &'a str);

fn halves(s: &str) -> (&str, &str) {
    let mut mid = s.len() / 2;
    while !s.is_char_boundary(mid) {
        mid -= 1;
    }
    s.split_at(mid)
}

fn sse_data(v: &Value) -> String {
    format!("data: {v}\n\n")
}

/// An OpenAI-compatible chat-completions stream: the text in two pieces, then each tool call
/// with its arguments split in two, the finish reason, the usage, and `[DONE]`.
pub fn openai_turn(text: &str, calls: &[Call], usage: (u64, u64)) -> Reply {
    let chunk = |delta: Value, finish: Value| {
        sse_data(
            &json!({"id": "chatcmpl-standin", "object": "chat.completion.chunk", "model": "standin",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}),
        )
    };
    let mut chunks = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null)];
    if !text.is_empty() {
        let (a, b) = halves(text);
        chunks.push(chunk(json!({"content": a}), Value::Null));
        chunks.push(chunk(json!({"content": b}), Value::Null));
    }
    for (i, (id, name, args)) in calls.iter().enumerate() {
        let (a, b) = halves(args);
        chunks.push(chunk(
            json!({"tool_calls": [{"index": i, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}),
            Value::Null,
        ));
        for part in [a, b] {
            chunks.push(chunk(
                json!({"tool_calls": [{"index": i, "function": {"arguments": part}}]}),
                Value::Null,
            ));
        }
    }
    let finish = if calls.is_empty() { "stop" } else { "tool_calls" };
    chunks.push(chunk(json!({}), json!(finish)));
    chunks.push(sse_data(
        &json!({"id": "chatcmpl-standin", "object": "chat.completion.chunk", "choices": [],
        "usage": {"prompt_tokens": usage.0, "completion_tokens": usage.1, "total_tokens": usage.0 + usage.1}}),
    ));
    chunks.push("data: [DONE]\n\n".into());
    Reply {
        status: 200,
        chunks,
        ..Reply::default()
    }
}

fn event(name: &str, v: Value) -> String {
    format!("event: {name}\ndata: {v}\n\n")
}

/// An Anthropic Messages stream: `message_start`, a text block, one `tool_use` block per call
/// with its input JSON split in two, `message_delta` with the stop reason, and `message_stop`.
pub fn anthropic_turn(text: &str, calls: &[Call], usage: (u64, u64)) -> Reply {
    let mut chunks = vec![event(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_standin", "type": "message", "role": "assistant",
            "content": [], "model": "standin", "stop_reason": null,
            "usage": {"input_tokens": usage.0, "output_tokens": 1}}}),
    )];
    chunks.push(event("ping", json!({"type": "ping"})));
    let mut index = 0;
    if !text.is_empty() {
        let (a, b) = halves(text);
        chunks.push(event(
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}),
        ));
        for part in [a, b] {
            chunks.push(event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": part}}),
            ));
        }
        chunks.push(event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
        index += 1;
    }
    for (id, name, args) in calls {
        let (a, b) = halves(args);
        chunks.push(event(
            "content_block_start",
            json!({"type": "content_block_start", "index": index,
            "content_block": {"type": "tool_use", "id": id, "name": name, "input": {}}}),
        ));
        for part in [a, b] {
            chunks.push(event("content_block_delta", json!({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": part}})));
        }
        chunks.push(event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
        index += 1;
    }
    let stop = if calls.is_empty() { "end_turn" } else { "tool_use" };
    chunks.push(event("message_delta", json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": usage.1}})));
    chunks.push(event("message_stop", json!({"type": "message_stop"})));
    Reply {
        status: 200,
        chunks,
        ..Reply::default()
    }
}

/// An error reply with a JSON body in the provider's shape and optional `Retry-After`.
pub fn error(status: u16, message: &str, retry_after: Option<&str>) -> Reply {
    Reply {
        status,
        headers: retry_after
            .map(|r| vec![("Retry-After".to_string(), r.to_string())])
            .unwrap_or_default(),
        chunks: vec![json!({"error": {"type": "standin_error", "message": message}}).to_string()],
        ..Reply::default()
    }
}

/// A JSON reply (documentation services).
pub fn json_reply(body: &Value) -> Reply {
    Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        chunks: vec![body.to_string()],
        ..Reply::default()
    }
}

/// A plain-text reply (documentation services).
pub fn text_reply(body: &str) -> Reply {
    Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        chunks: vec![body.to_string()],
        ..Reply::default()
    }
}

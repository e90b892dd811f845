//! OpenAI-compatible chat completions: the request body and the stream's assembly.

use serde_json::{json, Value};

use crate::sse::Event;
use crate::{Message, StopReason, ToolCall, ToolSpec, Turn, Usage};

/// The request body for one turn.
pub(crate) fn body(model: &str, system: &str, messages: &[Message], tools: &[ToolSpec], max_tokens: u32) -> Value {
    let mut out = vec![json!({"role": "system", "content": system})];
    for m in messages {
        match m {
            Message::User(text) => out.push(json!({"role": "user", "content": text})),
            Message::Assistant { text, calls } => {
                let mut msg =
                    json!({"role": "assistant", "content": if text.is_empty() { Value::Null } else { json!(text) }});
                if !calls.is_empty() {
                    msg["tool_calls"] = calls
                        .iter()
                        .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
                        .collect();
                }
                out.push(msg);
            }
            Message::ToolResults(results) => {
                for r in results {
                    out.push(json!({"role": "tool", "tool_call_id": r.id, "content": r.content}));
                }
            }
        }
    }
    let tools: Vec<Value> = tools
        .iter()
        .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
        .collect();
    json!({
        "model": model,
        "messages": out,
        "tools": tools,
        "stream": true,
        "stream_options": {"include_usage": true},
        "max_tokens": max_tokens,
    })
}

/// Builds a turn from the stream's chunks.
#[derive(Debug, Default)]
pub(crate) struct Assembler {
    text: String,
    calls: Vec<ToolCall>,
    finish: Option<String>,
    usage: Usage,
    done: bool,
}

impl Assembler {
    pub fn event(&mut self, e: &Event) -> Result<(), super::client::StreamError> {
        if e.data.trim() == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        let v: Value = serde_json::from_str(&e.data).map_err(|err| {
            super::client::StreamError::Fatal(format!("a chunk was not JSON ({err}): {}", short(&e.data)))
        })?;
        if let Some(err) = v.get("error") {
            let msg = err.get("message").and_then(Value::as_str).unwrap_or("unknown error");
            return Err(super::client::StreamError::Transient(format!(
                "the stream reported an error: {msg}"
            )));
        }
        if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
            self.usage.input_tokens = u.get("prompt_tokens").and_then(Value::as_u64).unwrap_or(0);
            self.usage.output_tokens = u.get("completion_tokens").and_then(Value::as_u64).unwrap_or(0);
        }
        for choice in v.get("choices").and_then(Value::as_array).into_iter().flatten() {
            let delta = &choice["delta"];
            if let Some(t) = delta.get("content").and_then(Value::as_str) {
                self.text.push_str(t);
            }
            for tc in delta.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
                let index = tc
                    .get("index")
                    .and_then(Value::as_u64)
                    .unwrap_or(self.calls.len() as u64) as usize;
                while self.calls.len() <= index {
                    self.calls.push(ToolCall {
                        id: String::new(),
                        name: String::new(),
                        arguments: String::new(),
                    });
                }
                let call = &mut self.calls[index];
                if let Some(id) = tc.get("id").and_then(Value::as_str) {
                    call.id = id.to_string();
                }
                if let Some(f) = tc.get("function") {
                    if let Some(n) = f.get("name").and_then(Value::as_str) {
                        call.name.push_str(n);
                    }
                    if let Some(a) = f.get("arguments").and_then(Value::as_str) {
                        call.arguments.push_str(a);
                    }
                }
            }
            if let Some(f) = choice.get("finish_reason").and_then(Value::as_str) {
                self.finish = Some(f.to_string());
            }
        }
        Ok(())
    }

    /// True once the stream said it is complete.
    pub fn complete(&self) -> bool {
        self.done
    }

    /// The turn, when the stream got far enough: `[DONE]`, or a finish reason (some servers
    /// close without `[DONE]`).
    pub fn finish(mut self) -> Option<Turn> {
        let finish = self.finish.clone()?;
        for (i, c) in self.calls.iter_mut().enumerate() {
            if c.id.is_empty() {
                c.id = format!("call_{i}");
            }
        }
        let stop = match finish.as_str() {
            "stop" => StopReason::End,
            "tool_calls" | "function_call" => StopReason::ToolUse,
            "length" => StopReason::MaxTokens,
            _ if !self.calls.is_empty() => StopReason::ToolUse,
            _ => StopReason::Other,
        };
        self.usage.requests = 1;
        Some(Turn {
            text: self.text,
            calls: self.calls,
            stop,
            usage: self.usage,
        })
    }
}

pub(crate) fn short(s: &str) -> String {
    if s.chars().count() > 200 {
        s.chars().take(200).collect::<String>() + "…"
    } else {
        s.to_string()
    }
}

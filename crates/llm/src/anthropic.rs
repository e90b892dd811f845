//! Anthropic Messages: the request body and the stream's assembly.

use serde_json::{json, Value};

use crate::client::StreamError;
use crate::openai::short;
use crate::sse::Event;
use crate::{Message, StopReason, ToolCall, ToolSpec, Turn, Usage};

/// The API version Slipway speaks.
pub(crate) const VERSION: &str = "2023-06-01";

/// The request body for one turn.
pub(crate) fn body(model: &str, system: &str, messages: &[Message], tools: &[ToolSpec], max_tokens: u32) -> Value {
    let mut out: Vec<Value> = Vec::new();
    for m in messages {
        match m {
            Message::User(text) => out.push(json!({"role": "user", "content": text})),
            Message::Assistant { text, calls } => {
                let mut content = Vec::new();
                if !text.is_empty() {
                    content.push(json!({"type": "text", "text": text}));
                }
                for c in calls {
                    // The input must be an object; malformed arguments go back as an empty
                    // one (the tool result already told the model what was wrong).
                    let input: Value = serde_json::from_str(&c.arguments)
                        .ok()
                        .filter(Value::is_object)
                        .unwrap_or_else(|| json!({}));
                    content.push(json!({"type": "tool_use", "id": c.id, "name": c.name, "input": input}));
                }
                if content.is_empty() {
                    content.push(json!({"type": "text", "text": "(no text)"}));
                }
                out.push(json!({"role": "assistant", "content": content}));
            }
            Message::ToolResults(results) => {
                let content: Vec<Value> = results
                    .iter()
                    .map(|r| json!({"type": "tool_result", "tool_use_id": r.id, "content": r.content, "is_error": r.is_error}))
                    .collect();
                out.push(json!({"role": "user", "content": content}));
            }
        }
    }
    let tools: Vec<Value> = tools
        .iter()
        .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
        .collect();
    json!({
        "model": model,
        "max_tokens": max_tokens,
        "system": system,
        "messages": out,
        "tools": tools,
        "stream": true,
    })
}

enum Block {
    Text,
    Tool(usize),
    Other,
}

/// Builds a turn from the stream's events.
#[derive(Default)]
pub(crate) struct Assembler {
    text: String,
    calls: Vec<ToolCall>,
    blocks: Vec<(u64, Block)>,
    stop: Option<String>,
    usage: Usage,
    done: bool,
}

impl Assembler {
    pub fn event(&mut self, e: &Event) -> Result<(), StreamError> {
        let v: Value = serde_json::from_str(&e.data)
            .map_err(|err| StreamError::Fatal(format!("an event was not JSON ({err}): {}", short(&e.data))))?;
        let kind = v.get("type").and_then(Value::as_str).unwrap_or(e.name.as_str());
        match kind {
            "message_start" => {
                let u = &v["message"]["usage"];
                self.usage.input_tokens = u["input_tokens"].as_u64().unwrap_or(0)
                    + u["cache_read_input_tokens"].as_u64().unwrap_or(0)
                    + u["cache_creation_input_tokens"].as_u64().unwrap_or(0);
                self.usage.output_tokens = u["output_tokens"].as_u64().unwrap_or(0);
            }
            "content_block_start" => {
                let index = v["index"].as_u64().unwrap_or(0);
                let block = &v["content_block"];
                let b = match block["type"].as_str() {
                    Some("text") => {
                        self.text.push_str(block["text"].as_str().unwrap_or(""));
                        Block::Text
                    }
                    Some("tool_use") => {
                        self.calls.push(ToolCall {
                            id: block["id"].as_str().unwrap_or("").to_string(),
                            name: block["name"].as_str().unwrap_or("").to_string(),
                            arguments: String::new(),
                        });
                        Block::Tool(self.calls.len() - 1)
                    }
                    _ => Block::Other,
                };
                self.blocks.push((index, b));
            }
            "content_block_delta" => {
                let index = v["index"].as_u64().unwrap_or(0);
                let delta = &v["delta"];
                match self.blocks.iter().find(|(i, _)| *i == index).map(|(_, b)| b) {
                    Some(Block::Text) => self.text.push_str(delta["text"].as_str().unwrap_or("")),
                    Some(Block::Tool(c)) => {
                        let c = *c;
                        self.calls[c]
                            .arguments
                            .push_str(delta["partial_json"].as_str().unwrap_or(""))
                    }
                    _ => {}
                }
            }
            "message_delta" => {
                if let Some(s) = v["delta"]["stop_reason"].as_str() {
                    self.stop = Some(s.to_string());
                }
                if let Some(o) = v["usage"]["output_tokens"].as_u64() {
                    self.usage.output_tokens = o;
                }
            }
            "message_stop" => self.done = true,
            "error" => {
                let err = &v["error"];
                let msg = format!(
                    "{}: {}",
                    err["type"].as_str().unwrap_or("error"),
                    err["message"].as_str().unwrap_or("unknown error")
                );
                return Err(StreamError::Transient(format!("the stream reported {msg}")));
            }
            _ => {} // ping and future event types
        }
        Ok(())
    }

    /// True once `message_stop` arrived.
    pub fn complete(&self) -> bool {
        self.done
    }

    /// The turn, when the stream was complete.
    pub fn finish(mut self) -> Option<Turn> {
        if !self.done {
            return None;
        }
        for c in &mut self.calls {
            if c.arguments.trim().is_empty() {
                c.arguments = "{}".into();
            }
        }
        let stop = match self.stop.as_deref() {
            Some("end_turn") | Some("stop_sequence") => StopReason::End,
            Some("tool_use") => StopReason::ToolUse,
            Some("max_tokens") => StopReason::MaxTokens,
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

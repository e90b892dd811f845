//! Server-sent events: splits a byte stream into `(event, data)` pairs.

/// One event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    /// The `event:` field (`message` when absent).
    pub name: String,
    /// The `data:` lines joined with newlines.
    pub data: String,
}

/// Collects bytes and hands out complete events.
#[derive(Debug, Default)]
pub(crate) struct Parser {
    buf: Vec<u8>,
    name: Option<String>,
    data: Vec<String>,
}

impl Parser {
    /// Adds bytes and returns the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(nl) = self.buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=nl).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() {
                    out.push(Event {
                        name: self.name.take().unwrap_or_else(|| "message".into()),
                        data: self.data.join("\n"),
                    });
                }
                self.name = None;
                self.data.clear();
                continue;
            }
            if line.starts_with(':') {
                continue; // a comment, often a keep-alive
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line, ""),
            };
            match field {
                "event" => self.name = Some(value.to_string()),
                "data" => self.data.push(value.to_string()),
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_and_lines() {
        let mut p = Parser::default();
        assert!(p.push(b"event: ping\nda").is_empty());
        let e = p.push(b"ta: {\"a\":1}\r\n\r\n: keep-alive\n\ndata: x\ndata: y\n\n");
        assert_eq!(
            e,
            vec![
                Event {
                    name: "ping".into(),
                    data: "{\"a\":1}".into()
                },
                Event {
                    name: "message".into(),
                    data: "x\ny".into()
                }
            ]
        );
    }
}

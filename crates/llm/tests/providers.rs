//! The providers against local stand-ins that speak the real wire protocols over HTTP.

use std::time::{Duration, Instant};

use serde_json::json;
use slipway_llm::{
    Cancel, Client, DocsService, Limits, LlmError, Message, ProviderConfig, ProviderKind, Secret, StopReason,
    ToolResult, ToolSpec,
};
use slipway_standin::{anthropic_turn, error, json_reply, openai_turn, text_reply, Reply, Server};

const KEY: &str = "sk-test-0123456789abcdef";

fn limits() -> Limits {
    Limits {
        attempts: 3,
        backoff: Duration::from_millis(20),
        max_wait: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        max_output_tokens: 1000,
    }
}

fn client(kind: ProviderKind, server: &Server, limits: Limits) -> Client {
    let base = match kind {
        ProviderKind::OpenAi => format!("{}/v1", server.url()),
        ProviderKind::Anthropic => server.url(),
    };
    Client::new(ProviderConfig {
        kind,
        base_url: base,
        model: "standin-model".into(),
        key: Secret::new(KEY),
        limits,
    })
    .expect("valid settings")
}

fn tools() -> Vec<ToolSpec> {
    vec![ToolSpec {
        name: "read_file".into(),
        description: "Read a file".into(),
        parameters: json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}),
    }]
}

fn conversation() -> Vec<Message> {
    vec![
        Message::User("containerize it".into()),
        Message::Assistant {
            text: "Reading.".into(),
            calls: vec![slipway_llm::ToolCall {
                id: "call_0".into(),
                name: "read_file".into(),
                arguments: r#"{"path":"package.json"}"#.into(),
            }],
        },
        Message::ToolResults(vec![ToolResult {
            id: "call_0".into(),
            content: "{\"name\":\"web\"}".into(),
            is_error: false,
        }]),
    ]
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn openai_stream_is_assembled_and_the_key_only_travels_in_the_header() {
    let server = Server::start(vec![openai_turn(
        "Let me look at the manifest.",
        &[("call_1", "read_file", r#"{"path": "package.json"}"#)],
        (120, 30),
    )])
    .unwrap();
    let c = client(ProviderKind::OpenAi, &server, limits());
    let turn = rt()
        .block_on(c.turn("system words", &conversation(), &tools(), &Cancel::new()))
        .unwrap();
    assert_eq!(turn.text, "Let me look at the manifest.");
    assert_eq!(turn.calls.len(), 1);
    assert_eq!(turn.calls[0].id, "call_1");
    assert_eq!(turn.calls[0].name, "read_file");
    assert_eq!(turn.calls[0].arguments, r#"{"path": "package.json"}"#);
    assert_eq!(turn.stop, StopReason::ToolUse);
    assert_eq!(
        (turn.usage.input_tokens, turn.usage.output_tokens, turn.usage.requests),
        (120, 30, 1)
    );

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/v1/chat/completions");
    assert_eq!(r.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert!(!r.body.contains(KEY), "the key is never in a body");
    let body = r.json();
    assert_eq!(body["model"], "standin-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][2]["tool_calls"][0]["function"]["name"], "read_file");
    assert_eq!(body["messages"][3]["role"], "tool");
    assert_eq!(body["messages"][3]["tool_call_id"], "call_0");
    assert_eq!(body["tools"][0]["function"]["name"], "read_file");
}

#[test]
fn anthropic_stream_is_assembled_with_its_own_headers_and_blocks() {
    let server = Server::start(vec![anthropic_turn(
        "Reading the manifest.",
        &[("toolu_1", "read_file", r#"{"path": "package.json"}"#)],
        (200, 40),
    )])
    .unwrap();
    let c = client(ProviderKind::Anthropic, &server, limits());
    let turn = rt()
        .block_on(c.turn("system words", &conversation(), &tools(), &Cancel::new()))
        .unwrap();
    assert_eq!(turn.text, "Reading the manifest.");
    assert_eq!(turn.calls[0].id, "toolu_1");
    assert_eq!(turn.calls[0].arguments, r#"{"path": "package.json"}"#);
    assert_eq!(turn.stop, StopReason::ToolUse);
    assert_eq!((turn.usage.input_tokens, turn.usage.output_tokens), (200, 40));

    let r = &server.requests()[0];
    assert_eq!(r.path, "/v1/messages");
    assert_eq!(r.header("x-api-key"), Some(KEY));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(r.header("authorization"), None);
    assert!(!r.body.contains(KEY));
    let body = r.json();
    assert_eq!(body["system"], "system words");
    assert_eq!(body["messages"][1]["content"][1]["type"], "tool_use");
    assert_eq!(body["messages"][2]["content"][0]["type"], "tool_result");
    assert_eq!(body["messages"][2]["content"][0]["tool_use_id"], "call_0");
    assert_eq!(body["tools"][0]["input_schema"]["required"][0], "path");
}

#[test]
fn a_429_is_retried_after_the_wait_the_provider_asks_for() {
    for kind in [ProviderKind::OpenAi, ProviderKind::Anthropic] {
        let ok = match kind {
            ProviderKind::OpenAi => openai_turn("done", &[], (10, 2)),
            ProviderKind::Anthropic => anthropic_turn("done", &[], (10, 2)),
        };
        let server = Server::start(vec![error(429, "slow down", Some("1")), ok]).unwrap();
        // A backoff of 30 s would show if Retry-After were ignored.
        let c = client(
            kind,
            &server,
            Limits {
                backoff: Duration::from_secs(30),
                max_wait: Duration::from_secs(60),
                ..limits()
            },
        );
        let started = Instant::now();
        let turn = rt()
            .block_on(c.turn("s", &[Message::User("hi".into())], &[], &Cancel::new()))
            .unwrap();
        let waited = started.elapsed();
        assert_eq!(turn.text, "done");
        assert_eq!(turn.stop, StopReason::End);
        assert_eq!(turn.usage.requests, 2, "the refused request counts");
        assert_eq!(server.requests().len(), 2);
        assert!(
            waited >= Duration::from_millis(900) && waited < Duration::from_secs(10),
            "waited {waited:?} for Retry-After: 1"
        );
    }
}

#[test]
fn server_errors_until_giving_up_end_in_words() {
    let server = Server::start(vec![error(500, "the model is on fire", None)]).unwrap();
    let c = client(ProviderKind::OpenAi, &server, limits());
    let err = rt()
        .block_on(c.turn("s", &[Message::User("hi".into())], &[], &Cancel::new()))
        .unwrap_err();
    assert_eq!(server.requests().len(), 3, "exactly the configured attempts");
    match &err {
        LlmError::GaveUp { attempts, last, .. } => {
            assert_eq!(*attempts, 3);
            assert!(
                last.contains("HTTP 500") && last.contains("the model is on fire"),
                "{last}"
            );
        }
        other => panic!("expected GaveUp, got {other:?}"),
    }
    let words = err.to_string();
    assert!(words.contains("failed 3 times in a row"), "{words}");
}

#[test]
fn a_refused_key_is_not_retried() {
    let server = Server::start(vec![error(401, "invalid x-api-key", None)]).unwrap();
    let c = client(ProviderKind::Anthropic, &server, limits());
    let err = rt()
        .block_on(c.turn("s", &[Message::User("hi".into())], &[], &Cancel::new()))
        .unwrap_err();
    assert!(matches!(err, LlmError::Unauthorized { status: 401, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
    assert!(err.to_string().contains("refused the API key"));
}

fn cut(reply: Reply, keep: usize) -> Reply {
    Reply {
        chunks: reply.chunks[..keep].to_vec(),
        cut: true,
        ..reply
    }
}

#[test]
fn a_stream_cut_midway_is_retried_and_a_stream_that_keeps_breaking_is_reported() {
    for kind in [ProviderKind::OpenAi, ProviderKind::Anthropic] {
        let full = |text| match kind {
            ProviderKind::OpenAi => openai_turn(text, &[("c1", "read_file", r#"{"path":"a"}"#)], (5, 5)),
            ProviderKind::Anthropic => anthropic_turn(text, &[("c1", "read_file", r#"{"path":"a"}"#)], (5, 5)),
        };
        let server = Server::start(vec![cut(full("partial"), 3), full("whole")]).unwrap();
        let c = client(kind, &server, limits());
        let turn = rt()
            .block_on(c.turn("s", &[Message::User("hi".into())], &[], &Cancel::new()))
            .unwrap();
        assert_eq!(
            turn.text, "whole",
            "{kind:?}: the cut reply is discarded, not half-used"
        );
        assert_eq!(turn.calls.len(), 1);
        assert_eq!(server.requests().len(), 2);

        let server = Server::start(vec![cut(full("partial"), 3)]).unwrap();
        let c = client(kind, &server, limits());
        let err = rt()
            .block_on(c.turn("s", &[Message::User("hi".into())], &[], &Cancel::new()))
            .unwrap_err();
        let words = err.to_string();
        assert!(
            words.contains("cut") || words.contains("ended before the reply was complete"),
            "{kind:?}: {words}"
        );
    }
}

#[test]
fn a_silent_server_hits_the_idle_timeout() {
    let mut slow = openai_turn("late", &[], (1, 1));
    slow.hang_ms = 3_000;
    let server = Server::start(vec![slow]).unwrap();
    let c = client(
        ProviderKind::OpenAi,
        &server,
        Limits {
            attempts: 1,
            idle_timeout: Duration::from_millis(300),
            ..limits()
        },
    );
    let started = Instant::now();
    let err = rt()
        .block_on(c.turn("s", &[Message::User("hi".into())], &[], &Cancel::new()))
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "gave up at the timeout, not the server's pace"
    );
    assert!(err.to_string().contains("went silent for 0.3 s"), "{err}");
}

#[test]
fn cancelling_stops_a_turn_waiting_on_the_server() {
    let mut slow = anthropic_turn("late", &[], (1, 1));
    slow.delay_ms = 2_000;
    let server = Server::start(vec![slow]).unwrap();
    let c = client(ProviderKind::Anthropic, &server, limits());
    let cancel = Cancel::new();
    let trigger = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        trigger.cancel();
    });
    let started = Instant::now();
    let err = rt()
        .block_on(c.turn("s", &[Message::User("hi".into())], &[], &cancel))
        .unwrap_err();
    assert_eq!(err, LlmError::Cancelled);
    assert!(started.elapsed() < Duration::from_millis(1500), "stopped promptly");
}

#[test]
fn settings_that_cannot_work_are_refused_in_words() {
    let cfg = |base: &str, key: &str| ProviderConfig {
        kind: ProviderKind::OpenAi,
        base_url: base.into(),
        model: "m".into(),
        key: Secret::new(key),
        limits: limits(),
    };
    let err = Client::new(cfg("http://api.example.com/v1", KEY))
        .unwrap_err()
        .to_string();
    assert!(err.contains("refusing to send the API key over plain http"), "{err}");
    assert!(
        Client::new(cfg("http://127.0.0.1:11434/v1", "")).is_ok(),
        "a local server needs no key"
    );
    assert!(Client::new(cfg("http://localhost:1234/v1", KEY)).is_ok());
    let err = Client::new(cfg("ftp://x", "")).unwrap_err().to_string();
    assert!(err.contains("ftp"), "{err}");
    let err = Client::new(cfg("not a url", "")).unwrap_err().to_string();
    assert!(err.contains("is not a URL"), "{err}");
    assert_eq!(format!("{:?}", Secret::new(KEY)), "Secret(***)");
    assert_eq!(Secret::new(KEY).masked(), "••••cdef");
    assert_eq!(Secret::new("short").masked(), "••••");
}

#[test]
fn docs_are_looked_up_through_the_configured_service() {
    let server = Server::start(vec![
        json_reply(&json!({"results": [{"id": "/vercel/next.js", "title": "Next.js"}]})),
        text_reply("output: 'standalone' copies only the files needed for production."),
    ])
    .unwrap();
    let docs = DocsService::new(&server.url(), Secret::new("ctx7-key-000000000"), Duration::from_secs(5)).unwrap();
    let answer = rt().block_on(docs.lookup("next.js", "docker", &Cancel::new())).unwrap();
    assert_eq!(answer.library, "/vercel/next.js");
    assert!(answer.text.contains("standalone"));
    let reqs = server.requests();
    assert!(
        reqs[0].path.starts_with("/api/v1/search?query=next.js"),
        "{}",
        reqs[0].path
    );
    assert!(
        reqs[1].path.starts_with("/api/v1/vercel/next.js?type=txt&topic=docker"),
        "{}",
        reqs[1].path
    );
    assert_eq!(reqs[1].header("authorization"), Some("Bearer ctx7-key-000000000"));
}

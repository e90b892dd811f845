//! What a service's source code says: the port it listens on, the environment variables it
//! reads, the health endpoints it serves, and addresses that only work outside a container.
//!
//! Only a bounded number of files is read (entry points first), each up to a cap, and a regex
//! only runs on lines that contain one of its literal triggers: this keeps a scan of a big
//! service within milliseconds.

use std::sync::OnceLock;

use regex_lite::Regex;

use crate::ProjectView;

/// How many source files of one service are read for hints.
const MAX_FILES: usize = 64;
/// How much of each file is read.
const MAX_BYTES: u64 = 256 * 1024;
/// Lines longer than this are minified or generated code.
const MAX_LINE: usize = 1000;

/// Ports of databases and brokers: a `port: 5432` in code is a client setting, not the app's.
const CLIENT_PORTS: &[u16] = &[1433, 1521, 3306, 5432, 5672, 6379, 9042, 9092, 9200, 11211, 27017];

/// Health endpoint paths, best first.
const HEALTH_PATHS: &[&str] = &[
    "/healthz",
    "/health",
    "/api/health",
    "/api/healthz",
    "/healthcheck",
    "/health-check",
    "/_health",
    "/livez",
    "/readyz",
    "/ready",
    "/readiness",
    "/live",
    "/up",
    "/ping",
    "/status",
];

/// Readiness endpoint paths, best first: "can this instance take traffic now".
const READY_PATHS: &[&str] = &["/readyz", "/ready", "/readiness"];

/// Words in a handler's body that reach a database, cache or another service: a liveness
/// probe on such a path restarts every pod when that dependency has a hiccup.
const DEPENDENCY_CALLS: &[&str] = &[
    ".execute(",
    ".query(",
    "select 1",
    "connect(",
    ".ping(",
    "redis.",
    "cache.",
    "db.",
    "session.",
    "pool.",
    "cursor(",
    "mongo",
    "prisma.",
    "$queryraw",
    "http.get(",
    "requests.get(",
    "httpx.",
    "await fetch(",
];

/// What the code of one service said.
#[derive(Debug, Default)]
pub(crate) struct Hints {
    /// (port, file, line, reason)
    pub ports: Vec<(u16, String, u32, String)>,
    pub env: Vec<String>,
    /// (path, file, line)
    pub health: Option<(String, String, u32)>,
    /// (path, file, line) of the best readiness endpoint.
    pub readiness: Option<(String, String, u32)>,
    /// (path, file, line, call) for each health or readiness route whose handler reaches a
    /// dependency.
    pub deep: Vec<(String, String, u32, String)>,
    /// (file, line, message)
    pub bindings: Vec<(String, u32, String)>,
    /// (path, file, line) of the first route that serves metrics (`"/metrics"`).
    pub metrics: Option<(String, String, u32)>,
    /// (the string as written, file, line) for each SQLite database file the code opens.
    pub sqlite: Vec<(String, String, u32)>,
}

struct Patterns {
    port: Vec<Regex>,
    /// (literal the line must contain, pattern): a regex only runs where it can match.
    env: Vec<(&'static str, Regex)>,
    health: Regex,
    /// Routes declared without a leading slash: Django's path("healthz"), Rails' get "up".
    health_name: Regex,
    loopback: Regex,
    command_port: Vec<Regex>,
    /// A route that serves metrics: "/metrics", "/actuator/prometheus".
    metrics: Regex,
    /// A SQLite database file named in a string: "sqlite:////data/app.db", '/data/app.db'.
    sqlite: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("valid regex");
        Patterns {
            port: [
                // listen(3000), app.run(5000), Kemal.run(3000), serve(8080)
                r"\b(?:listen|run|Run|serve)\(\s*(\d{2,5})\b",
                // ListenAndServe(":8080"), r.Run(":8080"), e.Start(":1323"), bind("0.0.0.0:3000"),
                // app.Run("http://0.0.0.0:5000"), UseUrls("http://*:5000")
                r#"(?:ListenAndServe(?:TLS)?|Run|Start|Listen|listen|bind|run|UseUrls|serve|Server::http)\(\s*["'](?:https?://)?(?:[\w.\-]*|\*|\+|\[::\])?:(\d{2,5})["']"#,
                // port = 8000, port: 3000, PORT = process.env.PORT || 3000,
                // port = int(os.environ.get("PORT", 8000)), :port => 4567, port := "8080"
                // and the ternary PORT = process.env.PORT ? Number(process.env.PORT) : 3333
                r#"(?i)\bport\b["']?\s*(?::=|=>|:|=)\s*(?:[^,;\n]*?(?:\|\||\?\?|\bor\b|,|\?:|unwrap_or\(|\s:)\s*)?["']?(\d{2,5})\b"#,
                // PORT || 4100, process.env.PORT ?? 3000, os.getenv("PORT") or 8000
                r#"\b(?:PORT|port)\b[\w\]'")]*\s*(?:\|\||\?\?|\bor\b)\s*["']?(\d{2,5})\b"#,
                // Clojure and Elixir keywords: {:port 3000}
                r":port\s+(\d{2,5})\b",
                // A PORT variable read with a default in Lisp style: (or (System/getenv "PORT") "8080")
                r#"(?i)getenv\s*\(?\s*"PORT"\s*\)?\s*\)?\s*"?(\d{2,5})\b"#,
                // actix: .bind(("0.0.0.0", 8080)); zig: Address.parseIp("0.0.0.0", 8080)
                r#"(?:bind|parseIp4?|resolveIp)\(\(?\s*"[^"]*"\s*,\s*(\d{2,5})\s*\)"#,
                // axum: SocketAddr::from(([0, 0, 0, 0], 3000))
                r"\[\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\]\s*,\s*(\d{2,5})\s*\)",
                // scotty 3000, run 8080 app
                r"\b(?:scotty|runEnv|run)\s+(\d{2,5})\b",
                // app.port(18080), mist.port(8000), Spark's port(4567)
                r"\bport\(\s*(\d{2,5})\s*\)",
                // Erlang and cowboy: [{port, 8080}]
                r"\{\s*port\s*,\s*(\d{2,5})\s*\}",
                // shelf: serve(handler, InternetAddress.anyIPv4, 8080)
                r"\bserve\([^;]*?,\s*(\d{2,5})\s*\)",
                // python -m http.server 8000, and flags in shell scripts
                r"http\.server\s+(\d{2,5})\b",
                r"(?:\s|^)(?:--port|-p)(?:\s+|=)(\d{2,5})\b",
            ]
            .iter()
            .map(|s| re(s))
            .collect(),
            env: [
                ("process.env", r"process\.env\.([A-Z_][A-Z0-9_]*)"),
                ("process.env", r#"process\.env\[\s*["']([A-Z_][A-Z0-9_]*)["']"#),
                ("meta.env", r"import\.meta\.env\.([A-Z_][A-Z0-9_]*)"),
                ("Bun.env", r"Bun\.env\.([A-Z_][A-Z0-9_]*)"),
                ("Deno.env", r#"Deno\.env\.get\(\s*["']([A-Z_][A-Z0-9_]*)["']"#),
                ("environ", r#"os\.environ(?:\.get)?[\[(]\s*["']([A-Z_][A-Z0-9_]*)["']"#),
                (
                    "env",
                    r#"(?:getenv|Getenv|LookupEnv|get_env|env::var|env_or)\(\s*["']([A-Z_][A-Z0-9_]*)["']"#,
                ),
                ("Environment", r#"GetEnvironmentVariable\(\s*["']([A-Z_][A-Z0-9_]*)["']"#),
                ("env(", r#"\benv\(\s*["']([A-Z_][A-Z0-9_]*)["']"#),
                ("ENV", r#"\bENV(?:\.fetch\(\s*|\[\s*)["']([A-Z_][A-Z0-9_]*)["']"#),
                ("$_", r#"\$_(?:ENV|SERVER)\[\s*["']([A-Z_][A-Z0-9_]*)["']"#),
                ("environment[", r#"environment\[\s*["']([A-Z_][A-Z0-9_]*)["']"#),
                ("Environment.get", r#"Environment\.get\(\s*"([A-Z_][A-Z0-9_]*)""#),
            ]
            .iter()
            .map(|(t, s)| (*t, re(s)))
            .collect(),
            health_name: re(
                r#"\b(?:path|re_path|get|route|Get|GET)\(?\s*["'](healthz|health|healthcheck|livez|readyz|ready|readiness|ping|up)/?["']"#,
            ),
            health: re(
                r#"["'`](/(?:api/)?(?:v\d/)?(?:healthz|health|healthcheck|health-check|_health|livez|readyz|readiness|ready|live|up|ping|status))["'`]"#,
            ),
            loopback: re(
                r#"(?:(?:listen|bind|run|Run|ListenAndServe|Start)\([^)]*["'](?:https?://)?(?:127\.0\.0\.1|localhost)[:"']|\bhost\s*[:=]\s*["'](?:127\.0\.0\.1|localhost)["'])"#,
            ),
            metrics: re(r#"["'`](/(?:[\w.\-]+/)*(?:metrics|prometheus))["'`]"#),
            sqlite: re(
                r#"["'`]((?:sqlite(?:\+\w+)?:|file:)?[^"'`\s]*\.(?:db|sqlite3?|db3))(?:\?[^"'`\s]*)?["'`]"#,
            ),
            command_port: [
                r"(?:^|\s)(?:-p|--port|-P)(?:\s+|=)(\d{2,5})\b",
                r"(?:--bind|-b)(?:\s+|=)[\w.\[\]:]*:(\d{2,5})\b",
                r"(?:^|\s)PORT=(\d{2,5})\b",
                r"(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\*):(\d{2,5})\b",
                r"\$\{PORT:-(\d{2,5})\}",
            ]
            .iter()
            .map(|s| re(s))
            .collect(),
        }
    })
}

/// True for a name that looks like an environment variable: `DATABASE_URL`, `PORT`.
pub(crate) fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The backing service an environment variable points at, from its name or URL.
pub(crate) fn service_of_url(key: &str, value: &str) -> Option<&'static str> {
    let by_scheme = [
        ("postgres://", "postgres"),
        ("postgresql://", "postgres"),
        ("postgresql+", "postgres"),
        ("mysql://", "mysql"),
        ("mysql+", "mysql"),
        ("mariadb://", "mariadb"),
        ("mongodb://", "mongodb"),
        ("mongodb+srv://", "mongodb"),
        ("redis://", "redis"),
        ("rediss://", "redis"),
        ("amqp://", "rabbitmq"),
        ("amqps://", "rabbitmq"),
        ("sqlite:", "sqlite"),
    ];
    if let Some((_, s)) = by_scheme.iter().find(|(p, _)| value.starts_with(p)) {
        return Some(s);
    }
    match (key, value) {
        ("DB_CONNECTION", "pgsql") => Some("postgres"),
        ("DB_CONNECTION", "mysql") => Some("mysql"),
        ("DB_CONNECTION", "mariadb") => Some("mariadb"),
        ("DB_CONNECTION", "sqlite") => Some("sqlite"),
        _ if key.starts_with("KAFKA_") && (key.ends_with("BROKERS") || key.ends_with("BOOTSTRAP_SERVERS")) => {
            Some("kafka")
        }
        _ if (key.starts_with("ELASTICSEARCH_") || key.starts_with("ELASTIC_")) && key.ends_with("URL") => {
            Some("elasticsearch")
        }
        _ => None,
    }
}

/// The file a SQLite connection string or path names, as the process sees it, or "" when it
/// names none. SQLAlchemy (`sqlalchemy`) writes `sqlite:///relative.db` and
/// `sqlite:////absolute.db`; URL-style drivers (sqlx, Node's and Go's) `sqlite:///absolute.db`
/// and `sqlite://relative.db`; `file:` URIs and plain paths are read as written.
pub(crate) fn sqlite_file(written: &str, sqlalchemy: bool) -> String {
    let w = written.split('?').next().unwrap_or(written);
    if let Some(rest) = w.strip_prefix("file:") {
        // file:///data/app.db has an empty authority; file:./app.db and file:app.db are relative.
        return rest.strip_prefix("//").unwrap_or(rest).to_string();
    }
    if let Some(rest) = w.strip_prefix("sqlite") {
        let Some((_, rest)) = rest.split_once(':') else {
            return String::new();
        };
        let path = if sqlalchemy {
            rest.strip_prefix("///").unwrap_or(rest.trim_start_matches('/'))
        } else {
            rest.strip_prefix("//").unwrap_or(rest)
        };
        return path.to_string();
    }
    // A dotted module name (`django.db.backends.sqlite3`) is not a file.
    if !w.contains('/') && w.matches('.').count() > 1 {
        return String::new();
    }
    w.to_string()
}

/// The port a start command names: `-p 4000`, `--bind 0.0.0.0:8000`, `PORT=3000`.
pub(crate) fn port_in_command(cmd: &str) -> Option<u16> {
    patterns()
        .command_port
        .iter()
        .find_map(|re| re.captures(cmd).and_then(|c| c[1].parse::<u16>().ok()))
        .filter(|p| *p >= 80)
}

/// True when `word` appears in `line` not as the tail of a longer word ("export" is not "port").
fn has_word(line: &str, word: &str) -> bool {
    line.match_indices(word)
        .any(|(i, _)| !line[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphabetic()))
}

fn plausible(port: u16) -> bool {
    port >= 80 && !CLIENT_PORTS.contains(&port)
}

fn is_test_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    name.contains(".test.")
        || name.contains(".spec.")
        || name.ends_with("_test.go")
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || stem.ends_with("Test")
        || stem.ends_with("Tests")
        || path.split('/').any(|c| {
            matches!(
                c,
                "test" | "tests" | "__tests__" | "spec" | "e2e" | "fixtures" | "testdata"
            )
        })
}

/// Entry points first, then the rest by depth.
fn priority(path: &str) -> (u8, usize, &str) {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    let rank = match stem.as_str() {
        "main" | "server" | "app" | "index" | "program" | "application" | "startup" | "wsgi" | "asgi" => 0,
        "settings" | "config" | "routes" | "router" | "urls" | "api" | "health" | "endpoint" | "puma" => 1,
        _ => 2,
    };
    (rank, path.matches('/').count(), path)
}

/// Reads the service's source files in `dir` (not those of services nested inside it).
pub(crate) fn scan(view: &ProjectView, dir: &str, exts: &[&str], services: &[String]) -> Hints {
    let mut hints = Hints::default();
    if exts.is_empty() {
        return hints;
    }
    let nested: Vec<String> = services
        .iter()
        .filter(|s| s.as_str() != "." && s.as_str() != dir && (dir.is_empty() || s.starts_with(&format!("{dir}/"))))
        .map(|s| format!("{s}/"))
        .collect();
    let mut files: Vec<&String> = view
        .index()
        .under(dir)
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            exts.iter().any(|e| name.ends_with(e))
                && !name.ends_with(".min.js")
                && !name.ends_with(".d.ts")
                && !is_test_file(f)
                && !nested.iter().any(|n| f.starts_with(n.as_str()))
        })
        .collect();
    files.sort_by(|a, b| priority(a).cmp(&priority(b)));
    files.truncate(MAX_FILES);

    let p = patterns();
    let mut health_rank = usize::MAX;
    let mut ready_rank = usize::MAX;
    for file in files {
        // vite.config.ts, nuxt.config.ts, webpack.config.js: their ports are development servers'.
        let dev_config = file.rsplit('/').next().is_some_and(|n| n.contains(".config."));
        let Some(text) = view.read_source(file, MAX_BYTES) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().copied().enumerate() {
            if line.len() > MAX_LINE {
                continue;
            }
            let t = line.trim_start();
            if t.starts_with("//") || t.starts_with('#') || t.starts_with("--") || t.starts_with('*') {
                continue;
            }
            let n = i as u32 + 1;
            if line.contains("env") || line.contains("ENV") || line.contains("Env") || line.contains("$_") {
                for (trigger, re) in &p.env {
                    if !line.contains(trigger) {
                        continue;
                    }
                    for c in re.captures_iter(line) {
                        if is_env_name(&c[1]) {
                            hints.env.push(c[1].to_string());
                        }
                    }
                }
            }
            let lower_hit = has_word(line, "port")
                || has_word(line, "Port")
                || has_word(line, "PORT")
                || [
                    "listen", "Listen", "bind", "serve", "Serve", "run", "Run(", "Start(", "Ip(", "::http(",
                ]
                .iter()
                .any(|k| line.contains(k));
            if lower_hit || line.contains("scotty") || line.contains("UseUrls") || line.contains("http.server") {
                if let Some((port, what)) = p.port.iter().find_map(|re| {
                    re.captures(line)
                        .and_then(|c| c[1].parse::<u16>().ok().map(|port| (port, c[0].trim().to_string())))
                }) {
                    if plausible(port) && !dev_config {
                        let what: String = what.chars().take(60).collect();
                        hints.ports.push((
                            port,
                            file.clone(),
                            n,
                            format!("the code listens on port {port}: {what}"),
                        ));
                    }
                }
                if p.loopback.is_match(line) {
                    hints.bindings.push((
                        file.clone(),
                        n,
                        "listens on 127.0.0.1 or localhost only: inside a container it must listen on 0.0.0.0 to be reachable"
                            .into(),
                    ));
                }
            }
            if line.contains("health")
                || line.contains("ready")
                || line.contains("livez")
                || line.contains("ping")
                || line.contains("\"up\"")
                || line.contains("/ready")
                || line.contains("/live")
                || line.contains("/ping")
                || line.contains("/status")
                || line.contains("/up")
                || line.contains("/api/health")
            {
                let bare = p.health_name.captures_iter(line).map(|c| format!("/{}", &c[1]));
                let slashed = p.health.captures_iter(line).map(|c| c[1].to_string());
                for path in slashed.chain(bare).collect::<Vec<_>>() {
                    let Some(rank) = HEALTH_PATHS.iter().position(|h| *h == path) else {
                        continue;
                    };
                    if let Some(call) = handler_call(&lines, i) {
                        hints.deep.push((path.clone(), file.clone(), n, call));
                    }
                    if let Some(r) = READY_PATHS.iter().position(|h| *h == path) {
                        if r < ready_rank {
                            ready_rank = r;
                            hints.readiness = Some((path.clone(), file.clone(), n));
                        }
                    }
                    if rank < health_rank {
                        health_rank = rank;
                        hints.health = Some((path, file.clone(), n));
                    }
                }
            }
            if hints.metrics.is_none() && (line.contains("metrics") || line.contains("prometheus")) {
                if let Some(c) = p.metrics.captures(line) {
                    hints.metrics = Some((c[1].to_string(), file.clone(), n));
                }
            }
            if line.contains(".db") || line.contains(".sqlite") {
                for c in p.sqlite.captures_iter(line) {
                    hints.sqlite.push((c[1].to_string(), file.clone(), n));
                }
            }
        }
    }
    hints.env.sort();
    hints.env.dedup();
    hints
}

/// The first call in the body of the route declared on line `at` that reaches a dependency.
/// The body is the handler on the route's own line when it closes there (`r.GET("/health",
/// func(c) { ... })`), else the lines indented deeper than the route (after a Python
/// decorator, the `def` line and its block).
fn handler_call(lines: &[&str], at: usize) -> Option<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let call_in = |text: &str| {
        let lower = text.to_ascii_lowercase();
        DEPENDENCY_CALLS
            .iter()
            .find(|c| lower.contains(*c))
            .map(|c| c.trim_matches(|c: char| c == '.' || c == '(').to_string())
    };
    let route = lines.get(at)?;
    let t = route.trim();
    let (opens, closes) = t.chars().fold((0i32, 0i32), |(o, c), ch| match ch {
        '(' | '{' | '[' => (o + 1, c),
        ')' | '}' | ']' => (o, c + 1),
        _ => (o, c),
    });
    let rest = t.split_once(',').map(|(_, r)| r).unwrap_or("");
    if !t.starts_with('@') && opens == closes && !t.ends_with(" do") && !t.ends_with(':') {
        // The handler is all on this line, or named and defined elsewhere.
        return call_in(rest);
    }
    if let Some(call) = call_in(rest) {
        return Some(call);
    }
    let base = indent(route);
    let mut signature = t.starts_with('@');
    for line in lines.iter().skip(at + 1).take(20) {
        let lt = line.trim();
        if lt.is_empty() || lt.starts_with('#') || lt.starts_with("//") {
            continue;
        }
        if indent(line) <= base {
            if signature && (lt.starts_with("def ") || lt.starts_with("async def ") || lt.starts_with('@')) {
                signature = lt.starts_with('@');
                continue;
            }
            break;
        }
        signature = false;
        if let Some(call) = call_in(lt) {
            return Some(call);
        }
    }
    None
}

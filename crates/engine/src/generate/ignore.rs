//! .dockerignore files: what every build context leaves out, and what each stack makes inside
//! the image.

use slipway_scan::ServiceProfile;

/// A .dockerignore for a service: what every build context should leave out, plus the
/// dependency and build folders of its stack (made inside the image, never copied in).
pub fn dockerignore(svc: &ServiceProfile) -> String {
    let mut lines = vec![
        "# Keeps the build context small, the dependency cache valid and secrets out of images.",
        "# Written by Slipway.",
        "",
        "# Version control and editors",
        ".git",
        ".github",
        ".vscode",
        ".idea",
        "*.swp",
        ".DS_Store",
        "",
        "# Dependencies and build output are made inside the image",
    ];
    let stack: &[&str] = match (svc.language.as_deref(), svc.kind.as_str()) {
        (Some("node" | "bun"), _) => &[
            "node_modules",
            "npm-debug.log*",
            "yarn-debug.log*",
            "yarn-error.log*",
            "pnpm-debug.log*",
            ".pnpm-store",
            "coverage",
            "dist",
            "build",
        ],
        (Some("python"), _) => &[
            "__pycache__",
            "*.py[cod]",
            ".venv",
            "venv",
            ".pytest_cache",
            ".mypy_cache",
            ".ruff_cache",
            ".tox",
            "*.egg-info",
            "staticfiles",
        ],
        (Some("go"), _) => &["bin", "*.test", "coverage.out"],
        (Some("rust"), _) => &["target"],
        (Some("java" | "kotlin"), _) => &["target", "build", ".gradle", "*.class"],
        (Some("csharp" | "fsharp"), _) => &["bin", "obj", "out", "*.user"],
        (Some("ruby"), _) => &[
            ".bundle",
            "vendor/bundle",
            "log/*",
            "tmp/*",
            "public/assets",
            "node_modules",
        ],
        (Some("php"), _) => &["vendor", "node_modules", "storage/logs/*", "bootstrap/cache/*.php"],
        (Some("elixir"), _) => &["_build", "deps", "node_modules", "priv/static/assets"],
        (Some("erlang"), _) => &["_build", "erl_crash.dump", "rebar3.crashdump"],
        (Some("c" | "cpp"), _) => &["build", "builddir"],
        _ => &[],
    };
    let mut own: Vec<&str> = stack.to_vec();
    if svc.nextjs.is_some() {
        own.extend([".next", "out", ".vercel"]);
    }
    match svc.framework.as_deref() {
        Some("astro") => own.push(".astro"),
        Some("sveltekit") => own.push(".svelte-kit"),
        Some("angular") => own.push(".angular"),
        _ => {}
    }
    // A workspace member's context is the workspace root: its packages each have these folders.
    let nested: Vec<String>;
    if svc.workspace.as_ref().is_some_and(|w| w.tool != "go") {
        nested = own.iter().map(|e| format!("**/{e}")).collect();
        lines.extend(nested.iter().map(String::as_str));
    } else {
        lines.extend(own);
    }
    lines.extend([
        "",
        "# Secrets and local environment files",
        ".env",
        ".env.*",
        "!.env.example",
        "*.pem",
        "*.key",
        "",
        "# Container files themselves",
        "Dockerfile",
        ".dockerignore",
        "compose.yaml",
        "compose.*.yaml",
        "docker-compose*.yml",
    ]);
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

//! Dockerfiles for the stacks beyond Node.js: Python, Go, Rust, the JVM (Maven and Gradle),
//! .NET, and static sites served by an unprivileged nginx.
//!
//! Every file follows the same shape as the Node.js one: a build stage whose dependency layer
//! is cached apart from the source (manifests and lockfile first, BuildKit cache mounts), a
//! runtime stage on the smallest base that fits (slim, distroless or a JRE), a numeric
//! unprivileged user, only the build output copied, the detected port exposed, and the start
//! command in exec form, through `sh -c` only where it must read `$PORT`.

use std::fmt::Write as _;

use slipway_scan::ServiceProfile;

use super::docker::image_name;
use crate::knowledge;

/// The unprivileged user images run as when the base image has none of its own.
const UID: &str = "10001:10001";

fn header(f: &mut String, what: &str, svc: &ServiceProfile) {
    f.push_str("# syntax=docker/dockerfile:1\n");
    let _ = writeln!(
        f,
        "# Production image for the {what} \"{}\", written by Slipway.",
        svc.name
    );
    let _ = writeln!(f, "# Build: docker build -t {} .\n", image_name(&svc.name));
}

fn port(svc: &ServiceProfile, default: u16) -> u16 {
    svc.port.unwrap_or(default)
}

/// `["a", "b"]` for a command of plain words.
pub(crate) fn exec_form(cmd: &str) -> String {
    let args: Vec<String> = cmd.split_whitespace().map(|a| format!("{a:?}")).collect();
    format!("[{}]", args.join(", "))
}

/// Exec form, through `sh -c` with `exec` when the command reads shell variables, so the app
/// still runs as PID 1 and receives signals.
pub(crate) fn start_form(cmd: &str) -> String {
    if cmd.contains('$') || cmd.contains('\'') || cmd.contains('"') || cmd.contains("&&") {
        // `exec` goes on the last command: the server, after any preparation steps.
        let script = match cmd.rsplit_once(" && ") {
            Some((before, last)) => format!("{before} && exec {last}"),
            None => format!("exec {cmd}"),
        };
        format!("[\"sh\", \"-c\", {script:?}]")
    } else {
        exec_form(cmd)
    }
}

/// A health check that asks the app over HTTP with the runtime's own fetch (Node.js, Bun):
/// no curl or wget needed in the image.
pub(crate) fn fetch_healthcheck(f: &mut String, runtime: &str, port: u16, path: &str) {
    healthcheck(
        f,
        &format!("[\"{runtime}\", \"-e\", \"fetch('http://127.0.0.1:' + (process.env.PORT || {port}) + '{path}').then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))\"]"),
    );
}

pub(crate) fn healthcheck(f: &mut String, cmd: &str) {
    let _ = writeln!(
        f,
        "HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \\\n    CMD {cmd}"
    );
}

/// The runtime version as an image tag: `3.12.1` stays, `stable` becomes `fallback`.
fn tag(svc: &ServiceProfile, fallback: &str) -> String {
    match svc.runtime_version.as_deref() {
        Some(v) if v.chars().next().is_some_and(|c| c.is_ascii_digit()) => v.to_string(),
        _ => fallback.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Python

pub fn python(svc: &ServiceProfile) -> String {
    let version = tag(svc, "3.13");
    let image = format!("python:{version}-slim");
    let port = port(svc, 8000);
    let pm = svc.package_manager.as_deref().unwrap_or("pip");
    let mut f = String::new();
    header(&mut f, &format!("{} service", framework_or(svc, "Python")), svc);
    if svc.install_command.is_none() {
        // A program of the standard library alone: nothing to install, one stage.
        f.push_str("# The program needs only the standard library: the source, run as an unprivileged user.\n");
        let _ = writeln!(f, "FROM {image} AS runtime");
        let port_env = if svc.kind == "worker" {
            String::new()
        } else {
            format!(" \\\n    PORT={port}")
        };
        let _ = writeln!(f, "ENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1{port_env}");
        f.push_str("WORKDIR /app\n");
        let _ = writeln!(f, "COPY --chown={UID} . .");
        let _ = writeln!(f, "USER {UID}");
        python_tail(&mut f, svc, port);
        return f;
    }
    f.push_str("# Dependencies in a virtual environment, from the manifests alone, so this layer is reused\n# until they change.\n");
    let _ = writeln!(f, "FROM {image} AS build");
    f.push_str("ENV PYTHONDONTWRITEBYTECODE=1 \\\n    PIP_DISABLE_PIP_VERSION_CHECK=1 \\\n    VIRTUAL_ENV=/opt/venv \\\n    PATH=\"/opt/venv/bin:$PATH\"\n");
    f.push_str("WORKDIR /app\n");
    f.push_str("RUN python -m venv /opt/venv\n");
    let pip = "--mount=type=cache,target=/root/.cache/pip \\\n    pip install";
    match pm {
        "uv" => {
            let _ = writeln!(f, "COPY --from={} /uv /bin/uv", knowledge::UV_IMAGE);
            f.push_str("COPY pyproject.toml uv.lock ./\n");
            f.push_str("ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy\n");
            f.push_str("RUN --mount=type=cache,target=/root/.cache/uv \\\n    uv sync --frozen --no-dev --no-install-project\n");
        }
        "poetry" => {
            let lock = if svc.lockfile.is_some() { " poetry.lock" } else { "" };
            let _ = writeln!(f, "COPY pyproject.toml{lock} ./");
            let _ = writeln!(
                f,
                "RUN {pip} {} \\\n    && poetry config virtualenvs.create false \\\n    && poetry install --only main --no-root --no-interaction",
                knowledge::POETRY
            );
        }
        "pdm" => {
            let lock = if svc.lockfile.is_some() { " pdm.lock" } else { "" };
            let _ = writeln!(f, "COPY pyproject.toml{lock} ./");
            let _ = writeln!(
                f,
                "RUN {pip} {} \\\n    && pdm export --prod --no-hashes -o /tmp/requirements.txt \\\n    && pip install --no-cache-dir -r /tmp/requirements.txt",
                knowledge::PDM
            );
        }
        "pipenv" => {
            let lock = if svc.lockfile.is_some() { " Pipfile.lock" } else { "" };
            let _ = writeln!(f, "COPY Pipfile{lock} ./");
            let _ = writeln!(
                f,
                "RUN {pip} {} \\\n    && pipenv requirements > /tmp/requirements.txt \\\n    && pip install --no-cache-dir -r /tmp/requirements.txt",
                knowledge::PIPENV
            );
        }
        _ if svc.lockfile.as_deref() == Some("requirements.txt") => {
            f.push_str("COPY requirements.txt ./\n");
            let _ = writeln!(f, "RUN {pip} -r requirements.txt");
        }
        _ => {
            f.push_str("COPY . .\n");
            let _ = writeln!(f, "RUN {pip} .");
        }
    }
    f.push('\n');
    f.push_str("# The runtime image: the virtual environment and the source, run as an unprivileged user.\n");
    let _ = writeln!(f, "FROM {image} AS runtime");
    let _ = writeln!(
        f,
        "ENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1 \\\n    VIRTUAL_ENV=/opt/venv \\\n    PATH=\"/opt/venv/bin:$PATH\" \\\n    PORT={port}"
    );
    f.push_str("WORKDIR /app\n");
    f.push_str("COPY --from=build /opt/venv /opt/venv\n");
    let _ = writeln!(f, "COPY --chown={UID} . .");
    if let Some(build) = &svc.build_command {
        // Django's collectstatic and the like run on the final source, as the app user.
        let _ = writeln!(f, "RUN {build}");
    }
    let _ = writeln!(f, "USER {UID}");
    python_tail(&mut f, svc, port);
    f
}

/// The port, health check and start of a Python image.
fn python_tail(f: &mut String, svc: &ServiceProfile, port: u16) {
    let health = format!(
        "[\"python\", \"-c\", \"import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '{port}') + '{}', timeout=4)\"]",
        svc.health_path.as_deref().unwrap_or("/")
    );
    serve_and_start(f, svc, port, false, &health);
}

/// The end of a runtime stage: for a server, its port (in ENV when `port_env`), EXPOSE and
/// the health check `health`; then the start command, for servers and workers alike.
fn serve_and_start(f: &mut String, svc: &ServiceProfile, port: u16, port_env: bool, health: &str) {
    if svc.kind != "worker" {
        if port_env {
            let _ = writeln!(f, "ENV PORT={port}");
        }
        let _ = writeln!(f, "EXPOSE {port}");
        healthcheck(f, health);
    }
    let start = svc.start_command.clone().unwrap_or_default();
    let _ = writeln!(f, "CMD {}", start_form(&start));
}

fn framework_or(svc: &ServiceProfile, fallback: &str) -> String {
    svc.framework
        .as_deref()
        .map(|f| slipway_scan::framework_label(f).to_string())
        .unwrap_or_else(|| fallback.to_string())
}

// ---------------------------------------------------------------------------------------------
// Go

pub fn go(svc: &ServiceProfile) -> String {
    let version = tag(svc, "1.25");
    let port = port(svc, 8080);
    let bin = svc
        .artifact
        .as_deref()
        .and_then(|a| a.rsplit('/').next())
        .unwrap_or("server")
        .to_string();
    // What `go build` compiles: the package (`./cmd/api`) or, without a go.mod, the files.
    let target = svc
        .build_command
        .as_deref()
        .and_then(|b| {
            b.split_once(&format!("-o bin/{bin} "))
                .map(|(_, t)| t.trim().to_string())
        })
        .unwrap_or_else(|| ".".into());
    let module = svc.install_command.is_some();
    let mut f = String::new();
    header(&mut f, &format!("{} service", framework_or(svc, "Go")), svc);
    if module {
        f.push_str("# Modules first, from go.mod and go.sum alone, so this layer is reused until they change.\n");
    } else {
        f.push_str("# No go.mod: the program's files build with the standard library alone.\n");
    }
    let _ = writeln!(f, "FROM golang:{version}-alpine AS build");
    f.push_str("WORKDIR /src\n");
    if module {
        let sum = if svc.lockfile.is_some() { " go.sum" } else { "" };
        let _ = writeln!(f, "COPY go.mod{sum} ./");
        f.push_str("RUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download\n");
    }
    f.push_str("COPY . .\n");
    let _ = writeln!(
        f,
        "RUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n    CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /out/{bin} {target}\n"
    );
    f.push_str("# The runtime image: the static binary alone on distroless, as its nonroot user. There is no\n# shell in it, so the health check belongs to the orchestrator (compose or Kubernetes probes).\n");
    distroless_runtime(
        &mut f,
        knowledge::DISTROLESS_STATIC,
        &format!("/out/{bin}"),
        &bin,
        svc,
        port,
        &[],
    );
    f
}

// ---------------------------------------------------------------------------------------------
// Rust

/// A Rust crate, or a member of a Cargo workspace (built from the root, where the lockfile and
/// target folder are, with the member's own `cargo build -p`).
pub fn rust(svc: &ServiceProfile) -> String {
    let version = tag(svc, "1");
    let version = version.split('.').take(2).collect::<Vec<_>>().join(".");
    let port = port(svc, 8080);
    let bin = svc
        .artifact
        .as_deref()
        .and_then(|a| a.rsplit('/').next())
        .unwrap_or("app")
        .to_string();
    let mut f = String::new();
    let what = format!("{} service", framework_or(svc, "Rust"));
    let build = if svc.workspace.is_some() {
        member_header(&mut f, &what, svc);
        svc.build_command
            .clone()
            .unwrap_or_else(|| format!("cargo build --release -p {bin}"))
    } else {
        header(&mut f, &what, svc);
        let locked = if svc.lockfile.is_some() { " --locked" } else { "" };
        format!("cargo build --release{locked} --bin {bin}")
    };
    f.push_str("# Build with the registry and target folders in BuildKit caches: rebuilds compile only what\n# changed. The binary is copied out of the cache mount to survive the step.\n");
    let _ = writeln!(f, "FROM rust:{version}-slim-bookworm AS build");
    f.push_str("WORKDIR /src\n");
    f.push_str("COPY . .\n");
    let _ = writeln!(
        f,
        "RUN --mount=type=cache,target=/usr/local/cargo/registry \\\n    --mount=type=cache,target=/src/target \\\n    {build} \\\n    && cp target/release/{bin} /{bin}\n"
    );
    f.push_str("# The runtime image: the binary alone on distroless (glibc, no shell), as its nonroot user.\n");
    let rocket = svc.framework.as_deref() == Some("rocket");
    let env = if rocket {
        vec!["ROCKET_ADDRESS=0.0.0.0".to_string(), format!("ROCKET_PORT={port}")]
    } else {
        Vec::new()
    };
    distroless_runtime(
        &mut f,
        knowledge::DISTROLESS_CC,
        &format!("/{bin}"),
        &bin,
        svc,
        port,
        &env,
    );
    f
}

/// The runtime stage of a self-contained binary on distroless, as its nonroot user.
/// `built` is where the build stage left it.
fn distroless_runtime(
    f: &mut String,
    image: &str,
    built: &str,
    bin: &str,
    svc: &ServiceProfile,
    port: u16,
    env: &[String],
) {
    let _ = writeln!(f, "FROM {image} AS runtime");
    let _ = writeln!(f, "COPY --from=build {built} /app/{bin}");
    f.push_str("USER 65532:65532\n");
    if svc.kind != "worker" {
        let _ = writeln!(f, "ENV PORT={port}");
        for e in env {
            let _ = writeln!(f, "ENV {e}");
        }
        let _ = writeln!(f, "EXPOSE {port}");
    }
    let _ = writeln!(f, "ENTRYPOINT [\"/app/{bin}\"]");
}

// ---------------------------------------------------------------------------------------------
// JVM: Maven and Gradle

pub fn jvm(svc: &ServiceProfile) -> String {
    let version = tag(svc, "21");
    let port = port(svc, 8080);
    let gradle = svc.package_manager.as_deref() == Some("gradle");
    let build = svc.build_command.clone().unwrap_or_else(|| {
        if gradle {
            "gradle build -x test"
        } else {
            "mvn -B -DskipTests package"
        }
        .into()
    });
    let artifact = svc.artifact.clone().unwrap_or_else(|| "target/app.jar".into());
    let quarkus = artifact.ends_with("quarkus-app");
    let mut f = String::new();
    header(&mut f, &format!("{} service", framework_or(svc, "Java")), svc);
    // The official build-tool images, not the project's wrapper scripts: a wrapper needs its
    // own files (.mvn/, gradle/wrapper/) in the context, and these images pin the tool's line.
    let build = build.replacen("./mvnw", "mvn", 1).replacen("./gradlew", "gradle", 1);
    if gradle {
        let _ = writeln!(f, "FROM gradle:{}-jdk{version} AS build", knowledge::GRADLE_LINE);
        f.push_str("WORKDIR /src\n");
        f.push_str("# The whole build: Gradle resolves dependencies into its cache mount, reused across builds.\n");
        f.push_str("COPY . .\n");
        let _ = writeln!(f, "RUN --mount=type=cache,target=/home/gradle/.gradle \\\n    {build}");
    } else {
        let _ = writeln!(
            f,
            "FROM maven:{}-eclipse-temurin-{version} AS build",
            knowledge::MAVEN_LINE
        );
        f.push_str("WORKDIR /src\n");
        f.push_str("# Dependencies first, from the POM alone, so this layer is reused until it changes.\n");
        f.push_str("COPY pom.xml ./\n");
        f.push_str("RUN --mount=type=cache,target=/root/.m2 \\\n    mvn -B dependency:go-offline\n");
        f.push_str("COPY . .\n");
        let _ = writeln!(f, "RUN --mount=type=cache,target=/root/.m2 \\\n    {build}");
    }
    // Gradle's application plugin installs a distribution: the jars and a start script.
    let distribution = artifact.contains("build/install/");
    if distribution {
        let _ = writeln!(f, "RUN cp -r {artifact} /dist");
    } else if !quarkus {
        // One fixed name for the runtime stage, whatever version the build stamps on the jar.
        let _ = writeln!(f, "RUN cp {artifact} /app.jar");
    }
    f.push('\n');
    f.push_str("# The runtime image: a JRE, not the JDK, and the built application only, as an unprivileged user.\n");
    let _ = writeln!(f, "FROM eclipse-temurin:{version}-jre AS runtime");
    f.push_str("WORKDIR /app\n");
    let dist_start;
    let start = if distribution {
        let name = artifact.trim_end_matches('/').rsplit('/').next().unwrap_or("app");
        let _ = writeln!(f, "COPY --from=build --chown={UID} /dist ./");
        dist_start = format!("/app/bin/{name}");
        dist_start.as_str()
    } else if quarkus {
        let _ = writeln!(f, "COPY --from=build --chown={UID} /src/{artifact} ./");
        "java -jar quarkus-run.jar"
    } else {
        let _ = writeln!(f, "COPY --from=build --chown={UID} /app.jar ./app.jar");
        "java -jar app.jar"
    };
    let _ = writeln!(f, "USER {UID}");
    f.push_str("ENV JAVA_TOOL_OPTIONS=\"-XX:MaxRAMPercentage=75\"\n");
    if svc.kind != "worker" {
        match svc.framework.as_deref() {
            Some("spring-boot") => {
                let _ = writeln!(f, "ENV SERVER_PORT={port}");
            }
            Some("quarkus") => {
                let _ = writeln!(f, "ENV QUARKUS_HTTP_PORT={port} QUARKUS_HTTP_HOST=0.0.0.0");
            }
            Some("micronaut") => {
                let _ = writeln!(f, "ENV MICRONAUT_SERVER_PORT={port}");
            }
            _ => {
                let _ = writeln!(f, "ENV PORT={port}");
            }
        }
        let _ = writeln!(f, "EXPOSE {port}");
    }
    let _ = writeln!(f, "CMD {}", exec_form(start));
    f
}

// ---------------------------------------------------------------------------------------------
// .NET

pub fn dotnet(svc: &ServiceProfile) -> String {
    let version = tag(svc, "8.0");
    let port = port(svc, 8080);
    let project = svc
        .install_command
        .as_deref()
        .and_then(|c| c.split_whitespace().last())
        .unwrap_or("app.csproj")
        .to_string();
    let dll = svc
        .start_command
        .as_deref()
        .and_then(|s| s.rsplit('/').next())
        .unwrap_or("app.dll")
        .to_string();
    let web = svc.framework.as_deref() == Some("aspnetcore");
    let mut f = String::new();
    header(&mut f, &format!("{} service", framework_or(svc, ".NET")), svc);
    f.push_str("# Restore first, from the project file alone, so this layer is reused until it changes.\n");
    let _ = writeln!(f, "FROM mcr.microsoft.com/dotnet/sdk:{version} AS build");
    f.push_str("WORKDIR /src\n");
    let _ = writeln!(f, "COPY {project} ./");
    let _ = writeln!(
        f,
        "RUN --mount=type=cache,target=/root/.nuget/packages \\\n    dotnet restore {project}"
    );
    f.push_str("COPY . .\n");
    let _ = writeln!(
        f,
        "RUN --mount=type=cache,target=/root/.nuget/packages \\\n    dotnet publish {project} -c Release -o /out --no-restore\n"
    );
    let runtime = if web { "aspnet" } else { "runtime" };
    f.push_str("# The runtime image: the published output on the runtime-only image, as its built-in\n# unprivileged app user (uid 1654).\n");
    let _ = writeln!(f, "FROM mcr.microsoft.com/dotnet/{runtime}:{version} AS runtime");
    f.push_str("WORKDIR /app\n");
    f.push_str("COPY --from=build /out ./\n");
    f.push_str("USER 1654:1654\n");
    if web {
        let _ = writeln!(f, "ENV ASPNETCORE_HTTP_PORTS={port}");
        let _ = writeln!(f, "EXPOSE {port}");
    }
    let _ = writeln!(f, "ENTRYPOINT [\"dotnet\", \"{dll}\"]");
    f
}

// ---------------------------------------------------------------------------------------------
// Ruby

/// Debian packages a native gem needs to build (`-dev`) and to run, per backing service.
fn ruby_native_libs(svc: &ServiceProfile) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut build = vec!["build-essential", "git", "pkg-config", "libyaml-dev"];
    let mut run = Vec::new();
    for b in &svc.backing_services {
        match b.as_str() {
            "postgres" => {
                build.push("libpq-dev");
                run.push("libpq5");
            }
            "mysql" | "mariadb" => {
                build.push("default-libmysqlclient-dev");
                run.push("libmariadb3");
            }
            "sqlite" => {
                build.push("libsqlite3-dev");
                run.push("libsqlite3-0");
            }
            _ => {}
        }
    }
    (build, run)
}

/// Debian packages are not pinned: the base image's tag pins the distribution release, and
/// exact package versions vanish from the archive within weeks, breaking rebuilds.
fn apt_install(f: &mut String, packages: &[&str]) {
    f.push_str("# Package versions follow the pinned base image's Debian release.\n# hadolint ignore=DL3008\n");
    let _ = writeln!(
        f,
        "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends {} \\\n    && rm -rf /var/lib/apt/lists/*",
        packages.join(" ")
    );
}

pub fn ruby(svc: &ServiceProfile) -> String {
    let version = tag(svc, "3.4");
    let port = port(svc, 3000);
    if svc.package_manager.is_none() {
        return ruby_script(svc, &version, port);
    }
    let rails = svc.framework.as_deref() == Some("rails");
    let (build_libs, run_libs) = ruby_native_libs(svc);
    let mut f = String::new();
    header(&mut f, &format!("{} app", framework_or(svc, "Ruby")), svc);
    let _ = writeln!(f, "FROM ruby:{version}-slim AS base");
    f.push_str("WORKDIR /app\n");
    let env = if rails {
        " \\\n    RAILS_ENV=production \\\n    RAILS_LOG_TO_STDOUT=1"
    } else {
        ""
    };
    let _ = writeln!(
        f,
        "ENV BUNDLE_DEPLOYMENT=1 \\\n    BUNDLE_WITHOUT=\"development:test\" \\\n    BUNDLE_PATH=/usr/local/bundle \\\n    RACK_ENV=production{env}\n"
    );
    f.push_str("# Gems first, from the Gemfile and its lock alone, so this layer is reused until they change.\n");
    f.push_str("FROM base AS build\n");
    apt_install(&mut f, &build_libs);
    let lock = if svc.lockfile.is_some() { " Gemfile.lock" } else { "" };
    let _ = writeln!(f, "COPY Gemfile{lock} ./");
    f.push_str("RUN bundle install \\\n    && rm -rf \"${BUNDLE_PATH}\"/ruby/*/cache\n");
    f.push_str("COPY . .\n");
    if rails {
        f.push_str("RUN SECRET_KEY_BASE_DUMMY=1 bundle exec rails assets:precompile\n");
    }
    f.push('\n');
    f.push_str("# The runtime image: the installed gems and the app, run as an unprivileged user.\n");
    f.push_str("FROM base AS runtime\n");
    if !run_libs.is_empty() {
        apt_install(&mut f, &run_libs);
    }
    f.push_str("COPY --from=build /usr/local/bundle /usr/local/bundle\n");
    let _ = writeln!(f, "COPY --from=build --chown={UID} /app /app");
    let _ = writeln!(f, "USER {UID}");
    ruby_tail(&mut f, svc, port);
    f
}

/// A Ruby program with no Gemfile: the standard library only, one stage.
fn ruby_script(svc: &ServiceProfile, version: &str, port: u16) -> String {
    let mut f = String::new();
    header(&mut f, "Ruby program", svc);
    f.push_str("# The program needs only Ruby's standard library: the source, run as an unprivileged user.\n");
    let _ = writeln!(f, "FROM ruby:{version}-slim AS runtime");
    f.push_str("WORKDIR /app\n");
    let _ = writeln!(f, "COPY --chown={UID} . .");
    let _ = writeln!(f, "USER {UID}");
    ruby_tail(&mut f, svc, port);
    f
}

/// The port, health check and start of a Ruby image.
fn ruby_tail(f: &mut String, svc: &ServiceProfile, port: u16) {
    let health = format!(
        "[\"ruby\", \"-rnet/http\", \"-e\", \"exit(Net::HTTP.get_response(URI(\\\"http://127.0.0.1:#{{ENV.fetch('PORT', '{port}')}}{}\\\")).code.to_i < 500 ? 0 : 1)\"]",
        svc.health_path.as_deref().unwrap_or("/")
    );
    serve_and_start(f, svc, port, true, &health);
}

// ---------------------------------------------------------------------------------------------
// PHP

pub fn php(svc: &ServiceProfile) -> String {
    let version = tag(svc, "8.4");
    let version = version.split('.').take(2).collect::<Vec<_>>().join(".");
    let port = port(svc, 8080);
    let laravel = svc.framework.as_deref() == Some("laravel");
    let composer = svc.package_manager.as_deref() == Some("composer");
    let mut f = String::new();
    header(&mut f, &format!("{} app", framework_or(svc, "PHP")), svc);
    if composer {
        f.push_str("# Composer packages first, from composer.json and its lock alone, so this layer is reused\n# until they change. Platform checks run against the runtime image, not this one.\n");
        let _ = writeln!(f, "FROM {} AS vendor", knowledge::COMPOSER_IMAGE);
        f.push_str("WORKDIR /app\n");
        let lock = if svc.lockfile.is_some() { " composer.lock" } else { "" };
        let _ = writeln!(f, "COPY composer.json{lock} ./");
        f.push_str("RUN --mount=type=cache,target=/tmp/composer-cache \\\n    COMPOSER_CACHE_DIR=/tmp/composer-cache composer install --no-dev --no-scripts --no-autoloader \\\n    --prefer-dist --no-interaction --ignore-platform-reqs\n");
        f.push_str("COPY . .\n");
        f.push_str("RUN composer dump-autoload --optimize --classmap-authoritative --no-dev\n\n");
    }
    f.push_str(
        "# The runtime image: FrankenPHP (Caddy with PHP built in) serving the app as an\n# unprivileged user.\n",
    );
    let _ = writeln!(f, "FROM {}-php{version} AS runtime", knowledge::FRANKENPHP_IMAGE);
    let mut extensions = vec!["opcache"];
    for b in &svc.backing_services {
        match b.as_str() {
            "postgres" => extensions.push("pdo_pgsql"),
            "mysql" | "mariadb" => extensions.push("pdo_mysql"),
            "redis" => extensions.push("redis"),
            _ => {}
        }
    }
    let _ = writeln!(
        f,
        "RUN install-php-extensions {} \\\n    && chown -R {UID} /data/caddy /config/caddy",
        extensions.join(" ")
    );
    f.push_str("WORKDIR /app\n");
    if composer {
        let _ = writeln!(f, "COPY --from=vendor --chown={UID} /app /app");
    } else {
        let _ = writeln!(f, "COPY --chown={UID} . /app");
    }
    let _ = writeln!(f, "USER {UID}");
    let _ = writeln!(f, "ENV PORT={port}");
    let _ = writeln!(f, "EXPOSE {port}");
    let path = svc.health_path.as_deref().unwrap_or("/");
    healthcheck(
        &mut f,
        &format!("[\"php\", \"-r\", \"exit(@file_get_contents('http://127.0.0.1:' . (getenv('PORT') ?: '{port}') . '{path}') === false ? 1 : 0);\"]"),
    );
    let serve = svc
        .start_command
        .clone()
        .unwrap_or_else(|| "frankenphp php-server --listen 0.0.0.0:${PORT:-8080} --root public/".into());
    // Laravel caches its configuration where the environment is known: at start, not in the build.
    let start = if laravel {
        format!("php artisan optimize && {serve}")
    } else {
        serve
    };
    let _ = writeln!(f, "CMD {}", start_form(&start));
    f
}

// ---------------------------------------------------------------------------------------------
// Bun and Deno

pub fn bun(svc: &ServiceProfile) -> String {
    let version = tag(svc, "1");
    let image = format!("oven/bun:{version}-alpine");
    let port = port(svc, 3000);
    let lock = svc.lockfile.as_deref().map(|l| format!(" {l}")).unwrap_or_default();
    let mut f = String::new();
    header(&mut f, &format!("{} service", framework_or(svc, "Bun")), svc);
    f.push_str(
        "# Production dependencies first, from the manifests alone, so this layer is reused until\n# they change.\n",
    );
    let _ = writeln!(f, "FROM {image} AS deps");
    f.push_str("WORKDIR /app\n");
    if svc.workspace.is_some() {
        // The workspace's own packages are dependencies too: the install needs their folders.
        f.push_str("COPY . .\n");
    } else {
        let _ = writeln!(f, "COPY package.json{lock} ./");
    }
    f.push_str(
        "RUN --mount=type=cache,target=/root/.bun/install/cache \\\n    bun install --frozen-lockfile --production\n\n",
    );
    f.push_str("# The runtime image: Bun runs the TypeScript source directly, as the image's bun user.\n");
    let _ = writeln!(f, "FROM {image} AS runtime");
    f.push_str("WORKDIR /app\n");
    if svc.kind == "worker" {
        f.push_str("ENV NODE_ENV=production\n");
    } else {
        let _ = writeln!(f, "ENV NODE_ENV=production \\\n    PORT={port}");
    }
    f.push_str("COPY --from=deps --chown=1000:1000 /app/node_modules ./node_modules\n");
    f.push_str("COPY --chown=1000:1000 . .\n");
    f.push_str("USER 1000:1000\n");
    if svc.kind != "worker" {
        let _ = writeln!(f, "EXPOSE {port}");
        fetch_healthcheck(&mut f, "bun", port, svc.health_path.as_deref().unwrap_or("/"));
    }
    let start = svc.start_command.clone().unwrap_or_else(|| "bun run index.ts".into());
    let _ = writeln!(f, "CMD {}", start_form(&start));
    f
}

pub fn deno(svc: &ServiceProfile) -> String {
    let version = match svc.runtime_version.as_deref() {
        Some(v) if v.matches('.').count() == 2 => v.to_string(),
        _ => knowledge::DENO_VERSION.to_string(),
    };
    let port = port(svc, 8000);
    let fresh = svc.framework.as_deref() == Some("fresh");
    let mut f = String::new();
    header(&mut f, &format!("{} service", framework_or(svc, "Deno")), svc);
    let entry = svc
        .install_command
        .as_deref()
        .and_then(|i| i.split_once("--entrypoint "))
        .map(|(_, e)| e.trim().to_string());
    if entry.is_some() {
        f.push_str("# No deno.json: the dependencies are the entry file's imports, cached from the source.\n");
    } else {
        f.push_str(
            "# Dependencies first, from deno.json and its lock alone, so this layer is reused until they change.\n",
        );
    }
    let _ = writeln!(f, "FROM denoland/deno:{version} AS runtime");
    f.push_str("WORKDIR /app\n");
    let lock = if svc.lockfile.is_some() { " deno.lock" } else { "" };
    let frozen = if svc.lockfile.is_some() { " --frozen" } else { "" };
    // Without a deno.json the entry file names the dependencies: install caches them from it.
    match &entry {
        Some(entry) => {
            f.push_str("COPY --chown=1993:1993 . .\n");
            let _ = writeln!(f, "RUN deno install{frozen} --entrypoint {entry}");
        }
        None => {
            let config = if svc.evidence.iter().any(|e| e.file.ends_with("deno.jsonc")) {
                "deno.jsonc"
            } else {
                "deno.json"
            };
            let _ = writeln!(f, "COPY {config}{lock} ./");
            let _ = writeln!(f, "RUN deno install{frozen}");
            f.push_str("COPY --chown=1993:1993 . .\n");
        }
    }
    if svc.build_command.is_some() {
        f.push_str("RUN deno task build\n");
    }
    f.push_str("USER 1993:1993\n");
    if svc.kind != "worker" {
        let _ = writeln!(f, "ENV PORT={port}");
        let _ = writeln!(f, "EXPOSE {port}");
    }
    // Fresh's start task watches files for development; production runs main.ts.
    let start = if fresh {
        "deno run --allow-net --allow-env --allow-read main.ts".to_string()
    } else {
        svc.start_command.clone().unwrap_or_else(|| "deno task start".into())
    };
    let _ = writeln!(f, "CMD {}", start_form(&start));
    f
}

// ---------------------------------------------------------------------------------------------
// Elixir

pub fn elixir(svc: &ServiceProfile) -> String {
    let version = tag(svc, "1.18");
    let port = port(svc, 4000);
    let phoenix = svc.framework.as_deref() == Some("phoenix");
    let app = svc
        .artifact
        .as_deref()
        .and_then(|a| a.rsplit('/').next())
        .unwrap_or("app")
        .to_string();
    let assets = svc
        .build_command
        .as_deref()
        .is_some_and(|b| b.contains("assets.deploy"));
    let mut f = String::new();
    header(&mut f, &format!("{} app", framework_or(svc, "Elixir")), svc);
    f.push_str("# Dependencies first, from mix.exs and its lock alone, so this layer is reused until they change.\n");
    let _ = writeln!(f, "FROM elixir:{version}-slim AS build");
    f.push_str("WORKDIR /app\n");
    f.push_str("ENV MIX_ENV=prod\n");
    f.push_str("RUN mix local.hex --force \\\n    && mix local.rebar --force\n");
    let lock = if svc.lockfile.is_some() { " mix.lock" } else { "" };
    let _ = writeln!(f, "COPY mix.exs{lock} ./");
    f.push_str("RUN mix deps.get --only prod \\\n    && mix deps.compile\n");
    f.push_str("COPY . .\n");
    if assets {
        f.push_str("RUN mix assets.deploy\n");
    }
    f.push_str("RUN mix compile \\\n    && mix release\n\n");
    f.push_str("# The runtime image: the self-contained release on Debian slim, as an unprivileged user.\n");
    let _ = writeln!(f, "FROM {} AS runtime", knowledge::DEBIAN_SLIM);
    apt_install(
        &mut f,
        &["libstdc++6", "openssl", "libncurses6", "locales", "ca-certificates"],
    );
    f.push_str("WORKDIR /app\n");
    let _ = writeln!(f, "COPY --from=build --chown={UID} /app/_build/prod/rel/{app} ./");
    let _ = writeln!(f, "USER {UID}");
    let server = if phoenix { " \\\n    PHX_SERVER=true" } else { "" };
    let _ = writeln!(f, "ENV LANG=C.UTF-8 \\\n    PORT={port}{server}");
    if svc.kind != "worker" {
        let _ = writeln!(f, "EXPOSE {port}");
    }
    let _ = writeln!(f, "CMD [\"/app/bin/{app}\", \"start\"]");
    f
}

// ---------------------------------------------------------------------------------------------
// Compiled to a binary or a release: Clojure, Gleam, Crystal, Dart, Swift, Haskell, C and C++

/// How one stack builds and what its runtime needs.
struct Compiled<'a> {
    what: &'a str,
    builder: String,
    /// Lines after FROM in the build stage, before the manifests.
    prepare: &'a [&'a str],
    /// Files copied before the dependency install (a missing optional one is left out).
    manifests: Vec<String>,
    install: Option<String>,
    build: String,
    runtime: String,
    /// Lines after FROM in the runtime stage, before the copy.
    runtime_prepare: Vec<String>,
    /// (from in the build stage, to in the runtime stage)
    copy: Vec<(String, String)>,
    start: String,
    user: &'a str,
}

fn compiled(svc: &ServiceProfile, c: Compiled) -> String {
    let port = port(svc, 8080);
    let mut f = String::new();
    header(&mut f, c.what, svc);
    if c.install.is_some() {
        f.push_str("# Dependencies first, from the manifests alone, so this layer is reused until they change.\n");
    }
    let _ = writeln!(f, "FROM {} AS build", c.builder);
    f.push_str("WORKDIR /src\n");
    for l in c.prepare {
        let _ = writeln!(f, "{l}");
    }
    if let Some(install) = &c.install {
        let _ = writeln!(f, "COPY {} ./", c.manifests.join(" "));
        let _ = writeln!(f, "RUN {install}");
    }
    f.push_str("COPY . .\n");
    let _ = writeln!(f, "RUN {}\n", c.build);
    f.push_str("# The runtime image: the build output only, as an unprivileged user.\n");
    let _ = writeln!(f, "FROM {} AS runtime", c.runtime);
    for l in &c.runtime_prepare {
        let _ = writeln!(f, "{l}");
    }
    f.push_str("WORKDIR /app\n");
    for (from, to) in &c.copy {
        let _ = writeln!(f, "COPY --from=build {from} {to}");
    }
    let _ = writeln!(f, "USER {}", c.user);
    if svc.kind != "worker" {
        let _ = writeln!(f, "ENV PORT={port}");
        let _ = writeln!(f, "EXPOSE {port}");
    }
    let _ = writeln!(f, "CMD {}", start_form(&c.start));
    f
}

fn with_lock(first: &str, lock: Option<&str>) -> Vec<String> {
    let mut v = vec![first.to_string()];
    if let Some(l) = lock {
        v.push(l.to_string());
    }
    v
}

/// A version with three parts, for images tagged only that way: `1.13` becomes `1.13.0`.
fn full_version(v: &str) -> String {
    match v.matches('.').count() {
        0 => format!("{v}.0.0"),
        1 => format!("{v}.0"),
        _ => v.to_string(),
    }
}

pub fn clojure(svc: &ServiceProfile) -> String {
    let java = tag(svc, "21");
    let lein = svc.package_manager.as_deref() == Some("lein");
    let jar = svc
        .artifact
        .clone()
        .unwrap_or_else(|| "target/app-standalone.jar".into());
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Clojure")),
            builder: format!("clojure:temurin-{java}-{}", if lein { "lein" } else { "tools-deps" }),
            prepare: &[],
            manifests: vec![if lein { "project.clj" } else { "deps.edn" }.to_string()],
            install: Some(if lein { "lein deps" } else { "clojure -P" }.to_string()),
            build: format!(
                "{} && cp {jar} /app.jar",
                svc.build_command.as_deref().unwrap_or("lein uberjar")
            ),
            runtime: format!("eclipse-temurin:{java}-jre"),
            runtime_prepare: vec!["ENV JAVA_TOOL_OPTIONS=\"-XX:MaxRAMPercentage=75\"".into()],
            copy: vec![(format!("--chown={UID} /app.jar"), "./app.jar".into())],
            start: "java -jar app.jar".into(),
            user: UID,
        },
    )
}

pub fn gleam(svc: &ServiceProfile) -> String {
    let version = full_version(&tag(svc, "1.13"));
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Gleam")),
            builder: format!("ghcr.io/gleam-lang/gleam:v{version}-erlang-alpine"),
            prepare: &[],
            manifests: with_lock("gleam.toml", svc.lockfile.as_deref()),
            install: Some("gleam deps download".into()),
            build: "gleam export erlang-shipment".into(),
            runtime: knowledge::ERLANG_IMAGE.into(),
            runtime_prepare: vec![],
            copy: vec![(format!("--chown={UID} /src/build/erlang-shipment"), "./".into())],
            start: "/app/entrypoint.sh run".into(),
            user: UID,
        },
    )
}

pub fn crystal(svc: &ServiceProfile) -> String {
    let version = full_version(&tag(svc, "1.18"));
    let bin = svc.artifact.clone().unwrap_or_else(|| "bin/app".into());
    let name = bin.rsplit('/').next().unwrap_or("app").to_string();
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Crystal")),
            builder: format!("crystallang/crystal:{version}-alpine"),
            prepare: &[],
            manifests: with_lock("shard.yml", svc.lockfile.as_deref()),
            install: Some("shards install --production".into()),
            // Alpine's musl makes a fully static binary, so the runtime needs nothing at all.
            build: "shards build --release --production --static".into(),
            runtime: knowledge::DISTROLESS_STATIC.into(),
            runtime_prepare: vec![],
            copy: vec![(format!("/src/{bin}"), format!("/app/{name}"))],
            start: format!("/app/{name}"),
            user: "65532:65532",
        },
    )
}

pub fn dart(svc: &ServiceProfile) -> String {
    let version = tag(svc, "3");
    let bin = svc.artifact.clone().unwrap_or_else(|| "bin/server".into());
    let build = svc
        .build_command
        .clone()
        .unwrap_or_else(|| "dart compile exe bin/server.dart -o bin/server".into());
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Dart")),
            builder: format!("dart:{version}"),
            prepare: &[],
            manifests: with_lock("pubspec.yaml", svc.lockfile.as_deref()),
            install: Some(
                if svc.lockfile.is_some() {
                    "dart pub get --enforce-lockfile"
                } else {
                    "dart pub get"
                }
                .into(),
            ),
            build,
            // The Dart image ships the minimal runtime files an AOT binary needs in /runtime.
            runtime: "scratch".into(),
            runtime_prepare: vec!["COPY --from=build /runtime/ /".into()],
            copy: vec![(format!("/src/{bin}"), "/app/server".into())],
            start: "/app/server".into(),
            user: "10001:10001",
        },
    )
}

pub fn swift(svc: &ServiceProfile) -> String {
    let version = tag(svc, "6.2");
    let bin = svc.artifact.clone().unwrap_or_else(|| ".build/release/App".into());
    let name = bin.rsplit('/').next().unwrap_or("App").to_string();
    let start = svc
        .start_command
        .clone()
        .unwrap_or_else(|| format!("./{bin}"))
        .replace(&format!("./{bin}"), &format!("/app/{name}"));
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Swift")),
            builder: format!("swift:{version}-noble"),
            prepare: &[],
            manifests: with_lock("Package.swift", svc.lockfile.as_deref()),
            install: Some("swift package resolve".into()),
            build: "swift build -c release --static-swift-stdlib".into(),
            runtime: format!("swift:{version}-noble-slim"),
            runtime_prepare: vec![],
            copy: vec![(format!("/src/{bin}"), format!("/app/{name}"))],
            start,
            user: UID,
        },
    )
}

pub fn haskell(svc: &ServiceProfile) -> String {
    let version = tag(svc, "9.8");
    let stack = svc.package_manager.as_deref() == Some("stack");
    let bin = svc.artifact.clone().unwrap_or_else(|| "out/app".into());
    let name = bin.rsplit('/').next().unwrap_or("app").to_string();
    let cabal_file = svc
        .evidence
        .iter()
        .find(|e| e.file.ends_with(".cabal"))
        .map(|e| e.file.rsplit('/').next().unwrap_or(&e.file).to_string())
        .unwrap_or_else(|| format!("{name}.cabal"));
    let mut manifests = vec![cabal_file];
    if stack {
        manifests.push("stack.yaml".into());
    }
    let mut runtime_prepare =
        vec!["# Package versions follow the pinned base image's Debian release.\n# hadolint ignore=DL3008".to_string()];
    runtime_prepare.push(
        "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends libgmp10 ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*"
            .into(),
    );
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Haskell")),
            builder: format!("haskell:{version}"),
            prepare: &[],
            manifests,
            install: Some(
                if stack {
                    "stack build --system-ghc --only-dependencies"
                } else {
                    "cabal update && cabal build --only-dependencies"
                }
                .into(),
            ),
            build: if stack {
                "stack build --system-ghc --copy-bins --local-bin-path out".into()
            } else {
                svc.build_command.clone().unwrap_or_default()
            },
            runtime: knowledge::DEBIAN_SLIM.into(),
            runtime_prepare,
            copy: vec![(format!("/src/{bin}"), format!("/app/{name}"))],
            start: format!("/app/{name}"),
            user: UID,
        },
    )
}

pub fn cmake(svc: &ServiceProfile) -> String {
    let bin = svc.artifact.clone().unwrap_or_else(|| "build/app".into());
    let name = bin.rsplit('/').next().unwrap_or("app").to_string();
    let c = svc.language.as_deref() == Some("c");
    compiled(
        svc,
        Compiled {
            what: &format!("{} program", if c { "C" } else { "C++" }),
            builder: knowledge::GCC_IMAGE.into(),
            prepare: &[
                "# Package versions follow the pinned base image's Debian release.\n# hadolint ignore=DL3008",
                "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends cmake \\\n    && rm -rf /var/lib/apt/lists/*",
            ],
            manifests: vec![],
            install: None,
            build: svc
                .build_command
                .clone()
                .unwrap_or_else(|| "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build --parallel".into()),
            runtime: knowledge::DEBIAN_SLIM.into(),
            runtime_prepare: vec![],
            copy: vec![(format!("/src/{bin}"), format!("/app/{name}"))],
            start: format!("/app/{name}"),
            user: UID,
        },
    )
}

pub fn meson(svc: &ServiceProfile) -> String {
    let bin = svc.artifact.clone().unwrap_or_else(|| "build/app".into());
    let name = bin.rsplit('/').next().unwrap_or("app").to_string();
    let c = svc.language.as_deref() == Some("c");
    compiled(
        svc,
        Compiled {
            what: &format!("{} program", if c { "C" } else { "C++" }),
            builder: knowledge::GCC_IMAGE.into(),
            prepare: &[
                "# Package versions follow the pinned base image's Debian release.\n# hadolint ignore=DL3008",
                "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends meson ninja-build \\\n    && rm -rf /var/lib/apt/lists/*",
            ],
            manifests: vec![],
            install: None,
            build: svc
                .build_command
                .clone()
                .unwrap_or_else(|| "meson setup build --buildtype=release && meson compile -C build".into()),
            runtime: knowledge::DEBIAN_SLIM.into(),
            runtime_prepare: vec![],
            copy: vec![(format!("/src/{bin}"), format!("/app/{name}"))],
            start: format!("/app/{name}"),
            user: UID,
        },
    )
}

/// An Erlang release built with rebar3. The release carries its own runtime, built against the
/// image's C library and OpenSSL, so it runs on the same image it was built on.
pub fn erlang(svc: &ServiceProfile) -> String {
    let otp = tag(svc, "28");
    let image = format!("erlang:{otp}-alpine");
    let release = svc.artifact.clone().unwrap_or_else(|| "_build/prod/rel/app".into());
    let start = svc.start_command.clone().unwrap_or_default();
    let start = start
        .strip_prefix(&format!("{release}/"))
        .map(|rest| format!("/app/{rest}"))
        .unwrap_or(start);
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Erlang")),
            builder: image.clone(),
            prepare: &[],
            manifests: with_lock("rebar.config", svc.lockfile.as_deref()),
            install: Some("rebar3 get-deps".into()),
            build: svc
                .build_command
                .clone()
                .unwrap_or_else(|| "rebar3 as prod release".into()),
            runtime: image,
            runtime_prepare: vec![],
            copy: vec![(format!("--chown={UID} /src/{release}"), "/app".into())],
            start,
            user: UID,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Workspace members: built from the workspace root, which is the build context

/// The member's folder relative to the workspace root.
fn member_dir(svc: &ServiceProfile) -> String {
    let root = svc.workspace.as_ref().map(|w| w.root.as_str()).unwrap_or(".");
    if root == "." {
        svc.path.clone()
    } else {
        svc.path
            .strip_prefix(&format!("{root}/"))
            .unwrap_or(&svc.path)
            .to_string()
    }
}

fn member_header(f: &mut String, what: &str, svc: &ServiceProfile) {
    let dir = member_dir(svc);
    let tool = svc.workspace.as_ref().map(|w| w.tool.as_str()).unwrap_or("workspace");
    f.push_str("# syntax=docker/dockerfile:1\n");
    let _ = writeln!(
        f,
        "# Production image for the {what} \"{}\", a member of the {tool} workspace, written by Slipway.",
        svc.name
    );
    let _ = writeln!(
        f,
        "# Build from the workspace root: docker build -f {dir}/Dockerfile -t {} .\n",
        image_name(&svc.name)
    );
}

/// A Node.js workspace member. The whole workspace is the context (members depend on each
/// other through the lockfile); the install is cached by BuildKit, the build runs for this
/// member only, and the runtime gets production dependencies only.
pub fn node_member(svc: &ServiceProfile, node_image: &str) -> String {
    let dir = member_dir(svc);
    let port = port(svc, 3000);
    let pm = svc.package_manager.as_deref().unwrap_or("npm");
    let berry = svc.install_command.as_deref() == Some("yarn install --immutable");
    let (install, prod) = match pm {
        "pnpm" => (
            "--mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \\\n    corepack enable pnpm && pnpm install --frozen-lockfile".to_string(),
            String::new(),
        ),
        "yarn" if berry => (
            "--mount=type=cache,target=/root/.yarn/berry/cache \\\n    corepack enable yarn && yarn install --immutable".to_string(),
            "yarn workspaces focus --all --production".to_string(),
        ),
        "yarn" => (
            "--mount=type=cache,target=/usr/local/share/.cache/yarn \\\n    yarn install --frozen-lockfile".to_string(),
            "yarn install --frozen-lockfile --production --ignore-scripts".to_string(),
        ),
        _ => (
            "--mount=type=cache,target=/root/.npm \\\n    npm ci".to_string(),
            "npm ci --omit=dev --ignore-scripts".to_string(),
        ),
    };
    let next = svc.nextjs.as_ref();
    let standalone = next.is_some_and(|n| n.standalone);
    let mut f = String::new();
    member_header(&mut f, &format!("{} service", framework_or(svc, "Node.js")), svc);
    f.push_str("# The workspace's dependencies, then this member's build.\n");
    let _ = writeln!(f, "FROM {node_image} AS build");
    f.push_str("WORKDIR /repo\n");
    if next.is_some() {
        f.push_str("ENV NEXT_TELEMETRY_DISABLED=1\n");
    }
    if pm == "pnpm" {
        // pnpm fetches every package from the lockfile alone, so this layer is reused until the
        // lockfile changes; the install after the source copy then works offline.
        f.push_str("COPY pnpm-lock.yaml pnpm-workspace.yaml ./\n");
        f.push_str("RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \\\n    corepack enable pnpm && pnpm fetch\n");
        f.push_str("COPY . .\n");
    } else {
        f.push_str("COPY . .\n");
        let _ = writeln!(f, "RUN {install}");
    }
    // The member's build and the production-only step run as one layer.
    let mut steps: Vec<String> = svc.build_command.iter().cloned().collect();
    let name = svc
        .build_command
        .as_deref()
        .and_then(|b| {
            b.split_whitespace()
                .find_map(|w| w.strip_prefix("--filter="))
                .map(str::to_string)
                .or_else(|| {
                    let words: Vec<&str> = b.split_whitespace().collect();
                    words.windows(2).find(|w| w[0] == "--filter").map(|w| w[1].to_string())
                })
        })
        .unwrap_or_else(|| svc.name.clone());
    let runtime_dir;
    let integrated = integrated_nx(svc);
    if standalone {
        runtime_dir = "/app".to_string();
    } else if pm == "pnpm" && (dir == "." || integrated) {
        // The app is the workspace root (or an Nx project of it): production dependencies
        // replace the full install in place.
        steps.push("pnpm install --offline --frozen-lockfile --prod".into());
        runtime_dir = "/repo".to_string();
    } else if pm == "pnpm" {
        // pnpm deploy writes the member with its production dependencies into one folder.
        steps.push(format!("pnpm --filter {name} deploy --prod --legacy /out"));
        runtime_dir = "/app".to_string();
    } else {
        steps.push("rm -rf node_modules".into());
        steps.push(prod.clone());
        runtime_dir = if integrated {
            "/repo".to_string()
        } else {
            format!("/repo/{dir}")
        };
    }
    let runtime_dir = runtime_dir.trim_end_matches("/.").to_string();
    if pm == "pnpm" {
        steps.insert(0, "pnpm install --offline --frozen-lockfile".into());
        let _ = writeln!(
            f,
            "RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \\\n    {}",
            steps.join(" \\\n    && ")
        );
    } else if !steps.is_empty() {
        let _ = writeln!(f, "RUN {}", steps.join(" \\\n    && "));
    }
    f.push('\n');
    f.push_str("# The runtime image: production files only, as the unprivileged node user.\n");
    let _ = writeln!(f, "FROM {node_image} AS runtime");
    let mut env = vec!["NODE_ENV=production".to_string()];
    if next.is_some() {
        env.push("NEXT_TELEMETRY_DISABLED=1".into());
    }
    if svc.kind != "worker" {
        env.push(format!("PORT={port}"));
        env.push("HOSTNAME=0.0.0.0".into());
    }
    let chown = "--chown=1000:1000";
    let start = if standalone {
        f.push_str("WORKDIR /app\n");
        let _ = writeln!(f, "ENV {}", env.join(" \\\n    "));
        // The standalone output mirrors the workspace layout, with only the traced files.
        let _ = writeln!(f, "COPY --from=build {chown} /repo/{dir}/.next/standalone ./");
        let _ = writeln!(
            f,
            "COPY --from=build {chown} /repo/{dir}/.next/static ./{dir}/.next/static"
        );
        if next.is_some_and(|n| n.has_public_dir) {
            let _ = writeln!(f, "COPY --from=build {chown} /repo/{dir}/public ./{dir}/public");
        }
        format!("node {dir}/server.js")
    } else if integrated {
        // An Nx project runs its build output from the root, with the root's production modules.
        let out = svc.artifact.clone().unwrap_or_else(|| format!("dist/{dir}"));
        f.push_str("WORKDIR /app\n");
        let _ = writeln!(f, "ENV {}", env.join(" \\\n    "));
        let _ = writeln!(f, "COPY --from=build {chown} /repo/package.json ./package.json");
        let _ = writeln!(f, "COPY --from=build {chown} /repo/node_modules ./node_modules");
        let _ = writeln!(f, "COPY --from=build {chown} /repo/{out} ./{out}");
        super::docker::node_start(svc)
    } else if pm == "pnpm" && runtime_dir == "/app" {
        f.push_str("WORKDIR /app\n");
        let _ = writeln!(f, "ENV {}", env.join(" \\\n    "));
        let _ = writeln!(f, "COPY --from=build {chown} /out ./");
        super::docker::node_start(svc)
    } else {
        let _ = writeln!(f, "WORKDIR {runtime_dir}");
        let _ = writeln!(f, "ENV {}", env.join(" \\\n    "));
        let _ = writeln!(f, "COPY --from=build {chown} /repo /repo");
        super::docker::node_start(svc)
    };
    f.push_str("USER 1000:1000\n");
    if svc.kind != "worker" {
        let _ = writeln!(f, "EXPOSE {port}");
        fetch_healthcheck(&mut f, "node", port, svc.health_path.as_deref().unwrap_or("/"));
    }
    let _ = writeln!(f, "CMD {}", start_form(&start));
    f
}

/// An Nx project with a project.json and no package.json of its own: its commands run from the
/// workspace root, where its build writes into `dist/`.
fn integrated_nx(svc: &ServiceProfile) -> bool {
    svc.workspace.as_ref().is_some_and(|w| w.tool == "nx")
        && !svc
            .evidence
            .iter()
            .any(|e| e.file == format!("{}/package.json", svc.path))
}

/// A Maven module or Gradle subproject: built from the root so sibling modules resolve.
pub fn jvm_member(svc: &ServiceProfile) -> String {
    let mut f = jvm(svc);
    // The single-project file builds from the service folder; a member builds from the root.
    let header_end = f.find("\n\n").map_or(0, |i| i + 2);
    let mut head = String::new();
    member_header(&mut head, &format!("{} service", framework_or(svc, "Java")), svc);
    f.replace_range(..header_end, &head);
    // Maven: the modules depend on each other, so there is no POM-only dependency layer.
    f = f.replace(
        "# Dependencies first, from the POM alone, so this layer is reused until it changes.\nCOPY pom.xml ./\nRUN --mount=type=cache,target=/root/.m2 \\\n    mvn -B dependency:go-offline\n",
        "# The modules depend on each other: the whole build, with Maven's repository in a cache mount.\n",
    );
    f
}

/// A static site that is a member of a Node.js workspace: built from the root.
pub fn static_member(svc: &ServiceProfile, node_image: &str, install: &str) -> String {
    let dir = member_dir(svc);
    let port = port(svc, 8080);
    let artifact = svc.artifact.clone().unwrap_or_else(|| "dist".into());
    let mut f = String::new();
    member_header(&mut f, &format!("{} site", framework_or(svc, "static")), svc);
    f.push_str("# The workspace's dependencies, then this member's build.\n");
    let _ = writeln!(f, "FROM {node_image} AS build");
    f.push_str("WORKDIR /repo\n");
    f.push_str("COPY . .\n");
    let _ = writeln!(f, "RUN {install}");
    let build = svc
        .build_command
        .clone()
        .unwrap_or_else(|| format!("npm run build --workspace {dir}"));
    let _ = writeln!(f, "RUN {build}\n");
    // An Nx project's build output is named from the workspace root.
    let files = if integrated_nx(svc) {
        format!("/repo/{artifact}")
    } else {
        format!("/repo/{dir}/{artifact}").replace("/./", "/")
    };
    nginx_runtime(
        &mut f,
        format!("{dir}/nginx.conf").trim_start_matches("./"),
        &format!("--from=build {files}"),
        port,
    );
    f
}

/// The runtime stage of a static site: the files and unprivileged nginx with our config.
fn nginx_runtime(f: &mut String, conf: &str, files: &str, port: u16) {
    f.push_str("# The runtime image: the files and a small web server, as nginx's unprivileged user.\n");
    let _ = writeln!(f, "FROM {} AS runtime", knowledge::NGINX_UNPRIVILEGED);
    let _ = writeln!(f, "COPY {conf} /etc/nginx/conf.d/default.conf");
    let _ = writeln!(f, "COPY {files} /usr/share/nginx/html");
    f.push_str("USER 101:101\n");
    let _ = writeln!(f, "EXPOSE {port}");
    healthcheck(
        f,
        &format!("[\"wget\", \"-q\", \"--spider\", \"http://127.0.0.1:{port}/healthz\"]"),
    );
}

// ---------------------------------------------------------------------------------------------
// Static sites

/// nginx configuration for a static site: single-page apps fall back to index.html, and the
/// health endpoint answers without touching the files.
pub fn nginx_conf(svc: &ServiceProfile) -> String {
    let port = port(svc, 8080);
    let spa = matches!(
        svc.framework.as_deref(),
        Some("vite" | "create-react-app" | "angular" | "flutter")
    );
    let fallback = if spa { "/index.html" } else { "=404" };
    format!(
        "# Serves the static site, written by Slipway.\n\
server {{\n\
    listen {port};\n\
    server_name _;\n\
    root /usr/share/nginx/html;\n\
    index index.html;\n\
\n\
    location = /healthz {{\n\
        access_log off;\n\
        default_type text/plain;\n\
        return 200 \"ok\\n\";\n\
    }}\n\
\n\
    location / {{\n\
        try_files $uri $uri/ {fallback};\n\
    }}\n\
\n\
    # Hashed build assets never change: cache them for a year.\n\
    location ~* \\.(?:js|css|woff2?|svg|png|jpg|jpeg|gif|ico|webp)$ {{\n\
        expires 1y;\n\
        add_header Cache-Control \"public, immutable\";\n\
        try_files $uri =404;\n\
    }}\n\
}}\n"
    )
}

/// A static site: built with Node.js when it has a build, then served by unprivileged nginx.
/// How a static site builds: a package.json script runs through npm (in every Node.js image),
/// any other command (`npx expo export --platform web`) as it is.
fn static_build(svc: &ServiceProfile) -> String {
    let Some(build) = svc.build_command.as_deref() else {
        return "npm run build".into();
    };
    let words: Vec<&str> = build.split_whitespace().collect();
    let script = match words.as_slice() {
        ["npm" | "pnpm" | "bun", "run", script] => Some(*script),
        ["yarn", script] | ["yarn", "run", script] => Some(*script),
        _ => None,
    };
    match script {
        Some(script) => format!("npm run {script}"),
        None => build.to_string(),
    }
}

pub fn static_site(svc: &ServiceProfile, node_build: Option<(&str, &[String], &str)>) -> String {
    let port = port(svc, 8080);
    let artifact = svc.artifact.clone().unwrap_or_else(|| ".".into());
    let mut f = String::new();
    header(&mut f, &format!("{} site", framework_or(svc, "static")), svc);
    let source = if let Some((image, manifests, install)) = node_build {
        f.push_str("# Dependencies first, from the manifests alone, so this layer is reused until they change.\n");
        let _ = writeln!(f, "FROM {image} AS build");
        f.push_str("WORKDIR /app\n");
        let _ = writeln!(f, "COPY {} ./", manifests.join(" "));
        let _ = writeln!(f, "RUN {install}");
        f.push_str("COPY . .\n");
        let _ = writeln!(f, "RUN {}\n", static_build(svc));
        format!("--from=build /app/{}", artifact.trim_end_matches('/'))
    } else {
        ".".to_string()
    };
    nginx_runtime(&mut f, "nginx.conf", &source, port);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_reading_variables_go_through_sh_with_exec() {
        assert_eq!(start_form("node server.js"), r#"["node", "server.js"]"#);
        assert_eq!(
            start_form("uvicorn app:app --port ${PORT:-8000}"),
            r#"["sh", "-c", "exec uvicorn app:app --port ${PORT:-8000}"]"#
        );
        assert_eq!(
            start_form("php artisan optimize && frankenphp run"),
            r#"["sh", "-c", "php artisan optimize && exec frankenphp run"]"#,
            "the server, not the preparation step, replaces the shell"
        );
    }
}

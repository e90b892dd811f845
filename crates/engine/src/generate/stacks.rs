//! Dockerfiles for the stacks beyond Node.js: Python, Go, Rust, the JVM (Maven and Gradle),
//! .NET, and static sites served by an unprivileged nginx.
//!
//! Every file follows the same shape as the Node.js one: a build stage whose dependency layer
//! is cached apart from the source (manifests and lockfile first, BuildKit cache mounts), a
//! runtime stage on the smallest base that fits (slim, distroless or a JRE), a numeric
//! unprivileged user, only the build output copied, the detected port exposed, and the start
//! command in exec form, through `sh -c` only where it must read `$PORT`.

use slipway_scan::ServiceProfile;

use super::dockerfile::{exec_form, fetch_healthcheck, header, image_name, start_form, Dockerfile, Instruction};
use crate::knowledge;

/// The unprivileged user images run as when the base image has none of its own.
const UID: &str = "10001:10001";

fn port(svc: &ServiceProfile, default: u16) -> u16 {
    svc.port.unwrap_or(default)
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

pub fn python(svc: &ServiceProfile) -> Dockerfile {
    let version = tag(svc, "3.13");
    let image = format!("python:{version}-slim");
    let port = port(svc, 8000);
    let pm = svc.package_manager.as_deref().unwrap_or("pip");
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} service", framework_or(svc, "Python")), svc);
    if svc.install_command.is_none() {
        // A program of the standard library alone: nothing to install, one stage.
        f.comment("The program needs only the standard library: the source, run as an unprivileged user.");
        f.from(&image, "runtime");
        let port_env = if svc.kind == "worker" {
            String::new()
        } else {
            format!(" \\\n    PORT={port}")
        };
        f.env(format!(
            "PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1{port_env}"
        ));
        f.workdir("/app");
        f.copy(format!("--chown={UID} . ."));
        f.user(UID);
        python_tail(&mut f, svc, port);
        return f;
    }
    f.comment(
        "Dependencies in a virtual environment, from the manifests alone, so this layer is reused\nuntil they change.",
    );
    f.from(&image, "build");
    f.env("PYTHONDONTWRITEBYTECODE=1 \\\n    PIP_DISABLE_PIP_VERSION_CHECK=1 \\\n    VIRTUAL_ENV=/opt/venv \\\n    PATH=\"/opt/venv/bin:$PATH\"");
    f.workdir("/app");
    f.run("python -m venv /opt/venv");
    let pip = "--mount=type=cache,target=/root/.cache/pip \\\n    pip install";
    match pm {
        "uv" => {
            f.copy(format!("--from={} /uv /bin/uv", knowledge::UV_IMAGE));
            f.copy("pyproject.toml uv.lock ./");
            f.env("UV_PROJECT_ENVIRONMENT=/opt/venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy");
            f.run("--mount=type=cache,target=/root/.cache/uv \\\n    uv sync --frozen --no-dev --no-install-project");
        }
        "poetry" => {
            let lock = if svc.lockfile.is_some() { " poetry.lock" } else { "" };
            f.copy(format!("pyproject.toml{lock} ./"));
            f.run(format!("{pip} {} \\\n    && poetry config virtualenvs.create false \\\n    && poetry install --only main --no-root --no-interaction", knowledge::POETRY));
        }
        "pdm" => {
            let lock = if svc.lockfile.is_some() { " pdm.lock" } else { "" };
            f.copy(format!("pyproject.toml{lock} ./"));
            f.run(format!("{pip} {} \\\n    && pdm export --prod --no-hashes -o /tmp/requirements.txt \\\n    && pip install --no-cache-dir -r /tmp/requirements.txt", knowledge::PDM));
        }
        "pipenv" => {
            let lock = if svc.lockfile.is_some() { " Pipfile.lock" } else { "" };
            f.copy(format!("Pipfile{lock} ./"));
            f.run(format!("{pip} {} \\\n    && pipenv requirements > /tmp/requirements.txt \\\n    && pip install --no-cache-dir -r /tmp/requirements.txt", knowledge::PIPENV));
        }
        _ if svc.lockfile.as_deref() == Some("requirements.txt") => {
            f.copy("requirements.txt ./");
            f.run(format!("{pip} -r requirements.txt"));
        }
        _ => {
            f.copy(". .");
            f.run(format!("{pip} ."));
        }
    }
    f.comment("The runtime image: the virtual environment and the source, run as an unprivileged user.");
    f.from(&image, "runtime");
    f.env(format!("PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1 \\\n    VIRTUAL_ENV=/opt/venv \\\n    PATH=\"/opt/venv/bin:$PATH\" \\\n    PORT={port}"));
    f.workdir("/app");
    f.copy("--from=build /opt/venv /opt/venv");
    f.copy(format!("--chown={UID} . ."));
    if let Some(build) = &svc.build_command {
        // Django's collectstatic and the like run on the final source, as the app user.
        f.run(build);
    }
    f.user(UID);
    python_tail(&mut f, svc, port);
    f
}

/// The port, health check and start of a Python image.
fn python_tail(f: &mut Dockerfile, svc: &ServiceProfile, port: u16) {
    let health = format!(
        "[\"python\", \"-c\", \"import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '{port}') + '{}', timeout=4)\"]",
        svc.health_path.as_deref().unwrap_or("/")
    );
    serve_and_start(f, svc, port, false, &health);
}

/// The end of a runtime stage: for a server, its port (in ENV when `port_env`), EXPOSE and
/// the health check `health`; then the start command, for servers and workers alike.
fn serve_and_start(f: &mut Dockerfile, svc: &ServiceProfile, port: u16, port_env: bool, health: &str) {
    if svc.kind != "worker" {
        if port_env {
            f.env(format!("PORT={port}"));
        }
        f.expose(port);
        f.healthcheck(health);
    }
    let start = svc.start_command.clone().unwrap_or_default();
    f.cmd(start_form(&start));
}

fn framework_or(svc: &ServiceProfile, fallback: &str) -> String {
    svc.framework
        .as_deref()
        .map(|f| slipway_scan::framework_label(f).to_string())
        .unwrap_or_else(|| fallback.to_string())
}

// ---------------------------------------------------------------------------------------------
// Go

pub fn go(svc: &ServiceProfile) -> Dockerfile {
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
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} service", framework_or(svc, "Go")), svc);
    if module {
        f.comment("Modules first, from go.mod and go.sum alone, so this layer is reused until they change.");
    } else {
        f.comment("No go.mod: the program's files build with the standard library alone.");
    }
    f.from(format!("golang:{version}-alpine"), "build");
    f.workdir("/src");
    if module {
        let sum = if svc.lockfile.is_some() { " go.sum" } else { "" };
        f.copy(format!("go.mod{sum} ./"));
        f.run("--mount=type=cache,target=/go/pkg/mod \\\n    go mod download");
    }
    f.copy(". .");
    f.run(format!("--mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n    CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /out/{bin} {target}"));
    f.comment("The runtime image: the static binary alone on distroless, as its nonroot user. There is no\nshell in it, so the health check belongs to the orchestrator (compose or Kubernetes probes).");
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
pub fn rust(svc: &ServiceProfile) -> Dockerfile {
    let version = tag(svc, "1");
    let version = version.split('.').take(2).collect::<Vec<_>>().join(".");
    let port = port(svc, 8080);
    let bin = svc
        .artifact
        .as_deref()
        .and_then(|a| a.rsplit('/').next())
        .unwrap_or("app")
        .to_string();
    let mut f = Dockerfile::default();
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
    f.comment("Build with the registry and target folders in BuildKit caches: rebuilds compile only what\nchanged. The binary is copied out of the cache mount to survive the step.");
    f.from(format!("rust:{version}-slim-bookworm"), "build");
    f.workdir("/src");
    f.copy(". .");
    f.run(format!("--mount=type=cache,target=/usr/local/cargo/registry \\\n    --mount=type=cache,target=/src/target \\\n    {build} \\\n    && cp target/release/{bin} /{bin}"));
    f.comment("The runtime image: the binary alone on distroless (glibc, no shell), as its nonroot user.");
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
    f: &mut Dockerfile,
    image: &str,
    built: &str,
    bin: &str,
    svc: &ServiceProfile,
    port: u16,
    env: &[String],
) {
    f.from(image, "runtime");
    f.copy(format!("--from=build {built} /app/{bin}"));
    f.user("65532:65532");
    if svc.kind != "worker" {
        f.env(format!("PORT={port}"));
        for e in env {
            f.env(e);
        }
        f.expose(port);
    }
    f.entrypoint(format!("[\"/app/{bin}\"]"));
}

// ---------------------------------------------------------------------------------------------
// JVM: Maven and Gradle

pub fn jvm(svc: &ServiceProfile) -> Dockerfile {
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
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} service", framework_or(svc, "Java")), svc);
    // The official build-tool images, not the project's wrapper scripts: a wrapper needs its
    // own files (.mvn/, gradle/wrapper/) in the context, and these images pin the tool's line.
    let build = build.replacen("./mvnw", "mvn", 1).replacen("./gradlew", "gradle", 1);
    if gradle {
        f.from(format!("gradle:{}-jdk{version}", knowledge::GRADLE_LINE), "build");
        f.workdir("/src");
        f.comment("The whole build: Gradle resolves dependencies into its cache mount, reused across builds.");
        f.copy(". .");
        f.run(format!(
            "--mount=type=cache,target=/home/gradle/.gradle \\\n    {build}"
        ));
    } else {
        f.from(
            format!("maven:{}-eclipse-temurin-{version}", knowledge::MAVEN_LINE),
            "build",
        );
        f.workdir("/src");
        f.comment("Dependencies first, from the POM alone, so this layer is reused until it changes.");
        f.copy("pom.xml ./");
        f.run("--mount=type=cache,target=/root/.m2 \\\n    mvn -B dependency:go-offline");
        f.copy(". .");
        f.run(format!("--mount=type=cache,target=/root/.m2 \\\n    {build}"));
    }
    // Gradle's application plugin installs a distribution: the jars and a start script.
    let distribution = artifact.contains("build/install/");
    if distribution {
        f.run(format!("cp -r {artifact} /dist"));
    } else if !quarkus {
        // One fixed name for the runtime stage, whatever version the build stamps on the jar.
        f.run(format!("cp {artifact} /app.jar"));
    }
    f.comment("The runtime image: a JRE, not the JDK, and the built application only, as an unprivileged user.");
    f.from(format!("eclipse-temurin:{version}-jre"), "runtime");
    f.workdir("/app");
    let dist_start;
    let start = if distribution {
        let name = artifact.trim_end_matches('/').rsplit('/').next().unwrap_or("app");
        f.copy(format!("--from=build --chown={UID} /dist ./"));
        dist_start = format!("/app/bin/{name}");
        dist_start.as_str()
    } else if quarkus {
        f.copy(format!("--from=build --chown={UID} /src/{artifact} ./"));
        "java -jar quarkus-run.jar"
    } else {
        f.copy(format!("--from=build --chown={UID} /app.jar ./app.jar"));
        "java -jar app.jar"
    };
    f.user(UID);
    f.env("JAVA_TOOL_OPTIONS=\"-XX:MaxRAMPercentage=75\"");
    if svc.kind != "worker" {
        match svc.framework.as_deref() {
            Some("spring-boot") => {
                f.env(format!("SERVER_PORT={port}"));
            }
            Some("quarkus") => {
                f.env(format!("QUARKUS_HTTP_PORT={port} QUARKUS_HTTP_HOST=0.0.0.0"));
            }
            Some("micronaut") => {
                f.env(format!("MICRONAUT_SERVER_PORT={port}"));
            }
            _ => {
                f.env(format!("PORT={port}"));
            }
        }
        f.expose(port);
    }
    f.cmd(exec_form(start));
    f
}

// ---------------------------------------------------------------------------------------------
// .NET

pub fn dotnet(svc: &ServiceProfile) -> Dockerfile {
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
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} service", framework_or(svc, ".NET")), svc);
    f.comment("Restore first, from the project file alone, so this layer is reused until it changes.");
    f.from(format!("mcr.microsoft.com/dotnet/sdk:{version}"), "build");
    f.workdir("/src");
    f.copy(format!("{project} ./"));
    f.run(format!(
        "--mount=type=cache,target=/root/.nuget/packages \\\n    dotnet restore {project}"
    ));
    f.copy(". .");
    f.run(format!("--mount=type=cache,target=/root/.nuget/packages \\\n    dotnet publish {project} -c Release -o /out --no-restore"));
    let runtime = if web { "aspnet" } else { "runtime" };
    f.comment("The runtime image: the published output on the runtime-only image, as an unprivileged\nuser above 10000 (the image's own app user is uid 1654).");
    f.from(format!("mcr.microsoft.com/dotnet/{runtime}:{version}"), "runtime");
    f.workdir("/app");
    f.copy("--from=build /out ./");
    f.user(UID);
    if web {
        f.env(format!("ASPNETCORE_HTTP_PORTS={port}"));
        f.expose(port);
    }
    f.entrypoint(format!("[\"dotnet\", \"{dll}\"]"));
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
fn apt_install(f: &mut Dockerfile, packages: &[&str]) {
    f.comment("Package versions follow the pinned base image's Debian release.\nhadolint ignore=DL3008");
    f.run(format!("apt-get update \\\n    && apt-get install -y --no-install-recommends {} \\\n    && rm -rf /var/lib/apt/lists/*", packages.join(" ")));
}

pub fn ruby(svc: &ServiceProfile) -> Dockerfile {
    let version = tag(svc, "3.4");
    let port = port(svc, 3000);
    if svc.package_manager.is_none() {
        return ruby_script(svc, &version, port);
    }
    let rails = svc.framework.as_deref() == Some("rails");
    let (build_libs, run_libs) = ruby_native_libs(svc);
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} app", framework_or(svc, "Ruby")), svc);
    f.from(format!("ruby:{version}-slim"), "base");
    f.workdir("/app");
    let env = if rails {
        " \\\n    RAILS_ENV=production \\\n    RAILS_LOG_TO_STDOUT=1"
    } else {
        ""
    };
    f.env(format!("BUNDLE_DEPLOYMENT=1 \\\n    BUNDLE_WITHOUT=\"development:test\" \\\n    BUNDLE_PATH=/usr/local/bundle \\\n    RACK_ENV=production{env}"));
    f.comment("Gems first, from the Gemfile and its lock alone, so this layer is reused until they change.");
    f.from("base", "build");
    apt_install(&mut f, &build_libs);
    let lock = if svc.lockfile.is_some() { " Gemfile.lock" } else { "" };
    f.copy(format!("Gemfile{lock} ./"));
    f.run("bundle install \\\n    && rm -rf \"${BUNDLE_PATH}\"/ruby/*/cache");
    f.copy(". .");
    if rails {
        f.run("SECRET_KEY_BASE_DUMMY=1 bundle exec rails assets:precompile");
    }
    f.comment("The runtime image: the installed gems and the app, run as an unprivileged user.");
    f.from("base", "runtime");
    if !run_libs.is_empty() {
        apt_install(&mut f, &run_libs);
    }
    f.copy("--from=build /usr/local/bundle /usr/local/bundle");
    f.copy(format!("--from=build --chown={UID} /app /app"));
    f.user(UID);
    ruby_tail(&mut f, svc, port);
    f
}

/// A Ruby program with no Gemfile: the standard library only, one stage.
fn ruby_script(svc: &ServiceProfile, version: &str, port: u16) -> Dockerfile {
    let mut f = Dockerfile::default();
    header(&mut f, "Ruby program", svc);
    f.comment("The program needs only Ruby's standard library: the source, run as an unprivileged user.");
    f.from(format!("ruby:{version}-slim"), "runtime");
    f.workdir("/app");
    f.copy(format!("--chown={UID} . ."));
    f.user(UID);
    ruby_tail(&mut f, svc, port);
    f
}

/// The port, health check and start of a Ruby image.
fn ruby_tail(f: &mut Dockerfile, svc: &ServiceProfile, port: u16) {
    let health = format!(
        "[\"ruby\", \"-rnet/http\", \"-e\", \"exit(Net::HTTP.get_response(URI(\\\"http://127.0.0.1:#{{ENV.fetch('PORT', '{port}')}}{}\\\")).code.to_i < 500 ? 0 : 1)\"]",
        svc.health_path.as_deref().unwrap_or("/")
    );
    serve_and_start(f, svc, port, true, &health);
}

// ---------------------------------------------------------------------------------------------
// PHP

pub fn php(svc: &ServiceProfile) -> Dockerfile {
    let version = tag(svc, "8.4");
    let version = version.split('.').take(2).collect::<Vec<_>>().join(".");
    let port = port(svc, 8080);
    let laravel = svc.framework.as_deref() == Some("laravel");
    let composer = svc.package_manager.as_deref() == Some("composer");
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} app", framework_or(svc, "PHP")), svc);
    if composer {
        f.comment("Composer packages first, from composer.json and its lock alone, so this layer is reused\nuntil they change. Platform checks run against the runtime image, not this one.");
        f.from(knowledge::COMPOSER_IMAGE, "vendor");
        f.workdir("/app");
        let lock = if svc.lockfile.is_some() { " composer.lock" } else { "" };
        f.copy(format!("composer.json{lock} ./"));
        f.run("--mount=type=cache,target=/tmp/composer-cache \\\n    COMPOSER_CACHE_DIR=/tmp/composer-cache composer install --no-dev --no-scripts --no-autoloader \\\n    --prefer-dist --no-interaction --ignore-platform-reqs");
        f.copy(". .");
        f.run("composer dump-autoload --optimize --classmap-authoritative --no-dev");
    }
    f.comment("The runtime image: FrankenPHP (Caddy with PHP built in) serving the app as an\nunprivileged user.");
    f.from(format!("{}-php{version}", knowledge::FRANKENPHP_IMAGE), "runtime");
    let mut extensions = vec!["opcache"];
    for b in &svc.backing_services {
        match b.as_str() {
            "postgres" => extensions.push("pdo_pgsql"),
            "mysql" | "mariadb" => extensions.push("pdo_mysql"),
            "redis" => extensions.push("redis"),
            _ => {}
        }
    }
    f.run(format!(
        "install-php-extensions {} \\\n    && chown -R {UID} /data/caddy /config/caddy",
        extensions.join(" ")
    ));
    f.workdir("/app");
    if composer {
        f.copy(format!("--from=vendor --chown={UID} /app /app"));
    } else {
        f.copy(format!("--chown={UID} . /app"));
    }
    f.user(UID);
    f.env(format!("PORT={port}"));
    f.expose(port);
    let path = svc.health_path.as_deref().unwrap_or("/");
    f.healthcheck(
        format!("[\"php\", \"-r\", \"exit(@file_get_contents('http://127.0.0.1:' . (getenv('PORT') ?: '{port}') . '{path}') === false ? 1 : 0);\"]"),
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
    f.cmd(start_form(&start));
    f
}

// ---------------------------------------------------------------------------------------------
// Bun and Deno

pub fn bun(svc: &ServiceProfile) -> Dockerfile {
    let version = tag(svc, "1");
    let image = format!("oven/bun:{version}-alpine");
    let port = port(svc, 3000);
    let lock = svc.lockfile.as_deref().map(|l| format!(" {l}")).unwrap_or_default();
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} service", framework_or(svc, "Bun")), svc);
    f.comment("Production dependencies first, from the manifests alone, so this layer is reused until\nthey change.");
    f.from(&image, "deps");
    f.workdir("/app");
    if svc.workspace.is_some() {
        // The workspace's own packages are dependencies too: the install needs their folders.
        f.copy(". .");
    } else {
        f.copy(format!("package.json{lock} ./"));
    }
    f.run("--mount=type=cache,target=/root/.bun/install/cache \\\n    bun install --frozen-lockfile --production");
    f.comment("The runtime image: Bun runs the TypeScript source directly, as an unprivileged user.");
    f.from(&image, "runtime");
    f.workdir("/app");
    if svc.kind == "worker" {
        f.env("NODE_ENV=production");
    } else {
        f.env(format!("NODE_ENV=production \\\n    PORT={port}"));
    }
    f.copy("--from=deps --chown=10001:10001 /app/node_modules ./node_modules");
    f.copy("--chown=10001:10001 . .");
    f.user(UID);
    if svc.kind != "worker" {
        f.expose(port);
        fetch_healthcheck(&mut f, "bun", port, svc.health_path.as_deref().unwrap_or("/"));
    }
    let start = svc.start_command.clone().unwrap_or_else(|| "bun run index.ts".into());
    f.cmd(start_form(&start));
    f
}

pub fn deno(svc: &ServiceProfile) -> Dockerfile {
    let version = match svc.runtime_version.as_deref() {
        Some(v) if v.matches('.').count() == 2 => v.to_string(),
        _ => knowledge::DENO_VERSION.to_string(),
    };
    let port = port(svc, 8000);
    let fresh = svc.framework.as_deref() == Some("fresh");
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} service", framework_or(svc, "Deno")), svc);
    let entry = svc
        .install_command
        .as_deref()
        .and_then(|i| i.split_once("--entrypoint "))
        .map(|(_, e)| e.trim().to_string());
    if entry.is_some() {
        f.comment("No deno.json: the dependencies are the entry file's imports, cached from the source.");
    } else {
        f.comment("Dependencies first, from deno.json and its lock alone, so this layer is reused until they change.");
    }
    f.from(format!("denoland/deno:{version}"), "runtime");
    f.workdir("/app");
    let lock = if svc.lockfile.is_some() { " deno.lock" } else { "" };
    let frozen = if svc.lockfile.is_some() { " --frozen" } else { "" };
    // Without a deno.json the entry file names the dependencies: install caches them from it.
    match &entry {
        Some(entry) => {
            f.copy("--chown=10001:10001 . .");
            f.run(format!("deno install{frozen} --entrypoint {entry}"));
        }
        None => {
            let config = if svc.evidence.iter().any(|e| e.file.ends_with("deno.jsonc")) {
                "deno.jsonc"
            } else {
                "deno.json"
            };
            f.copy(format!("{config}{lock} ./"));
            f.run(format!("deno install{frozen}"));
            f.copy("--chown=10001:10001 . .");
        }
    }
    if svc.build_command.is_some() {
        f.run("deno task build");
    }
    f.user(UID);
    if svc.kind != "worker" {
        f.env(format!("PORT={port}"));
        f.expose(port);
    }
    // Fresh's start task watches files for development; production runs main.ts.
    let start = if fresh {
        "deno run --allow-net --allow-env --allow-read main.ts".to_string()
    } else {
        svc.start_command.clone().unwrap_or_else(|| "deno task start".into())
    };
    f.cmd(start_form(&start));
    f
}

// ---------------------------------------------------------------------------------------------
// Elixir

pub fn elixir(svc: &ServiceProfile) -> Dockerfile {
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
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} app", framework_or(svc, "Elixir")), svc);
    f.comment("Dependencies first, from mix.exs and its lock alone, so this layer is reused until they change.");
    f.from(format!("elixir:{version}-slim"), "build");
    f.workdir("/app");
    f.env("MIX_ENV=prod");
    f.run("mix local.hex --force \\\n    && mix local.rebar --force");
    let lock = if svc.lockfile.is_some() { " mix.lock" } else { "" };
    f.copy(format!("mix.exs{lock} ./"));
    f.run("mix deps.get --only prod \\\n    && mix deps.compile");
    f.copy(". .");
    if assets {
        f.run("mix assets.deploy");
    }
    f.run("mix compile \\\n    && mix release");
    f.comment("The runtime image: the self-contained release on Debian slim, as an unprivileged user.");
    f.from(knowledge::DEBIAN_SLIM, "runtime");
    apt_install(
        &mut f,
        &["libstdc++6", "openssl", "libncurses6", "locales", "ca-certificates"],
    );
    f.workdir("/app");
    f.copy(format!("--from=build --chown={UID} /app/_build/prod/rel/{app} ./"));
    f.user(UID);
    let server = if phoenix { " \\\n    PHX_SERVER=true" } else { "" };
    f.env(format!("LANG=C.UTF-8 \\\n    PORT={port}{server}"));
    if svc.kind != "worker" {
        f.expose(port);
    }
    f.cmd(format!("[\"/app/bin/{app}\", \"start\"]"));
    f
}

// ---------------------------------------------------------------------------------------------
// Compiled to a binary or a release: Clojure, Gleam, Crystal, Dart, Swift, Haskell, C and C++

/// How one stack builds and what its runtime needs.
struct Compiled<'a> {
    what: &'a str,
    builder: String,
    /// Lines after FROM in the build stage, before the manifests.
    prepare: Vec<Instruction>,
    /// Files copied before the dependency install (a missing optional one is left out).
    manifests: Vec<String>,
    install: Option<String>,
    build: String,
    runtime: String,
    /// Lines after FROM in the runtime stage, before the copy.
    runtime_prepare: Vec<Instruction>,
    /// (from in the build stage, to in the runtime stage)
    copy: Vec<(String, String)>,
    start: String,
    user: &'a str,
}

fn compiled(svc: &ServiceProfile, c: Compiled) -> Dockerfile {
    let port = port(svc, 8080);
    let mut f = Dockerfile::default();
    header(&mut f, c.what, svc);
    if c.install.is_some() {
        f.comment("Dependencies first, from the manifests alone, so this layer is reused until they change.");
    }
    f.from(c.builder, "build");
    f.workdir("/src");
    for i in c.prepare {
        f.instruction(i);
    }
    if let Some(install) = &c.install {
        f.copy(format!("{} ./", c.manifests.join(" ")));
        f.run(install);
    }
    f.copy(". .");
    f.run(c.build);
    f.comment("The runtime image: the build output only, as an unprivileged user.");
    f.from(c.runtime, "runtime");
    for i in c.runtime_prepare {
        f.instruction(i);
    }
    f.workdir("/app");
    for (from, to) in &c.copy {
        f.copy(format!("--from=build {from} {to}"));
    }
    f.user(c.user);
    if svc.kind != "worker" {
        f.env(format!("PORT={port}"));
        f.expose(port);
    }
    f.cmd(start_form(&c.start));
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

pub fn clojure(svc: &ServiceProfile) -> Dockerfile {
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
            prepare: vec![],
            manifests: vec![if lein { "project.clj" } else { "deps.edn" }.to_string()],
            install: Some(if lein { "lein deps" } else { "clojure -P" }.to_string()),
            build: format!(
                "{} && cp {jar} /app.jar",
                svc.build_command.as_deref().unwrap_or("lein uberjar")
            ),
            runtime: format!("eclipse-temurin:{java}-jre"),
            runtime_prepare: vec![Instruction::Env("JAVA_TOOL_OPTIONS=\"-XX:MaxRAMPercentage=75\"".into())],
            copy: vec![(format!("--chown={UID} /app.jar"), "./app.jar".into())],
            start: "java -jar app.jar".into(),
            user: UID,
        },
    )
}

pub fn gleam(svc: &ServiceProfile) -> Dockerfile {
    let version = full_version(&tag(svc, "1.13"));
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Gleam")),
            builder: format!("ghcr.io/gleam-lang/gleam:v{version}-erlang-alpine"),
            prepare: vec![],
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

pub fn crystal(svc: &ServiceProfile) -> Dockerfile {
    let version = full_version(&tag(svc, "1.18"));
    let bin = svc.artifact.clone().unwrap_or_else(|| "bin/app".into());
    let name = bin.rsplit('/').next().unwrap_or("app").to_string();
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Crystal")),
            builder: format!("crystallang/crystal:{version}-alpine"),
            prepare: vec![],
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

pub fn dart(svc: &ServiceProfile) -> Dockerfile {
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
            prepare: vec![],
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
            runtime_prepare: vec![Instruction::Copy("--from=build /runtime/ /".into())],
            copy: vec![(format!("/src/{bin}"), "/app/server".into())],
            start: "/app/server".into(),
            user: "10001:10001",
        },
    )
}

pub fn swift(svc: &ServiceProfile) -> Dockerfile {
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
            prepare: vec![],
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

pub fn haskell(svc: &ServiceProfile) -> Dockerfile {
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
    let runtime_prepare = vec![
        Instruction::Comment("Package versions follow the pinned base image's Debian release.\nhadolint ignore=DL3008".into()),
        Instruction::Run(
            "apt-get update \\\n    && apt-get install -y --no-install-recommends libgmp10 ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*"
                .into(),
        ),
    ];
    compiled(
        svc,
        Compiled {
            what: &format!("{} service", framework_or(svc, "Haskell")),
            builder: format!("haskell:{version}"),
            prepare: vec![],
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

pub fn cmake(svc: &ServiceProfile) -> Dockerfile {
    let bin = svc.artifact.clone().unwrap_or_else(|| "build/app".into());
    let name = bin.rsplit('/').next().unwrap_or("app").to_string();
    let c = svc.language.as_deref() == Some("c");
    compiled(
        svc,
        Compiled {
            what: &format!("{} program", if c { "C" } else { "C++" }),
            builder: knowledge::GCC_IMAGE.into(),
            prepare: vec![
                Instruction::Comment("Package versions follow the pinned base image's Debian release.\nhadolint ignore=DL3008".into()),
                Instruction::Run(
                    "apt-get update \\\n    && apt-get install -y --no-install-recommends cmake \\\n    && rm -rf /var/lib/apt/lists/*".into(),
                ),
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

pub fn meson(svc: &ServiceProfile) -> Dockerfile {
    let bin = svc.artifact.clone().unwrap_or_else(|| "build/app".into());
    let name = bin.rsplit('/').next().unwrap_or("app").to_string();
    let c = svc.language.as_deref() == Some("c");
    compiled(
        svc,
        Compiled {
            what: &format!("{} program", if c { "C" } else { "C++" }),
            builder: knowledge::GCC_IMAGE.into(),
            prepare: vec![
                Instruction::Comment("Package versions follow the pinned base image's Debian release.\nhadolint ignore=DL3008".into()),
                Instruction::Run(
                    "apt-get update \\\n    && apt-get install -y --no-install-recommends meson ninja-build \\\n    && rm -rf /var/lib/apt/lists/*".into(),
                ),
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
pub fn erlang(svc: &ServiceProfile) -> Dockerfile {
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
            prepare: vec![],
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

fn member_header(f: &mut Dockerfile, what: &str, svc: &ServiceProfile) {
    let dir = member_dir(svc);
    let tool = svc.workspace.as_ref().map(|w| w.tool.as_str()).unwrap_or("workspace");
    f.header([
        format!(
            "Production image for the {what} \"{}\", a member of the {tool} workspace, written by Slipway.",
            svc.name
        ),
        format!(
            "Build from the workspace root: docker build -f {dir}/Dockerfile -t {} .",
            image_name(&svc.name)
        ),
    ]);
}

/// A Node.js workspace member. The whole workspace is the context (members depend on each
/// other through the lockfile); the install is cached by BuildKit, the build runs for this
/// member only, and the runtime gets production dependencies only.
pub fn node_member(svc: &ServiceProfile, node_image: &str) -> Dockerfile {
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
    let mut f = Dockerfile::default();
    member_header(&mut f, &format!("{} service", framework_or(svc, "Node.js")), svc);
    f.comment("The workspace's dependencies, then this member's build.");
    f.from(node_image, "build");
    f.workdir("/repo");
    if next.is_some() {
        f.env("NEXT_TELEMETRY_DISABLED=1");
    }
    if pm == "pnpm" {
        // pnpm fetches every package from the lockfile alone, so this layer is reused until the
        // lockfile changes; the install after the source copy then works offline.
        f.copy("pnpm-lock.yaml pnpm-workspace.yaml ./");
        f.run("--mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \\\n    corepack enable pnpm && pnpm fetch");
        f.copy(". .");
    } else {
        f.copy(". .");
        f.run(install);
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
        f.run(format!(
            "--mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \\\n    {}",
            steps.join(" \\\n    && ")
        ));
    } else if !steps.is_empty() {
        f.run(steps.join(" \\\n    && "));
    }
    f.comment("The runtime image: production files only, as the unprivileged node user.");
    f.from(node_image, "runtime");
    let mut env = vec!["NODE_ENV=production".to_string()];
    if next.is_some() {
        env.push("NEXT_TELEMETRY_DISABLED=1".into());
    }
    if svc.kind != "worker" {
        env.push(format!("PORT={port}"));
        env.push("HOSTNAME=0.0.0.0".into());
    }
    let chown = "--chown=10001:10001";
    let start = if standalone {
        f.workdir("/app");
        f.env(env.join(" \\\n    "));
        // The standalone output mirrors the workspace layout, with only the traced files.
        f.copy(format!("--from=build {chown} /repo/{dir}/.next/standalone ./"));
        f.copy(format!(
            "--from=build {chown} /repo/{dir}/.next/static ./{dir}/.next/static"
        ));
        if next.is_some_and(|n| n.has_public_dir) {
            f.copy(format!("--from=build {chown} /repo/{dir}/public ./{dir}/public"));
        }
        format!("node {dir}/server.js")
    } else if integrated {
        // An Nx project runs its build output from the root, with the root's production modules.
        let out = svc.artifact.clone().unwrap_or_else(|| format!("dist/{dir}"));
        f.workdir("/app");
        f.env(env.join(" \\\n    "));
        f.copy(format!("--from=build {chown} /repo/package.json ./package.json"));
        f.copy(format!("--from=build {chown} /repo/node_modules ./node_modules"));
        f.copy(format!("--from=build {chown} /repo/{out} ./{out}"));
        super::node::node_start(svc)
    } else if pm == "pnpm" && runtime_dir == "/app" {
        f.workdir("/app");
        f.env(env.join(" \\\n    "));
        f.copy(format!("--from=build {chown} /out ./"));
        super::node::node_start(svc)
    } else {
        f.workdir(runtime_dir);
        f.env(env.join(" \\\n    "));
        f.copy(format!("--from=build {chown} /repo /repo"));
        super::node::node_start(svc)
    };
    f.user(UID);
    if svc.kind != "worker" {
        f.expose(port);
        fetch_healthcheck(&mut f, "node", port, svc.health_path.as_deref().unwrap_or("/"));
    }
    f.cmd(start_form(&start));
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
pub fn jvm_member(svc: &ServiceProfile) -> Dockerfile {
    let mut f = jvm(svc);
    // The single-project file builds from the service folder; a member builds from the root.
    member_header(&mut f, &format!("{} service", framework_or(svc, "Java")), svc);
    // Maven: the modules depend on each other, so there is no POM-only dependency layer.
    if let Some(build) = f.stages.first_mut() {
        let steps = &mut build.instructions;
        if let Some(at) = steps.iter().position(|i| *i == Instruction::Copy("pom.xml ./".into())) {
            let from = if at > 0 && matches!(steps[at - 1], Instruction::Comment(_)) {
                at - 1
            } else {
                at
            };
            steps.splice(
                from..(at + 2).min(steps.len()),
                [Instruction::Comment(
                    "The modules depend on each other: the whole build, with Maven's repository in a cache mount."
                        .into(),
                )],
            );
        }
    }
    f
}

/// A static site that is a member of a Node.js workspace: built from the root.
pub fn static_member(svc: &ServiceProfile, node_image: &str, install: &str) -> Dockerfile {
    let dir = member_dir(svc);
    let port = port(svc, 8080);
    let artifact = svc.artifact.clone().unwrap_or_else(|| "dist".into());
    let mut f = Dockerfile::default();
    member_header(&mut f, &format!("{} site", framework_or(svc, "static")), svc);
    f.comment("The workspace's dependencies, then this member's build.");
    f.from(node_image, "build");
    f.workdir("/repo");
    f.copy(". .");
    f.run(install);
    let build = svc
        .build_command
        .clone()
        .unwrap_or_else(|| format!("npm run build --workspace {dir}"));
    f.run(build);
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
fn nginx_runtime(f: &mut Dockerfile, conf: &str, files: &str, port: u16) {
    f.comment("The runtime image: the files and a small web server, unprivileged. The image keeps its\npid and temporary files in /tmp, so any uid serves; 10001 is above the host's users.");
    f.from(knowledge::NGINX_UNPRIVILEGED, "runtime");
    f.copy(format!("{conf} /etc/nginx/conf.d/default.conf"));
    f.copy(format!("{files} /usr/share/nginx/html"));
    f.user(UID);
    f.expose(port);
    f.healthcheck(format!(
        "[\"wget\", \"-q\", \"--spider\", \"http://127.0.0.1:{port}/healthz\"]"
    ));
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

pub fn static_site(svc: &ServiceProfile, node_build: Option<(&str, &[String], &str)>) -> Dockerfile {
    let port = port(svc, 8080);
    let artifact = svc.artifact.clone().unwrap_or_else(|| ".".into());
    let mut f = Dockerfile::default();
    header(&mut f, &format!("{} site", framework_or(svc, "static")), svc);
    let source = if let Some((image, manifests, install)) = node_build {
        f.comment("Dependencies first, from the manifests alone, so this layer is reused until they change.");
        f.from(image, "build");
        f.workdir("/app");
        f.copy(format!("{} ./", manifests.join(" ")));
        f.run(install);
        f.copy(". .");
        f.run(static_build(svc));
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

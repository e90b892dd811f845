//! The project's own lint, format and test commands, as a pipeline runs them.
//!
//! Only what the project configures counts: a linter named in its dependencies or with its own
//! configuration file, a test runner with tests to run. Each command is cited with the file that
//! shows it. Commands run in the service folder, after `ci_install_command`.

use super::Cx;
use crate::view::join;
use crate::ServiceProfile;

/// Reads the service folder and sets the CI install, lint and test commands.
pub(crate) fn detect(cx: &mut Cx, svc: &mut ServiceProfile) {
    let dir = if svc.path == "." {
        String::new()
    } else {
        svc.path.clone()
    };
    let found = match svc.language.as_deref() {
        Some("python") => python(cx, &dir, svc),
        Some("node") | Some("bun") => node(cx, &dir, svc),
        Some("go") => go(cx, &dir),
        Some("rust") => rust(cx, &dir, svc),
        Some("java") | Some("kotlin") => jvm(cx, &dir, svc),
        Some("ruby") => ruby(cx, &dir, svc),
        Some("php") => php(cx, &dir, svc),
        Some("elixir") => elixir(cx, &dir),
        Some("deno") => deno(cx, &dir),
        Some("csharp") | Some("fsharp") => dotnet(cx, &dir),
        _ => return,
    };
    let Some(found) = found else { return };
    for (file, line, reason) in found.evidence {
        svc.cite(file, line, reason);
    }
    svc.ci_install_command = found.install;
    svc.lint_commands = found.lint;
    svc.test_command = found.test;
    svc.coverage_report = found.coverage;
}

#[derive(Default)]
struct Found {
    install: Option<String>,
    lint: Vec<String>,
    test: Option<String>,
    coverage: Option<String>,
    evidence: Vec<(String, Option<u32>, String)>,
}

impl Found {
    fn lint(&mut self, command: impl Into<String>, file: &str, line: Option<u32>, why: &str) {
        let command = command.into();
        self.evidence
            .push((file.to_string(), line, format!("{why}: the pipeline runs `{command}`")));
        self.lint.push(command);
    }

    fn test(&mut self, command: impl Into<String>, file: &str, line: Option<u32>, why: &str) {
        let command = command.into();
        self.evidence
            .push((file.to_string(), line, format!("{why}: the pipeline runs `{command}`")));
        self.test = Some(command);
    }
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_with(text: &str, needle: &str) -> Option<u32> {
    text.lines().position(|l| l.contains(needle)).map(|i| i as u32 + 1)
}

/// True when some file below `dir` has a name for which `test` holds.
fn any_file(cx: &Cx, dir: &str, test: impl Fn(&str) -> bool) -> Option<String> {
    cx.view
        .index()
        .under(dir)
        .find(|p| test(p.rsplit('/').next().unwrap_or(p)))
        .cloned()
}

// ---------------------------------------------------------------------------------------------
// Python

/// Where a Python tool is named: the first manifest or requirements file that lists it.
fn python_dep<'a>(texts: &'a [(String, String)], name: &str) -> Option<(&'a str, Option<u32>)> {
    for (file, text) in texts {
        for (i, raw) in text.lines().enumerate() {
            let l = raw.trim().trim_start_matches(['"', '\'']).to_ascii_lowercase();
            let Some(rest) = l.strip_prefix(name) else { continue };
            let next = rest.chars().next();
            if matches!(
                next,
                None | Some(' ' | '=' | '>' | '<' | '~' | '!' | '[' | '"' | '\'' | ',' | ';')
            ) {
                return Some((file, Some(i as u32 + 1)));
            }
        }
    }
    None
}

fn python(cx: &mut Cx, dir: &str, svc: &ServiceProfile) -> Option<Found> {
    let mut f = Found::default();
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut requirement_files = Vec::new();
    for name in [
        "pyproject.toml",
        "requirements-dev.txt",
        "dev-requirements.txt",
        "requirements/dev.txt",
        "requirements-test.txt",
        "requirements.txt",
        "Pipfile",
        "setup.cfg",
    ] {
        let path = join(dir, name);
        if let Some(text) = cx.text(&path) {
            if name.ends_with(".txt") && name != "requirements.txt" {
                requirement_files.push(name);
            }
            texts.push((path, text));
        }
    }
    let pyproject = texts
        .iter()
        .find(|(p, _)| p.ends_with("pyproject.toml"))
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    let pm = svc.package_manager.as_deref().unwrap_or("pip");
    let run = match pm {
        "uv" => "uv run ",
        "poetry" => "poetry run ",
        "pipenv" => "pipenv run ",
        "pdm" => "pdm run ",
        _ => "",
    };
    // Tools the pipeline needs that no requirements file lists; pip installs them by name.
    let mut missing: Vec<String> = Vec::new();
    let mut tool = |f: &mut Found, name: &str, config: &[(&str, &str)], command: String, what: &str| {
        let dep = python_dep(&texts, name).map(|(file, line)| (file.to_string(), line));
        let conf = config.iter().find_map(|(file, section)| {
            let path = join(dir, file);
            if section.is_empty() {
                cx.is_file(&path).then_some((path, None))
            } else {
                texts
                    .iter()
                    .find(|(p, _)| *p == path)
                    .and_then(|(_, t)| line_with(t, section).map(|l| (path.clone(), Some(l))))
            }
        });
        match (dep, conf) {
            (Some((file, line)), _) => {
                f.lint(command, &file, line, &format!("{what} is a dependency"));
                true
            }
            (None, Some((file, line))) if pm == "pip" => {
                missing.push(name.to_string());
                f.lint(command, &file, line, &format!("{what} is configured here"));
                true
            }
            _ => false,
        }
    };
    let ruff = tool(
        &mut f,
        "ruff",
        &[("pyproject.toml", "[tool.ruff"), ("ruff.toml", ""), (".ruff.toml", "")],
        format!("{run}ruff check ."),
        "ruff",
    );
    if ruff && (line_with(&pyproject, "[tool.ruff.format]").is_some() || python_dep(&texts, "black").is_none()) {
        // ruff's formatter is checked when it is configured, or when no other formatter is.
        if line_with(&pyproject, "[tool.ruff.format]").is_some() {
            f.lint(
                format!("{run}ruff format --check ."),
                &join(dir, "pyproject.toml"),
                line_with(&pyproject, "[tool.ruff.format]"),
                "ruff's formatter is configured",
            );
        }
    }
    tool(
        &mut f,
        "black",
        &[("pyproject.toml", "[tool.black]")],
        format!("{run}black --check ."),
        "black",
    );
    if !ruff {
        tool(
            &mut f,
            "flake8",
            &[(".flake8", ""), ("setup.cfg", "[flake8]"), ("tox.ini", "[flake8]")],
            format!("{run}flake8"),
            "flake8",
        );
    }
    tool(
        &mut f,
        "mypy",
        &[("mypy.ini", ""), (".mypy.ini", ""), ("pyproject.toml", "[tool.mypy]")],
        format!("{run}mypy ."),
        "mypy",
    );
    // Tests: a test folder or test files, run by pytest when it is there, else unittest.
    let has_tests = any_file(cx, dir, |n| {
        (n.starts_with("test_") || n.ends_with("_test.py") || n == "tests.py" || n == "conftest.py")
            && n.ends_with(".py")
    });
    if let Some(test_file) = has_tests {
        let pytest = python_dep(&texts, "pytest").map(|(file, line)| (file.to_string(), line));
        let cov = python_dep(&texts, "pytest-cov").is_some();
        let manage = cx.is_file(&join(dir, "manage.py"));
        match pytest {
            Some((file, line)) => {
                let command = if cov {
                    f.coverage = Some("coverage.xml".into());
                    format!("{run}pytest --cov --cov-report=xml --cov-report=term")
                } else {
                    format!("{run}pytest")
                };
                f.test(command, &file, line, "pytest is a dependency, with tests to run");
            }
            None if manage => f.test(format!("{run}python manage.py test"), &test_file, None, "Django tests"),
            None => f.test(
                format!("{run}python -m unittest discover"),
                &test_file,
                None,
                "tests without pytest",
            ),
        }
    }
    if f.lint.is_empty() && f.test.is_none() {
        return None;
    }
    f.install = Some(match pm {
        "uv" => "uv sync --locked".to_string(),
        "poetry" => "poetry install --no-interaction".to_string(),
        "pipenv" => "pipenv install --dev --deploy".to_string(),
        "pdm" => "pdm install --frozen-lockfile".to_string(),
        _ => {
            let mut parts = Vec::new();
            if cx.is_file(&join(dir, "requirements.txt")) {
                parts.push("-r requirements.txt".to_string());
            } else if cx.is_file(&join(dir, "pyproject.toml")) {
                parts.push(".".to_string());
            }
            for r in &requirement_files {
                parts.push(format!("-r {r}"));
            }
            for m in &missing {
                parts.push(m.clone());
            }
            format!("pip install {}", parts.join(" "))
        }
    });
    Some(f)
}

// ---------------------------------------------------------------------------------------------
// Node.js

fn node(cx: &mut Cx, dir: &str, svc: &ServiceProfile) -> Option<Found> {
    let manifest = join(dir, "package.json");
    let (text, json) = cx.json(&manifest)?;
    let scripts = json.get("scripts").and_then(|s| s.as_object());
    let pm = svc.package_manager.as_deref().unwrap_or("npm");
    let run = |script: &str| match pm {
        "yarn" => format!("yarn {script}"),
        "pnpm" => format!("pnpm run {script}"),
        "bun" => format!("bun run {script}"),
        _ => format!("npm run {script}"),
    };
    let exec = |bin: &str| match pm {
        "yarn" => format!("yarn {bin}"),
        "pnpm" => format!("pnpm exec {bin}"),
        "bun" => format!("bunx {bin}"),
        _ => format!("npx --no-install {bin}"),
    };
    let dep = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|s| json.get(s).and_then(|d| d.get(name)).is_some())
    };
    let script = |name: &str| scripts.and_then(|s| s.get(name)).and_then(|v| v.as_str());
    let mut f = Found::default();
    let mut linted = false;
    for name in [
        "lint",
        "typecheck",
        "type-check",
        "check-types",
        "format:check",
        "fmt:check",
        "prettier:check",
    ] {
        if let Some(body) = script(name) {
            if body.trim().is_empty() {
                continue;
            }
            linted |= name == "lint";
            f.lint(
                run(name),
                &manifest,
                line_with(&text, &format!("\"{name}\"")),
                &format!("package.json has a {name} script"),
            );
        }
    }
    if !linted {
        let in_dir = |names: &[&str]| names.iter().map(|n| join(dir, n)).find(|p| cx.is_file(p));
        if let Some(conf) = in_dir(&["biome.json", "biome.jsonc"]).filter(|_| dep("@biomejs/biome")) {
            f.lint(exec("biome ci ."), &conf, None, "Biome is configured");
        } else if let Some(conf) = in_dir(&[
            "eslint.config.js",
            "eslint.config.mjs",
            "eslint.config.cjs",
            "eslint.config.ts",
            ".eslintrc.json",
            ".eslintrc.js",
            ".eslintrc.cjs",
            ".eslintrc.yml",
            ".eslintrc",
        ])
        .filter(|_| dep("eslint"))
        {
            f.lint(exec("eslint ."), &conf, None, "ESLint is configured");
        }
    }
    if let Some(body) = script("test") {
        // npm init's placeholder fails on purpose; it is not a test suite.
        if !body.contains("no test specified") && !body.trim().is_empty() {
            let command = match pm {
                "yarn" => "yarn test".to_string(),
                "pnpm" => "pnpm test".to_string(),
                "bun" => "bun run test".to_string(),
                _ => "npm test".to_string(),
            };
            f.test(
                command,
                &manifest,
                line_with(&text, "\"test\""),
                "package.json has a test script",
            );
        }
    } else if pm == "bun" {
        if let Some(file) = any_file(cx, dir, |n| n.contains(".test.") || n.contains(".spec.")) {
            f.test("bun test", &file, None, "test files for Bun's runner");
        }
    }
    if f.lint.is_empty() && f.test.is_none() {
        return None;
    }
    f.install = Some(
        match (
            pm,
            svc.lockfile.is_some() || svc.workspace.as_ref().is_some_and(|w| w.lockfile.is_some()),
        ) {
            ("pnpm", true) => "pnpm install --frozen-lockfile".into(),
            ("yarn", _) => svc
                .install_command
                .clone()
                .filter(|c| c.starts_with("yarn install"))
                .unwrap_or_else(|| "yarn install".into()),
            ("bun", true) => "bun install --frozen-lockfile".into(),
            ("npm", true) => "npm ci".into(),
            (other, _) => format!("{other} install"),
        },
    );
    Some(f)
}

// ---------------------------------------------------------------------------------------------
// Go, Rust, JVM, Ruby, PHP, Elixir, Deno

fn go(cx: &mut Cx, dir: &str) -> Option<Found> {
    let module = join(dir, "go.mod");
    if !cx.is_file(&module) {
        return None;
    }
    let mut f = Found::default();
    f.lint("go vet ./...", &module, None, "a Go module");
    f.lint(
        "test -z \"$(gofmt -l .)\"",
        &module,
        None,
        "Go code is kept gofmt-formatted",
    );
    for name in [".golangci.yml", ".golangci.yaml", ".golangci.toml"] {
        let path = join(dir, name);
        if cx.is_file(&path) {
            f.lint("golangci-lint run", &path, None, "golangci-lint is configured");
            break;
        }
    }
    if let Some(file) = any_file(cx, dir, |n| n.ends_with("_test.go")) {
        f.coverage = Some("coverage.out".into());
        f.test("go test -coverprofile=coverage.out ./...", &file, None, "Go tests");
    }
    f.install = Some("go mod download".into());
    Some(f)
}

fn rust(cx: &mut Cx, dir: &str, svc: &ServiceProfile) -> Option<Found> {
    let manifest = join(dir, "Cargo.toml");
    let mut f = Found::default();
    let locked = if svc.lockfile.is_some() || svc.workspace.as_ref().is_some_and(|w| w.lockfile.is_some()) {
        " --locked"
    } else {
        ""
    };
    f.lint("cargo fmt --all --check", &manifest, None, "a Cargo package");
    f.lint(
        format!("cargo clippy --all-targets{locked} -- -D warnings"),
        &manifest,
        None,
        "a Cargo package",
    );
    let tests = cx
        .view
        .index()
        .has_dir(&join(dir, "tests"))
        .then(|| join(dir, "tests"))
        .or_else(|| {
            ["src/main.rs", "src/lib.rs"].iter().find_map(|n| {
                let p = join(dir, n);
                cx.view
                    .read_source(&p, 256 * 1024)
                    .filter(|t| t.contains("#[test]"))
                    .map(|_| p)
            })
        });
    if let Some(file) = tests {
        f.test(format!("cargo test{locked}"), &file, None, "Rust tests");
    }
    f.install = Some(format!("cargo fetch{locked}"));
    Some(f)
}

fn jvm(cx: &mut Cx, dir: &str, svc: &ServiceProfile) -> Option<Found> {
    let tests = join(dir, "src/test");
    let mut f = Found::default();
    match svc.package_manager.as_deref() {
        Some("maven") => {
            let pom = join(dir, "pom.xml");
            let text = cx.text(&pom).unwrap_or_default();
            let mvn = if cx.is_file(&join(dir, "mvnw")) {
                "./mvnw"
            } else {
                "mvn"
            };
            if let Some(l) = line_with(&text, "spotless-maven-plugin") {
                f.lint(
                    format!("{mvn} -B spotless:check"),
                    &pom,
                    Some(l),
                    "Spotless is configured",
                );
            }
            if let Some(l) = line_with(&text, "maven-checkstyle-plugin") {
                f.lint(
                    format!("{mvn} -B checkstyle:check"),
                    &pom,
                    Some(l),
                    "Checkstyle is configured",
                );
            }
            if cx.view.index().has_dir(&tests) {
                f.test(format!("{mvn} -B test"), &tests, None, "JUnit tests");
            }
            f.install = Some(format!("{mvn} -B dependency:go-offline"));
        }
        Some("gradle") => {
            let build = ["build.gradle.kts", "build.gradle"]
                .iter()
                .map(|n| join(dir, n))
                .find(|p| cx.is_file(p))
                .unwrap_or_else(|| join(dir, "build.gradle"));
            let text = cx.text(&build).unwrap_or_default();
            let gradle = if cx.is_file(&join(dir, "gradlew")) {
                "./gradlew"
            } else {
                "gradle"
            };
            if let Some(l) = line_with(&text, "spotless") {
                f.lint(
                    format!("{gradle} spotlessCheck --no-daemon"),
                    &build,
                    Some(l),
                    "Spotless is configured",
                );
            }
            if let Some(l) = line_with(&text, "checkstyle") {
                f.lint(
                    format!("{gradle} checkstyleMain --no-daemon"),
                    &build,
                    Some(l),
                    "Checkstyle is configured",
                );
            }
            if cx.view.index().has_dir(&tests) {
                f.test(format!("{gradle} test --no-daemon"), &tests, None, "JUnit tests");
            }
            f.install = Some(format!("{gradle} dependencies --no-daemon"));
        }
        _ => return None,
    }
    (f.test.is_some() || !f.lint.is_empty()).then_some(f)
}

fn ruby(cx: &mut Cx, dir: &str, svc: &ServiceProfile) -> Option<Found> {
    let gemfile = join(dir, "Gemfile");
    let text = cx.text(&gemfile)?;
    let gem = |name: &str| {
        line_with(&text, &format!("gem \"{name}\"")).or_else(|| line_with(&text, &format!("gem '{name}'")))
    };
    let mut f = Found::default();
    if let Some(l) = gem("rubocop").or_else(|| gem("rubocop-rails")) {
        f.lint("bundle exec rubocop", &gemfile, Some(l), "RuboCop is a dependency");
    }
    if let Some(l) = gem("rspec-rails").or_else(|| gem("rspec")) {
        if cx.view.index().has_dir(&join(dir, "spec")) {
            f.test(
                "bundle exec rspec",
                &gemfile,
                Some(l),
                "RSpec is a dependency, with specs to run",
            );
        }
    } else if cx.view.index().has_dir(&join(dir, "test")) {
        let command = if svc.framework.as_deref() == Some("rails") {
            "bin/rails test"
        } else {
            "bundle exec rake test"
        };
        f.test(command, &join(dir, "test"), None, "Minitest tests");
    }
    if f.lint.is_empty() && f.test.is_none() {
        return None;
    }
    f.install = Some("bundle install".into());
    Some(f)
}

fn php(cx: &mut Cx, dir: &str, svc: &ServiceProfile) -> Option<Found> {
    let mut f = Found::default();
    for name in ["phpstan.neon", "phpstan.neon.dist", "phpstan.dist.neon"] {
        let p = join(dir, name);
        if cx.is_file(&p) {
            f.lint(
                "vendor/bin/phpstan analyse --no-progress",
                &p,
                None,
                "PHPStan is configured",
            );
            break;
        }
    }
    for name in [".php-cs-fixer.php", ".php-cs-fixer.dist.php"] {
        let p = join(dir, name);
        if cx.is_file(&p) {
            f.lint(
                "vendor/bin/php-cs-fixer fix --dry-run --diff",
                &p,
                None,
                "PHP CS Fixer is configured",
            );
            break;
        }
    }
    for name in ["phpunit.xml", "phpunit.xml.dist", "phpunit.dist.xml"] {
        let p = join(dir, name);
        if cx.is_file(&p) {
            let command = if svc.framework.as_deref() == Some("laravel") {
                "php artisan test"
            } else {
                "vendor/bin/phpunit"
            };
            f.test(command, &p, None, "PHPUnit is configured");
            break;
        }
    }
    if f.lint.is_empty() && f.test.is_none() {
        return None;
    }
    f.install = Some("composer install --no-interaction --prefer-dist".into());
    Some(f)
}

fn elixir(cx: &mut Cx, dir: &str) -> Option<Found> {
    let mut f = Found::default();
    let formatter = join(dir, ".formatter.exs");
    if cx.is_file(&formatter) {
        f.lint(
            "mix format --check-formatted",
            &formatter,
            None,
            "the formatter is configured",
        );
    }
    let mix = join(dir, "mix.exs");
    if let Some(l) = cx.text(&mix).and_then(|t| line_with(&t, ":credo")) {
        f.lint("mix credo --strict", &mix, Some(l), "Credo is a dependency");
    }
    if cx.view.index().has_dir(&join(dir, "test")) {
        f.test("mix test --cover", &join(dir, "test"), None, "ExUnit tests");
    }
    if f.lint.is_empty() && f.test.is_none() {
        return None;
    }
    f.install = Some("mix deps.get".into());
    Some(f)
}

fn dotnet(cx: &mut Cx, dir: &str) -> Option<Found> {
    let mut f = Found::default();
    let projects: Vec<String> = cx
        .view
        .index()
        .under(dir)
        .filter(|p| p.ends_with(".csproj") || p.ends_with(".fsproj"))
        .cloned()
        .collect();
    let editorconfig = join(dir, ".editorconfig");
    if cx.is_file(&editorconfig) {
        f.lint(
            "dotnet format --verify-no-changes",
            &editorconfig,
            None,
            "the code style is set in .editorconfig",
        );
    }
    // The test project, named on the command line: beside the app's own project file,
    // `dotnet test` alone would not know which one to run.
    let mut restore = "dotnet restore".to_string();
    for p in &projects {
        let Some(text) = cx.text(p) else { continue };
        if let Some(l) = line_with(&text, "Microsoft.NET.Test.Sdk") {
            let rel = p
                .strip_prefix(&format!("{dir}/"))
                .filter(|_| !dir.is_empty() && dir != ".")
                .unwrap_or(p);
            f.test(format!("dotnet test {rel}"), p, Some(l), "a test project");
            restore = format!("dotnet restore {rel}");
            break;
        }
    }
    if f.lint.is_empty() && f.test.is_none() {
        return None;
    }
    f.install = Some(restore);
    Some(f)
}

fn deno(cx: &mut Cx, dir: &str) -> Option<Found> {
    let mut f = Found::default();
    for name in ["deno.json", "deno.jsonc"] {
        let path = join(dir, name);
        let Some(text) = cx.text(&path) else { continue };
        if let Some(l) = line_with(&text, "\"lint\"") {
            f.lint("deno lint", &path, Some(l), "deno.json configures the linter");
        }
        if let Some(l) = line_with(&text, "\"fmt\"") {
            f.lint("deno fmt --check", &path, Some(l), "deno.json configures the formatter");
        }
    }
    if let Some(file) = any_file(cx, dir, |n| n.ends_with("_test.ts") || n.contains(".test.ts")) {
        f.test("deno test --allow-all", &file, None, "Deno tests");
    }
    if f.lint.is_empty() && f.test.is_none() {
        return None;
    }
    Some(f)
}

//! Languages that compile to a native binary: Haskell, Crystal, Dart, Swift, Zig, and C and
//! C++ with CMake.

use regex_lite::Regex;

use super::{Cx, Dep, Detected, Found};
use crate::view::{join, line_of};

fn library(dir: &str, reason: impl Into<String>) -> Vec<Found> {
    vec![Found::Library {
        path: super::shown(dir),
        reason: reason.into(),
    }]
}

/// A compiled service: `bin` is the binary relative to the service folder.
fn binary(d: &mut Detected, build: String, bin: &str) {
    d.svc.build_command = Some(build);
    d.svc.artifact = Some(bin.to_string());
    d.svc.start_command = Some(format!("./{bin}"));
    if d.framework_from_deps().is_none() {
        d.svc.kind = "worker".into();
    }
}

pub(crate) fn haskell(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let cabal = cx
        .view
        .index()
        .names_in(dir)
        .iter()
        .find(|n| n.ends_with(".cabal"))
        .map(|n| join(dir, n));
    let stack = cx.is_file(&join(dir, "stack.yaml"));
    let Some(cabal) = cabal else {
        return Vec::new();
    };
    let Some(text) = cx.text(&cabal) else { return Vec::new() };
    let field = |name: &str| {
        text.lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(name)
                    .and_then(|r| r.trim_start().strip_prefix(':'))
            })
            .map(|v| v.trim().to_string())
    };
    let name = field("name");
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "haskell"), "haskell", &[".hs"]);
    d.svc.cite(&cabal, line_of(&text, "name:"), "a Cabal package");
    d.svc.package_manager = Some(if stack { "stack" } else { "cabal" }.into());
    if cx.is_file(&join(dir, "stack.yaml.lock")) {
        d.svc.lockfile = Some("stack.yaml.lock".into());
    } else if cx.is_file(&join(dir, "cabal.project.freeze")) {
        d.svc.lockfile = Some("cabal.project.freeze".into());
    }
    // build-depends lists, which may span lines.
    let mut in_deps = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        let rest = if let Some(r) = t.strip_prefix("build-depends:") {
            in_deps = true;
            r
        } else if in_deps && (t.is_empty() || t.contains(':')) {
            in_deps = false;
            continue;
        } else if in_deps {
            t
        } else {
            continue;
        };
        for part in rest.split(',') {
            let n: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if !n.is_empty() {
                d.deps.push(Dep {
                    name: n,
                    file: cabal.clone(),
                    line: Some(i as u32 + 1),
                });
            }
        }
    }
    let exe = Regex::new(r"(?m)^executable\s+([\w\-]+)")
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    let Some(exe) = exe else {
        return library(dir, "a Cabal package with no executable: a library");
    };
    if let Some(ghc) = field("tested-with") {
        d.svc
            .cite(&cabal, line_of(&text, "tested-with"), format!("tested with {ghc}"));
        d.svc.runtime_version = ghc.split("==").nth(1).map(|v| v.trim().to_string());
    }
    if d.svc.runtime_version.is_none() {
        cx.runtime_from_range(&mut d.svc, "haskell", None);
    }
    d.svc.install_command = Some(
        if stack {
            "stack build --only-dependencies"
        } else {
            "cabal update && cabal build --only-dependencies"
        }
        .into(),
    );
    let build = if stack {
        "stack build --copy-bins --local-bin-path out".to_string()
    } else {
        format!("cabal install exe:{exe} --install-method=copy --installdir=out")
    };
    binary(&mut d, build, &format!("out/{exe}"));
    vec![Found::Service(Box::new(d))]
}

pub(crate) fn crystal(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "shard.yml");
    let Some((text, y)) = cx.yaml(&path) else {
        return Vec::new();
    };
    let name = y.get("name").and_then(|n| n.as_str()).map(str::to_string);
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "crystal"), "crystal", &[".cr"]);
    d.svc
        .cite(&path, line_of(&text, "name:"), "shard.yml: a Crystal project");
    d.svc.package_manager = Some("shards".into());
    if cx.is_file(&join(dir, "shard.lock")) {
        d.svc.lockfile = Some("shard.lock".into());
    }
    if let Some(m) = y.get("dependencies").and_then(|m| m.as_mapping()) {
        for k in m.keys().filter_map(|k| k.as_str()) {
            d.deps.push(Dep {
                name: k.to_string(),
                file: path.clone(),
                line: line_of(&text, &format!("{k}:")),
            });
        }
    }
    let range = y.get("crystal").and_then(|v| v.as_str()).map(str::to_string);
    let line = line_of(&text, "crystal:");
    cx.runtime_from_range(
        &mut d.svc,
        "crystal",
        range.as_deref().map(|r| (r, path.as_str(), line)),
    );
    let target = y
        .get("targets")
        .and_then(|t| t.as_mapping())
        .and_then(|m| m.keys().next())
        .and_then(|k| k.as_str())
        .map(str::to_string);
    let Some(target) = target else {
        return library(dir, "a shard with no targets: a library");
    };
    d.svc.install_command = Some("shards install --production".into());
    binary(
        &mut d,
        "shards build --release --production".into(),
        &format!("bin/{target}"),
    );
    vec![Found::Service(Box::new(d))]
}

pub(crate) fn dart(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "pubspec.yaml");
    let Some((text, y)) = cx.yaml(&path) else {
        return Vec::new();
    };
    let name = y.get("name").and_then(|n| n.as_str()).map(str::to_string);
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "dart"), "dart", &[".dart"]);
    d.svc
        .cite(&path, line_of(&text, "name:"), "pubspec.yaml: a Dart project");
    d.svc.package_manager = Some("pub".into());
    if cx.is_file(&join(dir, "pubspec.lock")) {
        d.svc.lockfile = Some("pubspec.lock".into());
    }
    for section in ["dependencies", "dev_dependencies"] {
        if let Some(m) = y.get(section).and_then(|m| m.as_mapping()) {
            for k in m.keys().filter_map(|k| k.as_str()) {
                d.deps.push(Dep {
                    name: k.to_string(),
                    file: path.clone(),
                    line: line_of(&text, &format!("{k}:")),
                });
            }
        }
    }
    let range = y
        .get("environment")
        .and_then(|e| e.get("sdk"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let line = line_of(&text, "sdk:");
    cx.runtime_from_range(&mut d.svc, "dart", range.as_deref().map(|r| (r, path.as_str(), line)));
    d.svc.install_command = Some("dart pub get --enforce-lockfile".into());
    match d.framework_from_deps() {
        Some("flutter") => {
            d.svc.kind = "static".into();
            d.svc.install_command = Some("flutter pub get --enforce-lockfile".into());
            d.svc.build_command = Some("flutter build web --release".into());
            d.svc.artifact = Some("build/web".into());
        }
        Some("dart-frog") => {
            d.svc.build_command =
                Some("dart_frog build && dart compile exe build/bin/server.dart -o build/bin/server".into());
            d.svc.artifact = Some("build/bin/server".into());
            d.svc.start_command = Some("./build/bin/server".into());
        }
        _ => {
            let entry = ["bin/server.dart", "bin/main.dart"]
                .iter()
                .find(|f| cx.is_file(&join(dir, f)))
                .map(|f| f.to_string())
                .or_else(|| {
                    cx.view
                        .index()
                        .names_in(&join(dir, "bin"))
                        .iter()
                        .find(|n| n.ends_with(".dart"))
                        .map(|n| format!("bin/{n}"))
                });
            let Some(entry) = entry else {
                return library(dir, "a Dart package with no bin/ entry point: a library");
            };
            let exe = entry.trim_end_matches(".dart").to_string();
            d.svc.build_command = Some(format!("dart compile exe {entry} -o {exe}"));
            d.svc.artifact = Some(exe.clone());
            d.svc.start_command = Some(format!("./{exe}"));
            if d.svc.framework.is_none() {
                d.svc.kind = "worker".into();
            }
        }
    }
    vec![Found::Service(Box::new(d))]
}

pub(crate) fn swift(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "Package.swift");
    let Some(text) = cx.text(&path) else { return Vec::new() };
    let name = Regex::new(r#"Package\(\s*name:\s*"([^"]+)""#)
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "swift"), "swift", &[".swift"]);
    d.svc.cite(&path, Some(1), "Package.swift: a Swift package");
    d.svc.package_manager = Some("swiftpm".into());
    if cx.is_file(&join(dir, "Package.resolved")) {
        d.svc.lockfile = Some("Package.resolved".into());
    }
    let dep = Regex::new(r#"\.package\(\s*url:\s*"[^"]*/([\w\-.]+?)(?:\.git)?""#).expect("valid regex");
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = dep.captures(line) {
            d.deps.push(Dep {
                name: c[1].to_string(),
                file: path.clone(),
                line: Some(i as u32 + 1),
            });
        }
    }
    let tools = Regex::new(r"swift-tools-version:\s*([\d.]+)")
        .expect("valid regex")
        .captures(&text)
        .map(|c| format!(">={}", &c[1]));
    cx.runtime_from_range(
        &mut d.svc,
        "swift",
        tools.as_deref().map(|r| (r, path.as_str(), Some(1))),
    );
    let exe = Regex::new(r#"\.executableTarget\(\s*name:\s*"([^"]+)""#)
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    let Some(exe) = exe else {
        return library(dir, "a Swift package with no executable target: a library");
    };
    d.svc.install_command = Some("swift package resolve".into());
    binary(
        &mut d,
        "swift build -c release --static-swift-stdlib".into(),
        &format!(".build/release/{exe}"),
    );
    if d.svc.framework.as_deref() == Some("vapor") {
        d.svc.start_command = Some(format!(
            "./.build/release/{exe} serve --env production --hostname 0.0.0.0 --port ${{PORT:-{{port}}}}"
        ));
    }
    vec![Found::Service(Box::new(d))]
}

pub(crate) fn zig(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "build.zig");
    let Some(text) = cx.text(&path) else { return Vec::new() };
    let zon_path = join(dir, "build.zig.zon");
    let zon = cx.text(&zon_path).unwrap_or_default();
    let name = Regex::new(r#"\.name\s*=\s*(?:"([^"]+)"|\.(\w+))"#)
        .expect("valid regex")
        .captures(&zon)
        .and_then(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()));
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "zig"), "zig", &[".zig"]);
    d.svc.cite(&path, Some(1), "build.zig: a Zig project");
    d.svc.package_manager = Some("zig".into());
    let dep = Regex::new(r"^\s*\.(\w+)\s*=\s*\.\{").expect("valid regex");
    let mut in_deps = false;
    for (i, line) in zon.lines().enumerate() {
        if line.contains(".dependencies") {
            in_deps = true;
            continue;
        }
        if in_deps {
            if let Some(c) = dep.captures(line) {
                d.deps.push(Dep {
                    name: c[1].to_string(),
                    file: zon_path.clone(),
                    line: Some(i as u32 + 1),
                });
            }
        }
    }
    let min = Regex::new(r#"minimum_zig_version\s*=\s*"([^"]+)""#)
        .expect("valid regex")
        .captures(&zon)
        .map(|c| format!(">={}", &c[1]));
    let line = line_of(&zon, "minimum_zig_version");
    cx.runtime_from_range(&mut d.svc, "zig", min.as_deref().map(|r| (r, zon_path.as_str(), line)));
    let exe = Regex::new(r#"addExecutable\(\.\{\s*\.name\s*=\s*"([^"]+)""#)
        .expect("valid regex")
        .captures(&text.replace('\n', " "))
        .map(|c| c[1].to_string());
    let Some(exe) = exe else {
        return library(dir, "build.zig adds no executable: a library");
    };
    d.svc.install_command = Some("zig build --fetch".into());
    binary(
        &mut d,
        "zig build -Doptimize=ReleaseSafe".into(),
        &format!("zig-out/bin/{exe}"),
    );
    vec![Found::Service(Box::new(d))]
}

pub(crate) fn cmake(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "CMakeLists.txt");
    let Some(text) = cx.text(&path) else { return Vec::new() };
    let project = Regex::new(r"(?i)project\(\s*([\w\-]+)([^)]*)\)").expect("valid regex");
    let (name, langs) = project
        .captures(&text)
        .map(|c| (Some(c[1].to_string()), c[2].to_ascii_uppercase()))
        .unwrap_or((None, String::new()));
    let c_only = (langs.contains(" C") || langs.contains("LANGUAGES C")) && !langs.contains("CXX")
        || !cx
            .view
            .index()
            .under(dir)
            .any(|f| [".cpp", ".cc", ".cxx"].iter().any(|e| f.ends_with(e)));
    let lang = if c_only { "c" } else { "cpp" };
    let mut d = Detected::new(
        cx.service(dir, name.as_deref(), lang),
        if c_only { "c" } else { "cpp" },
        &[".cpp", ".cc", ".cxx", ".c", ".hpp", ".h"],
    );
    d.svc.cite(
        &path,
        line_of(&text, "project("),
        format!("CMakeLists.txt: a {} project", if c_only { "C" } else { "C++" }),
    );
    d.svc.package_manager = Some("cmake".into());
    let find = Regex::new(r"(?i)(?:find_package|FetchContent_Declare)\(\s*([\w\-]+)").expect("valid regex");
    for (i, line) in text.lines().enumerate() {
        for c in find.captures_iter(line) {
            d.deps.push(Dep {
                name: c[1].to_string(),
                file: path.clone(),
                line: Some(i as u32 + 1),
            });
        }
    }
    if let Some(c) = Regex::new(r"CMAKE_C(?:XX)?_STANDARD\s+(\d+)")
        .expect("valid regex")
        .captures(&text)
    {
        d.svc.cite(
            &path,
            line_of(&text, "_STANDARD"),
            format!("language standard {}", &c[1]),
        );
    }
    let exe = Regex::new(r"(?i)add_executable\(\s*([\w\-]+)")
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    let Some(exe) = exe else {
        return library(dir, "CMakeLists.txt adds no executable: a library");
    };
    binary(
        &mut d,
        "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build --parallel".into(),
        &format!("build/{exe}"),
    );
    vec![Found::Service(Box::new(d))]
}

/// A C or C++ project built with Meson: `meson.build` at the folder, executables declared there
/// or in the folders it includes with `subdir()`.
pub(crate) fn meson(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "meson.build");
    let Some(text) = cx.text(&path) else { return Vec::new() };
    let project = Regex::new(r"(?s)project\(\s*'([^']+)'\s*,([^)]*)\)").expect("valid regex");
    let (name, args) = project
        .captures(&text)
        .map(|c| (Some(c[1].to_string()), c[2].to_string()))
        .unwrap_or((None, String::new()));
    let cpp = args.contains("'cpp'")
        || cx
            .view
            .index()
            .under(dir)
            .any(|f| [".cpp", ".cc", ".cxx"].iter().any(|e| f.ends_with(e)));
    let lang = if cpp { "cpp" } else { "c" };
    let mut d = Detected::new(
        cx.service(dir, name.as_deref(), lang),
        lang,
        &[".cpp", ".cc", ".cxx", ".c", ".hpp", ".h"],
    );
    d.svc.cite(
        &path,
        line_of(&text, "project("),
        format!(
            "meson.build: a {} project built with Meson",
            if cpp { "C++" } else { "C" }
        ),
    );
    d.svc.package_manager = Some("meson".into());
    // Every meson.build of the project (not those of wrapped subprojects).
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let files: Vec<String> = cx
        .view
        .index()
        .under(dir)
        .filter(|f| f.ends_with("meson.build") && !f[prefix.len()..].starts_with("subprojects/"))
        .cloned()
        .collect();
    let dependency = Regex::new(r"dependency\(\s*'([^']+)'").expect("valid regex");
    let executable = Regex::new(r"executable\(\s*'([^']+)'").expect("valid regex");
    let mut exe: Option<(String, String, u32)> = None;
    for f in &files {
        let Some(t) = cx.text(f) else { continue };
        for (i, line) in t.lines().enumerate() {
            if line.trim_start().starts_with('#') {
                continue;
            }
            for c in dependency.captures_iter(line) {
                if !["threads", "dl", "m"].contains(&&c[1]) {
                    d.deps.push(Dep {
                        name: c[1].to_string(),
                        file: f.clone(),
                        line: Some(i as u32 + 1),
                    });
                }
            }
            if exe.is_none() {
                if let Some(c) = executable.captures(line) {
                    let sub = f[prefix.len()..].trim_end_matches("meson.build").trim_end_matches('/');
                    exe = Some((c[1].to_string(), sub.to_string(), i as u32 + 1));
                    d.svc
                        .cite(f, Some(i as u32 + 1), format!("builds the executable {}", &c[1]));
                }
            }
        }
    }
    if let Some(c) = Regex::new(r"'(?:cpp|c)_std=([\w+]+)'")
        .expect("valid regex")
        .captures(&text)
    {
        d.svc
            .cite(&path, line_of(&text, "_std="), format!("language standard {}", &c[1]));
    }
    let Some((exe, sub, _)) = exe else {
        return library(dir, "meson.build builds no executable: a library");
    };
    let bin = if sub.is_empty() {
        format!("build/{exe}")
    } else {
        format!("build/{sub}/{exe}")
    };
    binary(
        &mut d,
        "meson setup build --buildtype=release && meson compile -C build".into(),
        &bin,
    );
    vec![Found::Service(Box::new(d))]
}

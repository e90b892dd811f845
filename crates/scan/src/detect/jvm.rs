//! The JVM: Java and Kotlin with Maven or Gradle (Spring Boot, Quarkus, Micronaut), Scala with
//! sbt (Play, http4s), and Clojure with Leiningen or deps.edn.

use regex_lite::Regex;

use super::{Cx, Dep, Detected, Found, Trust, Workspace};
use crate::view::{join, line_of};
use crate::{Evidence, ServiceProfile};

const EXTS: &[&str] = &[".java", ".kt"];

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name(name))
}

fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    child(node, name).and_then(|c| c.text()).map(|t| t.trim().to_string())
}

/// `17`, `1.8` -> `8`, `21`.
fn java_release(v: &str) -> String {
    let v = v.trim();
    v.strip_prefix("1.").unwrap_or(v).to_string()
}

fn set_java(cx: &mut Cx, svc: &mut ServiceProfile, found: Option<(String, String, Option<u32>)>) {
    match found {
        Some((v, file, line)) => {
            let v = java_release(&v);
            svc.cite(&file, line, format!("Java release {v}"));
            svc.runtime_version = Some(v);
        }
        None => {
            let dir = if svc.path == "." {
                String::new()
            } else {
                svc.path.clone()
            };
            // .tool-versions or mise.toml: `java temurin-21.0.5`, `java = "21"`.
            let tool = cx.tool_version(&dir, &["java"]).and_then(|(file, line, v)| {
                let digits: String = v
                    .trim_start_matches(|c: char| !c.is_ascii_digit())
                    .chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                (!digits.is_empty()).then_some((file, line, v, digits))
            });
            match tool {
                Some((file, line, v, major)) => {
                    svc.cite(&file, line, format!("asks for Java {v}"));
                    svc.runtime_version = Some(major);
                }
                None => cx.runtime_from_range(svc, "java", None),
            }
        }
    }
}

pub(crate) fn maven(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "pom.xml");
    let Some(text) = cx.text(&path) else { return Vec::new() };
    let Some(doc) = cx.xml(&path, &text) else {
        return Vec::new();
    };
    let root = doc.root_element();
    let mut found = Vec::new();
    let modules: Vec<String> = child(root, "modules")
        .map(|m| {
            m.children()
                .filter(|c| c.has_tag_name("module"))
                .filter_map(|c| c.text())
                .map(|t| t.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    let wrapper = cx.is_file(&join(dir, "mvnw"));
    let mvn = if wrapper { "./mvnw" } else { "mvn" };
    if !modules.is_empty() {
        found.push(Found::Workspace(Workspace {
            dir: dir.to_string(),
            tool: "maven".into(),
            members: modules.clone(),
            lockfile: None,
            package_manager: Some("maven".into()),
            install_command: Some(format!("{mvn} -B dependency:go-offline")),
            runtime_version: None,
            evidence: Evidence {
                file: path.clone(),
                line: line_of(&text, "<modules>"),
                reason: format!("Maven modules {}", modules.join(", ")),
            },
        }));
    }
    let packaging = child_text(root, "packaging").unwrap_or_else(|| "jar".into());
    if packaging == "pom" {
        return found;
    }
    let artifact = child_text(root, "artifactId").unwrap_or_else(|| "app".into());
    let version = child_text(root, "version")
        .or_else(|| child(root, "parent").and_then(|p| child_text(p, "version")))
        .unwrap_or_default();
    let mut svc = cx.service(dir, Some(&artifact), "java");
    svc.cite(
        &path,
        line_of(&text, "<artifactId>"),
        format!("Maven project {artifact}"),
    );
    svc.package_manager = Some("maven".into());
    svc.install_command = Some(format!("{mvn} -B dependency:go-offline"));
    svc.build_command = Some(format!("{mvn} -B -DskipTests package"));

    let mut deps: Vec<Dep> = Vec::new();
    let mut push = |g: Option<String>, a: Option<String>| {
        if let (Some(g), Some(a)) = (g, a) {
            let name = format!("{g}:{a}");
            deps.push(Dep {
                line: line_of(&text, &format!("<artifactId>{a}</artifactId>")),
                name,
                file: path.clone(),
            });
        }
    };
    if let Some(p) = child(root, "parent") {
        push(child_text(p, "groupId"), child_text(p, "artifactId"));
    }
    for node in root
        .descendants()
        .filter(|n| n.has_tag_name("dependency") || n.has_tag_name("plugin"))
    {
        push(child_text(node, "groupId"), child_text(node, "artifactId"));
    }

    let props = child(root, "properties");
    let prop = |name: &str| props.and_then(|p| child_text(p, name));
    let java = [
        "java.version",
        "maven.compiler.release",
        "maven.compiler.source",
        "maven.compiler.target",
    ]
    .iter()
    .find_map(|k| prop(k).map(|v| (v, path.clone(), line_of(&text, &format!("<{k}>")))))
    .or_else(|| {
        root.descendants()
            .find(|n| n.has_tag_name("release") && n.parent().is_some_and(|p| p.has_tag_name("configuration")))
            .and_then(|n| n.text())
            .map(|v| (v.trim().to_string(), path.clone(), line_of(&text, "<release>")))
    });
    set_java(cx, &mut svc, java);
    if deps.iter().any(|d| d.name.contains("kotlin")) || cx.view.is_dir(&join(dir, "src/main/kotlin")) {
        svc.language = Some("kotlin".into());
    }
    let main_class = root.descendants().find(|n| n.has_tag_name("mainClass")).is_some();
    let jar = format!(
        "target/{artifact}{}.jar",
        if version.is_empty() {
            String::new()
        } else {
            format!("-{version}")
        }
    );
    let mut d = Detected::new(svc, "jvm", EXTS);
    d.deps = deps;
    d.package = Some(artifact);
    finish_jvm(cx, dir, &mut d, jar, main_class, "target");
    if d.svc.start_command.is_none() {
        found.push(Found::Library {
            path: super::shown(dir),
            reason: "a Maven module with no application framework and no main class: a library".into(),
        });
        return found;
    }
    found.push(Found::Service(Box::new(d)));
    found
}

/// Framework, commands, port and health of a JVM service; `jar` is the built jar.
fn finish_jvm(cx: &mut Cx, dir: &str, d: &mut Detected, jar: String, main_class: bool, out: &str) {
    match d.framework_from_deps() {
        Some("quarkus") => {
            d.svc.artifact = Some(format!("{out}/quarkus-app"));
            d.svc.start_command = Some(format!("java -jar {out}/quarkus-app/quarkus-run.jar"));
        }
        Some(_) => {
            d.svc.artifact = Some(jar.clone());
            d.svc.start_command = Some(format!("java -jar {jar}"));
        }
        None if main_class => {
            d.svc.artifact = Some(jar.clone());
            d.svc.start_command = Some(format!("java -jar {jar}"));
            d.svc.kind = "worker".into();
        }
        None => {}
    }
    let health = [
        (
            "org.springframework.boot:spring-boot-starter-actuator",
            "/actuator/health",
        ),
        ("io.quarkus:quarkus-smallrye-health", "/q/health"),
        ("io.micronaut:micronaut-management", "/health"),
    ];
    for (dep, path) in health {
        if let Some(dep) = d.dep(dep).cloned() {
            d.svc.cite(
                &dep.file,
                dep.line,
                format!("{} serves a health endpoint at {path}", dep.name),
            );
            d.svc.health_path = Some(path.into());
            break;
        }
    }
    application_config(cx, dir, d);
}

/// `server.port`, `quarkus.http.port`, `micronaut.server.port` in application.properties or
/// application.yml, and the environment variables those files read.
fn application_config(cx: &mut Cx, dir: &str, d: &mut Detected) {
    let keys = ["server.port", "quarkus.http.port", "micronaut.server.port", "http.port"];
    let placeholder = Regex::new(r"\$\{([A-Z_][A-Z0-9_]*)(?::([^}]*))?\}").expect("valid regex");
    for name in [
        "application.properties",
        "application.yml",
        "application.yaml",
        "application.conf",
    ] {
        let path = join(dir, &format!("src/main/resources/{name}"));
        let path = if cx.is_file(&path) {
            path
        } else {
            join(dir, &format!("conf/{name}"))
        };
        let Some(text) = cx.text(&path) else { continue };
        for c in placeholder.captures_iter(&text) {
            d.svc.env_vars.push(c[1].to_string());
        }
        let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
        let value = if yaml {
            cx.yaml(&path).and_then(|(_, v)| {
                keys.iter().find_map(|k| {
                    let mut node = &v;
                    for part in k.split('.') {
                        node = node.get(part)?;
                    }
                    match node {
                        serde_yaml_ng::Value::Number(n) => n.as_u64().map(|n| n.to_string()),
                        serde_yaml_ng::Value::String(s) => Some(s.clone()),
                        _ => None,
                    }
                })
            })
        } else {
            text.lines().find_map(|l| {
                let (k, v) = l.split_once('=').or_else(|| l.split_once(':'))?;
                keys.contains(&k.trim()).then(|| v.trim().to_string())
            })
        };
        if let Some(v) = value {
            // `${PORT:8081}` means the PORT variable, else 8081.
            let port = placeholder
                .captures(&v)
                .and_then(|c| c.get(2).map(|m| m.as_str().to_string()))
                .unwrap_or(v.clone())
                .parse::<u16>();
            if let Ok(port) = port {
                d.port(
                    port,
                    Trust::Config,
                    &path,
                    line_of(&text, "port"),
                    format!("{name} sets the port to {v}"),
                );
            }
        }
    }
}

pub(crate) fn gradle(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let mut root_name = None;
    let wrapper = cx.is_file(&join(dir, "gradlew"));
    let gradle = if wrapper { "./gradlew" } else { "gradle" };
    for settings in ["settings.gradle.kts", "settings.gradle"] {
        let path = join(dir, settings);
        let Some(text) = cx.text(&path) else { continue };
        root_name = Regex::new(r#"rootProject\.name\s*=\s*["']([^"']+)["']"#)
            .expect("valid regex")
            .captures(&text)
            .map(|c| c[1].to_string());
        let include = Regex::new(r#"include\s*\(?([^)\n]*)"#).expect("valid regex");
        let quoted = Regex::new(r#"["']:?([\w\-.:/]+)["']"#).expect("valid regex");
        let mut members = Vec::new();
        for c in include.captures_iter(&text) {
            for q in quoted.captures_iter(&c[1]) {
                members.push(q[1].replace(':', "/"));
            }
        }
        if !members.is_empty() {
            found.push(Found::Workspace(Workspace {
                dir: dir.to_string(),
                tool: "gradle".into(),
                members: members.clone(),
                lockfile: None,
                package_manager: Some("gradle".into()),
                install_command: Some(format!("{gradle} dependencies --no-daemon")),
                runtime_version: None,
                evidence: Evidence {
                    file: path.clone(),
                    line: line_of(&text, "include"),
                    reason: format!("Gradle includes {}", members.join(", ")),
                },
            }));
        }
        break;
    }
    let (path, text) = match ["build.gradle.kts", "build.gradle"]
        .iter()
        .map(|f| join(dir, f))
        .find_map(|p| cx.text(&p).map(|t| (p, t)))
    {
        Some(x) => x,
        None => return found,
    };
    let kotlin_dsl = path.ends_with(".kts");
    let mut d = Detected::new(cx.service(dir, root_name.as_deref(), "java"), "jvm", EXTS);
    d.svc.cite(&path, None, "a Gradle build");
    d.svc.package_manager = Some("gradle".into());
    d.svc.install_command = Some(format!("{gradle} dependencies --no-daemon"));
    if cx.is_file(&join(dir, "gradle.lockfile")) {
        d.svc.lockfile = Some("gradle.lockfile".into());
    }
    let plugin = Regex::new(r#"(?:id\s*\(?\s*["']([\w.\-]+)["']|kotlin\(\s*"(\w+)"\s*\)|^\s*(application)\s*$)"#)
        .expect("valid regex");
    let coord = Regex::new(r#"["']([\w.\-]+):([\w.\-]+)(?::[^"']*)?["']"#).expect("valid regex");
    let mut plugins = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = plugin.captures(line) {
            let id = c
                .get(1)
                .or(c.get(2))
                .or(c.get(3))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default();
            plugins.push(id.clone());
            // Plugins count as dependencies of their group for the framework table.
            d.deps.push(Dep {
                name: format!("{id}:plugin"),
                file: path.clone(),
                line: Some(i as u32 + 1),
            });
        }
        for c in coord.captures_iter(line) {
            d.deps.push(Dep {
                name: format!("{}:{}", &c[1], &c[2]),
                file: path.clone(),
                line: Some(i as u32 + 1),
            });
        }
    }
    if plugins
        .iter()
        .any(|p| p == "jvm" || p.starts_with("org.jetbrains.kotlin"))
        || kotlin_dsl && cx.view.is_dir(&join(dir, "src/main/kotlin"))
    {
        d.svc.language = Some("kotlin".into());
    }
    let java = Regex::new(
        r#"(?:JavaLanguageVersion\.of\(\s*(\d+)|jvmToolchain\(\s*(\d+)|sourceCompatibility\s*=\s*(?:JavaVersion\.VERSION_(?:1_)?(\d+)|['"]?(?:1\.)?(\d+)))"#,
    )
    .expect("valid regex");
    let found_java = text.lines().enumerate().find_map(|(i, l)| {
        java.captures(l).and_then(|c| {
            (1..=4)
                .find_map(|g| c.get(g))
                .map(|m| (m.as_str().to_string(), path.clone(), Some(i as u32 + 1)))
        })
    });
    set_java(cx, &mut d.svc, found_java);
    let version = Regex::new(r#"(?m)^version\s*=\s*["']([^"']+)["']"#)
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    let name = d.svc.name.clone();
    let jar = format!(
        "build/libs/{name}{}.jar",
        version.map(|v| format!("-{v}")).unwrap_or_default()
    );
    let application = plugins.iter().any(|p| p == "application");
    let spring = plugins.iter().any(|p| p == "org.springframework.boot");
    d.svc.build_command = Some(if spring {
        format!("{gradle} bootJar --no-daemon -x test")
    } else if application && !plugins.iter().any(|p| p.starts_with("io.")) {
        format!("{gradle} installDist --no-daemon -x test")
    } else {
        format!("{gradle} build --no-daemon -x test")
    });
    finish_jvm(cx, dir, &mut d, jar, false, "build");
    if d.svc.start_command.is_none() && application {
        d.svc.artifact = Some(format!("build/install/{name}"));
        d.svc.start_command = Some(format!("build/install/{name}/bin/{name}"));
        d.svc.kind = "worker".into();
    }
    if d.svc.start_command.is_none() {
        if !found.is_empty() {
            return found;
        }
        found.push(Found::Library {
            path: super::shown(dir),
            reason: "a Gradle project with no application plugin or framework: a library".into(),
        });
        return found;
    }
    found.push(Found::Service(Box::new(d)));
    found
}

/// Maven and Gradle members build from the workspace root.
pub(crate) fn adapt_member(ws: &Workspace, d: &mut Detected) {
    let rel = ws.member_path(&d.svc.path);
    let prefix = |p: &str| format!("{rel}/{p}");
    match ws.tool.as_str() {
        "maven" => {
            let mvn = d
                .svc
                .build_command
                .as_deref()
                .and_then(|b| b.split(' ').next())
                .unwrap_or("mvn")
                .to_string();
            d.svc.build_command = Some(format!("{mvn} -B -DskipTests -pl {rel} -am package"));
        }
        "gradle" => {
            let task = d
                .svc
                .build_command
                .as_deref()
                .and_then(|b| b.split_whitespace().nth(1))
                .unwrap_or("build")
                .to_string();
            let module = rel.replace('/', ":");
            d.svc.build_command = Some(format!("./gradlew :{module}:{task} --no-daemon -x test"));
        }
        _ => return,
    }
    if let Some(a) = d.svc.artifact.clone() {
        d.svc.artifact = Some(prefix(&a));
        if let Some(s) = d.svc.start_command.clone() {
            d.svc.start_command = Some(s.replace(&a, &prefix(&a)));
        }
    }
}

pub(crate) fn sbt(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "build.sbt");
    let Some(text) = cx.text(&path) else { return Vec::new() };
    let name = Regex::new(r#"name\s*:=\s*"+([^"]+)""#)
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "scala"), "jvm", &[".scala"]);
    d.svc.cite(
        &path,
        line_of(&text, "name"),
        "build.sbt: a Scala project built with sbt",
    );
    d.svc.package_manager = Some("sbt".into());
    d.svc.install_command = Some("sbt -batch update".into());
    let dep = Regex::new(r#""([\w.\-]+)"\s*%%?%?\s*"([\w.\-]+)""#).expect("valid regex");
    for (i, line) in text.lines().enumerate() {
        for c in dep.captures_iter(line) {
            d.deps.push(Dep {
                name: format!("{}:{}", &c[1], &c[2]),
                file: path.clone(),
                line: Some(i as u32 + 1),
            });
        }
        if line.contains("PlayScala") || line.contains("PlayJava") {
            d.deps.push(Dep {
                name: "org.playframework:play".into(),
                file: path.clone(),
                line: Some(i as u32 + 1),
            });
        }
    }
    let plugins = cx.text(&join(dir, "project/plugins.sbt")).unwrap_or_default();
    if plugins.contains("sbt-plugin") && plugins.contains("play") {
        d.deps.push(Dep {
            name: "org.playframework:sbt-plugin".into(),
            file: join(dir, "project/plugins.sbt"),
            line: line_of(&plugins, "sbt-plugin"),
        });
    }
    set_java(cx, &mut d.svc, None);
    if let Some(c) = Regex::new(r#"scalaVersion\s*:=\s*"([^"]+)""#)
        .expect("valid regex")
        .captures(&text)
    {
        d.svc
            .cite(&path, line_of(&text, "scalaVersion"), format!("Scala {}", &c[1]));
    }
    let n = d.svc.name.clone();
    if d.framework_from_deps().is_none()
        && !text.contains("mainClass")
        && !cx.view.index().under(dir).any(|f| f.ends_with("Main.scala"))
    {
        return vec![Found::Library {
            path: super::shown(dir),
            reason: "an sbt project with no web framework and no main class: a library".into(),
        }];
    }
    if d.svc.framework.is_none() {
        d.svc.kind = "worker".into();
    }
    d.svc.build_command = Some("sbt -batch stage".into());
    d.svc.artifact = Some("target/universal/stage".into());
    d.svc.start_command = Some(if d.svc.framework.as_deref() == Some("play") {
        format!("target/universal/stage/bin/{n} -Dhttp.address=0.0.0.0 -Dhttp.port=${{PORT:-{{port}}}}")
    } else {
        format!("target/universal/stage/bin/{n}")
    });
    application_config(cx, dir, &mut d);
    vec![Found::Service(Box::new(d))]
}

pub(crate) fn clojure(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let lein = join(dir, "project.clj");
    let deps_edn = join(dir, "deps.edn");
    let (file, text, is_lein) = match cx.text(&lein) {
        Some(t) => (lein, t, true),
        None => match cx.text(&deps_edn) {
            Some(t) => (deps_edn, t, false),
            None => return Vec::new(),
        },
    };
    let header = Regex::new(r#"\(defproject\s+([\w.\-/]+)\s+"([^"]+)""#).expect("valid regex");
    let (name, version) = header
        .captures(&text)
        .map(|c| (Some(c[1].to_string()), Some(c[2].to_string())))
        .unwrap_or((None, None));
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "clojure"), "jvm", &[".clj", ".cljc"]);
    d.svc.cite(
        &file,
        Some(1),
        if is_lein {
            "project.clj: a Leiningen project"
        } else {
            "deps.edn: a Clojure CLI project"
        },
    );
    d.svc.package_manager = Some(if is_lein { "lein" } else { "clojure" }.into());
    let dep = if is_lein {
        Regex::new(r#"\[([\w.\-]+(?:/[\w.\-]+)?)\s+"[^"]*"\]"#).expect("valid regex")
    } else {
        Regex::new(r#"([\w.\-]+/[\w.\-]+)\s+\{:(?:mvn/version|git/url|local/root)"#).expect("valid regex")
    };
    for (i, line) in text.lines().enumerate() {
        for c in dep.captures_iter(line) {
            d.deps.push(Dep {
                name: c[1].to_string(),
                file: file.clone(),
                line: Some(i as u32 + 1),
            });
        }
    }
    set_java(cx, &mut d.svc, None);
    let n = d.svc.name.clone();
    if is_lein {
        let jar = format!(
            "target/uberjar/{n}-{}-standalone.jar",
            version.unwrap_or_else(|| "0.1.0-SNAPSHOT".into())
        );
        d.svc.install_command = Some("lein deps".into());
        d.svc.build_command = Some("lein uberjar".into());
        d.svc.start_command = Some(format!("java -jar {jar}"));
        d.svc.artifact = Some(jar);
    } else {
        d.svc.install_command = Some("clojure -P".into());
        let tools_build = tools_build(cx, dir, &mut d);
        let (task, jar) = tools_build.unwrap_or_else(|| ("uber".into(), "target/app-standalone.jar".into()));
        d.svc.build_command = Some(format!("clojure -T:build {task}"));
        d.svc.start_command = Some(format!("java -jar {jar}"));
        d.svc.artifact = Some(jar);
    }
    let build_main = cx.text(&join(dir, "build.clj")).is_some_and(|t| t.contains(":main"));
    if d.framework_from_deps().is_none() {
        if !text.contains(":main") && !build_main {
            return vec![Found::Library {
                path: super::shown(dir),
                reason: "a Clojure project with no web library and no :main: a library".into(),
            }];
        }
        d.svc.kind = "worker".into();
    }
    vec![Found::Service(Box::new(d))]
}

/// The uberjar a tools.build script (`build.clj`) writes, and the task that writes it: the
/// `uber-file` (a literal path, or `format` over `lib` and `version`) of the function that calls
/// `b/uber`.
fn tools_build(cx: &mut Cx, dir: &str, d: &mut Detected) -> Option<(String, String)> {
    let path = join(dir, "build.clj");
    let text = cx.text(&path)?;
    let def = |name: &str| {
        Regex::new(&format!(r#"\(def\s+{name}\s+([^\n]+)"#))
            .expect("valid regex")
            .captures(&text)
            .map(|c| c[1].trim().trim_end_matches(')').trim().to_string())
    };
    let lib = def("lib").map(|l| l.trim_start_matches('\'').to_string());
    let version = def("version").map(|v| v.trim_matches('"').to_string());
    let uber = def("uber-file")?;
    let jar = if let Some(lit) = uber.strip_prefix('"') {
        lit.trim_end_matches('"').to_string()
    } else {
        // (format "target/%s-%s-standalone.jar" (name lib) version)
        let c = Regex::new(r#"format\s+"([^"]+)"\s*(.*)"#)
            .expect("valid regex")
            .captures(&uber)?;
        let mut args = Vec::new();
        let mut rest = c[2].trim().trim_end_matches(')').trim().to_string();
        while !rest.is_empty() {
            let (arg, tail) = if rest.starts_with('(') {
                let end = rest.find(')')? + 1;
                (rest[..end].to_string(), rest[end..].to_string())
            } else {
                let end = rest.find(' ').unwrap_or(rest.len());
                (rest[..end].to_string(), rest[end..].to_string())
            };
            let value = match arg.as_str() {
                "(name lib)" => lib.as_ref()?.rsplit('/').next()?.to_string(),
                "lib" => lib.clone()?,
                "version" => version.clone()?,
                _ => return None,
            };
            args.push(value);
            rest = tail.trim().to_string();
        }
        let mut out = c[1].to_string();
        for a in args {
            out = out.replacen("%s", &a, 1);
        }
        out
    };
    // The task is the function that calls b/uber: the last defn before the call.
    let task = text
        .find("(b/uber")
        .and_then(|at| text[..at].rfind("(defn "))
        .and_then(|i| text[i + 6..].split_whitespace().next())
        .unwrap_or("uber")
        .to_string();
    d.svc.cite(
        &path,
        line_of(&text, "uber-file"),
        format!("build.clj (tools.build) writes the uberjar {jar} with clojure -T:build {task}"),
    );
    Some((task, jar))
}

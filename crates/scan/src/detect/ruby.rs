//! Ruby with Bundler: Rails, Sinatra, Hanami, Roda, and Jekyll sites.

use regex_lite::Regex;

use super::{Cx, Dep, Detected, Found};
use crate::view::{join, line_of};
use crate::ServiceProfile;

pub(crate) fn detect(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "Gemfile");
    let Some(text) = cx.text(&path) else { return Vec::new() };
    let mut d = Detected::new(cx.service(dir, None, "ruby"), "ruby", &[".rb", ".ru"]);
    d.svc.cite(&path, None, "Gemfile: a Ruby project using Bundler");
    d.svc.package_manager = Some("bundler".into());
    if cx.is_file(&join(dir, "Gemfile.lock")) {
        d.svc.lockfile = Some("Gemfile.lock".into());
    }
    d.svc.install_command = Some(
        "bundle config set --local deployment true && bundle config set --local without 'development test' && bundle install"
            .into(),
    );
    let gem = Regex::new(r#"^\s*gem\s+["']([\w\-]+)["']"#).expect("valid regex");
    let ruby = Regex::new(r#"^\s*ruby\s+["']([^"']+)["']"#).expect("valid regex");
    let mut gemfile_ruby = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = gem.captures(line) {
            d.deps.push(Dep {
                name: c[1].to_string(),
                file: path.clone(),
                line: Some(i as u32 + 1),
            });
        }
        if let Some(c) = ruby.captures(line) {
            gemfile_ruby = Some((c[1].to_string(), i as u32 + 1));
        }
    }
    let gemfile_ruby = gemfile_ruby.map(|(v, line)| (v, path.clone(), line));
    runtime(cx, dir, &mut d.svc, gemfile_ruby);
    let rack = cx.is_file(&join(dir, "config.ru"));
    match d.framework_from_deps() {
        Some("rails") => {
            d.svc.build_command = Some("SECRET_KEY_BASE_DUMMY=1 bundle exec rails assets:precompile".into());
            d.svc.start_command = Some("bundle exec rails server -b 0.0.0.0 -p ${PORT:-{port}}".into());
            let db = join(dir, "config/database.yml");
            if let Some(yml) = cx.text(&db) {
                let adapter = Regex::new(r"adapter:\s*(\w+)").expect("valid regex");
                if let Some((i, c)) = yml
                    .lines()
                    .enumerate()
                    .find_map(|(i, l)| adapter.captures(l).map(|c| (i, c)))
                {
                    let service = match &c[1] {
                        "postgresql" | "postgis" => Some("postgres"),
                        "mysql2" | "trilogy" => Some("mysql"),
                        "sqlite3" => Some("sqlite"),
                        _ => None,
                    };
                    if let Some(s) = service {
                        d.svc.cite(
                            &db,
                            Some(i as u32 + 1),
                            format!("database.yml uses the {} adapter: needs {s}", &c[1]),
                        );
                        d.svc.backing_services.push(s.into());
                    }
                }
            }
            let routes = join(dir, "config/routes.rb");
            if let Some(r) = cx.text(&routes) {
                if let Some(line) = line_of(&r, "rails/health#show") {
                    d.svc.cite(&routes, Some(line), "Rails' health check is routed at /up");
                    d.svc.health_path = Some("/up".into());
                }
            }
        }
        Some("jekyll") => {
            d.svc.kind = "static".into();
            d.svc.build_command = Some("bundle exec jekyll build".into());
            d.svc.artifact = Some("_site".into());
        }
        Some(_) => {
            d.svc.start_command = Some(if rack {
                "bundle exec rackup --host 0.0.0.0 -p ${PORT:-{port}}".into()
            } else {
                let main = ["app.rb", "server.rb", "main.rb"]
                    .iter()
                    .find(|f| cx.is_file(&join(dir, f)))
                    .unwrap_or(&"app.rb");
                format!("bundle exec ruby {main} -o 0.0.0.0 -p ${{PORT:-{{port}}}}")
            });
        }
        None => {
            if rack {
                d.svc.start_command = Some("bundle exec rackup --host 0.0.0.0 -p ${PORT:-{port}}".into());
                d.svc
                    .cite(join(dir, "config.ru"), None, "config.ru: a Rack application");
            } else if let Some(script) = SCRIPTS.iter().find(|f| cx.is_file(&join(dir, f))) {
                // A plain Ruby program: a server of its own (WEBrick, a socket) or a worker.
                d.svc.start_command = Some(format!("bundle exec ruby {script}"));
                d.svc.cite(
                    join(dir, script),
                    None,
                    format!("{script} is the program, run with the bundle"),
                );
                d.svc.kind = "worker".into();
            } else {
                let gemspec = cx.view.index().names_in(dir).iter().any(|n| n.ends_with(".gemspec"));
                return vec![Found::Library {
                    path: super::shown(dir),
                    reason: if gemspec {
                        "a gem (it has a .gemspec) with no web framework, no config.ru and no program to run: a library"
                            .into()
                    } else {
                        "a Ruby project with no web framework, no config.ru and no program to run (app.rb, main.rb, server.rb)".into()
                    },
                }];
            }
        }
    }
    vec![Found::Service(Box::new(d))]
}

/// The Ruby version: .ruby-version, else the Gemfile's `ruby` line (a version or a range),
/// else .tool-versions or mise, else the current line.
fn runtime(cx: &mut Cx, dir: &str, svc: &mut ServiceProfile, gemfile: Option<(String, String, u32)>) {
    let rv = join(dir, ".ruby-version");
    if let Some(v) = cx.text(&rv).and_then(|t| {
        t.lines()
            .next()
            .map(|l| l.trim().trim_start_matches("ruby-").to_string())
    }) {
        svc.cite(&rv, Some(1), format!(".ruby-version asks for Ruby {v}"));
        svc.runtime_version = Some(v);
    } else if let Some((v, path, line)) = gemfile {
        if v.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            svc.cite(&path, Some(line), format!("the Gemfile asks for Ruby {v}"));
            svc.runtime_version = Some(v);
        } else {
            cx.runtime_from_range(svc, "ruby", Some((&v, &path, Some(line))));
        }
    } else if let Some((file, line, v)) = cx.tool_version(dir, &["ruby"]) {
        svc.cite(&file, line, format!("asks for Ruby {v}"));
        svc.runtime_version = Some(v);
    } else {
        cx.runtime_from_range(svc, "ruby", None);
    }
}

/// Programs a plain Ruby folder runs, best first.
pub(crate) const SCRIPTS: &[&str] = &["app.rb", "server.rb", "main.rb"];

/// A Ruby program without a Gemfile: only the standard library, run with `ruby`.
pub(crate) fn without_bundler(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let Some(script) = SCRIPTS.iter().find(|f| cx.is_file(&join(dir, f))) else {
        return Vec::new();
    };
    let mut d = Detected::new(cx.service(dir, None, "ruby"), "ruby", &[".rb", ".ru"]);
    d.svc.cite(
        join(dir, script),
        None,
        format!("{script}: a Ruby program with no Gemfile, so only the standard library"),
    );
    runtime(cx, dir, &mut d.svc, None);
    let text = cx.view.read_source(&join(dir, script), 256 * 1024).unwrap_or_default();
    let gem = Regex::new(r#"^\s*require\s+["'](sinatra|rack|roda)["']"#).expect("valid regex");
    if let Some((i, c)) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| gem.captures(l).map(|c| (i, c)))
    {
        cx.warn(
            &format!("{}:{}", join(dir, script), i + 1),
            format!(
                "requires the {} gem but there is no Gemfile to install it: add one with `bundle init`",
                &c[1]
            ),
        );
    }
    d.svc.start_command = Some(format!("ruby {script}"));
    d.svc.kind = "worker".into();
    vec![Found::Service(Box::new(d))]
}

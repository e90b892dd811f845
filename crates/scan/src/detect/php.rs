//! PHP with Composer: Laravel, Symfony, Slim, and plain PHP sites.

use serde_json::Value;

use super::{Cx, Dep, Detected, Found};
use crate::view::{join, line_of};

pub(crate) fn detect(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "composer.json");
    let composer = if cx.is_file(&path) { cx.json(&path) } else { None };
    let name = composer
        .as_ref()
        .and_then(|(_, v)| v.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "php"), "php", &[".php"]);
    let mut constraint = None;
    if let Some((text, v)) = &composer {
        d.svc.cite(&path, None, "composer.json: a PHP project using Composer");
        d.svc.package_manager = Some("composer".into());
        if cx.is_file(&join(dir, "composer.lock")) {
            d.svc.lockfile = Some("composer.lock".into());
        }
        d.svc.install_command = Some("composer install --no-dev --optimize-autoloader --no-interaction".into());
        for section in ["require", "require-dev"] {
            if let Some(obj) = v.get(section).and_then(Value::as_object) {
                for (k, val) in obj {
                    if k == "php" {
                        constraint = val.as_str().map(|c| (c.to_string(), line_of(text, "\"php\"")));
                        continue;
                    }
                    d.deps.push(Dep {
                        name: k.clone(),
                        file: path.clone(),
                        line: line_of(text, &format!("\"{k}\"")),
                    });
                }
            }
        }
    } else {
        d.svc.cite(join(dir, "index.php"), None, "index.php: a plain PHP site");
    }
    match constraint {
        Some((c, line)) => cx.runtime_from_range(&mut d.svc, "php", Some((&c, &path, line))),
        None => cx.runtime_from_range(&mut d.svc, "php", None),
    }
    let framework = d.framework_from_deps();
    let docroot = if framework.is_some() || cx.is_file(&join(dir, "public/index.php")) {
        "public/"
    } else if cx.is_file(&join(dir, "index.php")) {
        "."
    } else {
        return vec![Found::Library {
            path: super::shown(dir),
            reason: "a Composer package with no framework and no index.php: a library".into(),
        }];
    };
    if framework.is_none() {
        d.svc.framework = Some("php".into());
    }
    if framework == Some("laravel") {
        d.svc.build_command =
            Some("php artisan config:cache && php artisan route:cache && php artisan view:cache".into());
    }
    d.svc.cite(
        join(dir, docroot.trim_end_matches('/')),
        None,
        format!("the document root is {docroot}"),
    );
    d.svc.start_command = Some(format!(
        "frankenphp php-server --listen 0.0.0.0:${{PORT:-{{port}}}} --root {docroot}"
    ));
    vec![Found::Service(Box::new(d))]
}

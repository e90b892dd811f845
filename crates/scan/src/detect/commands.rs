//! What a command line does when it runs: a development server or watcher (never a production
//! start), database migrations (which run before the server, never instead of it), or a
//! production start.
//!
//! Commands are read the way a shell would split them: `&&`, `||` and `;` separate steps,
//! leading `VAR=value` assignments and wrappers such as `cross-env`, `npx` or `pnpm exec` are
//! looked through, so `cross-env NODE_ENV=development nodemon src/index.js` is nodemon.

/// A development server or watcher found in a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DevServer {
    /// The step that is for development, as written: `nodemon server.js`.
    pub step: String,
    /// What it is, as a noun phrase: "the development server".
    pub why: &'static str,
    /// The production form of the same step, when it is plain: `node server.js`.
    pub production: Option<String>,
}

/// The steps of a command line, split on `&&`, `||` and `;`.
pub(crate) fn steps(cmd: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = cmd;
    loop {
        let next = ["&&", "||", ";"]
            .iter()
            .filter_map(|sep| rest.find(sep).map(|i| (i, sep.len())))
            .min();
        match next {
            Some((i, len)) => {
                out.push(rest[..i].trim());
                rest = &rest[i + len..];
            }
            None => {
                out.push(rest.trim());
                break;
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The words of one step with environment assignments and runner wrappers taken off:
/// `cross-env PORT=3000 npx nodemon app.js` -> `["nodemon", "app.js"]`.
pub(crate) fn program_words(step: &str) -> Vec<&str> {
    let mut words: Vec<&str> = step.split_whitespace().collect();
    while let Some(first) = words.first().copied() {
        let assignment = first.contains('=')
            && first
                .split('=')
                .next()
                .is_some_and(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if assignment || matches!(first, "cross-env" | "env" | "npx" | "bunx" | "exec" | "--") {
            words.remove(0);
            continue;
        }
        if matches!(first, "pnpm" | "yarn" | "bun" | "npm") && words.get(1).is_some_and(|w| *w == "exec" || *w == "x") {
            words.drain(..2);
            continue;
        }
        if first == "dotenv" || first == "dotenvx" {
            // dotenv -e .env -- node server.js
            match words.iter().position(|w| *w == "--") {
                Some(i) => words.drain(..=i),
                None => words.drain(..1),
            };
            continue;
        }
        break;
    }
    words
}

/// The first script file among `args` (`server.js`, `src/index.ts`), skipping flags.
fn script_arg<'a>(args: &[&'a str]) -> Option<&'a str> {
    args.iter().copied().find(|a| !a.starts_with('-') && is_script_file(a))
}

/// True for a file name a JavaScript runtime runs: `server.js`, `src/main.ts`.
pub(crate) fn is_script_file(name: &str) -> bool {
    [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// The development server or watcher in `cmd`, if it runs one.
pub(crate) fn development_server(cmd: &str) -> Option<DevServer> {
    for step in steps(cmd) {
        let words = program_words(step);
        let Some(program) = words.first().copied() else {
            continue;
        };
        let program = program.rsplit('/').next().unwrap_or(program);
        let args = &words[1..];
        let sub = args.first().copied().unwrap_or("");
        let dev = |why: &'static str, production: Option<String>| {
            Some(DevServer {
                step: step.to_string(),
                why,
                production,
            })
        };
        let found = match program {
            "nodemon" | "node-dev" | "ts-node-dev" | "tsnd" => dev(
                "a development watcher that restarts on every change",
                script_arg(args).map(|f| format!("node {f}")),
            ),
            "node" if args.iter().any(|a| a.starts_with("--watch")) => dev(
                "a development watcher that restarts on every change",
                script_arg(args).map(|f| format!("node {f}")),
            ),
            "tsx" if sub == "watch" => dev(
                "a development watcher that restarts on every change",
                script_arg(args).map(|f| format!("node {f}")),
            ),
            "next" if sub == "dev" => dev("the development server", None),
            "nuxt" | "nuxi" if sub == "dev" => dev("the development server", None),
            "astro" if sub == "dev" => dev("the development server", None),
            "remix" | "react-router" if sub == "dev" => dev("the development server", None),
            "svelte-kit" if sub == "dev" => dev("the development server", None),
            "vite" if sub.is_empty() || sub == "dev" || sub == "serve" || sub == "preview" || sub.starts_with('-') => {
                dev("Vite's development or preview server", None)
            }
            "vue-cli-service" if sub == "serve" => dev("the development server", None),
            "ng" if sub == "serve" => dev("the development server", None),
            "react-scripts" if sub == "start" => dev("the development server", None),
            "webpack" if sub == "serve" => dev("the development server", None),
            "webpack-dev-server" => dev("the development server", None),
            "parcel" if sub != "build" => dev("the development server (parcel without build)", None),
            "gatsby" if sub == "develop" => dev("the development server", None),
            "expo" if sub == "start" => dev("the Metro development server", None),
            "nx" if sub == "serve" || sub.ends_with(":serve") || args.iter().any(|a| a.ends_with(":serve")) => {
                dev("the development server", None)
            }
            "nest" if sub == "start" => dev(
                "the Nest CLI compiling and running the source, a development tool",
                None,
            ),
            "npm" | "pnpm" | "yarn" | "bun" if sub == "dev" || (sub == "run" && args.get(1) == Some(&"dev")) => {
                dev("the dev script", None)
            }
            "turbo" if sub == "dev" || (sub == "run" && args.get(1) == Some(&"dev")) => {
                dev("the development servers", None)
            }
            "flask" if sub == "run" => dev("Flask's development server", None),
            "rails" | "bin/rails" if (sub == "s" || sub == "server") && args.contains(&"development") => {
                dev("the server in the development environment", None)
            }
            "python" | "python3" if args.contains(&"runserver") => dev("Django's development server", None),
            _ if args.contains(&"--reload") => dev("a server that reloads on every change", None),
            _ if args.iter().any(|a| *a == "--watch" || *a == "-w" && program == "tsc") => {
                dev("a watcher that rebuilds on every change", None)
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// True when every step of `cmd` only migrates or seeds a database.
pub(crate) fn migrations_only(cmd: &str) -> bool {
    let steps = steps(cmd);
    !steps.is_empty() && steps.iter().all(|s| is_migration(s))
}

/// True when a step runs database migrations.
pub(crate) fn is_migration(step: &str) -> bool {
    let words = program_words(step);
    let program = words.first().copied().unwrap_or("");
    let sub = words.get(1).copied().unwrap_or("");
    let rest = words.get(2).copied().unwrap_or("");
    match program {
        "prisma" => sub == "migrate" || (sub == "db" && rest == "push"),
        "knex" => sub.starts_with("migrate:"),
        "sequelize" | "sequelize-cli" => sub.starts_with("db:migrate"),
        "typeorm" | "typeorm-ts-node-commonjs" | "typeorm-ts-node-esm" => sub.starts_with("migration:run"),
        "drizzle-kit" => sub == "migrate" || sub == "push",
        "node-pg-migrate" | "db-migrate" => sub == "up",
        "npm" | "pnpm" | "yarn" | "bun" => {
            let script = if sub == "run" { rest } else { sub };
            script.starts_with("migrate") || script.starts_with("db:migrate")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_split_on_shell_operators() {
        assert_eq!(
            steps("prisma migrate deploy && node dist/index.js"),
            ["prisma migrate deploy", "node dist/index.js"]
        );
        assert_eq!(steps("a; b || c"), ["a", "b", "c"]);
    }

    #[test]
    fn wrappers_and_assignments_are_looked_through() {
        assert_eq!(
            program_words("cross-env NODE_ENV=development npx nodemon src/index.js"),
            ["nodemon", "src/index.js"]
        );
        assert_eq!(program_words("pnpm exec nx serve api"), ["nx", "serve", "api"]);
        assert_eq!(
            program_words("dotenv -e .env.prod -- node server.js"),
            ["node", "server.js"]
        );
    }

    #[test]
    fn development_servers_are_told_from_production_starts() {
        let dev = [
            "nodemon server.js",
            "next dev",
            "vite",
            "vite --host",
            "expo start",
            "nx serve",
            "nx run api:serve",
            "node --watch index.js",
            "tsx watch src/index.ts",
            "uvicorn main:app --reload",
            "flask run",
            "python manage.py runserver",
            "react-scripts start",
            "vue-cli-service serve",
            "ng serve",
            "nest start --watch",
        ];
        for cmd in dev {
            assert!(development_server(cmd).is_some(), "{cmd} is a development command");
        }
        let prod = [
            "node server.js",
            "next start",
            "node .output/server/index.mjs",
            "gunicorn app:app --bind 0.0.0.0:8000",
            "uvicorn main:app --host 0.0.0.0",
            "react-router-serve ./build/server/index.js",
            "bundle exec rails server -b 0.0.0.0",
            "vite build",
            "tsx src/index.ts",
        ];
        for cmd in prod {
            assert_eq!(development_server(cmd), None, "{cmd} is a production command");
        }
    }

    #[test]
    fn watchers_name_the_plain_production_command() {
        let d = development_server("cross-env DEBUG=* nodemon --inspect src/server.js").unwrap();
        assert_eq!(d.production.as_deref(), Some("node src/server.js"));
        let d = development_server("node --watch index.mjs").unwrap();
        assert_eq!(d.production.as_deref(), Some("node index.mjs"));
        assert_eq!(development_server("nodemon").unwrap().production, None);
    }

    #[test]
    fn migrations_are_recognised_alone_and_before_a_server() {
        assert!(migrations_only("prisma migrate deploy"));
        assert!(migrations_only("bunx prisma migrate deploy"));
        assert!(migrations_only("npm run migrate && knex migrate:latest"));
        assert!(!migrations_only("prisma migrate deploy && node dist/index.js"));
        assert!(!migrations_only("node server.js"));
    }
}

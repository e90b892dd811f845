//! Dockerfiles and .dockerignore files.

use std::fmt::Write as _;

use slipway_scan::ServiceProfile;

use crate::knowledge::{node_image, BUN_IMAGE};

/// How a package manager installs dependencies inside an image.
struct Installer {
    /// Files to copy before installing, so the dependency layer is cached apart from the source.
    manifests: Vec<String>,
    /// Image to install with.
    image: String,
    /// `RUN` line (without `RUN`) that installs everything, for building.
    install_all: String,
    /// `RUN` line that installs production dependencies only.
    install_prod: String,
}

fn installer(svc: &ServiceProfile, node: &str) -> Installer {
    let pm = svc.package_manager.as_deref().unwrap_or("npm");
    let lock = svc.lockfile.as_deref();
    // A workspace member installs from the workspace's lockfile.
    let locked = lock.is_some() || svc.workspace.as_ref().is_some_and(|w| w.lockfile.is_some());
    let mut manifests = vec!["package.json".to_string()];
    if let Some(lock) = lock {
        manifests.push(lock.to_string());
    }
    let berry = svc.install_command.as_deref() == Some("yarn install --immutable");
    match pm {
        "pnpm" => Installer {
            manifests,
            image: node.to_string(),
            install_all: "--mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \\\n    corepack enable pnpm && pnpm install --frozen-lockfile".into(),
            install_prod: "--mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \\\n    corepack enable pnpm && pnpm install --frozen-lockfile --prod".into(),
        },
        "yarn" if berry => {
            manifests.push(".yarnrc.yml".into());
            Installer {
                manifests,
                image: node.to_string(),
                install_all: "--mount=type=cache,target=/root/.yarn/berry/cache \\\n    corepack enable yarn && yarn install --immutable".into(),
                install_prod: "--mount=type=cache,target=/root/.yarn/berry/cache \\\n    corepack enable yarn && yarn workspaces focus --all --production".into(),
            }
        }
        "yarn" => Installer {
            manifests,
            image: node.to_string(),
            install_all: "--mount=type=cache,target=/usr/local/share/.cache/yarn \\\n    yarn install --frozen-lockfile".into(),
            install_prod: "--mount=type=cache,target=/usr/local/share/.cache/yarn \\\n    yarn install --frozen-lockfile --production".into(),
        },
        "bun" => Installer {
            manifests,
            image: BUN_IMAGE.to_string(),
            install_all: "--mount=type=cache,target=/root/.bun/install/cache \\\n    bun install --frozen-lockfile".into(),
            install_prod: "--mount=type=cache,target=/root/.bun/install/cache \\\n    bun install --frozen-lockfile --production".into(),
        },
        _ => {
            let cmd = if locked { "npm ci" } else { "npm install --no-audit --no-fund" };
            Installer {
                manifests,
                image: node.to_string(),
                install_all: format!("--mount=type=cache,target=/root/.npm \\\n    {cmd}"),
                install_prod: format!("--mount=type=cache,target=/root/.npm \\\n    {cmd} --omit=dev"),
            }
        }
    }
}

use super::stacks::start_form;

/// What a Node.js build stage needs for a static site: image, manifests and install line.
pub(crate) fn node_build_parts(svc: &ServiceProfile) -> (String, Vec<String>, String) {
    let version = svc.runtime_version.as_deref().unwrap_or("24");
    let major = version.split('.').next().unwrap_or(version);
    let inst = installer(svc, &node_image(major));
    (inst.image, inst.manifests, inst.install_all)
}

/// A production Dockerfile for a Node.js service.
pub fn dockerfile(svc: &ServiceProfile) -> String {
    let version = svc.runtime_version.as_deref().unwrap_or("24");
    let major = version.split('.').next().unwrap_or(version);
    let node = node_image(major);
    let inst = installer(svc, &node);
    let port = svc.port.unwrap_or(3000);
    let next = svc.nextjs.as_ref();
    let standalone = next.is_some_and(|n| n.standalone);
    // The build script runs through npm whatever installed the dependencies: npm is in every
    // Node.js image, needs no corepack, and runs the same package.json script.
    let build = if svc.build_command.is_some() {
        "npm run build"
    } else if next.is_some() {
        "node_modules/.bin/next build"
    } else {
        ""
    };

    let mut f = String::new();
    f.push_str("# syntax=docker/dockerfile:1\n");
    let what = match &svc.framework {
        Some(fw) if fw == "nextjs" => "Next.js app",
        _ => "Node.js service",
    };
    let _ = writeln!(
        f,
        "# Production image for the {what} \"{}\", written by Slipway.",
        svc.name
    );
    let _ = writeln!(f, "# Build: docker build -t {} .", image_name(&svc.name));
    f.push('\n');

    // A plain Node.js service without a build step runs its source as it is: no build stage.
    let has_build_stage = next.is_some() || !build.is_empty();
    if has_build_stage {
        install_stage(
            &mut f,
            "Dependencies first, from the manifests alone, so this layer is reused until they change.",
            "deps",
            &inst,
            &inst.install_all,
        );
        f.push_str("# Build the production output.\n");
        let _ = writeln!(f, "FROM {node} AS build");
        f.push_str("WORKDIR /app\n");
        if next.is_some() {
            f.push_str("ENV NEXT_TELEMETRY_DISABLED=1\n");
        }
        f.push_str("COPY --from=deps /app/node_modules ./node_modules\n");
        f.push_str("COPY . .\n");
        match (build, next.is_some()) {
            ("", _) => {}
            (build, true) => {
                let _ = writeln!(f, "RUN {build}");
            }
            // The runtime copies this stage's /app whole, so the full install (dev
            // dependencies included) must not be in it: production ones come from prod-deps.
            (build, false) => {
                let _ = writeln!(f, "RUN {build} && rm -rf node_modules");
            }
        }
        f.push('\n');
    }
    if !standalone {
        install_stage(
            &mut f,
            "Production dependencies only, for the runtime image.",
            "prod-deps",
            &inst,
            &inst.install_prod,
        );
    }

    f.push_str("# The runtime image: the build output and nothing else, run as the unprivileged node user.\n");
    let _ = writeln!(f, "FROM {node} AS runtime");
    f.push_str("WORKDIR /app\n");
    let mut env = vec!["NODE_ENV=production".to_string()];
    if next.is_some() {
        env.push("NEXT_TELEMETRY_DISABLED=1".into());
    }
    if svc.kind != "worker" {
        env.push(format!("PORT={port}"));
        env.push("HOSTNAME=0.0.0.0".into());
    }
    let _ = writeln!(f, "ENV {}", env.join(" \\\n    "));
    let chown = "--chown=1000:1000";
    let start = if let Some(n) = next {
        if n.has_public_dir {
            let _ = writeln!(f, "COPY --from=build {chown} /app/public ./public");
        }
        if standalone {
            let _ = writeln!(f, "COPY --from=build {chown} /app/.next/standalone ./");
            let _ = writeln!(f, "COPY --from=build {chown} /app/.next/static ./.next/static");
            "node server.js".to_string()
        } else {
            let _ = writeln!(f, "COPY --from=prod-deps {chown} /app/node_modules ./node_modules");
            let _ = writeln!(f, "COPY --from=build {chown} /app/package.json ./package.json");
            if let Some(cfg) = &n.config_file {
                let name = cfg.rsplit('/').next().unwrap_or(cfg);
                let _ = writeln!(f, "COPY --from=build {chown} /app/{name} ./{name}");
            }
            let _ = writeln!(f, "COPY --from=build {chown} /app/.next ./.next");
            // next start reads PORT and binds every interface by default.
            "node_modules/.bin/next start".to_string()
        }
    } else {
        if has_build_stage {
            let _ = writeln!(f, "COPY --from=build {chown} /app ./");
        } else {
            // The source as it is; .dockerignore keeps node_modules and secrets out.
            let _ = writeln!(f, "COPY {chown} . .");
        }
        let _ = writeln!(f, "COPY --from=prod-deps {chown} /app/node_modules ./node_modules");
        node_start(svc)
    };
    // The official Node.js images ship the unprivileged user `node` as uid 1000; a numeric user
    // lets Kubernetes verify runAsNonRoot.
    f.push_str("USER 1000:1000\n");
    if svc.kind != "worker" {
        let _ = writeln!(f, "EXPOSE {port}");
        super::stacks::fetch_healthcheck(&mut f, "node", port, svc.health_path.as_deref().unwrap_or("/"));
    }
    let _ = writeln!(f, "CMD {}", start_form(&start));
    f
}

/// A stage that installs dependencies from the manifests alone.
fn install_stage(f: &mut String, comment: &str, stage: &str, inst: &Installer, install: &str) {
    let _ = writeln!(f, "# {comment}");
    let _ = writeln!(f, "FROM {} AS {stage}", inst.image);
    f.push_str("WORKDIR /app\n");
    let _ = writeln!(f, "COPY {} ./", inst.manifests.join(" "));
    let _ = writeln!(f, "RUN {install}\n");
}

/// The start command for a plain Node.js service, run by node itself (not npm) so signals
/// reach the app and it shuts down cleanly: `node server.js` as it is, and a package's own
/// server (`remix-serve ./build/...`) from node_modules/.bin, whose scripts exec node.
/// Each step of a chained start (`prisma migrate deploy && node dist/index.js`) is run the
/// same way.
pub(crate) fn node_start(svc: &ServiceProfile) -> String {
    let Some(cmd) = svc.start_command.as_deref() else {
        return "node index.js".to_string();
    };
    cmd.split(" && ")
        .map(|step| {
            let program = step.split_whitespace().next().unwrap_or("");
            if program == "node"
                || ["npm", "yarn", "pnpm", "npx", "bun", "sh", "bash"].contains(&program)
                || program.contains('/')
            {
                step.to_string()
            } else {
                format!("node_modules/.bin/{step}")
            }
        })
        .collect::<Vec<_>>()
        .join(" && ")
}

/// A name usable as an image name.
pub fn image_name(name: &str) -> String {
    let cleaned: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if trimmed.is_empty() {
        "app".to_string()
    } else {
        trimmed.to_string()
    }
}

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

#[cfg(test)]
mod tests {
    use super::dockerfile;
    use slipway_scan::ServiceProfile;

    #[test]
    fn a_built_node_service_drops_dev_dependencies_before_the_runtime_copies_it() {
        let mut svc = ServiceProfile::new("api", ".");
        svc.language = Some("node".into());
        svc.package_manager = Some("npm".into());
        svc.lockfile = Some("package-lock.json".into());
        svc.runtime_version = Some("22".into());
        svc.build_command = Some("npm run build".into());
        svc.start_command = Some("node dist/main.js".into());
        let f = dockerfile(&svc);
        assert!(f.contains("RUN npm run build && rm -rf node_modules"), "{f}");
        let app = f
            .find("COPY --from=build --chown=1000:1000 /app ./")
            .expect("the built app is copied");
        let modules = f
            .find("COPY --from=prod-deps --chown=1000:1000 /app/node_modules")
            .expect("production modules");
        assert!(app < modules, "production node_modules are copied after the app:\n{f}");
        assert!(f.trim_end().ends_with("CMD [\"node\", \"dist/main.js\"]"), "{f}");
    }
}

//! Dockerfiles and .dockerignore files.

use slipway_scan::ServiceProfile;

use super::dockerfile::{start_form, Dockerfile};

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

/// What a Node.js build stage needs for a static site: image, manifests and install line.
pub(crate) fn node_build_parts(svc: &ServiceProfile) -> (String, Vec<String>, String) {
    let version = svc.runtime_version.as_deref().unwrap_or("24");
    let major = version.split('.').next().unwrap_or(version);
    let inst = installer(svc, &node_image(major));
    (inst.image, inst.manifests, inst.install_all)
}

/// A production Dockerfile for a Node.js service.
pub fn dockerfile(svc: &ServiceProfile) -> Dockerfile {
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

    let mut f = Dockerfile::default();
    let what = match &svc.framework {
        Some(fw) if fw == "nextjs" => "Next.js app",
        _ => "Node.js service",
    };
    super::dockerfile::header(&mut f, what, svc);

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
        f.comment("Build the production output.");
        f.from(&node, "build");
        f.workdir("/app");
        if next.is_some() {
            f.env("NEXT_TELEMETRY_DISABLED=1");
        }
        f.copy("--from=deps /app/node_modules ./node_modules");
        f.copy(". .");
        match (build, next.is_some()) {
            ("", _) => {}
            (build, true) => {
                f.run(build);
            }
            // The runtime copies this stage's /app whole, so the full install (dev
            // dependencies included) must not be in it: production ones come from prod-deps.
            (build, false) => {
                f.run(format!("{build} && rm -rf node_modules"));
            }
        }
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

    f.comment("The runtime image: the build output and nothing else, run as the unprivileged node user.");
    f.from(&node, "runtime");
    f.workdir("/app");
    let mut env = vec!["NODE_ENV=production".to_string()];
    if next.is_some() {
        env.push("NEXT_TELEMETRY_DISABLED=1".into());
    }
    if svc.kind != "worker" {
        env.push(format!("PORT={port}"));
        env.push("HOSTNAME=0.0.0.0".into());
    }
    f.env(env.join(" \\\n    "));
    let chown = "--chown=10001:10001";
    let start = if let Some(n) = next {
        if n.has_public_dir {
            f.copy(format!("--from=build {chown} /app/public ./public"));
        }
        if standalone {
            f.copy(format!("--from=build {chown} /app/.next/standalone ./"));
            f.copy(format!("--from=build {chown} /app/.next/static ./.next/static"));
            "node server.js".to_string()
        } else {
            f.copy(format!("--from=prod-deps {chown} /app/node_modules ./node_modules"));
            f.copy(format!("--from=build {chown} /app/package.json ./package.json"));
            if let Some(cfg) = &n.config_file {
                let name = cfg.rsplit('/').next().unwrap_or(cfg);
                f.copy(format!("--from=build {chown} /app/{name} ./{name}"));
            }
            f.copy(format!("--from=build {chown} /app/.next ./.next"));
            // next start reads PORT and binds every interface by default.
            "node_modules/.bin/next start".to_string()
        }
    } else {
        if has_build_stage {
            f.copy(format!("--from=build {chown} /app ./"));
        } else {
            // The source as it is; .dockerignore keeps node_modules and secrets out.
            f.copy(format!("{chown} . ."));
        }
        f.copy(format!("--from=prod-deps {chown} /app/node_modules ./node_modules"));
        node_start(svc)
    };
    // A numeric user above 10000 (the image's own node user is uid 1000, which may be a user of
    // the host too): Kubernetes can verify runAsNonRoot, and the pod runs as the same uid.
    f.user("10001:10001");
    if svc.kind != "worker" {
        f.expose(port);
        super::dockerfile::fetch_healthcheck(&mut f, "node", port, svc.health_path.as_deref().unwrap_or("/"));
    }
    f.cmd(start_form(&start));
    f
}

/// A stage that installs dependencies from the manifests alone.
fn install_stage(f: &mut Dockerfile, comment: &str, stage: &str, inst: &Installer, install: &str) {
    f.comment(comment);
    f.from(&inst.image, stage);
    f.workdir("/app");
    f.copy(format!("{} ./", inst.manifests.join(" ")));
    f.run(install);
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
        let image = dockerfile(&svc);
        assert_eq!(image.start(), Some("[\"node\", \"dist/main.js\"]"));
        assert_eq!(image.user_of(), Some("10001:10001"));
        let f = image.render();
        assert!(f.contains("RUN npm run build && rm -rf node_modules"), "{f}");
        let app = f
            .find("COPY --from=build --chown=10001:10001 /app ./")
            .expect("the built app is copied");
        let modules = f
            .find("COPY --from=prod-deps --chown=10001:10001 /app/node_modules")
            .expect("production modules");
        assert!(app < modules, "production node_modules are copied after the app:\n{f}");
        assert!(f.trim_end().ends_with("CMD [\"node\", \"dist/main.js\"]"), "{f}");
    }
}

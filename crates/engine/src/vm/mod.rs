//! A server of the person's own, configured with Ansible: a virtual machine on any cloud or a
//! bare-metal host running Debian or Ubuntu.
//!
//! `ansible/` holds a playbook and four roles, every module from `ansible.builtin` so it runs
//! with ansible-core alone. `base` makes the non-root deploy user that logs in with a key,
//! turns password and root logins off, keeps a firewall that lets in SSH, HTTP and HTTPS
//! only, and turns on unattended security upgrades. `docker` installs Docker Engine and its
//! Compose plugin from Docker's signed repository. `app` writes the services' compose file
//! (the tested images by digest, ports on localhost only, the databases and caches the code
//! uses with their data on volumes), each service's environment file from the secrets the
//! controller holds (never from the repository), starts it and waits until it answers its
//! health path. `proxy` puts Caddy in front, which gets and renews the hosts' certificates by
//! itself. The playbook refuses to start when a secret it needs is not set.

use crate::generate::Artifact;
use crate::kube::name_of;
use crate::pipeline::Requirement;
use crate::spec::{DeploySpec, ServiceSpec};
use crate::write::yaml::{self, Yaml};

/// The folder of the playbook.
pub const DIR: &str = "ansible";

/// What the family produced.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// The files.
    pub artifacts: Vec<Artifact>,
    /// The secrets and variables to create, for the window's checklist.
    pub requirements: Vec<Requirement>,
}

const HEADER: &str = "Written by Slipway from the project's deployment spec: docs/vm.md says how to run it.";

fn file(path: &str, content: String, purpose: &str) -> Artifact {
    Artifact {
        path: format!("{DIR}/{path}"),
        content,
        purpose: purpose.into(),
        step: "vm".into(),
    }
}

fn yaml_file(path: &str, value: &Yaml, purpose: &str) -> Artifact {
    file(path, format!("---\n{}", yaml::to_string(value, HEADER)), purpose)
}

/// A task: its name first, then the module and its arguments, then the rest.
fn task(name: &str, module: &str, args: Yaml) -> Yaml {
    Yaml::map().with("name", name).with(module, args)
}

/// The project's name on the server: its folder, its compose project.
pub fn project(spec: &DeploySpec) -> String {
    name_of(&spec.kube.namespace)
}

/// The services that run on the server (all of them: static sites run as their own image).
fn services(spec: &DeploySpec) -> Vec<&ServiceSpec> {
    spec.services.iter().collect()
}

/// The backing services the code uses, each once, as the knowledge table's images.
fn backing(spec: &DeploySpec) -> Vec<&'static crate::knowledge::ServiceImage> {
    let mut out: Vec<&'static crate::knowledge::ServiceImage> = Vec::new();
    for svc in services(spec) {
        for b in &svc.backing_services {
            let id = if b == "mariadb" { "mysql" } else { b.as_str() };
            if let Some(img) = crate::knowledge::service_image(id) {
                if !out.iter().any(|o| o.id == img.id) {
                    out.push(img);
                }
            }
        }
    }
    out
}

/// True when the server runs a database the backup family dumps (PostgreSQL or MySQL).
fn backed_up(spec: &DeploySpec) -> bool {
    backing(spec).iter().any(|b| matches!(b.id, "postgres" | "mysql"))
}

/// The environment variable (on the machine that runs the playbook) holding a backing
/// service's password, for those that take one.
fn password_var(id: &str) -> Option<String> {
    matches!(id, "postgres" | "mysql" | "mongodb").then(|| format!("{}_PASSWORD", id.to_ascii_uppercase()))
}

/// A service's connection URL on the compose network, for a variable whose name says it holds
/// one (`DATABASE_URL`, `REDIS_URI`, `MONGO_DSN`).
fn backing_url(id: &str) -> Option<String> {
    Some(match id {
        "postgres" => "postgresql://app:{{ app_postgres_password | urlencode }}@postgres:5432/app".into(),
        "mysql" => "mysql://app:{{ app_mysql_password | urlencode }}@mysql:3306/app".into(),
        "mongodb" => "mongodb://app:{{ app_mongodb_password | urlencode }}@mongodb:27017/app?authSource=admin".into(),
        "redis" => "redis://redis:6379/0".into(),
        _ => return None,
    })
}

/// Every secret the playbook reads from its controller's environment: the services' own and
/// the backing services' passwords.
fn secrets(spec: &DeploySpec) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for svc in services(spec) {
        for e in &svc.env {
            let derived = e.backing.as_deref().and_then(backing_url).is_some() && is_url_name(&e.name);
            if !derived && !out.contains(&e.name) {
                out.push(e.name.clone());
            }
        }
    }
    for b in backing(spec) {
        if let Some(v) = password_var(b.id) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

fn is_url_name(name: &str) -> bool {
    ["_URL", "_URI", "_DSN"].iter().any(|s| name.ends_with(s))
}

/// The registry the pipeline pushes to, which the server pulls from.
fn registry_host(spec: &DeploySpec) -> &'static str {
    match spec.registry {
        crate::params::Registry::Dockerhub => "docker.io",
        _ => "ghcr.io",
    }
}

/// The hosts Caddy answers for, by service.
fn hosts(spec: &DeploySpec) -> Vec<(String, String)> {
    crate::kube::hosts(spec)
}

/// The Ansible files for `spec`, or why they cannot be written.
pub fn generate(spec: &DeploySpec) -> Result<Generated, String> {
    generate_with_backups(spec, None)
}

/// The playbook for `spec`, with `backup` the databases' backups running beside them on the
/// server: the scripts of [`crate::backup`] copied there, and a backup service per database in
/// the server's compose project.
pub fn generate_with_backups(
    spec: &DeploySpec,
    backup: Option<&crate::backup::BackupSpec>,
) -> Result<Generated, String> {
    if !spec.errors.is_empty() {
        return Err(spec.errors.join("; "));
    }
    if spec.services.is_empty() {
        return Err("found no service to put on a server".into());
    }
    let project = project(spec);
    let mut g = Generated::default();
    g.artifacts.push(file(
        "ansible.cfg",
        format!(
            "# {HEADER}\n[defaults]\ninventory = inventory.yml\nroles_path = roles\nhost_key_checking = True\ninterpreter_python = auto_silent\n\n[ssh_connection]\npipelining = True\n"
        ),
        "where the playbook finds its hosts and roles; host keys are always checked",
    ));
    let host = spec.host.clone().unwrap_or_else(|| "app.example.com".into());
    g.artifacts.push(yaml_file(
        "inventory.yml",
        &Yaml::map().with(
            "app",
            Yaml::map().with(
                "hosts",
                Yaml::map().with(
                    &host,
                    Yaml::map().with_comment(
                        "ansible_user",
                        "deploy",
                        "the first run, before this user exists, is as root or the image's admin user (docs/vm.md)",
                    ),
                ),
            ),
        ),
        "the server the playbook configures",
    ));
    g.artifacts.push(group_vars(spec, &project));
    g.artifacts.push(yaml_file(
        "site.yml",
        &Yaml::Seq(vec![Yaml::map()
            .with("name", format!("Run {project} on its server"))
            .with("hosts", "app")
            .with("become", true)
            .with("roles", Yaml::strs(["base", "docker", "app", "proxy"]))]),
        "the playbook: the server's base, Docker, the app, the proxy, in that order",
    ));
    g.artifacts.extend(base_role());
    g.artifacts.extend(docker_role());
    g.artifacts.extend(app_role(spec, &project, backup));
    g.artifacts.extend(proxy_role(spec));
    g.requirements = requirements(spec);
    g.artifacts.push(Artifact {
        path: "docs/vm.md".into(),
        content: runbook(spec, &project, &host, backup.is_some() && backed_up(spec)),
        purpose: "how to prepare the server, run the playbook, fill the secrets, roll back".into(),
        step: "vm".into(),
    });
    Ok(g)
}

fn group_vars(spec: &DeploySpec, project: &str) -> Artifact {
    let mut images = Yaml::map();
    for svc in services(spec) {
        let id = name_of(&svc.name);
        images = images.with(
            &id,
            format!(
                "{{{{ lookup('ansible.builtin.env', 'IMAGE_{}') }}}}",
                id.to_ascii_uppercase().replace('-', "_")
            ),
        );
    }
    let mut v = Yaml::map()
        .with_comment("base_deploy_user", "deploy", "the non-root user that logs in and owns the app")
        .with_note(
            "base_deploy_key",
            "{{ lookup('ansible.builtin.env', 'DEPLOY_SSH_PUBLIC_KEY') }}",
            "The public key the deploy user logs in with (the pipeline's, or yours).",
        )
        .with("app_name", project)
        .with("app_dir", format!("/srv/{project}"))
        .with_comment("app_registry", registry_host(spec), "where the images are pulled from")
        .with_note(
            "app_registry_user",
            "{{ lookup('ansible.builtin.env', 'REGISTRY_USERNAME') }}",
            "A pull-only credential for private images; the pipeline passes its own short-lived one.",
        )
        .with("app_registry_token", "{{ lookup('ansible.builtin.env', 'REGISTRY_TOKEN') }}")
        .with_note(
            "app_images",
            images,
            "The image each service runs, pinned by digest (repository@sha256:...): the pipeline passes the ones it tested.",
        );
    for b in backing(spec) {
        if let Some(var) = password_var(b.id) {
            v = v.with(
                &format!("app_{}_password", b.id),
                format!("{{{{ lookup('ansible.builtin.env', '{var}') }}}}"),
            );
        }
    }
    yaml_file(
        "group_vars/all.yml",
        &v,
        "the settings: the deploy user, the app's folder, its images, and the secrets read from the environment",
    )
}

fn base_role() -> Vec<Artifact> {
    let tasks = Yaml::Seq(vec![
        task(
            "Install the base packages",
            "ansible.builtin.apt",
            Yaml::map()
                .with("name", Yaml::strs(["ca-certificates", "curl", "nftables", "unattended-upgrades"]))
                .with("state", "present")
                .with("update_cache", true)
                .with("cache_valid_time", 3600),
        ),
        task(
            "Turn on unattended security upgrades",
            "ansible.builtin.copy",
            Yaml::map()
                .with("dest", "/etc/apt/apt.conf.d/20auto-upgrades")
                .with(
                    "content",
                    "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n",
                )
                .with("owner", "root")
                .with("group", "root")
                .with("mode", "0644"),
        ),
        task(
            "Create the deploy user",
            "ansible.builtin.user",
            Yaml::map()
                .with("name", "{{ base_deploy_user }}")
                .with("shell", "/bin/bash")
                .with("create_home", true),
        ),
        task(
            "Make the deploy user's SSH folder",
            "ansible.builtin.file",
            Yaml::map()
                .with("path", "/home/{{ base_deploy_user }}/.ssh")
                .with("state", "directory")
                .with("owner", "{{ base_deploy_user }}")
                .with("group", "{{ base_deploy_user }}")
                .with("mode", "0700"),
        ),
        task(
            "Let the deploy key log in",
            "ansible.builtin.copy",
            Yaml::map()
                .with("dest", "/home/{{ base_deploy_user }}/.ssh/authorized_keys")
                .with("content", "{{ base_deploy_key }}\n")
                .with("owner", "{{ base_deploy_user }}")
                .with("group", "{{ base_deploy_user }}")
                .with("mode", "0600"),
        )
        .with("when", "base_deploy_key | length > 0"),
        task(
            "Let the deploy user run the playbook",
            "ansible.builtin.copy",
            Yaml::map()
                .with("dest", "/etc/sudoers.d/{{ base_deploy_user }}")
                .with("content", "{{ base_deploy_user }} ALL=(ALL) NOPASSWD: ALL\n")
                .with("owner", "root")
                .with("group", "root")
                .with("mode", "0440")
                .with("validate", "/usr/sbin/visudo -cf %s"),
        ),
        task(
            "Turn off password and root logins",
            "ansible.builtin.copy",
            Yaml::map()
                .with("dest", "/etc/ssh/sshd_config.d/50-slipway.conf")
                .with(
                    "content",
                    "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin {{ 'no' if ansible_user | default('root') != 'root' else 'prohibit-password' }}\n",
                )
                .with("owner", "root")
                .with("group", "root")
                .with("mode", "0644")
                .with("validate", "/usr/sbin/sshd -t -f %s"),
        )
        .with("notify", "Reload SSH"),
        task(
            "Write the firewall: SSH, HTTP and HTTPS in, nothing else",
            "ansible.builtin.template",
            Yaml::map()
                .with("src", "nftables.conf.j2")
                .with("dest", "/etc/nftables.conf")
                .with("owner", "root")
                .with("group", "root")
                .with("mode", "0644")
                .with("validate", "/usr/sbin/nft -c -f %s"),
        )
        .with("notify", "Reload the firewall"),
        task(
            "Start the firewall at boot",
            "ansible.builtin.systemd_service",
            Yaml::map().with("name", "nftables").with("enabled", true).with("state", "started"),
        ),
    ]);
    let handlers = Yaml::Seq(vec![
        task(
            "Reload SSH",
            "ansible.builtin.systemd_service",
            Yaml::map().with("name", "ssh").with("state", "reloaded"),
        ),
        task(
            "Reload the firewall",
            "ansible.builtin.systemd_service",
            Yaml::map().with("name", "nftables").with("state", "reloaded"),
        ),
    ]);
    let nft = "#!/usr/sbin/nft -f\n# {{ ansible_managed }}\n# Its own table, so Docker's rules stay as Docker writes them.\ntable inet slipway\ndelete table inet slipway\n\ntable inet slipway {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ct state established,related accept\n    ct state invalid drop\n    iif \"lo\" accept\n    iifname { \"docker0\", \"br-*\" } accept\n    meta l4proto { icmp, ipv6-icmp } accept\n    tcp dport { 22, 80, 443 } accept\n    udp dport 443 accept\n  }\n}\n";
    vec![
        yaml_file(
            "roles/base/tasks/main.yml",
            &tasks,
            "the deploy user, SSH, the firewall and security upgrades",
        ),
        yaml_file(
            "roles/base/handlers/main.yml",
            &handlers,
            "reloads SSH and the firewall when their files change",
        ),
        file(
            "roles/base/templates/nftables.conf.j2",
            nft.into(),
            "the firewall: SSH, HTTP and HTTPS in, everything else dropped",
        ),
    ]
}

fn docker_role() -> Vec<Artifact> {
    let distro = "{{ ansible_facts['distribution'] | lower }}";
    let tasks = Yaml::Seq(vec![
        task(
            "Make the folder for APT's keys",
            "ansible.builtin.file",
            Yaml::map()
                .with("path", "/etc/apt/keyrings")
                .with("state", "directory")
                .with("owner", "root")
                .with("group", "root")
                .with("mode", "0755"),
        ),
        task(
            "Fetch Docker's signing key",
            "ansible.builtin.get_url",
            Yaml::map()
                .with("url", format!("https://download.docker.com/linux/{distro}/gpg"))
                .with("dest", "/etc/apt/keyrings/docker.asc")
                .with("owner", "root")
                .with("group", "root")
                .with("mode", "0644"),
        ),
        task(
            "Add Docker's repository, signed by that key",
            "ansible.builtin.deb822_repository",
            Yaml::map()
                .with("name", "docker")
                .with("types", Yaml::strs(["deb"]))
                .with(
                    "uris",
                    Yaml::strs([format!("https://download.docker.com/linux/{distro}")]),
                )
                .with("suites", Yaml::strs(["{{ ansible_facts['distribution_release'] }}"]))
                .with("components", Yaml::strs(["stable"]))
                .with("signed_by", "/etc/apt/keyrings/docker.asc"),
        ),
        task(
            "Install Docker Engine and the Compose plugin",
            "ansible.builtin.apt",
            Yaml::map()
                .with(
                    "name",
                    Yaml::strs(["docker-ce", "docker-ce-cli", "containerd.io", "docker-compose-plugin"]),
                )
                .with("state", "present")
                .with("update_cache", true),
        ),
        task(
            "Start Docker at boot",
            "ansible.builtin.systemd_service",
            Yaml::map()
                .with("name", "docker")
                .with("enabled", true)
                .with("state", "started"),
        ),
    ]);
    vec![yaml_file(
        "roles/docker/tasks/main.yml",
        &tasks,
        "Docker Engine and Compose from Docker's signed repository",
    )]
}

fn compose(spec: &DeploySpec, project: &str, backup: Option<&crate::backup::BackupSpec>) -> Yaml {
    let mut entries = Yaml::map();
    let backing = backing(spec);
    for svc in services(spec) {
        let id = name_of(&svc.name);
        let mut s = Yaml::map()
            .with("image", format!("{{{{ app_images['{id}'] }}}}"))
            .with("restart", "unless-stopped")
            .with("env_file", Yaml::strs([format!("{id}.env")]));
        if let Some(p) = svc.port.filter(|_| svc.kind != "worker") {
            s = s.with_comment(
                "ports",
                Yaml::strs([format!("127.0.0.1:{p}:{p}")]),
                "localhost only: Caddy is the way in",
            );
        }
        if let Some(d) = &svc.data_path {
            s = s.with("volumes", Yaml::strs([format!("{id}-data:{d}")]));
        }
        let deps: Vec<&str> = svc
            .backing_services
            .iter()
            .filter_map(|b| {
                backing
                    .iter()
                    .find(|i| i.id == b || (b == "mariadb" && i.id == "mysql"))
            })
            .map(|i| i.id)
            .collect();
        if !deps.is_empty() {
            let mut d = Yaml::map();
            for dep in deps {
                d = d.with(dep, Yaml::map().with("condition", "service_healthy"));
            }
            s = s.with("depends_on", d);
        }
        entries = entries.with(&id, s);
    }
    let mut volumes = Yaml::map();
    for svc in services(spec).iter().filter(|s| s.data_path.is_some()) {
        volumes = volumes.with(&format!("{}-data", name_of(&svc.name)), Yaml::map());
    }
    for b in &backing {
        let mut s = Yaml::map()
            .with("image", b.image)
            .with("restart", "unless-stopped")
            .with("volumes", Yaml::strs([format!("{}-data:{}", b.id, b.data_path)]))
            .with(
                "healthcheck",
                Yaml::map()
                    .with("test", Yaml::strs(b.healthcheck.iter().copied()))
                    .with("interval", "10s")
                    .with("timeout", "5s")
                    .with("retries", 5),
            );
        if backing_env(b.id).is_some() {
            // The password stays out of the compose file: in a file only root reads.
            s = s.with("env_file", Yaml::strs([format!("{}.env", b.id)]));
        }
        entries = entries.with(b.id, s);
        volumes = volumes.with(&format!("{}-data", b.id), Yaml::map());
    }
    if let Some(bs) = backup.filter(|_| backed_up(spec)) {
        let beside_postgres = backing.iter().any(|b| b.id == "postgres");
        for b in &backing {
            match b.id {
                "postgres" => {
                    entries = entries.with(
                        "backup",
                        crate::backup::service(bs, "postgres", b.image, "postgres", Yaml::map(), Some("backup.env")),
                    );
                }
                "mysql" => {
                    entries = entries.with(
                        crate::backup::mysql_service(beside_postgres),
                        crate::backup::service(
                            bs,
                            "mysql",
                            b.image,
                            "mysql",
                            Yaml::map().with("MYSQL_HOST", "mysql"),
                            Some("mysql.env"),
                        ),
                    );
                }
                _ => {}
            }
        }
        volumes = volumes.with("backups", Yaml::map());
    }
    let mut doc = Yaml::map().with("name", project).with("services", entries);
    if !volumes.is_empty() {
        doc = doc.with("volumes", volumes);
    }
    doc
}

/// The environment file of a backing service that takes a password.
fn backing_env(id: &str) -> Option<String> {
    let lines = match id {
        "postgres" => "POSTGRES_USER=app\nPOSTGRES_DB=app\nPOSTGRES_PASSWORD={{ app_postgres_password }}\n",
        "mysql" => "MYSQL_USER=app\nMYSQL_DATABASE=app\nMYSQL_PASSWORD={{ app_mysql_password }}\nMYSQL_RANDOM_ROOT_PASSWORD=yes\n",
        "mongodb" => "MONGO_INITDB_ROOT_USERNAME=app\nMONGO_INITDB_ROOT_PASSWORD={{ app_mongodb_password }}\n",
        _ => return None,
    };
    Some(format!("# {{{{ ansible_managed }}}}\n{lines}"))
}

fn app_role(spec: &DeploySpec, project: &str, backup: Option<&crate::backup::BackupSpec>) -> Vec<Artifact> {
    let secrets = secrets(spec);
    let mut tasks = Vec::new();
    if !secrets.is_empty() {
        tasks.push(
            task(
                "Refuse to start without the app's secrets",
                "ansible.builtin.assert",
                Yaml::map()
                    .with("that", "lookup('ansible.builtin.env', item) | length > 0")
                    .with(
                        "fail_msg",
                        "{{ item }} is not set where the playbook runs (docs/vm.md); nothing was changed on the server.",
                    )
                    .with("quiet", true),
            )
            .with("loop", Yaml::strs(secrets.iter())),
        );
    }
    tasks.push(task(
        "Refuse images that are not pinned by digest",
        "ansible.builtin.assert",
        Yaml::map()
            .with(
                "that",
                Yaml::strs(["app_images.values() | map('regex_search', '@sha256:[a-f0-9]{64}$') | select | list | length == app_images | length"]),
            )
            .with(
                "fail_msg",
                "Each of IMAGE_* must be repository@sha256:<digest>, the image the pipeline tested.",
            ),
    ));
    tasks.push(
        task(
            "Sign in to the image registry, for private images",
            "ansible.builtin.command",
            Yaml::map()
                .with(
                    "cmd",
                    "docker login {{ app_registry }} --username {{ app_registry_user }} --password-stdin",
                )
                .with("stdin", "{{ app_registry_token }}"),
        )
        .with("when", "app_registry_token | length > 0")
        .with("changed_when", false)
        .with("no_log", true),
    );
    tasks.push(task(
        "Make the app's folder",
        "ansible.builtin.file",
        Yaml::map()
            .with("path", "{{ app_dir }}")
            .with("state", "directory")
            .with("owner", "{{ base_deploy_user }}")
            .with("group", "{{ base_deploy_user }}")
            .with("mode", "0750"),
    ));
    tasks.push(task(
        "Write the compose file",
        "ansible.builtin.template",
        Yaml::map()
            .with("src", "compose.yaml.j2")
            .with("dest", "{{ app_dir }}/compose.yaml")
            .with("owner", "{{ base_deploy_user }}")
            .with("group", "{{ base_deploy_user }}")
            .with("mode", "0640"),
    ));
    let mut templates = vec![(
        "roles/app/templates/compose.yaml.j2".to_string(),
        format!(
            "# {{{{ ansible_managed }}}}\n{}",
            yaml::to_string(&compose(spec, project, backup), "")
        ),
        "the services' compose file: the images by digest, ports on localhost, data on volumes".to_string(),
    )];
    for svc in services(spec) {
        let id = name_of(&svc.name);
        let mut env = String::from("# {{ ansible_managed }}\n");
        for e in &svc.env {
            let url = e
                .backing
                .as_deref()
                .and_then(backing_url)
                .filter(|_| is_url_name(&e.name));
            match url {
                Some(u) => env.push_str(&format!("{}={u}\n", e.name)),
                None => env.push_str(&format!(
                    "{}={{{{ lookup('ansible.builtin.env', '{}') }}}}\n",
                    e.name, e.name
                )),
            }
        }
        templates.push((
            format!("roles/app/templates/{id}.env.j2"),
            env,
            format!(
                "{}'s environment, from the secrets the playbook's machine holds",
                svc.name
            ),
        ));
        tasks.push(
            task(
                &format!("Write {id}'s environment"),
                "ansible.builtin.template",
                Yaml::map()
                    .with("src", format!("{id}.env.j2"))
                    .with("dest", format!("{{{{ app_dir }}}}/{id}.env"))
                    .with("owner", "root")
                    .with("group", "root")
                    .with("mode", "0600"),
            )
            .with("no_log", true),
        );
    }
    for b in backing(spec) {
        if let Some(env) = backing_env(b.id) {
            templates.push((
                format!("roles/app/templates/{}.env.j2", b.id),
                env,
                format!("{}'s user, database and password, for its container", b.id),
            ));
            tasks.push(
                task(
                    &format!("Write {}'s environment", b.id),
                    "ansible.builtin.template",
                    Yaml::map()
                        .with("src", format!("{}.env.j2", b.id))
                        .with("dest", format!("{{{{ app_dir }}}}/{}.env", b.id))
                        .with("owner", "root")
                        .with("group", "root")
                        .with("mode", "0600"),
                )
                .with("no_log", true),
            );
        }
    }
    if backup.is_some() && backed_up(spec) {
        tasks.push(task(
            "Copy the backup scripts",
            "ansible.builtin.copy",
            Yaml::map()
                .with("src", format!("{{{{ playbook_dir }}}}/../{}/", crate::backup::DIR))
                .with("dest", format!("{{{{ app_dir }}}}/{}/", crate::backup::DIR))
                .with("owner", "root")
                .with("group", "root")
                .with("mode", "0644")
                .with("directory_mode", "0755"),
        ));
        if backing(spec).iter().any(|b| b.id == "postgres") {
            templates.push((
                "roles/app/templates/backup.env.j2".to_string(),
                format!(
                    "# {{{{ ansible_managed }}}}\nDATABASE_URL={}\n",
                    backing_url("postgres").unwrap_or_default()
                ),
                "the PostgreSQL backup's connection, for its container".to_string(),
            ));
            tasks.push(
                task(
                    "Write the backup's environment",
                    "ansible.builtin.template",
                    Yaml::map()
                        .with("src", "backup.env.j2")
                        .with("dest", "{{ app_dir }}/backup.env")
                        .with("owner", "root")
                        .with("group", "root")
                        .with("mode", "0600"),
                )
                .with("no_log", true),
            );
        }
    }
    tasks.push(
        task(
            "Pull the images and start the services, waiting until they are healthy",
            "ansible.builtin.command",
            Yaml::map()
                .with(
                    "cmd",
                    "docker compose up --detach --wait --remove-orphans --pull missing",
                )
                .with("chdir", "{{ app_dir }}"),
        )
        .with("register", "app_up")
        .with(
            "changed_when",
            "'Started' in app_up.stderr or 'Recreated' in app_up.stderr or 'Created' in app_up.stderr",
        ),
    );
    for svc in services(spec).into_iter().filter(|s| s.kind != "worker") {
        let (Some(port), Some(path)) = (svc.port, svc.readiness_path.as_ref().or(svc.health_path.as_ref())) else {
            continue;
        };
        let id = name_of(&svc.name);
        tasks.push(
            task(
                &format!("Wait until {id} answers {path}"),
                "ansible.builtin.uri",
                Yaml::map()
                    .with("url", format!("http://127.0.0.1:{port}{path}"))
                    .with("status_code", 200),
            )
            .with("register", format!("app_{}_health", id.replace('-', "_")))
            .with("retries", 30)
            .with("delay", 2)
            .with("until", format!("app_{}_health.status == 200", id.replace('-', "_"))),
        );
    }
    let mut out = vec![yaml_file(
        "roles/app/tasks/main.yml",
        &Yaml::Seq(tasks),
        "the app: its secrets checked, its files written, its services started and answering",
    )];
    for (path, content, purpose) in templates {
        out.push(file(&path, content, &purpose));
    }
    out
}

fn proxy_role(spec: &DeploySpec) -> Vec<Artifact> {
    let tasks = Yaml::Seq(vec![
        task(
            "Install Caddy",
            "ansible.builtin.apt",
            Yaml::map()
                .with("name", "caddy")
                .with("state", "present")
                .with("update_cache", true),
        ),
        task(
            "Write the Caddyfile",
            "ansible.builtin.template",
            Yaml::map()
                .with("src", "Caddyfile.j2")
                .with("dest", "/etc/caddy/Caddyfile")
                .with("owner", "root")
                .with("group", "caddy")
                .with("mode", "0640")
                .with("validate", "/usr/bin/caddy validate --adapter caddyfile --config %s"),
        )
        .with("notify", "Reload Caddy"),
        task(
            "Start Caddy at boot",
            "ansible.builtin.systemd_service",
            Yaml::map()
                .with("name", "caddy")
                .with("enabled", true)
                .with("state", "started"),
        ),
    ]);
    let handlers = Yaml::Seq(vec![task(
        "Reload Caddy",
        "ansible.builtin.systemd_service",
        Yaml::map().with("name", "caddy").with("state", "reloaded"),
    )]);
    let web: Vec<&ServiceSpec> = services(spec)
        .into_iter()
        .filter(|s| s.kind != "worker" && s.port.is_some())
        .collect();
    let mut caddy = String::from("# {{ ansible_managed }}\n# Caddy gets and renews each host's certificate by itself, and sends HTTP to HTTPS.\n");
    let exposed = hosts(spec);
    if exposed.is_empty() {
        if let Some(svc) = web.first() {
            caddy.push_str(&format!(
                "# No host is named yet: plain HTTP on port 80 until one is (docs/vm.md).\n:80 {{\n  encode zstd gzip\n  reverse_proxy 127.0.0.1:{} {{\n    # A deploy restarts the service: requests wait for it rather than fail.\n    lb_try_duration 30s\n  }}\n}}\n",
                svc.port.unwrap_or(8080)
            ));
        }
    }
    for (name, host) in &exposed {
        if let Some(svc) = web.iter().find(|s| name_of(&s.name) == *name) {
            caddy.push_str(&format!(
                "\n{host} {{\n  encode zstd gzip\n  reverse_proxy 127.0.0.1:{} {{\n    # A deploy restarts the service: requests wait for it rather than fail.\n    lb_try_duration 30s\n  }}\n  header Strict-Transport-Security \"max-age=31536000\"\n}}\n",
                svc.port.unwrap_or(8080)
            ));
        }
    }
    vec![
        yaml_file(
            "roles/proxy/tasks/main.yml",
            &tasks,
            "Caddy in front, with automatic TLS",
        ),
        yaml_file(
            "roles/proxy/handlers/main.yml",
            &handlers,
            "reloads Caddy when its file changes",
        ),
        file(
            "roles/proxy/templates/Caddyfile.j2",
            caddy,
            "each host to its service, over HTTPS",
        ),
    ]
}

fn requirements(spec: &DeploySpec) -> Vec<Requirement> {
    let mut out = Vec::new();
    for s in secrets(spec) {
        out.push(Requirement {
            name: s.clone(),
            secret: true,
            place: "the environment of the machine that runs the playbook (a GitHub secret for the pipeline)".into(),
            why: "the playbook writes it into the service's environment file on the server, readable by root only"
                .into(),
        });
    }
    out.push(Requirement {
        name: "DEPLOY_SSH_PUBLIC_KEY".into(),
        secret: false,
        place: "the environment of the machine that runs the playbook".into(),
        why: "the key the deploy user logs in with; its private half stays with whoever deploys".into(),
    });
    out
}

fn runbook(spec: &DeploySpec, project: &str, host: &str, backups: bool) -> String {
    let secrets = secrets(spec);
    let mut out = format!(
        "# {project} on its own server\n\nWritten by Slipway: an Ansible playbook in `{DIR}/` for a Debian 12+ or Ubuntu 22.04+ server, a\nvirtual machine on any cloud or a machine of your own. Nothing here holds a secret.\n\n## What it sets up\n\n- a `deploy` user that logs in with a key only; password and root logins off\n- a firewall (nftables) that lets in SSH, HTTP and HTTPS, and nothing else\n- unattended security upgrades\n- Docker Engine and Compose from Docker's signed repository\n- the services in `/srv/{project}`, the images by digest, ports on localhost only{}\n- Caddy in front, which gets and renews the certificates of {}\n\n",
        if backing(spec).is_empty() {
            String::new()
        } else {
            format!(
                ", with {} and their data on volumes{}",
                backing(spec).iter().map(|b| b.id).collect::<Vec<_>>().join(", "),
                if backups {
                    "; the databases dumped on a schedule beside them (docs/backup.md)"
                } else {
                    ""
                }
            )
        },
        if hosts(spec).is_empty() {
            "the host you name (until then, plain HTTP on port 80)".to_string()
        } else {
            hosts(spec).iter().map(|(_, h)| format!("`{h}`")).collect::<Vec<_>>().join(", ")
        }
    );
    // A server a cloud's Terraform creates has its DNS records and its first user already.
    let created = spec
        .cloud
        .as_ref()
        .filter(|c| c.server.is_some())
        .map(|c| (c.provider.as_str(), crate::cloud::server::first_user(&c.provider)));
    let (first_step, user) = match created {
        Some((provider, user)) => (
            format!(
                "Create the server with Terraform first (docs/{provider}.md): it {}, and lets in SSH from `admin_cidrs` only. Check you can `ssh {user}@{host}` (the host key as that document says).",
                if hosts(spec).is_empty() {
                    "prints its address (`terraform output -raw public_ip`); put it in `inventory.yml` in place of the host"
                } else {
                    "points the hosts' DNS at the server"
                }
            ),
            user,
        ),
        None => (
            format!("Point `{host}`'s DNS at the server, and check you can `ssh root@{host}` (or the image's admin user)."),
            "root",
        ),
    };
    out.push_str(&format!(
        "## The first run\n\n1. {first_step}\n2. Install Ansible where you run it (`pipx install ansible-core`), and set what the playbook reads:\n\n   ```sh\n   export DEPLOY_SSH_PUBLIC_KEY=\"$(cat ~/.ssh/id_ed25519.pub)\"\n"
    ));
    for s in &secrets {
        out.push_str(&format!("   export {s}='...'\n"));
    }
    for svc in services(spec) {
        let id = name_of(&svc.name);
        out.push_str(&format!(
            "   export IMAGE_{}='REPOSITORY@sha256:...'\n",
            id.to_ascii_uppercase().replace('-', "_")
        ));
    }
    out.push_str(&format!(
        "   ```\n\n3. Run it once as that user, which creates `deploy`:\n\n   ```sh\n   cd {DIR} && ansible-playbook site.yml -u {user}\n   ```\n\nFrom then on it logs in as `deploy` (the inventory says so), and root can no longer log in by SSH.\n\n## Deploying\n\nPrivate images need a pull credential: set `REGISTRY_USERNAME` and `REGISTRY_TOKEN` (a token that\nmay only read packages) where the playbook runs; the pipeline passes its own, which expires with the job.\n\nRun the playbook again with the new digests in `IMAGE_*`: it changes only what differs, pulls the\nimages, recreates the services whose image changed (Caddy holds their requests for up to 30 seconds\nmeanwhile, so they wait instead of failing), and waits until each answers its health path;\nwhen one does not, the run fails and says which. To roll back, run it with the previous digests.\n\nThe playbook refuses to start when a secret is not set or an image is not pinned by digest, before it\nchanges anything.\n"
    ));
    out
}

/// The environment variables the pipeline's deploy job hands the playbook: the tested images
/// (`IMAGE_<SERVICE>`) and the secrets, each from the GitHub secret of the same name.
pub fn deploy_secrets(spec: &DeploySpec) -> Vec<String> {
    secrets(spec)
}

/// The images the playbook takes, as `(service id, variable)`.
pub fn image_vars(spec: &DeploySpec) -> Vec<(String, &ServiceSpec)> {
    services(spec)
        .into_iter()
        .map(|s| {
            (
                format!("IMAGE_{}", name_of(&s.name).to_ascii_uppercase().replace('-', "_")),
                s,
            )
        })
        .collect()
}

/// The shell lines of the pipeline's deploy to the server: the pinned ansible-core, the deploy
/// key from its secret (removed when the job ends), the host's key from a variable (never
/// trusted on first sight), the playbook, then each host called over HTTPS from outside.
pub fn deploy_commands(spec: &DeploySpec) -> Vec<String> {
    let mut c = vec![
        format!("pipx install ansible-core=={}", crate::knowledge::ANSIBLE_CORE_VERSION),
        "install -d -m 700 ~/.ssh".into(),
        "trap 'rm -f ~/.ssh/id_deploy' EXIT".into(),
        r#"(umask 077 && printf '%s\n' "$SSH_PRIVATE_KEY" > ~/.ssh/id_deploy)"#.into(),
        r#"printf '%s\n' "$SSH_KNOWN_HOSTS" > ~/.ssh/known_hosts"#.into(),
        format!("cd {DIR}"),
        "ansible-playbook site.yml --private-key ~/.ssh/id_deploy".into(),
    ];
    for (name, host) in hosts(spec) {
        let Some(svc) = services(spec).into_iter().find(|s| name_of(&s.name) == name) else {
            continue;
        };
        let path = svc.health_path.as_deref().unwrap_or("/");
        c.push(format!(
            "curl -fsS --retry 10 --retry-delay 5 --retry-all-errors -o /dev/null https://{host}{path}"
        ));
    }
    c
}

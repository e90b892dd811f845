//! The one Dockerfile writer.
//!
//! Each stack describes its image as a [`Dockerfile`] value: stages, each with its base image
//! and name, and the instructions in it; the port, the user, the start command and the health
//! check are typed, so other families read them from the value (the pipeline's toolchain is the
//! build stage's base image) instead of parsing text. [`Dockerfile::render`] is the only place
//! that writes Dockerfile syntax. Shell commands (`RUN`) and copy arguments stay text: that is
//! what they are in the format.

/// One instruction of a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    /// A comment line (or several), written with `# `.
    Comment(String),
    /// `WORKDIR`.
    Workdir(String),
    /// `ENV`, its arguments as written (`A=1 \` and continuation lines).
    Env(String),
    /// `ARG`.
    Arg(String),
    /// `COPY`, its flags and paths.
    Copy(String),
    /// `RUN`, its mounts and shell command.
    Run(String),
    /// `USER`, numeric where the image allows it.
    User(String),
    /// `EXPOSE`.
    Expose(u16),
    /// `HEALTHCHECK`, the command in exec form.
    Healthcheck(String),
    /// `CMD`, in exec form.
    Cmd(String),
    /// `ENTRYPOINT`, in exec form.
    Entrypoint(String),
    /// Any other instruction, by keyword.
    Other(String, String),
}

/// One stage: `FROM <base> AS <name>` and what follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// What the stage is for, written above its `FROM`.
    pub note: Vec<String>,
    /// The base image.
    pub base: String,
    /// The stage's name.
    pub name: String,
    /// Its instructions, in order.
    pub instructions: Vec<Instruction>,
}

/// A Dockerfile as a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// The comment lines at the top, after the syntax line.
    pub header: Vec<String>,
    /// The stages, in order; the last is the image that runs.
    pub stages: Vec<Stage>,
    /// Comments waiting for the next instruction or stage.
    pending: Vec<String>,
}

impl Dockerfile {
    /// Sets the comment lines at the top.
    pub fn header(&mut self, lines: impl IntoIterator<Item = impl Into<String>>) {
        self.header = lines.into_iter().map(Into::into).collect();
    }

    /// A comment: above the next stage when one starts next, else in the current stage.
    pub fn comment(&mut self, text: impl AsRef<str>) {
        self.pending.extend(text.as_ref().lines().map(String::from));
    }

    /// Starts a stage on `base`, named `name`.
    pub fn from(&mut self, base: impl Into<String>, name: impl Into<String>) {
        self.stages.push(Stage {
            note: std::mem::take(&mut self.pending),
            base: base.into(),
            name: name.into(),
            instructions: vec![],
        });
    }

    /// Appends `i` to the current stage.
    pub fn instruction(&mut self, i: Instruction) {
        self.push(i);
    }

    fn push(&mut self, i: Instruction) {
        let pending = std::mem::take(&mut self.pending);
        let stage = self
            .stages
            .last_mut()
            .expect("an instruction comes after the first FROM");
        if !pending.is_empty() {
            stage.instructions.push(Instruction::Comment(pending.join("\n")));
        }
        stage.instructions.push(i);
    }

    /// `WORKDIR`.
    pub fn workdir(&mut self, dir: impl Into<String>) {
        self.push(Instruction::Workdir(dir.into()));
    }
    /// `ENV`.
    pub fn env(&mut self, args: impl Into<String>) {
        self.push(Instruction::Env(args.into()));
    }
    /// `ARG`.
    pub fn arg(&mut self, args: impl Into<String>) {
        self.push(Instruction::Arg(args.into()));
    }
    /// `COPY`.
    pub fn copy(&mut self, args: impl Into<String>) {
        self.push(Instruction::Copy(args.into()));
    }
    /// `RUN`.
    pub fn run(&mut self, args: impl Into<String>) {
        self.push(Instruction::Run(args.into()));
    }
    /// `USER`.
    pub fn user(&mut self, user: impl Into<String>) {
        self.push(Instruction::User(user.into()));
    }
    /// `EXPOSE`.
    pub fn expose(&mut self, port: u16) {
        self.push(Instruction::Expose(port));
    }
    /// `HEALTHCHECK`, with Slipway's timings, for `cmd` in exec form.
    pub fn healthcheck(&mut self, cmd: impl Into<String>) {
        self.push(Instruction::Healthcheck(cmd.into()));
    }
    /// `CMD`.
    pub fn cmd(&mut self, exec: impl Into<String>) {
        self.push(Instruction::Cmd(exec.into()));
    }
    /// `ENTRYPOINT`.
    pub fn entrypoint(&mut self, exec: impl Into<String>) {
        self.push(Instruction::Entrypoint(exec.into()));
    }
    /// Another instruction.
    pub fn other(&mut self, keyword: &str, args: impl Into<String>) {
        self.push(Instruction::Other(keyword.into(), args.into()));
    }

    /// The image the first stage builds on.
    pub fn build_base(&self) -> Option<&str> {
        self.stages.first().map(|s| s.base.as_str())
    }

    /// The image the last stage, the one that runs, is based on.
    pub fn runtime_base(&self) -> Option<&str> {
        self.stages.last().map(|s| s.base.as_str())
    }

    fn runtime(&self) -> impl Iterator<Item = &Instruction> {
        self.stages.last().into_iter().flat_map(|s| s.instructions.iter())
    }

    /// The port the running image exposes.
    pub fn port(&self) -> Option<u16> {
        self.runtime().find_map(|i| match i {
            Instruction::Expose(p) => Some(*p),
            _ => None,
        })
    }

    /// The user the running image runs as.
    pub fn user_of(&self) -> Option<&str> {
        self.runtime().fold(None, |u, i| match i {
            Instruction::User(v) => Some(v.as_str()),
            _ => u,
        })
    }

    /// What the running image starts: its `CMD`, else its `ENTRYPOINT`, in exec form.
    pub fn start(&self) -> Option<&str> {
        let find = |want_cmd: bool| {
            self.runtime().find_map(|i| match i {
                Instruction::Cmd(c) if want_cmd => Some(c.as_str()),
                Instruction::Entrypoint(c) if !want_cmd => Some(c.as_str()),
                _ => None,
            })
        };
        find(true).or_else(|| find(false))
    }

    /// Makes `folder` exist in the running image, owned by the user it runs as, so a volume
    /// mounted there (a named volume takes the folder's owner) is writable and the app finds
    /// the folder even without one. A runtime image with a shell makes it with `RUN`; one
    /// without (distroless) copies an empty folder from the first stage that has one.
    pub fn data_folder(&mut self, folder: &str) {
        let Some(user) = self.user_of().map(str::to_string) else {
            return;
        };
        let shell_less = self
            .runtime_base()
            .is_some_and(|b| b.contains("distroless") || b.starts_with("scratch") || b.contains("chainguard"));
        let at = |s: &Stage| s.instructions.iter().position(|i| matches!(i, Instruction::User(_)));
        let comment = Instruction::Comment(
            "The folder the app keeps its data in, owned by its user: a volume mounted there keeps it.".into(),
        );
        if shell_less && self.stages.len() > 1 {
            let from = self.stages[0].name.clone();
            self.stages[0]
                .instructions
                .push(Instruction::Run("mkdir -p /slipway-data".into()));
            let last = self.stages.last_mut().expect("a runtime stage");
            let i = at(last).unwrap_or(last.instructions.len());
            last.instructions.splice(
                i..i,
                [
                    comment,
                    Instruction::Copy(format!("--from={from} --chown={user} /slipway-data {folder}")),
                ],
            );
        } else if !shell_less {
            let last = self.stages.last_mut().expect("a runtime stage");
            let i = at(last).unwrap_or(last.instructions.len());
            last.instructions.splice(
                i..i,
                [
                    comment,
                    Instruction::Run(format!("mkdir -p {folder} && chown {user} {folder}")),
                ],
            );
        }
    }

    /// The Dockerfile's text.
    pub fn render(&self) -> String {
        let mut f = String::from("# syntax=docker/dockerfile:1\n");
        for h in &self.header {
            comment_lines(&mut f, h);
        }
        for stage in &self.stages {
            f.push('\n');
            for n in &stage.note {
                comment_lines(&mut f, n);
            }
            f.push_str(&format!("FROM {} AS {}\n", stage.base, stage.name));
            for i in &stage.instructions {
                let line = match i {
                    Instruction::Comment(c) => {
                        comment_lines(&mut f, c);
                        continue;
                    }
                    Instruction::Workdir(a) => format!("WORKDIR {a}"),
                    Instruction::Env(a) => format!("ENV {a}"),
                    Instruction::Arg(a) => format!("ARG {a}"),
                    Instruction::Copy(a) => format!("COPY {a}"),
                    Instruction::Run(a) => format!("RUN {a}"),
                    Instruction::User(a) => format!("USER {a}"),
                    Instruction::Expose(p) => format!("EXPOSE {p}"),
                    Instruction::Healthcheck(c) => {
                        format!(
                            "HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \\\n    CMD {c}"
                        )
                    }
                    Instruction::Cmd(c) => format!("CMD {c}"),
                    Instruction::Entrypoint(c) => format!("ENTRYPOINT {c}"),
                    Instruction::Other(k, a) => format!("{k} {a}"),
                };
                f.push_str(&line);
                f.push('\n');
            }
        }
        for n in &self.pending {
            comment_lines(&mut f, n);
        }
        f
    }
}

// ---------------------------------------------------------------------------------------------
// What every stack's image uses

/// The comment lines at the top of a single-service Dockerfile.
pub fn header(f: &mut Dockerfile, what: &str, svc: &slipway_scan::ServiceProfile) {
    f.header([
        format!("Production image for the {what} \"{}\", written by Slipway.", svc.name),
        format!("Build: docker build -t {} .", image_name(&svc.name)),
    ]);
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

/// `["a", "b"]` for a command of plain words.
pub fn exec_form(cmd: &str) -> String {
    let args: Vec<String> = cmd.split_whitespace().map(|a| format!("{a:?}")).collect();
    format!("[{}]", args.join(", "))
}

/// Exec form, through `sh -c` with `exec` when the command reads shell variables, so the app
/// still runs as PID 1 and receives signals.
pub fn start_form(cmd: &str) -> String {
    if cmd.contains('$') || cmd.contains('\'') || cmd.contains('"') || cmd.contains("&&") {
        // `exec` goes on the last command: the server, after any preparation steps.
        let script = match cmd.rsplit_once(" && ") {
            Some((before, last)) => format!("{before} && exec {last}"),
            None => format!("exec {cmd}"),
        };
        format!("[\"sh\", \"-c\", {script:?}]")
    } else {
        exec_form(cmd)
    }
}

/// A health check that asks the app over HTTP with the runtime's own fetch (Node.js, Bun):
/// no curl or wget needed in the image.
pub fn fetch_healthcheck(f: &mut Dockerfile, runtime: &str, port: u16, path: &str) {
    f.healthcheck(
        format!("[\"{runtime}\", \"-e\", \"fetch('http://127.0.0.1:' + (process.env.PORT || {port}) + '{path}').then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))\"]"),
    );
}

fn comment_lines(f: &mut String, text: &str) {
    for l in text.lines() {
        if l.is_empty() {
            f.push_str("#\n");
        } else {
            f.push_str("# ");
            f.push_str(l);
            f.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_renders_as_its_stages_and_answers_for_its_runtime() {
        let mut d = Dockerfile::default();
        d.header(["Production image for the app, written by Slipway."]);
        d.comment("Dependencies first.");
        d.from("python:3.13-slim", "build");
        d.workdir("/app");
        d.run("pip install -r requirements.txt");
        d.comment("The runtime.");
        d.from("python:3.13-slim", "runtime");
        d.comment("The source, as the app user.");
        d.copy("--from=build /app /app");
        d.user("10001:10001");
        d.expose(8000);
        d.cmd("[\"python\", \"app.py\"]");
        assert_eq!(
            d.render(),
            "# syntax=docker/dockerfile:1\n# Production image for the app, written by Slipway.\n\n# Dependencies first.\nFROM python:3.13-slim AS build\nWORKDIR /app\nRUN pip install -r requirements.txt\n\n# The runtime.\nFROM python:3.13-slim AS runtime\n# The source, as the app user.\nCOPY --from=build /app /app\nUSER 10001:10001\nEXPOSE 8000\nCMD [\"python\", \"app.py\"]\n"
        );
        assert_eq!(d.build_base(), Some("python:3.13-slim"));
        assert_eq!(d.port(), Some(8000));
        assert_eq!(d.user_of(), Some("10001:10001"));
        assert_eq!(d.start(), Some("[\"python\", \"app.py\"]"));
    }

    #[test]
    fn the_data_folder_is_made_for_the_user_with_a_shell_or_copied_in_without_one() {
        let image = |runtime: &str| {
            let mut d = Dockerfile::default();
            d.from("golang:1.24-alpine", "build");
            d.run("go build -o /app ./...");
            d.from(runtime, "runtime");
            d.copy("--from=build /app /app");
            d.user("10001:10001");
            d.cmd("[\"/app\"]");
            d.data_folder("/var/lib/app");
            d.render()
        };
        let shell = image("alpine:3.22");
        assert!(
            shell.contains("RUN mkdir -p /var/lib/app && chown 10001:10001 /var/lib/app\nUSER 10001:10001"),
            "{shell}"
        );
        let distroless = image("gcr.io/distroless/static-debian12:nonroot");
        assert!(
            distroless.contains("RUN mkdir -p /slipway-data\n\n"),
            "the empty folder is made in the build stage: {distroless}"
        );
        assert!(
            distroless.contains("COPY --from=build --chown=10001:10001 /slipway-data /var/lib/app\nUSER 10001:10001"),
            "{distroless}"
        );
        assert!(
            !distroless.contains("chown 10001"),
            "no shell to run in the runtime stage"
        );
    }
}

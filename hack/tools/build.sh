#!/usr/bin/env bash
# Builds the Go tools the tests need, once, into a cache outside the tree keyed by version:
#   ${VIGIL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-tools}/<tool>-<version>[+<tags>]/<tool>
# and prints each binary's path, one per line, in the order asked.
#
#   hack/tools/build.sh helm promtool kustomize argocd-health   # build what is missing
#   hack/tools/build.sh --print helm                             # path only; exit 1 if not built
#   hack/tools/build.sh all
#
# helm, promtool and kustomize are pinned in versions.txt and built with `go install pkg@version`
# (their own go.mod). argocd-health is this module's gopher-lua runner; its cache key is a hash
# of its sources, so an edit rebuilds it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${VIGIL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-tools}"

print_only=false
if [[ "${1:-}" == "--print" ]]; then print_only=true; shift; fi
if [[ $# -eq 0 ]]; then echo "usage: $0 [--print] <helm|promtool|kustomize|argocd-health|all>..." >&2; exit 2; fi
if [[ "$*" == "all" ]]; then set -- helm promtool kustomize argocd-health; fi

# Echoes "<package> <version> [<tags>]" for a tool.
resolve() {
  local tool="$1"
  if [[ "$tool" == "argocd-health" ]]; then
    local sum
    sum="$(cat "$here/go.mod" "$here/go.sum" "$here"/argocd-health/*.go | sha256sum | cut -c1-12)"
    echo "./argocd-health src-$sum"
    return
  fi
  local line
  line="$(grep -E "^$tool[[:space:]]" "$here/versions.txt" || true)"
  if [[ -z "$line" ]]; then echo "$0: unknown tool '$tool' (see $here/versions.txt)" >&2; exit 2; fi
  awk '{print $2, $3, $4}' <<<"$line"
}

for tool in "$@"; do
  resolved="$(resolve "$tool")" # exits here, with resolve's status, for an unknown tool
  read -r pkg version tags <<<"$resolved"
  # Build tags change the binary, so they are part of the cache key.
  dir="$cache/$tool-$version${tags:++$tags}"
  bin="$dir/$tool"
  if [[ ! -x "$bin" ]]; then
    if $print_only; then echo "$0: $tool $version is not built; run: $0 $tool" >&2; exit 1; fi
    mkdir -p "$cache"
    tmp="$(mktemp -d "$cache/.build-$tool.XXXXXX")"
    start=$SECONDS
    echo "building $tool $version into $dir ..." >&2
    if [[ "$pkg" == ./* ]]; then
      (cd "$here" && CGO_ENABLED=0 go build -trimpath -o "$tmp/$tool" "$pkg") >&2
    else
      CGO_ENABLED=0 GOBIN="$tmp" GOFLAGS=-trimpath go install ${tags:+-tags "$tags"} "$pkg@$version" >&2
      [[ -x "$tmp/$tool" ]] || mv "$tmp/$(basename "$pkg")" "$tmp/$tool"
    fi
    # Rename into place last, so an interrupted build never leaves a half-written binary.
    if ! mv -T "$tmp" "$dir" 2>/dev/null; then rm -rf "$tmp"; fi
    echo "built $tool $version in $((SECONDS - start))s" >&2
  fi
  echo "$bin"
done

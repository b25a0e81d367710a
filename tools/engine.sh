#!/usr/bin/env bash
# Ensures a Pulumi engine (CLI + Node.js language host + dynamic-provider launcher) is available and
# prints the bin/ directory that holds it. Uses `pulumi` from PATH when it is at least the pinned
# version; otherwise builds the pinned version from its published Go modules into a per-user cache
# keyed by the version. Idempotent: a second run only checks the stamp and returns.
set -euo pipefail

here_tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PULUMI_VERSION="${PULUMI_ENGINE_VERSION:-$(cat "$here_tools/engine.version")}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root="${MAAS_AUTOMATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/maas-automation}"
out="$cache_root/pulumi-v$PULUMI_VERSION"
bin="$out/bin"
log() { echo "[engine] $*" >&2; }

version_ge() { # version_ge A B: A >= B (dotted numbers, no leading v)
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]
}

launcher_src="$here/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

link_launcher() {
  if [ ! -f "$launcher_src" ]; then
    log "missing $launcher_src: run npm ci first"; return 1
  fi
  cp "$launcher_src" "$1/pulumi-resource-pulumi-nodejs"
  chmod +x "$1/pulumi-resource-pulumi-nodejs"
}

# 1. An installed pulumi at least the pinned version, together with its language host.
if [ -z "${MAAS_AUTOMATION_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1; then
  installed="$(PULUMI_SKIP_UPDATE_CHECK=1 pulumi version 2>/dev/null | sed 's/^v//')" || installed=""
  pdir="$(dirname "$(readlink -f "$(command -v pulumi)")")"
  if [ -n "$installed" ] && [ "$pdir" != "$bin" ] && version_ge "$installed" "$PULUMI_VERSION"; then
    mkdir -p "$cache_root/installed/bin"
    ln -sf "$pdir/pulumi" "$cache_root/installed/bin/pulumi"
    [ -x "$pdir/pulumi-language-nodejs" ] && ln -sf "$pdir/pulumi-language-nodejs" "$cache_root/installed/bin/pulumi-language-nodejs"
    link_launcher "$cache_root/installed/bin"
    log "using installed pulumi v$installed from $pdir"
    echo "$cache_root/installed/bin"
    exit 0
  fi
fi

# 2. A cached build of the pinned version.
if [ -x "$bin/pulumi" ] \
   && [ "$(PULUMI_SKIP_UPDATE_CHECK=1 "$bin/pulumi" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; then
  link_launcher "$bin"
  log "using cached engine v$PULUMI_VERSION in $bin"
  echo "$bin"
  exit 0
fi

# 3. Build from the Go module proxy.
command -v go >/dev/null 2>&1 || { log "Go is required to build the Pulumi engine (none on PATH)"; exit 1; }
start=$(date +%s)
export GOFLAGS="-modcacherw"
export CGO_ENABLED=0
work="$out/src"
rm -rf "$work"; mkdir -p "$work" "$bin"

log "downloading github.com/pulumi/pulumi/{pkg,sdk}/v3@v$PULUMI_VERSION"
pkg_json="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION")"
sdk_json="$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION")"
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
pkg_dir="$(json_field '["Dir"]' <<<"$pkg_json")"
sdk_dir="$(json_field '["Dir"]' <<<"$sdk_json")"

# The language host module has no tags; it can only be fetched by the pseudo-version of the pkg tag's
# commit. The Go module proxy reachable here does not answer commit queries and the proxy's answers
# carry no Origin block, so the host is optional: set PULUMI_LANGUAGE_NODEJS_VERSION to a pseudo-version
# the proxy serves to build it. Without it, programs run as Automation API inline programs, which the
# CLI serves without a language host.
host_dir=""
host_mod="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
host_ref="${PULUMI_LANGUAGE_NODEJS_VERSION:-$(json_field '.get("Origin",{}).get("Hash","")' <<<"$pkg_json")}"
if [ -n "$host_ref" ]; then
  if host_json="$(go mod download -json "$host_mod@$host_ref" 2>/dev/null)" \
     && host_dir="$(json_field '["Dir"]' <<<"$host_json" 2>/dev/null)"; then
    log "language host $(json_field '["Version"]' <<<"$host_json")"
  else
    host_dir=""; log "the module proxy does not serve $host_mod@$host_ref"
  fi
else
  log "no commit known for the language host: building the CLI only (inline programs)"
fi

# Sibling layout, as in the repository, so the relative replace lines resolve.
cp -r "$pkg_dir" "$work/pkg"
cp -r "$sdk_dir" "$work/sdk"
if [ -n "$host_dir" ]; then
  mkdir -p "$work/sdk/nodejs/cmd"
  rm -rf "$work/sdk/nodejs/cmd/pulumi-language-nodejs"
  cp -r "$host_dir" "$work/sdk/nodejs/cmd/pulumi-language-nodejs"
fi
chmod -R u+w "$work"

ldflags="-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
build() { # dir package output
  ( cd "$1" && go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$3" "$2" ) \
  || ( log "retrying $2 with -mod=mod"; cd "$1" && go build -mod=mod -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$3" "$2" )
}
log "building pulumi"
build "$work/pkg" ./cmd/pulumi "$bin/pulumi"
if [ -n "$host_dir" ]; then
  log "building pulumi-language-nodejs"
  build "$work/sdk/nodejs/cmd/pulumi-language-nodejs" . "$bin/pulumi-language-nodejs"
fi
rm -rf "$work"
link_launcher "$bin"
log "built engine $("$bin/pulumi" version) in $(( $(date +%s) - start ))s into $bin"
echo "$bin"

#!/usr/bin/env bash
# Ensures a Pulumi engine (CLI + Node.js language host + dynamic-provider launcher) is available and
# prints the bin/ directory that holds it. Uses `pulumi` from PATH when it is at least the pinned
# version (with its own language host when it has one); otherwise builds the pinned CLI and the
# language host from their published Go modules into a per-user cache keyed by both versions.
# Idempotent: a second run only checks the stamps and returns.
set -euo pipefail

here_tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
here="$(cd "$here_tools/.." && pwd)"
PULUMI_VERSION="${PULUMI_ENGINE_VERSION:-$(cat "$here_tools/engine.version")}"
HOST_VERSION="$(cat "$here_tools/language-host.version")"
cache_root="${MAAS_AUTOMATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/maas-automation}"
out="$cache_root/pulumi-v$PULUMI_VERSION-nodejs-v$HOST_VERSION"
bin="$out/bin"
log() { echo "[engine] $*" >&2; }

version_ge() { # version_ge A B: A >= B (dotted numbers, no leading v)
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]
}

launcher_src="$here/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
ldflags_for() { echo "-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$1"; }

link_launcher() {
  if [ ! -f "$launcher_src" ]; then
    log "missing $launcher_src: run npm ci first"; return 1
  fi
  cp "$launcher_src" "$1/pulumi-resource-pulumi-nodejs"
  chmod +x "$1/pulumi-resource-pulumi-nodejs"
}

require_go() {
  command -v go >/dev/null 2>&1 || { log "Go is required to build the Pulumi engine (none on PATH)"; exit 1; }
  export GOFLAGS="-modcacherw" CGO_ENABLED=0
}

# The language host from the wrapper module in tools/language-host (its go.sum pins every checksum).
build_host() { # output file
  require_go
  local start; start=$(date +%s)
  log "building pulumi-language-nodejs v$HOST_VERSION"
  ( cd "$here_tools/language-host" \
    && go build -mod=readonly -trimpath -ldflags "$(ldflags_for "$HOST_VERSION")" -o "$1" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs )
  log "built the language host in $(( $(date +%s) - start ))s"
}

host_ok() { [ -x "$1" ] && [ "$(cat "$1.version" 2>/dev/null)" = "$HOST_VERSION" ]; }

ensure_host() { # bin dir
  if ! host_ok "$1/pulumi-language-nodejs"; then
    build_host "$1/pulumi-language-nodejs"
    echo "$HOST_VERSION" > "$1/pulumi-language-nodejs.version"
  fi
}

# 1. An installed pulumi at least the pinned version; its own language host when it has one.
if [ -z "${MAAS_AUTOMATION_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1; then
  installed="$(PULUMI_SKIP_UPDATE_CHECK=1 pulumi version 2>/dev/null | sed 's/^v//')" || installed=""
  pdir="$(dirname "$(readlink -f "$(command -v pulumi)")")"
  if [ -n "$installed" ] && [ "$pdir" != "$bin" ] && version_ge "$installed" "$PULUMI_VERSION"; then
    ibin="$cache_root/installed/bin"
    mkdir -p "$ibin"
    ln -sf "$pdir/pulumi" "$ibin/pulumi"
    if [ -x "$pdir/pulumi-language-nodejs" ]; then
      ln -sf "$pdir/pulumi-language-nodejs" "$ibin/pulumi-language-nodejs"
      rm -f "$ibin/pulumi-language-nodejs.version"
    else
      [ -L "$ibin/pulumi-language-nodejs" ] && rm -f "$ibin/pulumi-language-nodejs"
      ensure_host "$ibin"
    fi
    link_launcher "$ibin"
    log "using installed pulumi v$installed from $pdir"
    echo "$ibin"
    exit 0
  fi
fi

# 2. A cached build of the pinned versions.
if [ -x "$bin/pulumi" ] \
   && [ "$(PULUMI_SKIP_UPDATE_CHECK=1 "$bin/pulumi" version 2>/dev/null)" = "v$PULUMI_VERSION" ] \
   && host_ok "$bin/pulumi-language-nodejs"; then
  link_launcher "$bin"
  log "using cached engine v$PULUMI_VERSION (language host v$HOST_VERSION) in $bin"
  echo "$bin"
  exit 0
fi

# 3. Build from the Go module proxy.
mkdir -p "$bin"
if [ ! -x "$bin/pulumi" ] || [ "$(PULUMI_SKIP_UPDATE_CHECK=1 "$bin/pulumi" version 2>/dev/null)" != "v$PULUMI_VERSION" ]; then
  require_go
  start=$(date +%s)
  work="$out/src"
  rm -rf "$work"; mkdir -p "$work"
  log "downloading github.com/pulumi/pulumi/{pkg,sdk}/v3@v$PULUMI_VERSION"
  pkg_json="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION")"
  sdk_json="$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION")"
  json_dir() { python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])'; }
  # Sibling layout, as in the repository, so pkg's relative replace of ../sdk resolves.
  cp -r "$(json_dir <<<"$pkg_json")" "$work/pkg"
  cp -r "$(json_dir <<<"$sdk_json")" "$work/sdk"
  chmod -R u+w "$work"
  log "building pulumi"
  build_cli() { ( cd "$work/pkg" && go build "$@" -trimpath -tags osusergo,grpcnotrace -ldflags "$(ldflags_for "$PULUMI_VERSION")" -o "$bin/pulumi" ./cmd/pulumi ); }
  build_cli || { log "retrying with -mod=mod"; build_cli -mod=mod; }
  rm -rf "$work"
  log "built pulumi in $(( $(date +%s) - start ))s"
fi
ensure_host "$bin"
link_launcher "$bin"
log "engine $("$bin/pulumi" version) with language host v$HOST_VERSION in $bin"
echo "$bin"

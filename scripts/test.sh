#!/usr/bin/env bash
# npm test — typecheck, unit tests, then the server suites on a real Temporal dev server.
#
#   npm test                         everything
#   npm test -- --unit-only          typecheck + test/unit
#   npm test -- --integration-only   only the server suites
#   npm test -- --no-typecheck       skip `npm run typecheck`
#   TEST_FILTER=regex npm test       only test files whose path matches the (extended) regex
#
# Suites:
#   unit         test/unit/**/*.test.ts, in parallel (node's default concurrency), no server.
#   integration  every other test/**/*.test.ts (integration/, chaos/, bad-input/, ...), one file at a time,
#                with TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_CLI_PATH exported. Unless TEMPORAL_ADDRESS
#                is already set, a dev server is started on a free port (scripts/dev-server.sh) and always
#                stopped on exit. No CLI or a server that will not start is a FAILURE, never a skip.
# TEST_TIMEOUT_MS (default 600000) bounds each test AND each test file (node 20 applies --test-timeout to
# the per-file subtest too), so a file that hangs (e.g. a Worker never shut down) cannot eat the CI budget.
# Exit status: non-zero if any stage failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT" || exit 1

unit=1
integration=1
typecheck=1
for arg in "$@"; do
  case "$arg" in
    --unit-only) integration=0 ;;
    --integration-only)
      unit=0
      typecheck=0
      ;;
    --no-typecheck) typecheck=0 ;;
    -h | --help)
      sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "[test] unknown argument: $arg (see npm test -- --help)" >&2
      exit 2
      ;;
  esac
done

TEST_TIMEOUT_MS="${TEST_TIMEOUT_MS:-600000}"
declare -a SUMMARY=()
failed=0

say() { echo "[test] $*"; }
record() { # name status
  SUMMARY+=("$1: $2")
  [[ "$2" == ok* || "$2" == "no test files"* ]] || failed=1
}

shopt -s globstar nullglob
filter_files() { # files... -> filtered by TEST_FILTER
  local f
  for f in "$@"; do
    if [[ -z "${TEST_FILTER:-}" ]] || [[ "$f" =~ ${TEST_FILTER} ]]; then
      echo "$f"
    fi
  done
}

# ---- typecheck ------------------------------------------------------------------------------------------
if ((typecheck)); then
  say "== typecheck =="
  if npm run --silent typecheck; then record typecheck ok; else record typecheck FAILED; fi
fi

# ---- unit -----------------------------------------------------------------------------------------------
if ((unit)); then
  say "== unit tests =="
  mapfile -t UNIT_FILES < <(filter_files test/unit/**/*.test.ts)
  if ((${#UNIT_FILES[@]} == 0)); then
    say "no unit test files match test/unit/**/*.test.ts${TEST_FILTER:+ and TEST_FILTER=$TEST_FILTER}"
    record unit "no test files"
  else
    say "${#UNIT_FILES[@]} files"
    if node --import tsx --test --test-timeout="$TEST_TIMEOUT_MS" "${UNIT_FILES[@]}"; then
      record unit ok
    else
      record unit FAILED
    fi
  fi
fi

# ---- integration (needs a Temporal server) --------------------------------------------------------------
SERVER_PORT=""
stop_server() {
  if [[ -n "$SERVER_PORT" ]]; then
    PORT="$SERVER_PORT" bash scripts/dev-server.sh stop || true
    SERVER_PORT=""
  fi
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT
trap 'stop_server; exit 143' TERM

if ((integration)); then
  say "== integration tests =="
  ALL=(test/**/*.test.ts)
  SERVER_FILES=()
  for f in "${ALL[@]}"; do [[ "$f" == test/unit/* ]] || SERVER_FILES+=("$f"); done
  mapfile -t SERVER_FILES < <(filter_files "${SERVER_FILES[@]}")
  if ((${#SERVER_FILES[@]} == 0)); then
    say "no integration test files match test/**/*.test.ts outside test/unit${TEST_FILTER:+ and TEST_FILTER=$TEST_FILTER}"
    record integration "no test files"
  else
    say "${#SERVER_FILES[@]} files"
    server_ok=1
    if CLI="$(bash scripts/dev-server.sh cli-path)"; then
      export TEMPORAL_CLI_PATH="$CLI"
    elif [[ -z "${TEMPORAL_ADDRESS:-}" ]]; then
      say "FAILED: no Temporal CLI to run a dev server with (run \`npm run setup\`, or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS)"
      server_ok=0
    else
      say "warning: no Temporal CLI found; tests that call the CLI will fail"
    fi
    if ((server_ok)) && [[ -z "${TEMPORAL_ADDRESS:-}" ]]; then
      if addr="$(PORT=0 bash scripts/dev-server.sh start)"; then
        SERVER_PORT="${addr##*:}"
        export TEMPORAL_ADDRESS="$addr"
      else
        say "FAILED: the Temporal dev server did not start (see the log above)"
        server_ok=0
      fi
    elif ((server_ok)); then
      say "using the existing server at TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS"
    fi
    if ((server_ok)); then
      export TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
      say "TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS TEMPORAL_NAMESPACE=$TEMPORAL_NAMESPACE TEMPORAL_CLI_PATH=${TEMPORAL_CLI_PATH:-}"
      if node --import tsx --test --test-concurrency=1 --test-timeout="$TEST_TIMEOUT_MS" "${SERVER_FILES[@]}"; then
        record integration ok
      else
        record integration FAILED
      fi
    else
      record integration "FAILED (no server)"
    fi
    stop_server
  fi
fi

say "== summary =="
for line in "${SUMMARY[@]}"; do say "  $line"; done
exit "$failed"

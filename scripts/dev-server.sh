#!/usr/bin/env bash
# Run a local Temporal dev server (`temporal server start-dev`) in the background.
#
#   scripts/dev-server.sh start     start it (idempotent for the same PORT), wait until healthy;
#                                   prints the address (127.0.0.1:PORT) on stdout, progress on stderr
#   scripts/dev-server.sh stop      stop it (SIGTERM, then SIGKILL after 15 s) and delete its default db
#   scripts/dev-server.sh status    exit 0 and print the address if it runs, exit 1 if not
#   scripts/dev-server.sh cli-path  print the Temporal CLI this script would use (exit 1 if none)
#
# Env:
#   PORT               frontend gRPC port (default 7233; 0 = pick a free port, start only)
#   DB_FILE            sqlite file to keep state in (kept on stop); default: a fresh .tmp/dev-server-PORT.db,
#                      deleted on stop
#   TEMPORAL_CLI_PATH  the CLI to use; else tools/temporal-path, tools/bin/temporal, `temporal` on PATH
#   DEV_SERVER_TIMEOUT seconds to wait for health (default 60)
#   DEV_SERVER_EXTRA_ARGS  extra words appended to `server start-dev` (e.g. --search-attribute X=Int)
#   LOG_LEVEL          server log level (default warn)
# State (pid, log, db) lives in .tmp/dev-server-PORT.*; the log is .tmp/dev-server-PORT.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
STATE_DIR="$ROOT/.tmp"

say() { echo "[dev-server] $*" >&2; }
die() {
  echo "[dev-server] ERROR: $*" >&2
  exit 1
}

resolve_cli() {
  local p
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
    [[ -f "$TEMPORAL_CLI_PATH" && -x "$TEMPORAL_CLI_PATH" ]] ||
      die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"
    readlink -f "$TEMPORAL_CLI_PATH"
    return 0
  fi
  if [[ -f "$ROOT/tools/temporal-path" ]]; then
    p="$(head -n 1 "$ROOT/tools/temporal-path")"
    if [[ -f "$p" && -x "$p" ]]; then
      echo "$p"
      return 0
    fi
  fi
  if [[ -x "$ROOT/tools/bin/temporal" ]]; then
    readlink -f "$ROOT/tools/bin/temporal"
    return 0
  fi
  if p="$(command -v temporal 2>/dev/null)"; then
    readlink -f "$p"
    return 0
  fi
  die "no Temporal CLI found (checked TEMPORAL_CLI_PATH, tools/temporal-path, tools/bin/temporal, PATH): run \`npm run setup\`"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid running (a zombie counts as gone: PID 1 may be slow to reap it)?
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# pid alive and really our dev server?
is_our_server() {
  local pid="$1"
  [[ -n "$pid" ]] && alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'server start-dev'
}

forget_db() { # port: delete the default db if this script created it
  local owned="$STATE_DIR/dev-server-$1.dbowned" db
  if [[ -f "$owned" ]]; then
    db="$(cat "$owned")"
    rm -f "$db" "$db-wal" "$db-shm" "$owned"
  fi
}

healthy() { # address cli
  local out
  out="$(timeout 10 "$2" operator cluster health --address "$1" --client-connect-timeout 2s 2>/dev/null)" || return 1
  [[ "$out" == *SERVING* ]] || return 1
  timeout 10 "$2" operator namespace describe --namespace default --address "$1" >/dev/null 2>&1
}

cmd="${1:-}"
PORT="${PORT:-7233}"

case "$cmd" in
  cli-path)
    resolve_cli
    ;;

  start)
    CLI="$(resolve_cli)"
    mkdir -p "$STATE_DIR"
    [[ "$PORT" == "0" ]] && PORT="$(free_port)"
    ADDRESS="127.0.0.1:$PORT"
    PID_FILE="$STATE_DIR/dev-server-$PORT.pid"
    LOG_FILE="$STATE_DIR/dev-server-$PORT.log"

    if [[ -f "$PID_FILE" ]] && is_our_server "$(cat "$PID_FILE")"; then
      say "already running (pid $(cat "$PID_FILE")) at $ADDRESS"
      echo "$ADDRESS"
      exit 0
    fi
    rm -f "$PID_FILE"
    port_open "$PORT" && die "port $PORT is already in use by another process (set PORT=0 for a free port)"

    if [[ -n "${DB_FILE:-}" ]]; then
      DB="$DB_FILE"
      rm -f "$STATE_DIR/dev-server-$PORT.dbowned"
    else
      DB="$STATE_DIR/dev-server-$PORT.db"
      rm -f "$DB" "$DB-wal" "$DB-shm"
      echo "$DB" >"$STATE_DIR/dev-server-$PORT.dbowned"
    fi

    # shellcheck disable=SC2206 # word splitting of extra args is intended
    EXTRA=(${DEV_SERVER_EXTRA_ARGS:-})
    ARGS=(server start-dev --headless --ip 127.0.0.1 --port "$PORT" --namespace default
      --db-filename "$DB" --sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=OFF
      --log-level "${LOG_LEVEL:-warn}"
      --dynamic-config-value frontend.enableServerVersionCheck=false
      --dynamic-config-value frontend.enableUpdateWorkflowExecution=true
      --dynamic-config-value frontend.enableUpdateWorkflowExecutionAsyncAccepted=true
      "${EXTRA[@]}")

    say "starting $CLI ${ARGS[*]}"
    : >"$LOG_FILE"
    t0="$(date +%s%N)"
    nohup "$CLI" "${ARGS[@]}" >>"$LOG_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"

    deadline=$((SECONDS + ${DEV_SERVER_TIMEOUT:-60}))
    until healthy "$ADDRESS" "$CLI"; do
      if ! alive "$pid"; then
        rm -f "$PID_FILE"
        forget_db "$PORT"
        say "server process $pid exited before becoming healthy; last log lines ($LOG_FILE):"
        tail -n 40 "$LOG_FILE" >&2 || true
        die "Temporal dev server failed to start at $ADDRESS"
      fi
      if ((SECONDS >= deadline)); then
        say "not healthy after ${DEV_SERVER_TIMEOUT:-60} s; last log lines ($LOG_FILE):"
        tail -n 40 "$LOG_FILE" >&2 || true
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$PID_FILE"
        forget_db "$PORT"
        die "Temporal dev server did not become healthy at $ADDRESS"
      fi
      sleep 0.2
    done
    ms=$((($(date +%s%N) - t0) / 1000000))
    say "healthy at $ADDRESS (pid $pid, db $DB, log $LOG_FILE) after ${ms} ms"
    echo "$ADDRESS"
    ;;

  stop)
    PID_FILE="$STATE_DIR/dev-server-$PORT.pid"
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    if is_our_server "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do
        alive "$pid" || break
        sleep 0.1
      done
      if alive "$pid"; then
        say "pid $pid ignored SIGTERM for 15 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      say "stopped (pid $pid, port $PORT)"
    else
      say "not running on port $PORT"
    fi
    rm -f "$PID_FILE"
    forget_db "$PORT"
    ;;

  status)
    PID_FILE="$STATE_DIR/dev-server-$PORT.pid"
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    if is_our_server "$pid"; then
      CLI="$(resolve_cli)"
      if healthy "127.0.0.1:$PORT" "$CLI"; then
        say "running and healthy (pid $pid)"
      else
        say "running (pid $pid) but not healthy"
      fi
      echo "127.0.0.1:$PORT"
    else
      say "not running on port $PORT"
      exit 1
    fi
    ;;

  *)
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

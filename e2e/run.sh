#!/usr/bin/env bash
# `make e2e`: Rakel in the Microsoft 365 Agents Playground (Teams emulator), driven by headless Chromium.
#
# Everything (the bot, the playground and Chromium) runs inside a loopback-only network namespace:
# the playground listens on all interfaces and tries to reach cloud addresses (telemetry, the
# 169.254.169.254 metadata service), so it must see no network but 127.0.0.1.
# See e2e/README.md and shared/notes/agents-playground.md.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$E2E_DIR/.." && pwd)"
OUT="$E2E_DIR/out"
NS="${RAKEL_E2E_NETNS:-rakel-e2e-$$}"  # one namespace per run: runs by several engineers don't clash
BOT_PORT=3978
PLAYGROUND_PORT=56150
BOT_URL="http://127.0.0.1:$BOT_PORT"
PLAYGROUND_URL="http://127.0.0.1:$PLAYGROUND_PORT"
PYTHON="$ROOT/.venv/bin/python"

say() { printf '[e2e] %s\n' "$*"; }
fail() {
    printf '\n[e2e] FAIL: %s\n' "$*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || fail "run as root: creating a network namespace (ip netns add) needs it"
[ -x "$PYTHON" ] || fail "$PYTHON is missing: run 'make e2e' (it creates .venv) or 'make run' once"
command -v ip >/dev/null || fail "the 'ip' command (iproute2) is missing"
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed"

# --- what this run starts, and how it is taken down -----------------------------------------------
WORK="$(mktemp -d /tmp/rakel-e2e.XXXXXX)"
BOT_PID=""
PLAYGROUND_PID=""
STATUS=1

stop_pid() {  # stop one process this script started, by its pid
    local pid="$1"
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    set +e
    stop_pid "$PLAYGROUND_PID"
    stop_pid "$BOT_PID"
    if ip netns list 2>/dev/null | grep -qw "^$NS"; then
        # Anything still in the namespace was started by this run (Chromium children, say).
        for pid in $(ip netns pids "$NS" 2>/dev/null); do stop_pid "$pid"; done
        ip netns delete "$NS" 2>/dev/null
    fi
    if [ "$STATUS" != 0 ]; then
        for log in bot playground; do
            if [ -s "$WORK/$log.log" ]; then
                printf '\n[e2e] ---- last lines of the %s log (%s) ----\n' "$log" "$OUT/$log.log" >&2
                tail -n 25 "$WORK/$log.log" >&2
            fi
        done
    fi
    mkdir -p "$OUT"
    cp "$WORK"/*.log "$OUT/" 2>/dev/null
    rm -rf "$WORK"
    if [ "$STATUS" = 0 ]; then
        printf '\n[e2e] PASS: the welcome card renders in the Agents Playground and its buttons answer (screenshots in e2e/out/)\n'
    else
        printf '\n[e2e] FAIL (exit %s). Screenshots and logs: %s\n' "$STATUS" "$OUT" >&2
    fi
}
trap 'STATUS=$?; cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- prerequisites ---------------------------------------------------------------------------------
apt_updated=""
apt_install() {
    [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium (apt-get install -y chromium)"
    apt_install chromium
fi
if ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
    say "installing fonts-noto-color-emoji (without it the card's 👋 renders as an empty box)"
    apt_install fonts-noto-color-emoji || say "warning: fonts-noto-color-emoji could not be installed; emoji will show as boxes"
fi

say "installing the playground and playwright-core (npm ci in e2e/)"
(cd "$E2E_DIR" && npm ci --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1) \
    || { cat "$WORK/npm.log" >&2; fail "npm ci in e2e/ failed"; }

# The playground opens a browser with xdg-open at start and crashes if it is missing.
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexit 0\n' >"$WORK/bin/xdg-open"
chmod +x "$WORK/bin/xdg-open"

mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT"/*.log

# --- the loopback-only network namespace -----------------------------------------------------------
if ip netns list | grep -qw "^$NS"; then
    ip netns delete "$NS"
fi
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
in_ns() { ip netns exec "$NS" "$@"; }
say "network namespace $NS: loopback only"

wait_for() {  # wait_for NAME URL PID SECONDS
    local name="$1" url="$2" pid="$3" seconds="$4"
    for _ in $(seq 1 $((seconds * 4))); do
        if in_ns curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
            say "$name is ready ($url)"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || fail "$name exited before it was ready"
        sleep 0.25
    done
    fail "$name was not ready at $url after ${seconds}s"
}

# --- the bot: embedded defaults, a fresh data directory ---------------------------------------------
mkdir -p "$WORK/data"
say "starting the bot (.venv/bin/python app.py, RAKEL_DATA_DIR=$WORK/data)"
(
    cd "$ROOT"
    exec env RAKEL_DATA_DIR="$WORK/data" RAKEL_HOST=127.0.0.1 RAKEL_PORT="$BOT_PORT" RAKEL_APP_ID= \
        RAKEL_APP_PASSWORD= RAKEL_LLM_BASE_URL= RAKEL_DATABASE_URL= \
        ip netns exec "$NS" "$PYTHON" app.py
) >"$WORK/bot.log" 2>&1 &
BOT_PID=$!
wait_for "the bot" "$BOT_URL/readyz" "$BOT_PID" 120

# --- the playground ---------------------------------------------------------------------------------
# TEAMSAPPTESTER_BROWSER=none: do not open a browser; the log file goes to e2e/out, not ./devTools;
# the config file gives the mock Teams user (kari.nordmann@molde.kommune.no) and tenant.
say "starting the Agents Playground on port $PLAYGROUND_PORT (channel msteams, telemetry off)"
(
    cd "$E2E_DIR"
    exec env PATH="$WORK/bin:$PATH" TEAMSAPPTESTER_BROWSER=none \
        M365_AGENTS_PLAYGROUND_CONFIG_PATH="$E2E_DIR/.m365agentsplayground.yml" \
        M365_AGENTS_PLAYGROUND_LOGFILE="$WORK/playground-file.log" \
        ip netns exec "$NS" node_modules/.bin/agentsplayground \
        -e "$BOT_URL/api/messages" -c msteams --dt -p "$PLAYGROUND_PORT"
) >"$WORK/playground.log" 2>&1 &
PLAYGROUND_PID=$!
wait_for "the playground" "$PLAYGROUND_URL/_debug/ping" "$PLAYGROUND_PID" 60
grep -q "Listening on $PLAYGROUND_PORT" "$WORK/playground.log" \
    || fail "the playground does not listen on $PLAYGROUND_PORT (it falls back to a random port when that one is taken)"

# --- the browser check ------------------------------------------------------------------------------
say "running e2e/welcome.mjs in headless Chromium"
(cd "$E2E_DIR" && in_ns env PLAYGROUND_URL="$PLAYGROUND_URL" OUT_DIR="$OUT" node welcome.mjs) \
    || fail "e2e/welcome.mjs failed (see above)"

# --- who the bot thinks the user is -----------------------------------------------------------------
# The playground answers TeamsInfo.get_member from .m365agentsplayground.yml; the bot keeps the
# resolved profile in its store (SQLite in the data directory on embedded defaults).
municipality="$("$PYTHON" - "$WORK/data/rakel.db" <<'PY'
import sqlite3, sys
try:
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    row = db.execute("SELECT municipality FROM users WHERE email = ?", ("kari.nordmann@molde.kommune.no",)).fetchone()
    print(row[0] if row and row[0] else "none")
except sqlite3.Error as error:
    print(f"unreadable ({error})")
PY
)"
[ "$municipality" = molde ] \
    || fail "the bot resolved kari.nordmann@molde.kommune.no to municipality '$municipality', expected 'molde'"
say "ok: the bot resolved Kari Nordmann (kari.nordmann@molde.kommune.no) to municipality molde"

#!/usr/bin/env bash
# Install what the project needs from the system and PyPI into .venv; idempotent.
#   scripts/bootstrap.sh run   -> runtime dependencies
#   scripts/bootstrap.sh test  -> plus test tools, Node packages for the compat suite
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
PY="${PYTHON:-python3}"

apt_install() {
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "missing system packages: $* (install them, then re-run)" >&2
    exit 1
  fi
}

if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  apt_install python3-venv
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$mode"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  extras=""
  [ "$mode" = test ] && extras="[test]"
  .venv/bin/pip install -q -e ".${extras}" --config-settings editable_mode=compat
  touch "$stamp"
fi

# The Kaltura web player, from the npm registry (served by the embed loaders).
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || apt_install nodejs npm
player=vpaas/web/player
if [ ! -f $player/node_modules/@playkit-js/kaltura-player-js/dist/kaltura-ovp-player.js ] \
   || [ $player/package-lock.json -nt $player/node_modules ]; then
  npm ci --silent --no-audit --no-fund --prefix $player
fi

if [ "$mode" = test ]; then
  [ -x /usr/bin/chromium ] || apt_install chromium
  [ -x /usr/sbin/nginx ] || apt_install nginx-light   # front-proxy handoff test
  if [ -f tests/compat/node/package-lock.json ]; then
    lock=tests/compat/node/package-lock.json
    if [ ! -d tests/compat/node/node_modules ] || [ "$lock" -nt tests/compat/node/node_modules ]; then
      npm ci --silent --no-audit --no-fund --prefix tests/compat/node
    fi
  fi
fi

#!/usr/bin/env bash
# Prepares a fresh Debian machine with Node 20 to build, run and test Omniclear:
# nats-server (Debian package), pnpm 12.4.2, the workspace's dependencies, contracts and a build.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup]\033[0m %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "Node.js 20 (>= 20.19) is required: https://nodejs.org or apt-get install nodejs"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js >= 20.19 is required (found $(node --version))"

if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing nats-server (Debian package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    say "installing nats-server (Debian package, via sudo)"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  else
    die "nats-server is missing: install it with 'apt-get install nats-server' (Debian) or put a nats-server >= 2.9 on PATH"
  fi
fi

# `sync_interval: always` (fsync every JetStream write before the ack) exists from 2.10.0 on; the
# testkit and the devnet set it by themselves when the server has it, infra/nats/nats-server.conf
# carries it commented out (2.9 refuses the file over it).
NATS_BIN="$(command -v nats-server || echo /usr/sbin/nats-server)"
NATS_VERSION="$("$NATS_BIN" --version 2>/dev/null | sed -n 's/^nats-server:* *v\{0,1\}\([0-9]*\.[0-9]*\.[0-9]*\).*/\1/p')"
if [ -z "$NATS_VERSION" ]; then
  die "cannot read the version of $NATS_BIN (expected 'nats-server: vX.Y.Z' from --version)"
elif printf '2.10.0\n%s\n' "$NATS_VERSION" | sort -V -C; then
  say "nats-server $NATS_VERSION: fsync per write available (uncomment sync_interval in infra/nats/nats-server.conf)"
else
  say "nats-server $NATS_VERSION: no sync_interval before 2.10; acknowledged writes are fsynced in the background"
fi

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  say "installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --loglevel=error >/dev/null 2>&1 || die "could not install pnpm@$PNPM_VERSION with npm"
fi

# Turborepo would otherwise try to send anonymous telemetry (there may be no network for it).
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

say "installing dependencies"
pnpm install --frozen-lockfile

say "compiling contracts and building packages"
pnpm exec turbo run build --output-logs=errors-only
say "ready"

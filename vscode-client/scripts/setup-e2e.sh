#!/usr/bin/env bash
# Installs what the end-to-end test needs: Debian's Chromium (and the -dev packages code-server's
# native modules compile against) and code-server 4.100.3 (VS Code 1.100.3, the last one that runs
# on Node 20) from the npm registry into .e2e/code-server. Offline-safe: the ripgrep download of
# @vscode/ripgrep is seeded from Debian's rg, and native modules build from source.
# Idempotent: a second run only checks. See ../shared/notes/vscode-in-a-browser.md.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3
PREFIX=.e2e/code-server
DEBIAN_PACKAGES="chromium build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep"

missing=""
for package in $DEBIAN_PACKAGES; do
    dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup-e2e: missing Debian packages:$missing (run as root, or apt-get install them)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

installed="$PREFIX/node_modules/code-server/package.json"
if [ -f "$installed" ] && [ -x "$PREFIX/node_modules/.bin/code-server" ] \
    && node -e "process.exit(require('./$installed').version === '$CODE_SERVER_VERSION' ? 0 : 1)"; then
    echo "setup-e2e: code-server $CODE_SERVER_VERSION already in $PREFIX"
    exit 0
fi

# @vscode/ripgrep's install script downloads a ripgrep build; give it Debian's from its cache.
cache=/tmp/vscode-ripgrep-cache-1.15.11
mkdir -p "$cache"
tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg

rm -rf "$PREFIX"
mkdir -p "$PREFIX"
echo '{"name": "hullguard-e2e-code-server", "private": true}' > "$PREFIX/package.json"
start=$(date +%s)
# npm_config_yes: node-pty's install runs `npx node-gyp`; unsafe_perm: its scripts run as root.
(cd "$PREFIX" && npm_config_yes=true npm_config_unsafe_perm=true \
    npm install --no-save --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" > install.log 2>&1) || {
    tail -40 "$PREFIX/install.log" >&2
    echo "setup-e2e: npm install code-server@$CODE_SERVER_VERSION failed (log: $PREFIX/install.log)" >&2
    exit 1
}
"$PREFIX/node_modules/.bin/code-server" --version --config "$PREFIX/config.yaml" >/dev/null
echo "setup-e2e: code-server $CODE_SERVER_VERSION installed in $(( $(date +%s) - start )) s"

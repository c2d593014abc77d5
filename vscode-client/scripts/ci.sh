#!/usr/bin/env bash
# The VS Code extension's checks, for CI and by hand: install from package-lock.json, type-check,
# build, unit tests, package hullguard-X.Y.Z.vsix; with RUN_VSCODE_E2E=1 also the end-to-end test
# in code-server (scripts/setup-e2e.sh installs it and Chromium first).
# Needs Node 20+ and npm, and python3 (3.10+, with pip) to bundle hullguard.
set -euo pipefail
cd "$(dirname "$0")/.."

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "ci: Node 20 or newer is needed, found $(node --version)" >&2
    exit 1
fi

npm ci --no-audit --no-fund
npm run typecheck
npm run build
npm test
npm run package  # vscode:prepublish builds and bundles hullguard (scripts/bundle_python.py)
version=$(node -p 'require("./package.json").version')
ls -l "hullguard-$version.vsix"

if [ "${RUN_VSCODE_E2E:-0}" = 1 ]; then
    bash scripts/setup-e2e.sh
    npm run test:e2e
fi

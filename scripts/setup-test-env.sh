#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine: Debian packages (unzip, zlib headers,
# gcc), a Python venv with the oracles (packaging, awslambdaric, index servers) and a wheelhouse of real
# PyPI wheels for CPython 3.11 manylinux x86_64. Safe to run again: finished steps are skipped.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-test"

missing=()
for pkg in unzip zip zlib1g-dev gcc; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp="$venv/.requirements.sha256"
want="$(cat "$root/Tests/requirements.txt" "$root/Tests/wheelhouse.txt" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: creating $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$root/Tests/requirements.txt"
    mkdir -p "$venv/wheelhouse"
    "$venv/bin/pip" download -q --only-binary=:all: --implementation cp --python-version 3.11 \
        --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
        -d "$venv/wheelhouse" -r "$root/Tests/wheelhouse.txt"
    echo "$want" > "$stamp"
fi

#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine: Debian packages (unzip, zlib headers,
# gcc, binutils for readelf and for three foreign machines, openssl for the throwaway test CAs), a Python venv with the oracles (packaging,
# awslambdaric, index servers), the lock tools uv, Poetry and Pipenv, a wheelhouse of real PyPI wheels for
# CPython 3.11 manylinux x86_64, PEP 517 backend wheels and real sdists for the build frontend, and
# awslambdaric's wheels for `pexify invoke`.
# Safe to run again: finished steps are skipped.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-test"

missing=()
for pkg in unzip zip zlib1g-dev gcc binutils binutils-aarch64-linux-gnu binutils-s390x-linux-gnu \
           binutils-i686-linux-gnu openssl; do
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

# What the build-from-source tests (issue 17) need: the PEP 517 backends' wheels for this machine's
# Python (the isolated build environments are resolved from them), and real source distributions of
# projects that never published a wheel, served from a loopback index.
backends="$venv/build-wheelhouse"
if [ ! -d "$backends" ]; then
    echo "setup: downloading build backends into $backends" >&2
    rm -rf "$backends.partial"
    "$venv/bin/pip" download -q --only-binary=:all: -d "$backends.partial" \
        setuptools wheel hatchling flit_core pdm-backend six
    mv "$backends.partial" "$backends"
fi
sdists="$venv/sdists"
if [ ! -d "$sdists" ]; then
    echo "setup: downloading source distributions into $sdists" >&2
    rm -rf "$sdists.partial"
    "$venv/bin/pip" download -q --no-binary=:all: --no-deps -d "$sdists.partial" langdetect==1.0.9 docopt==0.6.2
    mv "$sdists.partial" "$sdists"
fi

# The same small binary wheel built for other machines (aarch64, big-endian s390x, 32-bit armv7l), so the
# ELF checks are tested on real objects of every class and byte order PyPI ships.
foreign="$venv/wheelhouse-foreign"
if [ ! -d "$foreign" ]; then
    echo "setup: downloading foreign-architecture wheels into $foreign" >&2
    rm -rf "$foreign.partial"
    for platform in manylinux_2_17_aarch64 manylinux_2_17_s390x manylinux_2_17_armv7l; do
        "$venv/bin/pip" download -q --no-deps --only-binary=:all: --implementation cp --python-version 3.11 \
            --platform "$platform" -d "$foreign.partial" charset_normalizer==3.5.2
    done
    mv "$foreign.partial" "$foreign"
fi

# awslambdaric and its dependencies for the venv's interpreter, so the `pexify invoke` tests install the
# Lambda runtime interface client with pexify's own resolver, offline.
runtime="$venv/wheelhouse-runtime"
if [ ! -d "$runtime" ]; then
    echo "setup: downloading the Lambda runtime interface client's wheels into $runtime" >&2
    rm -rf "$runtime.partial"
    "$venv/bin/pip" download -q --only-binary=:all: -d "$runtime.partial" awslambdaric
    mv "$runtime.partial" "$runtime"
fi

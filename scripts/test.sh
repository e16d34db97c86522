#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then runs `swift test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup-test-env.sh"
export PEXIFY_TEST_PYTHON="$root/.venv-test/bin/python"
export PEXIFY_TEST_WHEELHOUSE="$root/.venv-test/wheelhouse"
cd "$root"
swift build --build-tests
swift test --skip-build "$@"

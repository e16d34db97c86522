#!/usr/bin/env bash
# The benchmark suite in one command (see benchmarks/README.md):
#
#   benchmarks/run.sh [--quick] [--repeats N] [--huge-repeats N] [--workloads small,data,huge] [--no-micro]
#
# Installs what it needs (Debian time/zip/unzip; pex, uv, shiv, matplotlib and a current pip into
# benchmarks/.venv-bench), builds pexify and pexify-bench in release mode, runs the Swift
# micro-benchmarks and then suite.py, which writes results/<date>.md and results/<date>.png.
# --quick: one run of the small workload and the micro-benchmarks' quick mode (a smoke test).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-bench"

missing=()
for pkg in time zip unzip; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "run.sh: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python="$(command -v python3.11 || command -v python3)"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "run.sh: creating $venv" >&2
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi

echo "run.sh: building pexify and pexify-bench (release)" >&2
# With the Swift runtime linked in, as scripts/install.sh installs pexify: the rows measure what users run.
build=(swift build -c release --static-swift-stdlib)
(cd "$here" && "${build[@]}" --product pexify 2>&1 | grep -E "error|Compiling|Build" | tail -3 >&2)
(cd "$here" && "${build[@]}" --product pexify-bench 2>&1 | grep -E "error|Compiling|Build" | tail -3 >&2)
bin="$(cd "$here" && "${build[@]}" --show-bin-path)"

exec "$venv/bin/python" "$here/suite.py" --pexify "$bin/pexify" --bench "$bin/pexify-bench" "$@"

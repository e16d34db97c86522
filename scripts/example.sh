#!/usr/bin/env bash
# The main job, end to end on a fresh machine: build pexify, package examples/hello-lambda with its real
# requirements (resolved and fetched from the configured index) for the AWS Lambda python3.11 runtime on
# x86_64, inspect the zip, then run the function locally with `pexify invoke` (the real awslambdaric
# runtime client against a loopback Runtime API) and print its responses.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup-test-env.sh"   # Debian packages and .venv-test (pip, for the default index)
cd "$root"

echo "example: building pexify (debug)" >&2
swift build --product pexify >&2
pexify="$(swift build --show-bin-path)/pexify"

# pexify asks the local pip for its default index; the venv's pip is there even where python3 has none.
export PEXIFY_PYTHON="$root/.venv-test/bin/python"
out="$root/.build/example"
mkdir -p "$out"
example="$root/examples/hello-lambda"
"$pexify" -r "$example/requirements.txt" -D "$example/src" --handler hello/handler.py:handler \
    --runtime python3.11 --layout zip -o "$out/hello-lambda.zip"
"$pexify" inspect "$out/hello-lambda.zip"

echo "example: invoking lambda_function.handler with pexify invoke" >&2
# The real awslambdaric runtime client (installed once into pexify's cache for the local python3.11)
# against a loopback Runtime API; three events, the third invalid on purpose: pydantic rejects it and
# Lambda reports the handler's error, so pexify invoke exits 1.
status=0
"$pexify" invoke "$out/hello-lambda.zip" --event '{}' --event '{"name": "Lambda", "times": 2}' \
    --event '{"times": 99}' --json > "$out/invoke.json" || status=$?
"$root/.venv-test/bin/python" - "$out/invoke.json" "$status" <<'PY'
import json, sys

report = json.load(open(sys.argv[1]))
for invocation in report["invocations"]:
    print(json.dumps({key: invocation.get(key) for key in ("kind", "body", "errorType", "errorMessage",
                                                           "durationMs", "initDurationMs", "maxMemoryUsedMB")}))
kinds = [invocation["kind"] for invocation in report["invocations"]]
if kinds != ["response", "response", "error"] or sys.argv[2] != "1":
    sys.exit(f"unexpected outcomes {kinds} (exit status {sys.argv[2]}); function log:\n{report['log']}")
PY

#!/usr/bin/env bash
# The main job, end to end on a fresh machine: build pexify, package examples/hello-lambda with its real
# requirements (resolved and fetched from the configured index) for the AWS Lambda python3.11 runtime on
# x86_64, inspect the zip, then invoke the function through the local Lambda runtime emulation (the real
# awslambdaric runtime client against a loopback Runtime API) and print its responses.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup-test-env.sh"   # Debian packages and .venv-test (awslambdaric) for the emulation
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

echo "example: invoking lambda_function.handler through the Lambda runtime emulation" >&2
"$root/.venv-test/bin/python" - "$root/Tests/Fixtures/lambda/runtime_api.py" "$out/hello-lambda.zip" <<'PY'
import json, subprocess, sys

emulator, function_zip = sys.argv[1], sys.argv[2]
events = [{}, {"name": "Lambda", "times": 2}, {"times": 99}]
request = {"functionZip": function_zip, "layers": [], "handler": "lambda_function.handler",
           "events": [json.dumps(event) for event in events], "timeout": 120}
result = subprocess.run([sys.executable, emulator], input=json.dumps(request).encode(), capture_output=True)
if result.returncode != 0:
    sys.exit(f"the emulation failed:\n{result.stderr.decode()}")
report = json.loads(result.stdout)
for event, outcome in zip(events, report["outcomes"]):
    print(f"event {json.dumps(event)} -> {json.dumps(outcome)}")
kinds = [outcome["kind"] for outcome in report["outcomes"]]
# The third event is invalid on purpose: pydantic rejects it and Lambda reports the handler's error.
if kinds != ["response", "response", "error"]:
    sys.exit(f"unexpected outcomes {kinds}; runtime log:\n{report['log']}")
PY

"""A local stand-in for the AWS Lambda execution environment, used by pexify's tests.

Reads a JSON request on stdin:
    {"functionZip": PATH | null, "taskRoot": DIR | null, "layers": [ZIP, ...], "handler": "mod.func",
     "events": ["<json>", ...], "timeout": SECONDS}
and prints one JSON object on stdout:
    {"outcomes": [{"kind": "response", "body": "..."} | {"kind": "error", "type": ..., "message": ...,
                   "stackTrace": [...]} | {"kind": "initError", ...} | {"kind": "runtimeExit", "status": N}],
     "log": "<everything the runtime printed>", "timedOut": false}

What it emulates (docs/formats/lambda-layout.md):
- The function zip is extracted with the modes stored in the zip into a task root, layers (in order, later
  ones overwriting earlier ones) into an `/opt`-like directory. Lambda's sandbox user owns none of that
  code, so only the "others" bits of each mode count: the trees are made read-only and their owner is left
  with just those bits (a 0600 file from `ZipFile.writestr` becomes unreadable, as on Lambda). As root, the
  runtime also runs without the capabilities that bypass file permissions.
- The real runtime interface client (`awslambdaric`) runs from a runtime directory that holds only it and
  its dependencies (like /var/runtime; the test venv's other packages stay invisible), started by
  `bootstrap.py` with the task root as cwd, LAMBDA_TASK_ROOT, _HANDLER and the Lambda sys.path order.
- The Runtime API (2018-06-01) is served on 127.0.0.1 on a free port: `invocation/next` hands out the queued
  events with the Lambda-Runtime-* headers; `invocation/{id}/response`, `invocation/{id}/error` and
  `init/error` record the outcome. Once every event is answered, the runtime exits or the timeout passes,
  the runtime is killed (as Lambda shuts a sandbox down) and the server stops.
"""

import http.server
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from importlib import metadata

from packaging.requirements import Requirement

API = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:pexify-emulated"


class RuntimeAPI:
    """The state behind the Runtime API: queued events and what the runtime answered."""

    def __init__(self, events, timeout):
        self.pending = [(str(uuid.uuid4()), event) for event in events]
        self.expected = len(events)
        self.timeout = timeout
        self.outcomes = []
        self.finished = threading.Event()
        self.shutdown = threading.Event()
        self.lock = threading.Lock()
        if not events:
            self.finished.set()

    def next_event(self):
        with self.lock:
            return self.pending.pop(0) if self.pending else None

    def record(self, outcome):
        with self.lock:
            self.outcomes.append(outcome)
            if outcome["kind"] == "initError" or len(self.outcomes) >= self.expected:
                self.finished.set()


def make_handler(state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass

        def reply(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def read_body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    chunk = self.rfile.read(size)
                    self.rfile.readline()
                    if size == 0:
                        return b"".join(chunks)
                    chunks.append(chunk)
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))

        def do_GET(self):
            if self.path != API + "/invocation/next":
                return self.reply(404, b'{"errorType":"UnknownPath"}')
            event = state.next_event()
            if event is None:
                # Lambda freezes a sandbox that asks for more work than there is; it is shut down later.
                state.shutdown.wait()
                self.close_connection = True
                return
            request_id, body = event
            deadline = int((time.time() + state.timeout) * 1000)
            self.reply(200, body.encode(), [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                ("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN),
                ("Lambda-Runtime-Trace-Id", "Root=1-00000000-%s;Parent=0000000000000000;Sampled=0"
                 % request_id.replace("-", "")[:24]),
            ])

        def do_POST(self):
            body = self.read_body()
            parts = self.path[len(API):].strip("/").split("/")
            if parts == ["init", "error"]:
                state.record(error_outcome("initError", body, self.headers))
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] == "response":
                state.record({"kind": "response", "body": body.decode("utf-8", "replace")})
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] == "error":
                state.record(error_outcome("error", body, self.headers))
            else:
                return self.reply(404, b'{"errorType":"UnknownPath"}')
            self.reply(202, b'{"status":"OK"}')

    return Handler


def error_outcome(kind, body, headers):
    try:
        payload = json.loads(body)
    except ValueError:
        payload = {"errorMessage": body.decode("utf-8", "replace")}
    return {
        "kind": kind,
        "type": payload.get("errorType") or headers.get("Lambda-Runtime-Function-Error-Type", ""),
        "message": payload.get("errorMessage", ""),
        "stackTrace": payload.get("stackTrace", []),
    }


def extract(zip_path, dest):
    """Extracts like Lambda: the Unix mode stored in each entry is applied (0644 when none is stored)."""
    root = os.path.realpath(dest)
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = os.path.realpath(os.path.join(root, info.filename))
            if target != root and not target.startswith(root + os.sep):
                raise SystemExit("%s: entry %r escapes the extraction directory" % (zip_path, info.filename))
            mode = info.external_attr >> 16
            if info.is_dir():
                os.makedirs(target, exist_ok=True)
                os.chmod(target, stat.S_IMODE(mode) or 0o755)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                os.remove(target)
            if stat.S_ISLNK(mode):
                os.symlink(archive.read(info).decode(), target)
                continue
            with archive.open(info) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            os.chmod(target, stat.S_IMODE(mode) or 0o644)


def seal(tree):
    """Makes a tree read-only and gives its owner only the rights of "others" (see the module comment)."""
    for directory, dirs, files in os.walk(tree):
        for path in [directory] + [os.path.join(directory, name) for name in dirs + files]:
            if os.path.islink(path):
                continue
            others = stat.S_IMODE(os.lstat(path).st_mode) & 0o5
            os.chmod(path, others << 6 | others << 3 | others)


def unseal(tree):
    for directory, dirs, files in os.walk(tree):
        for path in [directory] + [os.path.join(directory, name) for name in dirs]:
            os.chmod(path, 0o755)


def distribution_closure(name):
    """awslambdaric and everything it requires (markers evaluated for this interpreter)."""
    seen, todo = {}, [name]
    while todo:
        dist = metadata.distribution(todo.pop())
        key = dist.metadata["Name"].lower()
        if key in seen:
            continue
        seen[key] = dist
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen.values()


def build_runtime_dir(runtime_dir):
    """Links awslambdaric and its dependencies, and only them, into a /var/runtime-like directory."""
    os.makedirs(runtime_dir)
    for dist in distribution_closure("awslambdaric"):
        for top in {path.parts[0] for path in dist.files or [] if ".." not in path.parts}:
            link = os.path.join(runtime_dir, top)
            if not os.path.lexists(link):
                os.symlink(os.path.realpath(dist.locate_file(top)), link)
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bootstrap.py"), runtime_dir)


def run(request, work):
    task_root, opt_dir, runtime_dir = (os.path.join(work, name) for name in ("task", "opt", "runtime"))
    if request.get("functionZip"):
        os.makedirs(task_root)
        extract(request["functionZip"], task_root)
    else:
        shutil.copytree(request["taskRoot"], task_root, symlinks=True)
    os.makedirs(opt_dir)
    for layer in request.get("layers", []):
        extract(layer, opt_dir)
    build_runtime_dir(runtime_dir)
    seal(task_root)
    seal(opt_dir)

    state = RuntimeAPI(request["events"], request.get("timeout", 60))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    version = "python%d.%d" % sys.version_info[:2]
    # Lambda's order after the interpreter's own libraries: runtime, task root, layers.
    library_path = [os.environ.get("LD_LIBRARY_PATH", ""), runtime_dir, os.path.join(runtime_dir, "lib"), task_root,
                    os.path.join(task_root, "lib"), os.path.join(opt_dir, "lib")]
    environment = {
        "PATH": os.pathsep.join([os.environ.get("PATH", "/usr/bin:/bin"), os.path.join(opt_dir, "bin")]),
        "LD_LIBRARY_PATH": os.pathsep.join(path for path in library_path if path),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": runtime_dir,
        "_HANDLER": request["handler"],
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % server.server_address[1],
        "AWS_EXECUTION_ENV": "AWS_Lambda_" + version,
        "AWS_LAMBDA_FUNCTION_NAME": "pexify-emulated",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-S", os.path.join(runtime_dir, "bootstrap.py"), opt_dir, request["handler"]]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"] + command
    log_path = os.path.join(work, "runtime.log")
    with open(log_path, "wb") as log:
        runtime = subprocess.Popen(command, cwd=task_root, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + state.timeout
        timed_out = False
        while not state.finished.is_set() and runtime.poll() is None:
            if time.monotonic() > deadline:
                timed_out = True
                break
            state.finished.wait(0.05)
        if runtime.poll() is None:
            # A runtime that reported an init error exits by itself; give it a moment, then shut it down.
            try:
                runtime.wait(2 if state.outcomes and state.outcomes[-1]["kind"] == "initError" else 0.2)
            except subprocess.TimeoutExpired:
                runtime.kill()
                runtime.wait()
    state.shutdown.set()
    server.shutdown()
    server.server_close()

    outcomes = list(state.outcomes)
    answered_all = len(outcomes) >= state.expected or any(o["kind"] == "initError" for o in outcomes)
    if not answered_all and not timed_out:
        outcomes.append({"kind": "runtimeExit", "status": runtime.returncode})
    with open(log_path, "rb") as log:
        text = log.read().decode("utf-8", "replace")
    return {"outcomes": outcomes, "log": text, "timedOut": timed_out}


def main():
    request = json.load(sys.stdin)
    work = tempfile.mkdtemp(prefix="pexify-lambda-")
    try:
        result = run(request, work)
    finally:
        unseal(work)
        shutil.rmtree(work, ignore_errors=True)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

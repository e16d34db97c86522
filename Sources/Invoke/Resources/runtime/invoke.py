"""`pexify invoke`: serves the AWS Lambda Runtime API on loopback and drives the real runtime interface
client (`awslambdaric`) through a cold start and a series of invocations, like a Lambda sandbox.

pexify lays the function out first (task root, `/opt`-like layer directory, runtime directory, writable
temp directory) and starts this script with the local CPython, a JSON request on stdin:
    {"taskRoot", "optDir", "runtimeDir", "tmpDir", "homeDir", "handler", "events": ["<json>", ...],
     "timeout": S, "initTimeout": S, "environment": {NAME: VALUE}, "functionName", "memorySize": MB,
     "logPath": PATH | null, "check": BOOL}
It answers with one JSON object on stdout:
    {"invocations": [{"requestId", "kind": "response" | "error" | "initError" | "timeout" | "runtimeExit",
                      "body", "errorType", "errorMessage", "stackTrace", "status", "durationMs",
                      "initDurationMs", "maxMemoryUsedMB"}, ...]}
or, with "check" (`pexify invoke --check`, see `check` below and check.py), {"check": {...}}.
The runtime's own output and Lambda's START / END / REPORT lines go to stderr as they happen (to
`logPath` instead when given), so they interleave exactly as in a CloudWatch log stream.

Runtime API (2018-06-01): `invocation/next` hands out the events with the Lambda-Runtime-* headers and
starts the clock of an invocation; `invocation/{id}/response` and `invocation/{id}/error` stop it;
`init/error` ends the sandbox. The init duration runs from starting the runtime process to its first
`invocation/next` (Lambda's init phase: runtime start, then the handler module's import).
"""

import http.server
import json
import os
import re
import select
import shutil
import subprocess
import sys
import threading
import time
import uuid

API = "/2018-06-01/runtime"
REGION = "us-east-1"


def milliseconds(seconds):
    return round(seconds * 1000, 2)


def peak_memory_mb(pid):
    """The process's peak resident set (VmHWM), in MiB as Lambda reports it; 0 when unknown."""
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


class LogPump:
    """Copies the runtime's output into the log (stderr or a file) and writes Lambda's own lines in
    between. awslambdaric separates the lines of an error with carriage returns (one CloudWatch event);
    they become newlines here so a terminal shows the stack trace. Before a line of its own the pump
    drains what the runtime already wrote: the runtime prints before it posts, so the order is kept."""

    def __init__(self, sink):
        self.sink = sink
        self.lock = threading.Lock()
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.read_fd, False)
        self.open = True
        threading.Thread(target=self.run, daemon=True).start()

    def drain(self):
        while self.open:
            try:
                chunk = os.read(self.read_fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                self.open = False
                return
            self.sink.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
            self.sink.flush()

    def run(self):
        while self.open:
            select.select([self.read_fd], [], [], 0.1)
            with self.lock:
                self.drain()

    def line(self, text):
        with self.lock:
            self.drain()
            self.sink.write(text.encode() + b"\n")
            self.sink.flush()

    def close(self):
        """After the runtime is gone: copies what is left (for at most a second, in case a process the
        function started still holds the pipe)."""
        os.close(self.write_fd)
        deadline = time.monotonic() + 1
        while self.open and time.monotonic() < deadline:
            select.select([self.read_fd], [], [], 0.1)
            with self.lock:
                self.drain()


class Sandbox:
    """The state behind the Runtime API: the events still to serve, the one in flight, the outcomes."""

    def __init__(self, request, log):
        self.request = request
        self.log = log
        self.pending = [(str(uuid.uuid4()), event) for event in request["events"]]
        self.invocations = []
        self.current = None  # (request id, monotonic start)
        self.started = None
        self.init_duration = None
        self.runtime = None
        self.condition = threading.Condition()
        self.shutdown = threading.Event()

    def write_log(self, text):
        self.log.line(text)

    def next_event(self):
        with self.condition:
            now = time.monotonic()
            if self.init_duration is None:
                self.init_duration = now - self.started
            if not self.pending:
                return None
            request_id, event = self.pending.pop(0)
            self.current = (request_id, now)
            self.condition.notify_all()
        self.write_log("START RequestId: %s Version: $LATEST" % request_id)
        return request_id, event

    def finish(self, outcome, duration=None, status=None, memory=None):
        """Records the outcome of the invocation in flight and prints its END and REPORT lines."""
        with self.condition:
            request_id, start = self.current
            duration = time.monotonic() - start if duration is None else duration
            outcome.update(requestId=request_id, durationMs=milliseconds(duration),
                           maxMemoryUsedMB=peak_memory_mb(self.runtime.pid) if memory is None else memory)
            if not any("initDurationMs" in earlier for earlier in self.invocations):
                outcome["initDurationMs"] = milliseconds(self.init_duration)
            self.invocations.append(outcome)
            self.current = None
            self.condition.notify_all()
        self.write_log("END RequestId: %s" % request_id)
        self.write_log(report_line(outcome, self.request["memorySize"], status))

    def init_failed(self, outcome):
        with self.condition:
            now = time.monotonic()
            outcome.update(requestId=None, durationMs=0, initDurationMs=milliseconds(now - self.started),
                           maxMemoryUsedMB=peak_memory_mb(self.runtime.pid))
            self.invocations.append(outcome)
            self.condition.notify_all()
        self.write_log("INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: error\tError Type: %s"
                       % (outcome["initDurationMs"], outcome["errorType"]))

    def answered(self):
        return not self.pending and self.current is None


def report_line(outcome, memory_size, status):
    fields = ["REPORT RequestId: %s" % outcome["requestId"],
              "Duration: %.2f ms" % outcome["durationMs"],
              "Billed Duration: %d ms" % max(1, int(-(-outcome["durationMs"] // 1))),
              "Memory Size: %d MB" % memory_size,
              "Max Memory Used: %d MB" % outcome["maxMemoryUsedMB"]]
    if "initDurationMs" in outcome:
        fields.append("Init Duration: %.2f ms" % outcome["initDurationMs"])
    if status:
        fields.append("Status: %s" % status)
    return "\t".join(fields)


def make_handler(sandbox):
    function_arn = "arn:aws:lambda:%s:123456789012:function:%s" % (REGION, sandbox.request["functionName"])

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are separate writes; with Nagle's algorithm the body would wait for the
        # runtime's delayed ACK (40 ms on Linux) and inflate every warm duration.
        disable_nagle_algorithm = True

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
            event = sandbox.next_event()
            if event is None:
                # Lambda freezes a sandbox that waits for work; this one is shut down instead.
                sandbox.shutdown.wait()
                self.close_connection = True
                return
            request_id, body = event
            deadline = int((time.time() + sandbox.request["timeout"]) * 1000)
            self.reply(200, body.encode(), [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                ("Lambda-Runtime-Invoked-Function-Arn", function_arn),
                ("Lambda-Runtime-Trace-Id", "Root=1-00000000-%s;Parent=0000000000000000;Sampled=0"
                 % request_id.replace("-", "")[:24]),
            ])

        def do_POST(self):
            body = self.read_body()
            parts = self.path[len(API):].strip("/").split("/")
            if parts == ["init", "error"]:
                sandbox.init_failed(error_outcome("initError", body, self.headers))
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                if sandbox.current is None or sandbox.current[0] != parts[1]:
                    return self.reply(400, b'{"errorType":"InvalidRequestID"}')
                if parts[2] == "response":
                    sandbox.finish({"kind": "response", "body": body.decode("utf-8", "replace")})
                else:
                    sandbox.finish(error_outcome("error", body, self.headers))
            else:
                return self.reply(404, b'{"errorType":"UnknownPath"}')
            self.reply(202, b'{"status":"OK"}')

    return Handler


def error_outcome(kind, body, headers):
    try:
        payload = json.loads(body)
    except ValueError:
        payload = {"errorMessage": body.decode("utf-8", "replace")}
    if not isinstance(payload, dict):
        payload = {"errorMessage": str(payload)}
    return {
        "kind": kind,
        "errorType": payload.get("errorType") or headers.get("Lambda-Runtime-Function-Error-Type", ""),
        "errorMessage": payload.get("errorMessage", ""),
        "stackTrace": payload.get("stackTrace", []),
    }


def environment(request, api_address):
    """Lambda's environment for the Python runtime, in the order Lambda's documentation lists it."""
    task_root, opt_dir, runtime_dir = request["taskRoot"], request["optDir"], request["runtimeDir"]
    version = "python%d.%d" % sys.version_info[:2]
    # Lambda's order after the interpreter's own libraries (an interpreter built with --enable-shared
    # outside the system prefix may need the host's entries): runtime, task root, layers.
    library_path = [os.environ.get("LD_LIBRARY_PATH", ""), runtime_dir, os.path.join(runtime_dir, "lib"), task_root,
                    os.path.join(task_root, "lib"), os.path.join(opt_dir, "lib")]
    host_path = os.environ.get("PATH", "/usr/bin:/bin")
    result = {
        "_HANDLER": request["handler"],
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EXECUTION_ENV": "AWS_Lambda_" + version,
        "AWS_LAMBDA_FUNCTION_NAME": request["functionName"],
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(request["memorySize"]),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + request["functionName"],
        "AWS_LAMBDA_LOG_STREAM_NAME": "pexify-invoke",
        "AWS_LAMBDA_RUNTIME_API": api_address,
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": runtime_dir,
        "LANG": "en_US.UTF-8",
        "PATH": os.pathsep.join([host_path, os.path.join(opt_dir, "bin")]),
        "LD_LIBRARY_PATH": os.pathsep.join(path for path in library_path if path),
        "PYTHONPATH": runtime_dir,
        "TZ": ":UTC",
        # Lambda's /tmp and a home nobody may write to: caches then fall back to the temp directory.
        "TMPDIR": request["tmpDir"],
        "HOME": request["homeDir"],
        "PYTHONUNBUFFERED": "1",
    }
    result.update(request["environment"])
    return result


def runtime_command(request):
    command = [sys.executable, "-S", os.path.join(request["runtimeDir"], "bootstrap.py"), request["optDir"],
               request["handler"]]
    # Lambda's sandbox user owns none of the code; as root, drop the capabilities that bypass file modes.
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("setpriv"):
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"] + command
    return command


def wait(sandbox, request):
    """Waits until every event is answered, the runtime exits, init fails or time runs out. (The
    condition's lock is re-entrant, so `finish` may be called while holding it.)"""
    runtime = sandbox.runtime
    with sandbox.condition:
        while True:
            if sandbox.answered() or any(o["kind"] == "initError" for o in sandbox.invocations):
                return
            if runtime.poll() is not None:
                if sandbox.current is not None:
                    sandbox.finish({"kind": "runtimeExit", "status": runtime.returncode,
                                    "errorType": "Runtime.ExitError",
                                    "errorMessage": "RequestId: %s Error: Runtime exited with error: exit "
                                                    "status %d" % (sandbox.current[0], runtime.returncode)})
                elif sandbox.init_duration is None:
                    sandbox.invocations.append({
                        "kind": "runtimeExit", "status": runtime.returncode, "requestId": None,
                        "errorType": "Runtime.ExitError", "durationMs": 0,
                        "initDurationMs": milliseconds(time.monotonic() - sandbox.started),
                        "errorMessage": "Runtime exited with error: exit status %d during init"
                                        % runtime.returncode})
                return
            now = time.monotonic()
            if sandbox.current is not None and now - sandbox.current[1] > request["timeout"]:
                request_id = sandbox.current[0]
                memory = peak_memory_mb(runtime.pid)
                runtime.kill()
                runtime.wait()
                sandbox.write_log("%s %s Task timed out after %.2f seconds"
                                  % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), request_id,
                                     request["timeout"]))
                sandbox.finish({"kind": "timeout", "errorType": "Sandbox.Timedout",
                                "errorMessage": "RequestId: %s Error: Task timed out after %.2f seconds"
                                                % (request_id, request["timeout"])},
                               duration=request["timeout"], status="timeout", memory=memory)
                return
            if sandbox.init_duration is None and now - sandbox.started > request["initTimeout"]:
                runtime.kill()
                runtime.wait()
                sandbox.invocations.append({
                    "kind": "timeout", "requestId": None, "errorType": "Sandbox.Timedout", "durationMs": 0,
                    "initDurationMs": milliseconds(now - sandbox.started),
                    "errorMessage": "Init timed out after %.2f seconds" % request["initTimeout"]})
                return
            sandbox.condition.wait(0.05)


IMPORT_TIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s+)(\S+)$")


def check(request, log):
    """`--check`: runs check.py in the sandbox instead of the runtime, under `-X importtime`; answers
    with its steps and, for every top-level module the function ships, what its first import cost
    (self and cumulative, as the interpreter measured it)."""
    results = os.path.join(request["tmpDir"], ".pexify-check.jsonl")
    import_times = os.path.join(request["tmpDir"], ".pexify-importtime.txt")
    command = runtime_command(request)
    bootstrap = command.index(os.path.join(request["runtimeDir"], "bootstrap.py"))
    command[bootstrap:bootstrap + 1] = ["-X", "importtime", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                          "check.py")]
    command.append(results)
    started = time.monotonic()
    with open(import_times, "wb") as stderr:
        process = subprocess.Popen(command, cwd=request["taskRoot"], env=environment(request, ""),
                                   stdout=log.write_fd, stderr=stderr, stdin=subprocess.DEVNULL)
        try:
            status = process.wait(request["initTimeout"])
        except subprocess.TimeoutExpired:
            process.kill()
            status = None
            process.wait()
    steps = []
    if os.path.exists(results):
        with open(results) as lines:
            steps = [json.loads(line) for line in lines if line.strip()]
    shipped = {name for step in steps for name in step.get("shipped", [])}
    costs = {}
    with open(import_times, errors="replace") as lines:
        for line in lines:
            match = IMPORT_TIME.match(line.rstrip("\n"))
            if not match:
                if not line.startswith("import time: self [us]"):
                    log.line(line.rstrip("\n"))  # what the function's modules wrote to stderr
            elif match.group(4) in shipped and match.group(4) not in costs:
                costs[match.group(4)] = {"module": match.group(4), "selfMs": int(match.group(1)) / 1000,
                                         "cumulativeMs": int(match.group(2)) / 1000}
    return {"steps": [step for step in steps if "module" in step], "status": status,
            "importTimes": sorted(costs.values(), key=lambda cost: (-cost["cumulativeMs"], cost["module"])),
            "seconds": time.monotonic() - started}


def main():
    request = json.load(sys.stdin)
    log = LogPump(open(request["logPath"], "wb") if request.get("logPath") else sys.stderr.buffer)
    if request.get("check"):
        result = check(request, log)
        log.close()
        json.dump({"check": result}, sys.stdout)
        return
    sandbox = Sandbox(request, log)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(sandbox))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = environment(request, "127.0.0.1:%d" % server.server_address[1])
    sandbox.started = time.monotonic()
    sandbox.runtime = subprocess.Popen(runtime_command(request), cwd=request["taskRoot"], env=env,
                                       stdout=log.write_fd, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait(sandbox, request)
    finally:
        if sandbox.runtime.poll() is None:
            # A runtime that reported an init error exits by itself; give it a moment, then stop it.
            try:
                sandbox.runtime.wait(2 if sandbox.invocations and sandbox.invocations[-1]["kind"] == "initError"
                                     else 0.2)
            except subprocess.TimeoutExpired:
                sandbox.runtime.kill()
                sandbox.runtime.wait()
        sandbox.shutdown.set()
        server.shutdown()
        server.server_close()
        log.close()
    json.dump({"invocations": sandbox.invocations}, sys.stdout)


if __name__ == "__main__":
    main()

"""Loopback index servers for the resolver tests. Each prints `PORT <n>` once it listens on
127.0.0.1 and exits by itself after --lifetime seconds.

  pypiserver --root DIR [--htpasswd FILE]      the real pypiserver (PEP 503 HTML, basic auth)
  simple --root DIR [--plan FILE] [--log FILE] [--json] [--metadata] [--ranges] [--yanked FILE] [--max-age N]
         [--no-hashes]
      a small PEP 691 JSON / PEP 503 HTML index over the wheels in DIR with ETags, PEP 658
      .metadata files, HTTP range requests on files (206, logged with the bytes sent), PEP 592 yanks,
      and injected faults: the plan maps a request path to a list of behaviours used by successive
      requests: "ok"; a status code, optionally with a Retry-After value ("429 retry-after=1");
      "stall" (accept the request, then send nothing until the client hangs up); "reset" (close the
      connection with a TCP RST); "truncate" (half the body, then close); "partial-stall" (half the
      body, then nothing until the client hangs up); "corrupt" (flip the last byte); "body:TEXT"
      (answer 200 text/html with TEXT).
      With --certfile/--keyfile it serves HTTPS (a failed handshake is logged as `TLS <reason>`), and with
      --client-ca it also requires a client certificate issued by that CA.
"""
import argparse, hashlib, html, json, os, re, select, socket, ssl, struct, sys, threading, time, zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_metadata(path):
    """Core metadata of a wheel, or of an sdist (its PKG-INFO, served as PEP 658 metadata as PEP 643 allows)."""
    if path.endswith(".tar.gz"):
        import tarfile
        with tarfile.open(path) as archive:
            member = next(m for m in archive.getmembers() if re.fullmatch(r"[^/]+/PKG-INFO", m.name))
            return archive.extractfile(member).read()
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        return z.read(name)


def serve_simple(args):
    plan = json.load(open(args.plan)) if args.plan else {}
    yanked = json.load(open(args.yanked)) if args.yanked else {}
    lock = threading.Lock()

    def projects():
        result = {}
        for f in sorted(os.listdir(args.root)):
            if f.endswith(".whl"):
                result.setdefault(normalize(f.split("-")[0]), []).append(f)
            elif f.endswith(".tar.gz"):
                result.setdefault(normalize(f[: -len(".tar.gz")].rsplit("-", 1)[0]), []).append(f)
        return result

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def record(self, status):
            if args.log:
                with lock, open(args.log, "a") as log:
                    log.write(f"{self.command} {self.path} {status}\n")

        def fault(self):
            with lock:
                steps = plan.get(self.path)
                return steps.pop(0) if steps else "ok"

        def send(self, status, body, ctype, extra=()):
            self.record(status)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            mode = self.fault()
            status = re.fullmatch(r"(\d{3})(?: retry-after=(\S+))?", mode)
            if status:
                extra = [("Retry-After", status.group(2))] if status.group(2) else []
                return self.send(int(status.group(1)), b"injected failure", "text/plain", extra)
            if mode == "stall":
                self.record("stall")
                # Until the client gives up: its close makes the socket readable (EOF).
                select.select([self.connection], [], [], args.lifetime)
                self.close_connection = True
                return
            if mode == "reset":
                self.record("reset")
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            if mode.startswith("body:"):
                return self.send(200, mode[5:].encode(), "text/html")
            body, ctype, extra = self.route()
            if body is None:
                return self.send(404, b"not found", "text/plain")
            if mode == "corrupt":
                body = body[:-1] + bytes([body[-1] ^ 0xFF])
            if mode in ("truncate", "partial-stall"):
                self.record(mode)
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                if mode == "partial-stall":
                    select.select([self.connection], [], [], args.lifetime)
                self.close_connection = True
                return
            wanted = self.headers.get("Range")
            if args.ranges and wanted and self.path.startswith("/files/"):
                return self.send_range(wanted, body, ctype)
            etag = dict(extra).get("ETag")
            if etag and self.headers.get("If-None-Match") == etag:
                self.record(304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send(200, body, ctype, extra)

        def send_range(self, wanted, body, ctype):
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted.strip())
            if not m or not (m.group(1) or m.group(2)):
                return self.send(416, b"bad range", "text/plain")
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), len(body) - 1) if m.group(2) else len(body) - 1
            else:
                start, end = max(0, len(body) - int(m.group(2))), len(body) - 1
            if start > end:
                return self.send(416, b"unsatisfiable range", "text/plain")
            part = body[start:end + 1]
            self.record(f"206 {len(part)}")
            self.send_response(206)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(part)))
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
            self.end_headers()
            self.wfile.write(part)

        def route(self):
            path = self.path.split("?")[0]
            m = re.fullmatch(r"/simple/([^/]+)/", path)
            if m:
                files = projects().get(m.group(1))
                if files is None:
                    return None, None, ()
                body, ctype = self.page(m.group(1), files)
                extra = [("ETag", '"' + hashlib.sha256(body).hexdigest()[:16] + '"')]
                if args.max_age is not None:
                    extra.append(("Cache-Control", f"max-age={args.max_age}, public"))
                return body, ctype, extra
            m = re.fullmatch(r"/files/([^/]+?)(\.metadata)?", path)
            if m and os.path.exists(os.path.join(args.root, m.group(1))):
                full = os.path.join(args.root, m.group(1))
                if m.group(2):
                    return (wheel_metadata(full), "application/octet-stream", ()) if args.metadata else (None, None, ())
                return open(full, "rb").read(), "application/octet-stream", ()
            return None, None, ()

        def page(self, name, files):
            entries = []
            for f in files:
                full = os.path.join(args.root, f)
                data = open(full, "rb").read()
                meta = wheel_metadata(full)
                rp = re.search(rb"^Requires-Python: (.*)$", meta, re.M)
                entries.append({
                    "filename": f, "url": f"../../files/{f}",
                    "hashes": {} if args.no_hashes else {"sha256": hashlib.sha256(data).hexdigest()},
                    "requires-python": rp.group(1).decode().strip() if rp else None,
                    "yanked": yanked.get(f, False), "size": len(data),
                    "core-metadata": {"sha256": hashlib.sha256(meta).hexdigest()} if args.metadata else False,
                })
            if args.json and "json" in self.headers.get("Accept", ""):
                body = {"meta": {"api-version": "1.1"}, "name": name, "files": entries}
                return json.dumps(body).encode(), "application/vnd.pypi.simple.v1+json"
            links = []
            for e in entries:
                attrs = f'href="{e["url"]}' + "".join(f"#sha256={h}" for h in e["hashes"].values()) + '"'
                if e["requires-python"]:
                    attrs += f' data-requires-python="{html.escape(e["requires-python"])}"'
                if e["yanked"] is not False:
                    attrs += f' data-yanked="{html.escape(e["yanked"] or "")}"'
                if e["core-metadata"]:
                    attrs += f' data-core-metadata="sha256={e["core-metadata"]["sha256"]}"'
                links.append(f"<a {attrs}>{e['filename']}</a><br/>")
            page = "<!DOCTYPE html><html><head><meta name=\"pypi:repository-version\" content=\"1.0\"></head>"
            return (page + "<body>" + "\n".join(links) + "</body></html>").encode(), "text/html"

    port = free_port()
    server = (tls_server(args, lock) if args.certfile else ThreadingHTTPServer)(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"PORT {port}", flush=True)
    server.serve_forever()


def tls_server(args, lock):
    """ThreadingHTTPServer with TLS on each accepted connection, the handshake in the connection's thread."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.certfile, args.keyfile)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)

    class TLSServer(ThreadingHTTPServer):
        def finish_request(self, request, client_address):
            connection = context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
            try:
                connection.do_handshake()
            except (ssl.SSLError, OSError) as error:
                if args.log:
                    with lock, open(args.log, "a") as log:
                        log.write(f"TLS {getattr(error, 'reason', None) or error}\n")
                # Half-close and drain, so that the client reads the alert rather than a reset.
                try:
                    socket.socket.shutdown(connection, socket.SHUT_WR)
                    connection.settimeout(5)
                    while socket.socket.recv(connection, 4096):
                        pass
                except OSError:
                    pass
                connection.close()
                return
            try:
                super().finish_request(connection, client_address)
            finally:
                connection.close()

    return TLSServer


def serve_pypiserver(args):
    port = free_port()
    argv = ["pypi-server", "run", "-i", "127.0.0.1", "-p", str(port), "--disable-fallback"]
    if args.htpasswd:
        argv += ["-P", args.htpasswd, "-a", "update,download,list"]
    else:
        argv += ["-P", ".", "-a", "."]
    argv.append(args.root)
    sys.argv = argv
    threading.Thread(target=announce, args=(port,), daemon=True).start()
    from pypiserver.__main__ import main
    main()


def announce(port):
    for _ in range(1200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            print(f"PORT {port}", flush=True)
            return
        except OSError:
            time.sleep(0.05)
    print("FAILED to start", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["pypiserver", "simple"])
    parser.add_argument("--root", required=True)
    parser.add_argument("--lifetime", type=float, default=150)
    parser.add_argument("--htpasswd")
    parser.add_argument("--plan")
    parser.add_argument("--log")
    parser.add_argument("--yanked")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--metadata", action="store_true")
    parser.add_argument("--ranges", action="store_true")
    parser.add_argument("--max-age", type=int)
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    parser.add_argument("--client-ca")
    parser.add_argument("--no-hashes", action="store_true")
    args = parser.parse_args()
    timer = threading.Timer(args.lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    (serve_pypiserver if args.kind == "pypiserver" else serve_simple)(args)

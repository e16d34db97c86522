"""A moto server on 127.0.0.1 for the deploy tests, driven over stdin/stdout.

Prints the port it listens on, then answers one JSON command per stdin line with one JSON line:
  {"cmd": "log", "key": K}                         requests signed with access key id K since the last
                                                   "log" for K (drained), so parallel tests stay apart
  {"cmd": "create_function", "name": N, "zip": P}  a python3.12 x86_64 function with the zip at path P;
      optional "runtime", "architecture", "handler", and "image": "1" for a container-image function
  {"cmd": "create_bucket", "name": B}
  {"cmd": "role"}                                  the ARN of the execution role (also assumable via STS)
  {"cmd": "function", "name": N}                   configuration, versions and aliases
  {"cmd": "layer", "arn": A}                       a layer version's description, compatibles and hash
  {"cmd": "object", "bucket": B, "key": K}         size and SHA-256 (hex) of the stored object
  {"cmd": "presign", "bucket": B, "key": K}        a presigned GET URL of the object (what Lambda answers
                                                   as a layer's Content.Location, which moto leaves "s3://")
  {"cmd": "container_credentials", "token": T, "key": K, "secret": S, "session": X}
      starts an ECS-style container credentials endpoint on 127.0.0.1 that answers K/S/X to requests
      whose Authorization header is T (401 otherwise); returns its URL. Its requests are logged under
      key "container".
Stops when stdin closes (the test process ended), so it never outlives the tests.
"""
import hashlib
import http.server
import json
import sys
import threading

import boto3
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

seen = []
seen_lock = threading.Lock()


def recording(app):
    def wrapped(environ, start_response):
        headers = sorted(k[5:].lower().replace("_", "-") for k in environ if k.startswith("HTTP_"))
        entry = {
            "method": environ["REQUEST_METHOD"],
            "path": environ.get("PATH_INFO", ""),
            "query": environ.get("QUERY_STRING", ""),
            "headers": headers,
            "checksum": environ.get("HTTP_X_AMZ_CHECKSUM_SHA256", ""),
            "authorization": environ.get("HTTP_AUTHORIZATION", "").split(" ")[0],
            "key": environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2].partition("/")[0],
        }
        with seen_lock:
            seen.append(entry)
        return app(environ, start_response)
    return wrapped


server = make_server("127.0.0.1", 0, recording(DomainDispatcherApplication(create_backend_app)), threaded=True)
port = server.server_address[1]
threading.Thread(target=server.serve_forever, daemon=True).start()

session = boto3.session.Session(aws_access_key_id="fixture", aws_secret_access_key="fixture-secret",
                                region_name="us-east-1")
endpoint = f"http://127.0.0.1:{port}"
iam = session.client("iam", endpoint_url=endpoint)
lam = session.client("lambda", endpoint_url=endpoint)
s3 = session.client("s3", endpoint_url=endpoint)
role = iam.create_role(RoleName="pexify-deploy-test", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))["Role"]["Arn"]
print(port, flush=True)


def handle(command):
    cmd = command["cmd"]
    if cmd == "log":
        with seen_lock:
            out = [entry for entry in seen if entry["key"] == command["key"]]
            seen[:] = [entry for entry in seen if entry["key"] != command["key"]]
        return out
    if cmd == "create_function":
        if command.get("image"):
            config = lam.create_function(FunctionName=command["name"], Role=role, PackageType="Image",
                                         Code={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/fn:latest"})
            return {"RevisionId": config.get("RevisionId")}
        with open(command["zip"], "rb") as f:
            code = f.read()
        config = lam.create_function(FunctionName=command["name"], Runtime=command.get("runtime", "python3.12"),
                                     Role=role, Handler=command.get("handler", "lambda_function.handler"),
                                     Architectures=[command.get("architecture", "x86_64")], Code={"ZipFile": code})
        return {"CodeSha256": config["CodeSha256"], "RevisionId": config.get("RevisionId")}
    if cmd == "role":
        return role
    if cmd == "layer":
        arn = command["arn"]
        name, version = arn.rsplit(":", 1)
        layer = lam.get_layer_version(LayerName=name, VersionNumber=int(version))
        return {key: layer.get(key) for key in ("Description", "CompatibleRuntimes", "CompatibleArchitectures")} | {
            "CodeSha256": layer["Content"]["CodeSha256"], "CodeSize": layer["Content"]["CodeSize"]}
    if cmd == "presign":
        return s3.generate_presigned_url("get_object", Params={"Bucket": command["bucket"], "Key": command["key"]},
                                         ExpiresIn=600)
    if cmd == "container_credentials":
        return serve_container_credentials(command)
    if cmd == "create_bucket":
        s3.create_bucket(Bucket=command["name"])
        return {}
    if cmd == "function":
        config = lam.get_function_configuration(FunctionName=command["name"])
        versions = lam.list_versions_by_function(FunctionName=command["name"])["Versions"]
        aliases = lam.list_aliases(FunctionName=command["name"])["Aliases"]
        return {
            "CodeSha256": config["CodeSha256"],
            "CodeSize": config["CodeSize"],
            "LastUpdateStatus": config.get("LastUpdateStatus"),
            "State": config.get("State"),
            "Runtime": config.get("Runtime"),
            "Architectures": config.get("Architectures"),
            "Handler": config.get("Handler"),
            "MemorySize": config.get("MemorySize"),
            "Timeout": config.get("Timeout"),
            "Description": config.get("Description"),
            "Environment": config.get("Environment", {}).get("Variables", {}),
            "Layers": [layer["Arn"] for layer in config.get("Layers", [])],
            "versions": {v["Version"]: v["CodeSha256"] for v in versions},
            "aliases": {a["Name"]: a["FunctionVersion"] for a in aliases},
        }
    if cmd == "object":
        body = s3.get_object(Bucket=command["bucket"], Key=command["key"])["Body"].read()
        return {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    raise ValueError(f"unknown command {cmd!r}")


def serve_container_credentials(command):
    answer = json.dumps({"AccessKeyId": command["key"], "SecretAccessKey": command["secret"],
                         "Token": command["session"], "Expiration": "2099-01-01T00:00:00Z"}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            authorized = self.headers.get("Authorization") == command["token"]
            with seen_lock:
                seen.append({"method": "GET", "path": self.path, "query": "", "headers": [], "checksum": "",
                             "authorization": "token" if authorized else "", "key": "container"})
            self.send_response(200 if authorized else 401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer if authorized else b'{"message": "bad token"}')

        def log_message(self, *args):
            pass

    endpoint = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=endpoint.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{endpoint.server_address[1]}/v2/credentials/{command['key']}"


for line in sys.stdin:
    try:
        reply = {"ok": handle(json.loads(line))}
    except Exception as error:  # the test prints this as its failure
        reply = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(reply), flush=True)
server.shutdown()

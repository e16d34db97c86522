"""pexify's PEP 517 driver: runs one build-backend hook, or describes the interpreter, or unpacks an sdist.

Started by pexify as `python -S -s pexify_pep517.py REQUEST.json`; the request is a JSON object and the
answer is written as JSON to request["result"] (never to stdout, which belongs to the backend's output).
Build environments are plain directories; each is added with site.addsitedir so its .pth files work.
https://peps.python.org/pep-0517/
"""
import json
import os
import sys


def describe(request):
    import platform
    glibc = ""
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        pass
    return {
        "implementation": sys.implementation.name,
        "version": platform.python_version(),
        "major": sys.version_info[0],
        "minor": sys.version_info[1],
        "machine": platform.machine(),
        "sys_platform": sys.platform,
        "glibc": glibc.split(" ")[-1] if glibc.startswith("glibc") else "",
    }


def unpack(request):
    """Extracts the sdist into request["destination"]; returns the directory holding pyproject.toml/setup.py."""
    source, destination = request["sdist"], request["destination"]
    if source.endswith(".zip"):
        import zipfile
        with zipfile.ZipFile(source) as archive:
            for name in archive.namelist():
                target = os.path.realpath(os.path.join(destination, name))
                if not target.startswith(os.path.realpath(destination) + os.sep):
                    raise ValueError("the sdist member %r points outside the archive" % name)
            archive.extractall(destination)
    else:
        import tarfile
        with tarfile.open(source) as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(destination, filter="data")
            else:
                for member in archive.getmembers():
                    target = os.path.realpath(os.path.join(destination, member.name))
                    if not target.startswith(os.path.realpath(destination) + os.sep) or member.issym() or member.islnk():
                        raise ValueError("the sdist member %r is a link or points outside the archive" % member.name)
                archive.extractall(destination)
    entries = [e for e in os.listdir(destination) if not e.startswith(".")]
    root = os.path.join(destination, entries[0]) if len(entries) == 1 else destination
    return {"root": root}


def static_metadata(request):
    """PEP 643: PKG-INFO of metadata version 2.2 or later whose dependency fields are not Dynamic."""
    path = os.path.join(request["source"], "PKG-INFO")
    if not os.path.isfile(path):
        return {"metadata": None}
    from email.parser import BytesParser
    with open(path, "rb") as handle:
        data = handle.read()
    headers = BytesParser().parsebytes(data, headersonly=True)
    version = tuple(int(part) for part in (headers.get("Metadata-Version") or "1.0").split(".")[:2] if part.isdigit())
    dynamic = {value.strip().lower() for value in headers.get_all("Dynamic") or []}
    if version < (2, 2) or dynamic & {"requires-dist", "requires-python", "provides-extra", "version", "name"}:
        return {"metadata": None}
    return {"metadata": path}


def load_backend(request):
    for entry in reversed(request.get("backend_path") or []):
        sys.path.insert(0, os.path.abspath(entry))
    module_name, _, attribute = request["backend"].partition(":")
    import importlib
    backend = importlib.import_module(module_name)
    for part in filter(None, attribute.split(".")):
        backend = getattr(backend, part)
    return backend


def hook(request):
    backend = load_backend(request)
    name, output = request["hook"], request.get("output")
    if name == "get_requires_for_build_wheel":
        function = getattr(backend, name, None)
        return {"requires": list(function(None)) if function else []}
    if name == "prepare_metadata_for_build_wheel":
        function = getattr(backend, name, None)
        if function is None:
            wheel = backend.build_wheel(output, None, None)
            import zipfile
            with zipfile.ZipFile(os.path.join(output, wheel)) as archive:
                member = next(n for n in archive.namelist()
                              if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
                target = os.path.join(output, "METADATA")
                with open(target, "wb") as handle:
                    handle.write(archive.read(member))
            return {"metadata": target}
        directory = function(output, None)
        return {"metadata": os.path.join(output, directory, "METADATA")}
    if name == "build_wheel":
        return {"wheel": os.path.join(output, backend.build_wheel(output, None, None))}
    raise ValueError("unknown hook %r" % name)


def main():
    with open(sys.argv[1], "rb") as handle:
        request = json.load(handle)
    import site
    for directory in request.get("environment") or []:
        site.addsitedir(directory)
    action = {"describe": describe, "unpack": unpack, "static_metadata": static_metadata}.get(request["action"], hook)
    if "source" in request:
        os.chdir(request["source"])
    answer = action(request)
    with open(request["result"], "w") as handle:
        json.dump(answer, handle)


if __name__ == "__main__":
    main()

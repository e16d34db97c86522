"""Assemble a pexify PEX with the standard library only, the way PexLayout.swift lays it out.

Used to develop and benchmark the Python bootstrap (Sources/Pex/Resources/bootstrap) without the
Swift build; the Swift tests build the same archive with our own writer.

  python build_pex.py OUT.pex --wheel W.whl ... [--sources DIR] [--entry-point SPEC]
                      [--console-script NAME] [--inherit-path fallback] [--python-shebang SHEBANG]
"""

import argparse
import hashlib
import json
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
BOOTSTRAP = os.path.join(HERE, "..", "..", "..", "Sources", "Pex", "Resources", "bootstrap")
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib")
DATE = (1980, 1, 1, 0, 0, 0)


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def installed_entries(wheel_path):
    """(install path, bytes, executable) of a wheel, with <name>.data/{purelib,platlib} merged at
    the root and the other schemes dropped (the fixture wheels need no more)."""
    entries = []
    with zipfile.ZipFile(wheel_path) as wheel:
        for info in wheel.infolist():
            if info.is_dir():
                continue
            parts = info.filename.split("/")
            if parts[0].endswith(".data"):
                if parts[1] not in ("purelib", "platlib"):
                    continue
                parts = parts[2:]
            executable = bool((info.external_attr >> 16) & 0o111)
            entries.append(("/".join(parts), wheel.read(info), executable))
    return entries


def console_scripts(entries):
    scripts = {}
    for path, data, _ in entries:
        if path.endswith(".dist-info/entry_points.txt"):
            section = None
            for line in data.decode("utf-8").splitlines():
                line = line.strip()
                if line.startswith("["):
                    section = line.strip("[]")
                elif section == "console_scripts" and "=" in line:
                    name, _, value = line.partition("=")
                    scripts[name.strip()] = value.split("[")[0].strip()
    return scripts


def source_entries(directory):
    entries = []
    for base, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(".pyc"):
                continue
            path = os.path.join(base, name)
            with open(path, "rb") as stream:
                entries.append((os.path.relpath(path, directory).replace(os.sep, "/"), stream.read(),
                                os.access(path, os.X_OK)))
    return entries


def bootstrap_entries():
    entries = []
    for path, data, _ in source_entries(BOOTSTRAP):
        if path != "pexify_stub.py":
            entries.append((".bootstrap/" + path, data, False))
    return entries


def code_hash(entries):
    digest = hashlib.sha256()
    for path, data, _ in sorted(entries):
        digest.update(path.encode("utf-8") + b"\0" + sha256(data).encode("ascii") + b"\n")
    return digest.hexdigest()


def build(output, wheels, sources=None, entry_point=None, console_script=None,
          inherit_path="fallback", shebang=None):
    files = {}
    distributions, extracted, scripts = {}, [], {}
    for wheel in wheels:
        name = os.path.basename(wheel)
        with open(wheel, "rb") as stream:
            distributions[name] = sha256(stream.read())
        entries = installed_entries(wheel)
        if any(path.endswith(NATIVE_SUFFIXES) for path, _, _ in entries):
            extracted.append(name)
        scripts.update(console_scripts(entries))
        for path, data, executable in entries:
            files[".deps/" + name + "/" + path] = (data, executable)
    user = source_entries(sources) if sources else []
    for path, data, executable in user:
        files[path] = (data, executable)
    boot = bootstrap_entries()
    for path, data, executable in boot:
        files[path] = (data, executable)
    if console_script:
        entry_point = scripts[console_script]
    info = {
        "bootstrap_hash": code_hash(boot),
        "code_hash": code_hash(user),
        "distributions": distributions,
        "extracted_distributions": sorted(extracted),
        "inherit_path": inherit_path,
        "requirements": [],
    }
    if entry_point:
        info["entry_point"] = entry_point
    info["pex_hash"] = sha256(canonical_json(info))
    with open(os.path.join(BOOTSTRAP, "pexify_stub.py"), "rb") as stream:
        stub = stream.read()
    files["PEX-INFO"] = (canonical_json(info), False)
    files["__main__.py"] = (stub, False)
    files["__pex__/__init__.py"] = (stub, False)

    directories = set()
    for path in files:
        parts = path.split("/")[:-1]
        for index in range(1, len(parts) + 1):
            directories.add("/".join(parts[:index]) + "/")
    shebang = shebang or "#!/usr/bin/env python%d.%d" % sys.version_info[:2]
    temporary = output + ".tmp"
    with open(temporary, "wb") as stream:
        stream.write(shebang.encode("utf-8") + b"\n")
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(list(files) + list(directories)):
                entry = zipfile.ZipInfo(path, DATE)
                if path in directories:
                    entry.external_attr = (0o40755 << 16) | 0x10
                    archive.writestr(entry, b"", zipfile.ZIP_STORED)
                else:
                    data, executable = files[path]
                    entry.external_attr = (0o100755 if executable else 0o100644) << 16
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(entry, data)
    os.chmod(temporary, 0o755)
    os.replace(temporary, output)
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--wheel", action="append", default=[])
    parser.add_argument("--sources")
    parser.add_argument("--entry-point")
    parser.add_argument("--console-script")
    parser.add_argument("--inherit-path", default="fallback")
    parser.add_argument("--python-shebang")
    arguments = parser.parse_args()
    build(arguments.output, arguments.wheel, arguments.sources, arguments.entry_point,
          arguments.console_script, arguments.inherit_path, arguments.python_shebang)


if __name__ == "__main__":
    main()

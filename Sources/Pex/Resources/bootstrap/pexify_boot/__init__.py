"""Runtime of a pexify PEX: activates the archive's dependencies and runs its entry point.

Layout of the PEX (a zip, possibly behind a shebang, or a directory it was unpacked to):
  PEX-INFO                 canonical JSON written by pexify (see PexInfo.swift)
  .deps/<wheel file name>/ one installed wheel per distribution
  .bootstrap/pexify_boot/  this package
  <user code>              at the root

Pure-Python distributions are imported straight from the zip; the ones PEX-INFO lists under
`extracted_distributions` (native code, or code that needs real files) are unpacked once into
PEX_ROOT, keyed by their fingerprint. Must run on CPython 3.8 to 3.14.
"""

import os
import sys

_active = None


def _verbosity():
    try:
        return int(os.environ.get("PEX_VERBOSE", "0") or "0")
    except ValueError:
        return 0


def log(message, level=1):
    if _verbosity() >= level:
        sys.stderr.write("pexify: %s\n" % message)


class Pex(object):
    """One activated PEX: where it lives and what its PEX-INFO says."""

    def __init__(self, root, is_zip, info):
        self.root = root
        self.is_zip = is_zip
        self.info = info
        self.dependency_paths = []

    @classmethod
    def load(cls, root):
        import json

        is_zip = os.path.isfile(root)
        if is_zip:
            import zipimport

            data = zipimport.zipimporter(root).get_data(root + "/PEX-INFO")
        else:
            with open(os.path.join(root, "PEX-INFO"), "rb") as stream:
                data = stream.read()
        return cls(root, is_zip, json.loads(data.decode("utf-8")))

    def dependency_path(self, wheel):
        return self.root + "/.deps/" + wheel

    def resolve_dependency_paths(self):
        """The sys.path entry of every distribution, extracting into PEX_ROOT what must be real files."""
        distributions = self.info.get("distributions", {})
        extracted = set(self.info.get("extracted_distributions", ())) if self.is_zip else set()
        paths = {}
        if extracted:
            from pexify_boot import pex_root

            paths.update(pex_root.extracted_paths(
                self.root, dict((wheel, distributions[wheel]) for wheel in extracted)))
        return [paths.get(wheel) or self.dependency_path(wheel) for wheel in sorted(distributions)]


def _is_stdlib(entry):
    if "site-packages" in entry or "dist-packages" in entry:
        return False
    for prefix in (sys.base_prefix, sys.base_exec_prefix):
        if entry == prefix or entry.startswith(prefix + os.sep):
            return True
    return False


def _arrange_sys_path(root, dependency_paths, inherit_path):
    """Order sys.path as: PEX root, the interpreter's stdlib, our dependencies, and the host's other
    entries (site-packages, PYTHONPATH, a Lambda runtime's own dirs) after them for `fallback`
    (the default), before them for `prefer`, or not at all for `false`."""
    stdlib, others, seen = [], [], set([root])
    for entry in sys.path:
        if entry in seen or (entry and os.path.abspath(entry) == root):
            continue
        seen.add(entry)
        (stdlib if entry and _is_stdlib(entry) else others).append(entry)
    if inherit_path == "false":
        others = []
    if inherit_path == "prefer":
        sys.path[:] = [root] + stdlib + others + dependency_paths
    else:
        sys.path[:] = [root] + stdlib + dependency_paths + others


def _inherit_path(info):
    value = os.environ.get("PEX_INHERIT_PATH") or info.get("inherit_path") or "fallback"
    if value not in ("false", "prefer", "fallback"):
        raise SystemExit(
            "pexify: PEX_INHERIT_PATH=%r is not one of false, prefer, fallback." % value)
    return value


def activate(root):
    """Put the PEX at `root` and its dependencies on sys.path, once per process; returns the Pex."""
    global _active
    if _active is not None:
        if _active.root != root:
            log("a PEX is already active (%s); ignoring %s" % (_active.root, root))
        return _active
    pex = Pex.load(root)
    pex.dependency_paths = pex.resolve_dependency_paths()
    _arrange_sys_path(root, pex.dependency_paths, _inherit_path(pex.info))
    if pex.is_zip:
        from pexify_boot import bytecode

        bytecode.install(pex)
    log("activated %s: sys.path=%r" % (root, sys.path), level=2)
    _active = pex
    return pex


def install_alias_finder():
    from pexify_boot import alias

    alias.install()


def main(root):
    """Run the PEX as a program: PEX_INTERPRETER, PEX_SCRIPT, PEX_MODULE, the baked entry point,
    else act as the Python interpreter."""
    pex = activate(root)
    os.environ["PEX"] = os.path.realpath(root)
    # The dispatch variables are meant for this PEX only, not for processes its code starts; a re-exec
    # with interpreter options gets them back.
    original = dict(os.environ)
    interpreter = os.environ.pop("PEX_INTERPRETER", "").lower() in ("1", "true")
    script = os.environ.pop("PEX_SCRIPT", None)
    module = os.environ.pop("PEX_MODULE", None)
    os.environ.pop("PEX_INHERIT_PATH", None)

    from pexify_boot import entry

    if interpreter:
        entry.run_interpreter(sys.argv[1:], original)
    elif script:
        entry.run_console_script(script, pex.dependency_paths)
    elif module or pex.info.get("entry_point"):
        entry.run_entry_point(module or pex.info["entry_point"])
    else:
        entry.run_interpreter(sys.argv[1:], original)

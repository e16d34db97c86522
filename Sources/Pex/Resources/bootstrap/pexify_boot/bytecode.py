"""Import from the PEX zip with compiled code cached under PEX_ROOT.

CPython's zipimport never caches bytecode for sources in an archive (and, up to 3.12, compiles each
module twice: once to find its file name, once to run it), so a large pure-Python dependency would
be recompiled on every start. This importer is zipimport with two changes: file names are worked
out from the archive's index without compiling, and code objects are kept in
PEX_ROOT/bytecode/1/<cache tag>[.opt-N]/<content hash>/<path>c, where the content hash is the
distribution's fingerprint (or the PEX's code hash for user code). The key says what the source is,
so entries never need an mtime check and are shared by every PEX that carries the same wheel.
"""

import marshal
import os
import sys
import zipimport
from importlib.machinery import ModuleSpec
from importlib.util import MAGIC_NUMBER, spec_from_loader

import _imp

from pexify_boot import log, pex_root


class CachingZipImporter(zipimport.zipimporter):
    """zipimport for one directory of the PEX (root, a `.deps/<wheel>` chroot or a package in it)
    whose sources start at `chroot` and are cached under `cache_dir`."""

    def __init__(self, path, chroot, cache_dir):
        zipimport.zipimporter.__init__(self, path)
        self._chroot = chroot
        self._cache_dir = cache_dir

    def get_filename(self, fullname):
        name = fullname.rpartition(".")[2]
        if self.is_package(fullname):
            return self.archive + "/" + self.prefix + name + "/__init__.py"
        return self.archive + "/" + self.prefix + name + ".py"

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        cached = os.path.join(self._cache_dir, path[len(self._chroot) + 1:] + "c")
        try:
            with open(cached, "rb") as stream:
                data = stream.read()
            if data[:4] == MAGIC_NUMBER:
                code = marshal.loads(memoryview(data)[4:])
                _imp._fix_co_filename(code, path)
                return code
        except (OSError, ValueError, EOFError, TypeError):
            pass
        try:
            source = self.get_data(path)
        except OSError:  # Not a source file (a wheel shipping only .pyc): plain zipimport.
            return zipimport.zipimporter.get_code(self, fullname)
        code = compile(source, path, "exec", dont_inherit=True)
        if not sys.dont_write_bytecode:
            _write(cached, MAGIC_NUMBER + marshal.dumps(code))
        return code

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(self.get_code(module.__name__), module.__dict__)

    if not hasattr(zipimport.zipimporter, "find_spec"):  # CPython 3.8 and 3.9

        def get_data(self, pathname):
            # Their resource reader asks for `pkg/resource`, which only makes sense relative to the
            # directory the package was found in, not to the archive root.
            if not pathname.startswith(self.archive + "/") and not os.path.isabs(pathname):
                pathname = self._chroot + "/" + pathname
            return zipimport.zipimporter.get_data(self, pathname)

        def find_spec(self, fullname, target=None):
            loader, portions = self.find_loader(fullname)
            if loader is not None:
                return spec_from_loader(fullname, self, is_package=self.is_package(fullname))
            if portions:
                spec = ModuleSpec(fullname, None, is_package=True)
                spec.submodule_search_locations.extend(portions)
                return spec
            return None


def _write(path, data):
    temporary = "%s.%d.tmp" % (path, os.getpid())
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as error:
        log("could not cache bytecode at %s: %s" % (path, error), level=2)


class _PathHook(object):
    """Path hook: a CachingZipImporter for directories of the PEX archive, else declines."""

    def __init__(self, archive, hashes, cache):
        self.archive, self.hashes, self.cache = archive, hashes, cache

    def __call__(self, path):
        archive = self.archive
        if not path.startswith(archive + "/") and path != archive:
            raise ImportError("not in the PEX archive")
        parts = path[len(archive) + 1:].split("/")
        if parts[0] == ".deps" and len(parts) > 1 and parts[1] in self.hashes:
            chroot, content_hash = archive + "/.deps/" + parts[1], self.hashes[parts[1]]
        elif parts[0] in (".deps", ".bootstrap"):
            raise ImportError("not served from the bytecode cache")
        else:
            chroot, content_hash = archive, self.hashes[""]
        return CachingZipImporter(path, chroot, os.path.join(self.cache, content_hash))


def install(pex):
    """Serve imports from `pex` (a zip) through CachingZipImporter."""
    tag = sys.implementation.cache_tag
    if tag is None:
        return
    if sys.flags.optimize:  # -O and -OO compile differently, as CPython's `.opt-N.pyc` names say.
        tag += ".opt-%d" % sys.flags.optimize
    hashes = dict(pex.info.get("distributions", {}))
    hashes[""] = pex.info.get("code_hash", "")
    cache = os.path.join(pex_root.writable_root(), "bytecode", "1", tag)
    sys.path_hooks.insert(0, _PathHook(pex.root, hashes, cache))
    for path in list(sys.path_importer_cache):
        if path == pex.root or path.startswith(pex.root + "/"):
            del sys.path_importer_cache[path]

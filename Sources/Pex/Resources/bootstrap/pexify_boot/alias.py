"""`import __pex__.pkg.mod` yields the activated module `pkg.mod` under both names.

The finder works on names, not on a scan of the archive, so anything importable once the PEX is
active is reachable through `__pex__.`: user modules, dependencies and PEP 420 namespace packages
whose portions come from several places.
"""

import sys
from importlib.machinery import ModuleSpec

PREFIX = "__pex__."


class _AliasLoader(object):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        __import__(self.target)
        return sys.modules[self.target]

    def exec_module(self, module):
        pass  # The real module was executed when it was imported under its own name.


class AliasFinder(object):
    """Meta path finder serving `__pex__.<name>` as the module `<name>` (the same object)."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(PREFIX):
            return None
        return ModuleSpec(fullname, _AliasLoader(fullname[len(PREFIX):]))

    def invalidate_caches(self):
        pass


def install():
    if not any(isinstance(finder, AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())

"""`pexify invoke --check`: imports the handler and every top-level module the function ships, in the
Lambda layout `invoke.py` prepared, and records how each import went.

Started as `python -S -X importtime check.py OPT_DIR HANDLER RESULTS` with the task root as working
directory and Lambda's environment. Appends one JSON line per step to RESULTS: `{"shipped": [names]}`
(the top-level names whose import times matter), then `{"module", "origin"}` before an import and
`{"module", "origin", "seconds", "errorType", "errorMessage", "traceback"}` after it, so that an import
which kills the interpreter (a native library built for another glibc, a segfault) is still named: it
is the last line without an answer.

Modules come from the task root, the layer directories and, in a PEX, `.deps/<wheel>/` (after the PEX
has been activated through `__pex__`, as a handler `__pex__.module.function` does). Each is imported
once, handler first, so an import's time includes whatever it imports that nothing imported before.
"""

import json
import keyword
import os
import site
import sys
import time
import traceback

# Top-level names that are scripts, not modules a function imports.
SKIPPED = {"__main__", "__pex__", "setup", "conftest"}


def module_names(directory):
    """The importable top-level names in a directory: modules, extension modules, regular packages, and
    the first-level packages of namespace packages."""
    names = []
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return names

    def identifier(name):
        return name.isidentifier() and not keyword.iskeyword(name)

    for entry in entries:
        path = os.path.join(directory, entry)
        if os.path.isdir(path):
            if not identifier(entry) or entry == "__pycache__":
                continue
            if any(name.startswith("__init__.") for name in os.listdir(path)):
                names.append(entry)
            else:
                names.extend("%s.%s" % (entry, sub) for sub in module_names(path) if "." not in sub)
        elif entry.endswith(".py"):
            if identifier(entry[:-3]):
                names.append(entry[:-3])
        elif entry.endswith((".so", ".pyd")) and identifier(entry.split(".")[0]):
            names.append(entry.split(".")[0])
    return [name for name in dict.fromkeys(names) if name not in SKIPPED]


def user_traceback(error):
    """The traceback without this script's and importlib's own frames."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename != __file__ and not frame.filename.startswith("<frozen ")
              and not frame.filename.endswith(os.path.join("importlib", "__init__.py"))]
    return "".join(["Traceback (most recent call last):\n"] + traceback.format_list(frames)
                   + traceback.format_exception_only(type(error), error))


def main():
    opt_dir, handler, results_path = sys.argv[1:4]
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    version = "python%d.%d" % sys.version_info[:2]
    layer_dirs = [os.path.join(opt_dir, "python", "lib", version, "site-packages"), os.path.join(opt_dir, "python")]
    sys.path[0:0] = [task_root] + layer_dirs
    for directory in [task_root] + layer_dirs:
        site.addsitedir(directory)

    results = open(results_path, "w")

    def record(**fields):
        results.write(json.dumps(fields) + "\n")
        results.flush()

    def attempt(module, origin, attribute=None):
        record(module=module, origin=origin)
        start = time.perf_counter()
        try:
            # `__import__` goes through the interpreter's C import path, which `-X importtime` times;
            # `importlib.import_module` would not be measured.
            __import__(module)
            imported = sys.modules[module]
            if attribute is not None and not callable(getattr(imported, attribute, None)):
                raise AttributeError("Handler '%s' missing on module '%s'" % (attribute, module))
        except (Exception, SystemExit) as error:
            record(module=module, origin=origin, seconds=time.perf_counter() - start,
                   errorType=type(error).__name__, errorMessage=str(error), traceback=user_traceback(error))
            return False
        record(module=module, origin=origin, seconds=time.perf_counter() - start)
        return True

    modules = []
    pex = os.path.isdir(os.path.join(task_root, "__pex__"))
    if pex and not attempt("__pex__", "PEX runtime"):
        return
    modules.extend((name, "function") for name in module_names(task_root))
    deps = os.path.join(task_root, ".deps")
    if pex and os.path.isdir(deps):
        for wheel in sorted(os.listdir(deps)):
            modules.extend((name, wheel) for name in module_names(os.path.join(deps, wheel)))
    for directory in layer_dirs:
        modules.extend((name, "layer " + os.path.relpath(directory, opt_dir)) for name in module_names(directory))

    module_part, _, function = handler.rpartition(".")
    handler_module = module_part.replace("/", ".")
    record(shipped=sorted({name.split(".")[0] for name, _ in modules} | {handler_module.split(".")[0]}))
    attempt(handler_module, "handler", attribute=function)
    for name, origin in modules:
        if name not in sys.modules and name != handler_module:
            attempt(name, origin)


if __name__ == "__main__":
    main()

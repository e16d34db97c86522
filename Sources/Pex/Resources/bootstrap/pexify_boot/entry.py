"""What a PEX runs: an entry point, a console script, or the Python interpreter itself."""

import os
import sys

# Interpreter options that take a value (`-W error`, `-X importtime`); other options are flags.
_OPTIONS_WITH_VALUE = ("-W", "-X")


def _load_attribute(spec):
    """Import `module:attr.path` and return the attribute."""
    module_name, _, attribute = spec.partition(":")
    __import__(module_name.strip())
    target = sys.modules[module_name.strip()]
    for part in attribute.strip().split("."):
        target = getattr(target, part)
    return target


def run_entry_point(spec):
    """`module:function` calls the function and exits with its result; `module` runs it as `__main__`."""
    if ":" in spec:
        sys.exit(_load_attribute(spec)())
    import runpy

    runpy.run_module(spec, run_name="__main__", alter_sys=True)


def run_console_script(name, dependency_paths):
    """Run the console script `name` declared by one of the PEX's distributions."""
    from importlib import metadata

    found = set()
    for distribution in metadata.distributions(path=dependency_paths):
        for entry_point in distribution.entry_points:
            if entry_point.group == "console_scripts" and entry_point.name == name:
                found.add(entry_point.value)
    if len(found) != 1:
        problem = "is not declared by any" if not found else "is declared differently by several"
        raise SystemExit("pexify: the console script %r %s of this PEX's distributions." % (name, problem))
    sys.argv[0] = name
    run_entry_point(found.pop())


def _fresh_main():
    import builtins

    main = type(sys)("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    return main


def _run_source(source, filename, argv):
    sys.argv = argv
    main = _fresh_main()
    exec(compile(source, filename, "exec"), main.__dict__)


def _repl():
    import code

    try:
        import readline  # noqa: F401 -- line editing and history for the prompt
    except ImportError:
        pass
    sys.argv = [""]
    banner = "Python %s on %s\n(pexify PEX interpreter; Ctrl-D to exit)" % (sys.version, sys.platform)
    code.interact(banner=banner, local=_fresh_main().__dict__, exitmsg="")


def _reexec_with_options(args, environment):
    """`./app.pex -u -X dev script.py` → `python -u -X dev app.pex script.py`."""
    options = []
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "-" \
            and args[index][:2] not in ("-c", "-m"):
        options.append(args[index])
        if args[index] in _OPTIONS_WITH_VALUE and index + 1 < len(args):
            index += 1
            options.append(args[index])
        index += 1
    argv = [sys.executable] + options + [sys.argv[0]] + args[index:]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, environment)


def run_interpreter(args, environment):
    """Behave like `python [options] (-c CODE | -m MODULE | - | SCRIPT | nothing) [args]`; leading
    interpreter options re-execute Python with them, in `environment`."""
    if not args:
        if sys.stdin.isatty():
            _repl()
        else:
            _run_source(sys.stdin.read(), "<stdin>", [""])
        return
    first = args[0]
    if first == "-c" or (first.startswith("-c") and len(first) > 2):
        if first == "-c":
            if len(args) < 2:
                raise SystemExit("Argument expected for the -c option")
            source, rest = args[1], args[2:]
        else:
            source, rest = first[2:], args[1:]
        _run_source(source, "<string>", ["-c"] + rest)
    elif first == "-m" or (first.startswith("-m") and len(first) > 2):
        if first == "-m":
            if len(args) < 2:
                raise SystemExit("Argument expected for the -m option")
            module, rest = args[1], args[2:]
        else:
            module, rest = first[2:], args[1:]
        import runpy

        sys.argv = [module] + rest
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    elif first == "-":
        _run_source(sys.stdin.read(), "<stdin>", args)
    elif first.startswith("-"):
        _reexec_with_options(args, environment)
    else:
        import runpy

        sys.argv = list(args)
        sys.path.insert(0, os.path.dirname(os.path.abspath(first)))
        runpy.run_path(first, run_name="__main__")

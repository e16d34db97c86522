"""Time start-up of a pexify PEX against the same imports from a flat directory.

  python measure.py APP.PEX FLAT_DIR LOOSE_DIR [--handler handler] [--runs 10]

HANDLER is a user module of the PEX (e.g. `import numpy, pandas`), also present in FLAT_DIR.
Reports wall-clock and CPU (user+sys) seconds per run, median over the runs, for:
  flat      python -c 'import HANDLER' with FLAT_DIR (every wheel installed at its root) on sys.path
  pex -c    ./APP.PEX -c 'import HANDLER'
  __pex__   python -c 'import __pex__.HANDLER' with APP.PEX on sys.path
  loose     the same `__pex__` import with LOOSE_DIR (the PEX unzipped, as on AWS Lambda) on sys.path
First run = with an empty PEX_ROOT (and no __pycache__ in FLAT_DIR); warm = every later run.
Bytecode writing is enabled for every case (PYTHONDONTWRITEBYTECODE is dropped).
CPU time is the useful figure on a shared machine; wall time includes waiting for the CPU.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command, environment):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=environment, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def clear_pycache(directory):
    for base, dirs, _ in os.walk(directory):
        if "__pycache__" in dirs:
            shutil.rmtree(os.path.join(base, "__pycache__"))
            dirs.remove("__pycache__")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pex")
    parser.add_argument("flat")
    parser.add_argument("loose")
    parser.add_argument("--handler", default="handler")
    parser.add_argument("--runs", type=int, default=10)
    arguments = parser.parse_args()
    python = sys.executable
    imports = "import " + arguments.handler
    pex_root = tempfile.mkdtemp(prefix="pexify-measure-")
    environment = dict(os.environ, PEX_ROOT=pex_root)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    pex, flat, loose = (os.path.abspath(p) for p in (arguments.pex, arguments.flat, arguments.loose))
    cases = [
        ("flat", [python, "-c", "import sys; sys.path.insert(0, %r); %s" % (flat, imports)],
         lambda: clear_pycache(flat)),
        ("pex -c", [python, pex, "-c", imports], lambda: shutil.rmtree(pex_root, True)),
        ("__pex__", [python, "-c", "import sys; sys.path.insert(0, %r); import __pex__.%s"
                     % (pex, arguments.handler)], lambda: shutil.rmtree(pex_root, True)),
        ("loose", [python, "-c", "import sys; sys.path.insert(0, %r); import __pex__.%s"
                   % (loose, arguments.handler)], lambda: (clear_pycache(loose), shutil.rmtree(pex_root, True))),
    ]
    print("%-8s %14s %14s %14s %14s" % ("case", "first wall", "first cpu", "warm wall", "warm cpu"))
    for name, command, reset in cases:
        reset()
        first = timed(command, environment)
        warm = [timed(command, environment) for _ in range(arguments.runs)]
        print("%-8s %13.3fs %13.3fs %13.3fs %13.3fs" % (
            name, first[0], first[1], statistics.median(w for w, _ in warm),
            statistics.median(c for _, c in warm)))
        sys.stdout.flush()
    shutil.rmtree(pex_root, True)


if __name__ == "__main__":
    main()

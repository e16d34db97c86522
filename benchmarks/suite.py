"""The benchmark suite: pexify's layouts side by side with pex, shiv, uv, pip and cp.

Run through `benchmarks/run.sh`, which installs the peers into benchmarks/.venv-bench, builds pexify and
pexify-bench in release mode and then calls this script with the venv's Python:

    python suite.py --pexify PATH --bench PATH [--quick] [--repeats N] [--huge-repeats N]
                    [--workloads small,data,huge] [--no-micro]

Every tool builds from the same local wheelhouse with `--no-index --find-links`, with caches warmed by
one untimed run (the pexify "cold" rows use a fresh --cache-dir each time). Repeats are interleaved
(round-robin over the tools, start rotated each round) so that drift in machine load hits all tools
alike. Writes results/<date>.md and results/<date>.png.
"""

import argparse
import datetime
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
VENV_BIN = os.path.dirname(os.path.abspath(sys.executable))
STATE = os.path.join(HERE, ".venv-bench")
WHEELHOUSE = os.path.join(STATE, "wheelhouse")
TIME = "/usr/bin/time"

# name -> (requirements, modules imported to check an output and to time cold starts)
WORKLOADS = {
    "small": (["requests"], ["requests"]),
    "data": (["numpy", "pandas", "pydantic"], ["numpy", "pandas", "pydantic"]),
    "huge": (["torch"], ["torch"]),
}


class Failure(Exception):
    pass


# ---------------------------------------------------------------------------------------------- helpers

def log(message):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


def measured(command, env, cwd=None):
    """Runs `command` under /usr/bin/time; returns (wall seconds, peak RSS MiB of the largest process,
    CPU seconds: user + system of the command and its children, from this process's rusage of its
    children, in microseconds: /usr/bin/time prints CPU in hundredths, too coarse for a 30 ms build)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run([TIME, "-f", "%M", "-o", rss.name] + command, env=env, cwd=cwd,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            tail = result.stdout.decode("utf-8", "replace")[-3000:]
            raise Failure("%s exited %d:\n%s" % (" ".join(command), result.returncode, tail))
        kib = int(rss.read().strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, kib / 1024.0, cpu


def shell(script):
    """A command line for `measured` that runs a shell snippet (peak RSS is then the largest child's)."""
    return ["/bin/sh", "-ec", script]


def quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def rmtree(path):
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def tool_version(command, starting="", prefix=""):
    """The first line of the command's output that starts with `starting`, after `prefix`."""
    try:
        out = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=True).stdout
        return prefix + next(l for l in out.decode().splitlines() if l.startswith(starting)).strip()
    except (OSError, subprocess.CalledProcessError, StopIteration):
        return prefix + "?"


def load_average():
    with open("/proc/loadavg") as stream:
        return " ".join(stream.read().split()[:3])


def seconds_text(value):
    return "%.3f s" % value if value < 0.1 else "%.2f s" % value if value < 10 else "%.1f s" % value


def size_text(size):
    return "%.1f MB" % (size / 1e6)


# --------------------------------------------------------------------------------------------- workloads

def find_links_directories():
    """pip's find-links directories: $PIP_FIND_LINKS and `pip config list`."""
    values = os.environ.get("PIP_FIND_LINKS", "").split()
    config = subprocess.run([os.path.join(VENV_BIN, "pip"), "config", "list"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL).stdout.decode()
    for line in config.splitlines():
        match = re.match(r"[\w:.-]*find-links='(.*)'$", line.strip())
        if match:
            values.extend(match.group(1).split())
    directories = []
    for value in values:
        path = value[len("file://"):] if value.startswith("file://") else value
        if os.path.isdir(path) and path not in directories:
            directories.append(path)
    return directories


def local_torch_wheel():
    """The torch wheel for this Python in pip's find-links directories, if any (the biggest one)."""
    tag = "cp%d%d" % sys.version_info[:2]
    found = []
    for directory in find_links_directories():
        for name in os.listdir(directory):
            if name.startswith("torch-") and name.endswith(".whl") and "-%s-" % tag in name and "x86_64" in name:
                found.append(os.path.join(directory, name))
    return max(found, key=os.path.getsize) if found else None


def prepare_wheelhouse(name):
    """Downloads the workload's wheels for this interpreter into WHEELHOUSE/<name> (once)."""
    directory = os.path.join(WHEELHOUSE, name)
    done = os.path.join(directory, ".complete")
    if os.path.exists(done):
        return directory
    requirements = list(WORKLOADS[name][0])
    extra = []
    if name == "huge":
        wheel = local_torch_wheel()
        if wheel:
            requirements = [wheel]
        else:
            # No local wheel: the index's torch; set BENCH_TORCH_INDEX to a CPU-only index to keep it small.
            index = os.environ.get("BENCH_TORCH_INDEX")
            extra = ["--extra-index-url", index] if index else []
    log("downloading the %s workload into %s" % (name, directory))
    rmtree(directory)
    partial = directory + ".partial"
    rmtree(partial)
    subprocess.run([os.path.join(VENV_BIN, "pip"), "download", "-q", "--only-binary=:all:", "-d", partial]
                   + extra + requirements, check=True)
    os.rename(partial, directory)
    open(done, "w").close()
    return directory


def wheels_of(directory):
    return sorted(os.path.join(directory, n) for n in os.listdir(directory) if n.endswith(".whl"))


# ----------------------------------------------------------------------------------------------- tools

class Tool(object):
    """One way to build an artifact from a workload: `command(output, run_index)` returns the command
    line; `output_kind` says how to check and count the result."""

    def __init__(self, name, family, kind, command, warmup=None, before=None, after=None):
        self.name = name
        self.family = family  # "pexify", "peer" or "floor"
        self.kind = kind  # "zip", "layer", "pex", "pyz" or "copy"
        self.command = command
        self.warmup = warmup  # command run once, untimed, before the repeats (fills caches)
        self.before = before  # called before each run (e.g. a fresh cache directory)
        self.after = after


class Context(object):
    def __init__(self, args, workload, wheelhouse, scratch):
        self.args = args
        self.workload = workload
        self.wheelhouse = wheelhouse
        self.scratch = scratch
        self.requirements = WORKLOADS[workload][0]
        self.modules = WORKLOADS[workload][1]
        self.pex_root = os.path.join(scratch, "pex-root")
        self.uv_cache = os.path.join(scratch, "uv-cache")
        self.pexify_cache = os.path.join(scratch, "pexify-cache")
        self.env = dict(os.environ)
        # Every tool sees the workload's wheelhouse only: no pip config (this machine's find-links).
        self.env.pop("PIP_FIND_LINKS", None)
        self.env["PIP_CONFIG_FILE"] = os.devnull
        self.env["PEX_ROOT"] = self.pex_root
        self.env["UV_CACHE_DIR"] = self.uv_cache
        self.env["UV_NO_CONFIG"] = "1"

    def output(self, tool):
        return os.path.join(self.scratch, "out", tool.name.replace(" ", "_").replace("+", "").replace("/", ""))


def host_platform():
    """pexify's abbreviated platform and manylinux level for this interpreter and glibc."""
    version = "%d.%d.%d" % sys.version_info[:3]
    tag = "cp%d%d" % sys.version_info[:2]
    libc, libc_version = platform.libc_ver()
    major, minor = libc_version.split(".")[:2]
    return "linux_%s-cp-%s-%s" % (platform.machine(), version, tag), "manylinux_%s_%s" % (major, minor)


def make_tools(context):
    args = context.args
    python = sys.executable
    house = context.wheelhouse
    reqs = context.requirements
    platform_string, manylinux = host_platform()

    def pexify(layout, cache):
        suffix = ".pex" if layout == "pex" else ".zip"

        def command(output):
            return ([args.pexify, "build", "--layout", layout, "--platform", platform_string,
                     "--manylinux", manylinux, "--no-index", "--find-links", house, "--cache-dir", cache(output),
                     "--no-size-check", "-o", output + suffix] + reqs)
        return command

    def warm_cache(output):
        return context.pexify_cache

    def cold_cache(output):
        return output + ".cache"

    def fresh_cold_cache(output):
        rmtree(output + ".cache")

    tools = []
    for layout in ("zip", "layer", "pex"):
        tools.append(Tool("pexify %s (warm)" % layout, "pexify", layout, pexify(layout, warm_cache)))
        tools.append(Tool("pexify %s (cold)" % layout, "pexify", layout, pexify(layout, cold_cache),
                          before=fresh_cold_cache, after=fresh_cold_cache))
    tools[0].warmup = pexify("zip", warm_cache)

    def pex(output):
        return ["pex", "--no-index", "--find-links", house, "--python", python, "-o", output + ".pex"] + reqs

    def pex_flat(output):
        return ["pex3", "venv", "create", "--layout", "flat-zipped", "--no-index", "--find-links", house,
                "--python", python, "-d", output] + reqs

    def install_and_zip(installer):
        def command(output):
            target = output + ".target"
            return shell("%s --target %s %s\ncd %s\nzip -qr %s ." % (
                installer, quote(target), " ".join(quote(r) for r in reqs), quote(target), quote(output + ".zip")))
        return command

    uv = "uv pip install -q --no-index --find-links %s --python %s" % (quote(house), quote(python))
    pip = "pip install -q --no-index --find-links %s" % quote(house)

    def shiv(output):
        return ["shiv", "-o", output + ".pyz", "--python", "/usr/bin/env python3", "--no-index",
                "--find-links", house] + reqs

    def copy(output):
        os.makedirs(output, exist_ok=True)
        return ["cp"] + wheels_of(house) + [output]

    def clean_target(output):
        rmtree(output + ".target")

    tools += [
        Tool("pex (PEX zipapp)", "peer", "pex", pex, warmup=pex),
        Tool("pex3 venv flat-zipped", "peer", "zip", pex_flat),
        Tool("uv + zip", "peer", "zip", install_and_zip(uv), warmup=install_and_zip(uv),
             before=clean_target, after=clean_target),
    ]
    # pip + zip and shiv (pip + zipapp) are never the fastest peer; on huge they cost minutes per run.
    if context.workload != "huge" or args.all_peers_on_huge:
        tools.append(Tool("pip + zip", "peer", "zip", install_and_zip(pip), before=clean_target, after=clean_target))
        tools.append(Tool("shiv", "peer", "pyz", shiv))
    tools.append(Tool("cp of the wheels", "floor", "copy", copy))
    return tools


def artifact_of(context, tool):
    """The file a tool wrote (or the directory for cp)."""
    output = context.output(tool)
    for suffix in (".zip", ".pex", ".pyz"):
        if os.path.exists(output + suffix):
            return output + suffix
    if os.path.isdir(output):
        return output
    raise Failure("%s wrote nothing at %s.*" % (tool.name, output))


def clean_outputs(context, tool):
    output = context.output(tool)
    for suffix in ("", ".zip", ".pex", ".pyz", ".target"):
        rmtree(output + suffix)


def size_and_entries(path):
    if os.path.isdir(path):
        files = [os.path.join(path, n) for n in os.listdir(path)]
        return sum(os.path.getsize(f) for f in files), len(files)
    with zipfile.ZipFile(path) as archive:
        return os.path.getsize(path), len(archive.infolist())


# ------------------------------------------------------------------------------------- checks, cold start

def import_line(modules):
    return "import %s" % ", ".join(modules)


def run_python(arguments, env, cwd=None):
    start = time.perf_counter()
    result = subprocess.run([sys.executable] + arguments, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise Failure("python %s failed:\n%s" % (" ".join(arguments), result.stdout.decode()[-2000:]))
    return seconds


def clean_env(context, pex_root):
    env = dict(context.env)
    env.pop("PYTHONPATH", None)
    env["PEX_ROOT"] = pex_root
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def import_from_directory(context, directory, modules):
    env = clean_env(context, os.path.join(context.scratch, "check-root"))
    env["PYTHONPATH"] = directory
    return run_python(["-c", import_line(modules)], env, cwd=context.scratch)


def check_output(context, tool, path):
    """Imports the workload's packages from the artifact; returns 'ok' or raises."""
    modules = context.modules
    if tool.kind == "copy":
        return "(input)"
    if tool.kind in ("zip", "layer"):
        unpacked = path + ".unpacked"
        rmtree(unpacked)
        with zipfile.ZipFile(path) as archive:
            archive.extractall(unpacked)
        try:
            import_from_directory(context, os.path.join(unpacked, "python") if tool.kind == "layer" else unpacked,
                                  modules)
        finally:
            rmtree(unpacked)
        return "ok"
    env = clean_env(context, os.path.join(context.scratch, "check-root"))
    env["SHIV_ROOT"] = os.path.join(context.scratch, "shiv-root")
    run_python([path, "-c", import_line(modules)], env, cwd=context.scratch)
    if tool.family == "pexify":
        env["PYTHONPATH"] = path
        run_python(["-c", "import __pex__; " + import_line(modules)], env, cwd=context.scratch)
    return "ok"


def cold_start(context, zip_path, pexify_pex, pex_pex, repeats):
    """First-run and warm time to import the workload's packages, per way of running them."""
    modules = context.modules
    code = import_line(modules)
    rows = []

    def series(name, arguments, env_for, prepare):
        prepare()
        first = run_python(arguments, env_for(), cwd=context.scratch)
        warm = [run_python(arguments, env_for(), cwd=context.scratch) for _ in range(repeats)]
        rows.append((name, first, statistics.median(warm), min(warm), max(warm)))

    root = os.path.join(context.scratch, "coldstart-root")

    def fresh_root():
        rmtree(root)

    def env_plain():
        return clean_env(context, root)

    series("python -c pass (interpreter alone)", ["-c", "pass"], env_plain, fresh_root)

    flat = zip_path + ".unpacked"

    def unpack():
        rmtree(flat)
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(flat)

    def env_flat():
        env = clean_env(context, root)
        env["PYTHONPATH"] = flat
        return env

    series("flat zip, unzipped (pexify --layout zip)", ["-c", code], env_flat, unpack)
    rmtree(flat)

    def env_pex_path():
        env = clean_env(context, root)
        env["PYTHONPATH"] = pexify_pex
        return env

    series("pexify PEX via `import __pex__` (Lambda handler)", ["-c", "import __pex__; " + code], env_pex_path,
           fresh_root)
    series("pexify PEX (`python app.pex -c ...`)", [pexify_pex, "-c", code], env_plain, fresh_root)
    series("pex PEX (`python app.pex -c ...`)", [pex_pex, "-c", code], env_plain, fresh_root)
    fresh_root()
    return rows


# --------------------------------------------------------------------------------------------- the run

class Result(object):
    def __init__(self, tool):
        self.tool = tool
        self.times = []
        self.rss = []
        self.cpu = []
        self.size = None
        self.entries = None
        self.works = "?"

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def median_cpu(self):
        return statistics.median(self.cpu)


def run_workload(args, name):
    wheelhouse = prepare_wheelhouse(name)
    scratch = os.path.join(STATE, "scratch", name)
    rmtree(scratch)
    os.makedirs(os.path.join(scratch, "out"))
    context = Context(args, name, wheelhouse, scratch)
    tools = make_tools(context)
    peer_repeats = args.huge_repeats if name == "huge" else args.repeats
    # pexify and cp runs are cheap and their ratio is a goal: they get --floor-repeats runs everywhere, so
    # that one run slowed by the writeback of an earlier tool's output does not decide the median.
    repeats_of = dict((tool.name, peer_repeats if tool.family == "peer" else max(peer_repeats, args.floor_repeats))
                      for tool in tools)
    repeats = max(repeats_of.values())
    results = [Result(tool) for tool in tools]

    for tool in tools:
        if tool.warmup:
            log("%s: warm-up %s" % (name, tool.name))
            output = context.output(tool)
            measured(tool.warmup(output), context.env)
            clean_outputs(context, tool)

    for round_index in range(repeats):
        start = round_index % len(results)
        for result in results[start:] + results[:start]:
            tool = result.tool
            if round_index >= repeats_of[tool.name]:
                continue
            output = context.output(tool)
            clean_outputs(context, tool)
            if tool.before:
                tool.before(output)
            command = tool.command(output)
            # Each run starts with no dirty pages to write back: a 200 MB output of the run before would
            # otherwise throttle this run's writes, whichever tool it is.
            os.sync()
            seconds, rss, cpu = measured(command, context.env)
            if tool.after:
                tool.after(output)
            result.times.append(seconds)
            result.rss.append(rss)
            result.cpu.append(cpu)
            log("%s round %d: %-26s %7.2f s %7.1f MiB" % (name, round_index + 1, tool.name, seconds, rss))
            last_round = round_index == repeats_of[tool.name] - 1
            if not last_round:
                clean_outputs(context, tool)

    for result in results:
        path = artifact_of(context, result.tool)
        result.size, result.entries = size_and_entries(path)
        try:
            result.works = check_output(context, result.tool, path)
        except Failure as failure:
            log("%s: %s does not work: %s" % (name, result.tool.name, failure))
            result.works = "FAILED"

    def path_of(tool_name):
        return artifact_of(context, next(r.tool for r in results if r.tool.name == tool_name))

    log("%s: cold-start measurements" % name)
    starts = cold_start(context, path_of("pexify zip (warm)"), path_of("pexify pex (warm)"),
                        path_of("pex (PEX zipapp)"), args.start_repeats)
    wheels = wheels_of(wheelhouse)
    workload = {
        "name": name,
        "requirements": WORKLOADS[name][0],
        "wheels": [os.path.basename(w) for w in wheels],
        "wheel_bytes": sum(os.path.getsize(w) for w in wheels),
        "repeats": "%d run(s) per peer, %d per pexify configuration and cp" % (peer_repeats, repeats),
        "results": results,
        "starts": starts,
    }
    rmtree(scratch)
    return workload


def run_micro(args, stamp):
    """The Swift micro-benchmarks (zip, model sections); returns the result files they wrote."""
    # Not the resolve section: it measures the network index, and this suite runs offline.
    command = [args.bench, "zip", "model"] + (["--quick"] if args.quick else [])
    log("micro-benchmarks: %s" % " ".join(command))
    env = dict(os.environ)
    # The zip section's deflate corpus: the data workload's wheels unless the caller names a wheelhouse.
    env.setdefault("PEXIFY_TEST_WHEELHOUSE", prepare_wheelhouse("data"))
    env.setdefault("PEXIFY_TEST_PYTHON", sys.executable)
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return ["%s-%s.md" % (section, stamp) for section in ("zip", "model")]


# ------------------------------------------------------------------------------------------- reporting

COMPARISONS = [
    # (label, pexify tool, peer tools for that kind of artifact)
    ("zip layout", "pexify zip (warm)", ["uv + zip", "pip + zip", "pex3 venv flat-zipped"]),
    ("layer layout", "pexify layer (warm)", ["uv + zip", "pip + zip", "pex3 venv flat-zipped"]),
    ("pex layout", "pexify pex (warm)", ["pex (PEX zipapp)", "shiv"]),
]


def by_name(workload, name):
    for result in workload["results"]:
        if result.tool.name == name:
            return result
    return None


def comparisons(workload):
    rows = []
    floor = by_name(workload, "cp of the wheels")
    for label, ours, peers in COMPARISONS:
        mine = by_name(workload, ours)
        candidates = [by_name(workload, p) for p in peers]
        candidates = [c for c in candidates if c is not None]
        best = min(candidates, key=lambda r: r.median)
        rows.append({"label": label, "ours": mine, "best": best, "speedup": best.median / mine.median,
                     "vs_cp": mine.median / floor.median})
    return rows


def write_report(args, workloads, micro_files, started, load_before, path):
    lines = []
    add = lines.append
    add("# pexify benchmarks, %s" % started.strftime("%Y-%m-%d %H:%M UTC"))
    add("")
    with open("/proc/cpuinfo") as stream:
        cpu = next((l.split(":", 1)[1].strip() for l in stream if l.startswith("model name")), "?")
    git = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE).stdout.decode().strip()
    add("Machine: %d cores (%s), %s, Python %s. Load average %s before and %s after (the machine is shared)."
        % (os.cpu_count(), cpu, platform.platform(), platform.python_version(), load_before, load_average()))
    versions = [tool_version(["pex", "--version"], prefix="pex "), tool_version(["uv", "--version"]),
                tool_version(["pip", "--version"]).split(" from ")[0], tool_version(["shiv", "--version"]),
                tool_version(["zip", "-v"], starting="This is Zip").split(" (")[0]]
    add("pexify at commit %s; %s." % (git, "; ".join(versions)))
    add("")
    add("Every tool builds from the workload's local wheelhouse with `--no-index --find-links`; caches are "
        "warmed by one untimed run (pexify's warm cache, PEX_ROOT, the uv cache). pexify (cold) uses a fresh "
        "`--cache-dir` per run, so it verifies every wheel (sha256, every entry inflated once). Times are wall "
        "clock of the whole command: median of the runs with min–max; runs are interleaved across tools. Peak "
        "RSS is the largest process's (`/usr/bin/time -f %M`). Works = the workload's packages import from "
        "the artifact (flat zips unzipped, layers from `python/`, PEX/pyz run with `-c`, pexify's PEX also "
        "through `import __pex__`).")
    add("")
    if args.quick:
        add("**Quick mode** (one run, small workload): a smoke test of the suite, not a measurement.")
        add("")

    add("## Summary: pexify against the fastest peer")
    add("")
    for workload in workloads:
        for row in comparisons(workload):
            add("- %s, %s workload: pexify %s, best peer (%s) %s, **%.0f×**; %.1f× the time of `cp` of the wheels."
                % (row["label"], workload["name"], seconds_text(row["ours"].median), row["best"].tool.name,
                   seconds_text(row["best"].median), row["speedup"], row["vs_cp"]))
    add("")
    add("## Goals")
    add("")
    for line in goal_lines(workloads):
        add("- " + line)
    add("")

    for workload in workloads:
        add("## Workload `%s`: %s" % (workload["name"], " ".join(workload["requirements"])))
        add("")
        add("%d wheels, %s: %s. %s." % (
            len(workload["wheels"]), size_text(workload["wheel_bytes"]), ", ".join(workload["wheels"]),
            workload["repeats"]))
        add("")
        add("| Tool | Median | Min–max | CPU (median) | Peak RSS | Output | Entries | Works | × pexify zip (warm) |")
        add("|---|---:|---:|---:|---:|---:|---:|---|---:|")
        reference = by_name(workload, "pexify zip (warm)").median
        for result in workload["results"]:
            add("| %s | %s | %s–%s | %s | %.0f MiB | %s | %d | %s | %.1f× |" % (
                result.tool.name, seconds_text(result.median), seconds_text(min(result.times)),
                seconds_text(max(result.times)), seconds_text(result.median_cpu), max(result.rss),
                size_text(result.size), result.entries, result.works, result.median / reference))
        add("")
        add("Cold start: time from process start until the workload's packages are imported "
            "(`%s`). First = the first run after extraction / with an empty PEX_ROOT (no bytecode yet); "
            "warm = median (min–max) of %d later runs. The unzipped flat directory is writable here, so "
            "its warm runs use `__pycache__`; on Lambda /var/task is read-only and every cold start is a "
            "first run." % (import_line(WORKLOADS[workload["name"]][1]), args.start_repeats))
        add("")
        add("| Run as | First | Warm | Warm min–max |")
        add("|---|---:|---:|---:|")
        for name, first, warm, low, high in workload["starts"]:
            add("| %s | %s | %s | %s–%s |" % (name, seconds_text(first), seconds_text(warm), seconds_text(low),
                                              seconds_text(high)))
        add("")

    add("## Swift micro-benchmarks")
    add("")
    add("Same entry point (`benchmarks/run.sh`, or `swift run -c release pexify-bench [zip|model] [--quick]`): "
        + ", ".join("[%s](%s)" % (f, f) for f in micro_files) + ".")
    add("")
    add("![chart](%s)" % os.path.basename(path).replace(".md", ".png"))
    add("")
    with open(path, "w") as stream:
        stream.write("\n".join(lines))


# How close to `cp` of its wheels a warm build of each workload must come.
CP_GOALS = {"data": 3.0, "huge": 2.0}


def goal_lines(workloads):
    lines = []
    named = dict((w["name"], w) for w in workloads)
    for name, limit in sorted(CP_GOALS.items()):
        workload = named.get(name)
        if workload is None:
            lines.append("10× the fastest peer and within %g× of cp on `%s`: not measured in this run." % (limit, name))
            continue
        for row in comparisons(workload):
            if row["label"] == "layer layout":
                continue
            fast = row["speedup"] >= 10
            near = row["vs_cp"] <= limit
            lines.append("%s, %s: %.1f× the fastest peer (goal ≥ 10×: %s); %.1f× cp (goal ≤ %g×: %s)." % (
                row["label"], name, row["speedup"], "met" if fast else "MISSED by %.1f×" % (10 / row["speedup"]),
                row["vs_cp"], limit, "met" if near else "MISSED by %.2f×" % (row["vs_cp"] / limit)))
        for layout in ("zip", "pex"):
            warm = by_name(workload, "pexify %s (warm)" % layout)
            lines.append("pexify %s (warm), %s: wall %s, CPU %s (goal: wall below CPU on %d cores: %s)." % (
                layout, name, seconds_text(warm.median), seconds_text(warm.median_cpu), os.cpu_count(),
                "met" if warm.median < warm.median_cpu else "MISSED"))
    small = named.get("small")
    if small:
        warm = by_name(small, "pexify zip (warm)")
        lines.append("Small workload, pexify zip (warm), whole process: %s (goal < 30 ms: %s)." % (
            seconds_text(warm.median), "met" if warm.median < 0.030 else "MISSED"))
    huge = named.get("huge")
    if huge:
        peak = max(max(r.rss) for r in huge["results"] if r.tool.family == "pexify")
        lines.append("Peak RSS of pexify on huge: %.0f MiB (goal < 100 MiB: %s)." % (
            peak, "met" if peak < 100 else "MISSED by %.0f MiB" % (peak - 100)))
    else:
        lines.append("Peak RSS of pexify on huge: not measured in this run.")
    for workload in workloads:
        flat = next(row for row in workload["starts"] if row[0].startswith("flat zip"))
        hook = next(row for row in workload["starts"] if "__pex__" in row[0])
        ratio = hook[2] / flat[2]
        lines.append("`__pex__` warm import vs flat, %s: %s vs %s, %.2f× (goal ≤ 1.5×: %s)." % (
            workload["name"], seconds_text(hook[2]), seconds_text(flat[2]), ratio,
            "met" if ratio <= 1.5 else "MISSED by %.2f×" % (ratio / 1.5)))
    return lines


def write_chart(workloads, path, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"pexify": "#1f77b4", "peer": "#ff7f0e", "floor": "#7f7f7f"}
    count = len(workloads)
    figure, axes = plt.subplots(2, count, figsize=(6.5 * count, 10), squeeze=False,
                                gridspec_kw={"height_ratios": [3, 2]})
    for column, workload in enumerate(workloads):
        axis = axes[0][column]
        results = list(reversed(workload["results"]))
        medians = [r.median for r in results]
        low = [r.median - min(r.times) for r in results]
        high = [max(r.times) - r.median for r in results]
        axis.barh(range(len(results)), medians, xerr=[low, high], capsize=3,
                  color=[colours[r.tool.family] for r in results])
        axis.set_yticks(range(len(results)))
        axis.set_yticklabels([r.tool.name for r in results], fontsize=9)
        axis.set_xscale("log")
        axis.set_xlabel("build time, s (log scale; median, min–max)")
        axis.set_title("%s: %s (%s of wheels)" % (workload["name"], " ".join(workload["requirements"]),
                                                   size_text(workload["wheel_bytes"])))
        for index, value in enumerate(medians):
            axis.text(value * 1.08, index, seconds_text(value), va="center", fontsize=8)
        axis.set_xlim(min(medians) / 2, max(max(r.times) for r in results) * 4)
        axis.grid(axis="x", which="both", alpha=0.3)

        axis = axes[1][column]
        starts = [row for row in workload["starts"]]
        labels = [row[0].split(" (")[0] for row in starts]
        positions = range(len(starts))
        axis.barh([p + 0.2 for p in positions], [row[1] for row in starts], height=0.4, label="first run",
                  color="#d62728")
        axis.barh([p - 0.2 for p in positions], [row[2] for row in starts], height=0.4, label="warm",
                  color="#2ca02c")
        axis.set_yticks(list(positions))
        axis.set_yticklabels(labels, fontsize=9)
        axis.invert_yaxis()
        axis.set_xlabel("time to import %s, s" % ", ".join(WORKLOADS[workload["name"]][1]))
        axis.legend(fontsize=8, loc="lower right")
        axis.grid(axis="x", alpha=0.3)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    figure.legend(handles, ["pexify", "peers", "floor (cp)"], loc="upper left", fontsize=9, ncol=3)
    figure.suptitle(title, fontsize=13)
    figure.tight_layout(rect=(0, 0, 1, 0.96))
    figure.savefig(path, dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pexify", required=True, help="the pexify executable (release build)")
    parser.add_argument("--bench", help="the pexify-bench executable (Swift micro-benchmarks)")
    parser.add_argument("--quick", action="store_true", help="one run of the small workload: a smoke test")
    parser.add_argument("--repeats", type=int, default=3, help="runs per tool on small and data (default 3)")
    parser.add_argument("--huge-repeats", type=int, default=1,
                        help="runs per peer on huge (default 1; pexify and cp still get --repeats)")
    parser.add_argument("--start-repeats", type=int, default=5, help="warm cold-start runs (default 5)")
    parser.add_argument("--floor-repeats", type=int, default=7,
                        help="runs of each pexify configuration and of cp per workload (default 7)")
    parser.add_argument("--workloads", default="small,data,huge")
    parser.add_argument("--all-peers-on-huge", action="store_true",
                        help="also run pip + zip and shiv on huge (minutes each; never the fastest peer)")
    parser.add_argument("--no-micro", action="store_true", help="skip the Swift micro-benchmarks")
    args = parser.parse_args()
    os.environ["PATH"] = VENV_BIN + os.pathsep + os.environ.get("PATH", "")
    if args.quick:
        args.repeats = args.huge_repeats = args.floor_repeats = 1
        args.start_repeats = 2
        if args.workloads == parser.get_default("workloads"):
            args.workloads = "small"
    names = [n for n in args.workloads.split(",") if n]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        parser.error("unknown workload(s) %s; known: %s" % (unknown, ", ".join(WORKLOADS)))
    args.pexify = os.path.abspath(args.pexify)

    started = datetime.datetime.now(datetime.timezone.utc)
    stamp = started.strftime("%Y-%m-%d")
    load_before = load_average()
    results_dir = os.path.join(HERE, "results")
    os.makedirs(results_dir, exist_ok=True)
    micro_files = []
    if args.bench and not args.no_micro:
        micro_files = run_micro(args, stamp)
    workloads = []
    for name in names:
        workloads.append(run_workload(args, name))
    base = os.path.join(results_dir, stamp + ("-quick" if args.quick else ""))
    write_report(args, workloads, micro_files, started, load_before, base + ".md")
    write_chart(workloads, base + ".png", "pexify vs pex, shiv, uv, pip — %s%s" % (
        stamp, " (quick smoke run)" if args.quick else ""))
    log("wrote %s.md and %s.png" % (base, base))
    sys.stdout.write(open(base + ".md").read() + "\n")


if __name__ == "__main__":
    try:
        main()
    except Failure as failure:
        sys.stderr.write("suite: %s\n" % failure)
        sys.exit(1)

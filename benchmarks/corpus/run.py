"""The real-world corpus (issue 13): requirement sets of real AWS Lambda functions, each locked by pexify
and by `uv pip compile --only-binary :all:` for the same target in one run, pins compared.

    python3 benchmarks/corpus/run.py --pexify PATH [--quick | --only ID[,ID…]] [--timeout 120] [--warm]

Needs Python 3.11+ (tomllib). Creates benchmarks/corpus/.venv with the uv pinned in requirements.txt on
first use. Both tools use the index pip is configured with: pexify reads pip's configuration itself; uv
does not, so `pip config list` is mirrored into uv's environment variables (nothing is written to files).
Caches are cold by default (a fresh --cache-dir per set and tool, removed afterwards, its size recorded);
--warm keeps one cache per tool in .work/cache. Scratch files (lock files, logs) go to .work/sets/<id>.

Writes results/<date>.md (table, then failures and disagreements, each with an "Explanation:" line for
a person to fill in) and results/<date>.json (raw data). A --quick or --only run adds "-quick" / "-only".
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
WORK = os.path.join(HERE, ".work")
UV = os.path.join(VENV, "bin", "uv")

# The target data pexify embeds (platforms/lambda/<runtime>-<arch>.json): uv gets the same interpreter
# version (the full one: markers and Requires-Python such as cryptography's "!=3.9.0,!=3.9.1" depend on
# it) and the newest manylinux standard it can name that the runtime's glibc supports. uv offers no
# manylinux_2_26, so for Amazon Linux 2 runtimes (glibc 2.26, up to python3.11) it gets 2_17: wheels
# tagged 2_24/2_26 are then invisible to uv.
PLATFORMS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "platforms", "lambda")
UV_MANYLINUX_MINORS = [17, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40]
UV_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}


def uv_target(runtime, architecture):
    """(--python-version, --python-platform) for uv from the runtime's complete-platform data."""
    with open(os.path.join(PLATFORMS, "%s-%s.json" % (runtime, architecture))) as file:
        data = json.load(file)
    glibc = max(int(match.group(1)) for tag in data["compatible_tags"]
                for match in [re.search(r"manylinux_2_(\d+)_", tag)] if match)
    minor = max(m for m in UV_MANYLINUX_MINORS if m <= glibc)
    return data["marker_environment"]["python_full_version"], "%s-manylinux_2_%d" % (UV_ARCH[architecture], minor)


def log(message):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


# ------------------------------------------------------------------------------------------ set-up

def ensure_venv():
    """Creates .venv with the pinned uv, again whenever requirements.txt changes."""
    requirements = os.path.join(HERE, "requirements.txt")
    stamp = os.path.join(VENV, ".requirements.sha256")
    with open(requirements, "rb") as file:
        want = hashlib.sha256(file.read()).hexdigest()
    if os.path.exists(stamp) and open(stamp).read().strip() == want and os.path.exists(UV):
        return
    log("creating %s" % VENV)
    subprocess.run([sys.executable, "-m", "venv", "--clear", VENV], check=True)
    subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "-r", requirements], check=True)
    with open(stamp, "w") as file:
        file.write(want + "\n")


def pip_index_settings():
    """pip's effective index settings (`pip config list`; later scopes win, the environment last)."""
    rank = {"global": 0, "user": 1, "site": 2, ":env:": 3}
    try:
        text = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True,
                              text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    chosen = {}
    for line in text.splitlines():
        match = re.match(r"^([^.]*)\.([a-z-]+)='(.*)'$", line.strip())
        if not match or match.group(2) not in ("index-url", "extra-index-url", "find-links", "no-index"):
            continue
        scope, key, value = match.groups()
        if key not in chosen or rank.get(scope, 0) >= chosen[key][0]:
            chosen[key] = (rank.get(scope, 0), value)
    return {key: value for key, (_, value) in chosen.items()}


def uv_environment(settings):
    """The environment for uv: pip's index settings in uv's variables, no Python downloads, no uv.toml."""
    env = dict(os.environ)
    for name in ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_EXTRA_INDEX_URL", "UV_INDEX", "UV_FIND_LINKS",
                 "UV_NO_INDEX", "VIRTUAL_ENV"):
        env.pop(name, None)
    if "index-url" in settings:
        env["UV_INDEX_URL"] = settings["index-url"]
    if "extra-index-url" in settings:
        env["UV_EXTRA_INDEX_URL"] = " ".join(settings["extra-index-url"].split())
    if "find-links" in settings:
        env["UV_FIND_LINKS"] = ",".join(settings["find-links"].split())
    if settings.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        env["UV_NO_INDEX"] = "1"
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["UV_NO_CONFIG"] = "1"
    return env


def describe_index(settings):
    """The index set-up in words, without host names (they stay out of committed files)."""
    parts = ["pip's configured index" if "index-url" in settings else "pip's default index (none configured)"]
    if "extra-index-url" in settings:
        parts.append("%d extra index(es)" % len(settings["extra-index-url"].split()))
    if "find-links" in settings:
        parts.append("%d find-links location(s)" % len(settings["find-links"].split()))
    return ", ".join(parts)


# ------------------------------------------------------------------------------------------ running

def run(command, cwd, env, timeout, stdout_path, stderr_path):
    """Runs `command` in its own process group; kills the group at `timeout`. Returns a result dict."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                timed_out = True
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"seconds": round(seconds, 3), "exit": process.returncode, "timed_out": timed_out,
            "peak_rss_mib": round(usage.ru_maxrss / 1024.0, 1)}


def error_text(path):
    with open(path, "rb") as file:
        text = file.read().decode("utf-8", "replace")
    return text.strip()[-4000:]


def first_error_line(text):
    """The line that says what went wrong: the first error line, else the last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if re.match(r"^(error|Error|×)", line):
            # uv puts the reason on the next line ("╰─▶ Because …").
            if line in ("× No solution found when resolving dependencies:",) and index + 1 < len(lines):
                return line + " " + lines[index + 1]
            return line
    return lines[-1] if lines else ""


def directory_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def wheels_by_project(cache):
    """How many wheel files a pexify cache holds, per project (the file name's first part)."""
    counts = {}
    for _, _, files in os.walk(os.path.join(cache, "wheels")):
        for name in files:
            if name.endswith(".whl"):
                project = normalise(name.split("-", 1)[0])
                counts[project] = counts.get(project, 0) + 1
    return counts


def normalise(name):
    """PEP 503 name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pexify_pins(lock_path):
    with open(lock_path, "rb") as file:
        lock = tomllib.load(file)
    return {normalise(package["name"]): package["version"] for package in lock.get("packages", [])}


def uv_pins(text):
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?\s*==\s*([^\s;\\]+)", line)
        if match:
            pins[normalise(match.group(1))] = match.group(3)
    return pins


def tool_record(result, stderr_path, cache):
    record = dict(result)
    if result["timed_out"]:
        record["status"] = "timeout"
    elif result["exit"] != 0:
        record["status"] = "error"
    else:
        record["status"] = "ok"
    if record["status"] != "ok":
        text = error_text(stderr_path)
        record["error"] = first_error_line(text) if not result["timed_out"] else "timed out"
        record["stderr_tail"] = text[-1500:]
    if cache is not None:
        record["cache_bytes"] = directory_bytes(cache)
    return record


def run_set(entry, args, uv_env):
    set_id, runtime, arch = entry["id"], entry["runtime"], entry["architecture"]
    requirements = list(entry["requirements"])
    folder = os.path.join(WORK, "sets", set_id)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    if args.warm:
        pexify_cache, uv_cache = os.path.join(WORK, "cache", "pexify"), os.path.join(WORK, "cache", "uv")
    else:
        pexify_cache, uv_cache = os.path.join(folder, "cache-pexify"), os.path.join(folder, "cache-uv")
    record = {"id": set_id, "requirements": requirements, "runtime": runtime, "architecture": arch}

    lock_path = os.path.join(folder, "pylock.toml")
    command = [args.pexify, "lock", *requirements, "--runtime", runtime, "--architecture", arch,
               "-o", lock_path, "--json", "--cache-dir", pexify_cache]
    result = run(command, folder, dict(os.environ), args.timeout,
                 os.path.join(folder, "pexify.out"), os.path.join(folder, "pexify.err"))
    pexify = tool_record(result, os.path.join(folder, "pexify.err"), None if args.warm else pexify_cache)
    if not args.warm:
        pexify["wheels_fetched"] = wheels_by_project(pexify_cache)
    if pexify["status"] == "ok":
        try:
            pexify["pins"] = pexify_pins(lock_path)
            with open(os.path.join(folder, "pexify.out")) as file:
                summary = json.loads(file.read())
            pexify["wheels"] = sorted(d["wheel"] for d in summary.get("distributions", []))
            pexify["warnings"] = summary.get("warnings", [])
        except (OSError, ValueError, KeyError) as error:
            pexify.update(status="error", error="unreadable output: %s" % error)
    record["pexify"] = pexify

    with open(os.path.join(folder, "requirements.in"), "w") as file:
        file.write("\n".join(requirements) + "\n")
    python_version, python_platform = uv_target(runtime, arch)
    record["uv_target"] = {"python_version": python_version, "python_platform": python_platform}
    command = [UV, "pip", "compile", "requirements.in", "--only-binary", ":all:",
               "--python-platform", python_platform, "--python-version", python_version,
               "--python", os.path.join(VENV, "bin", "python"),
               "--no-header", "--no-annotate", "--cache-dir", uv_cache]
    result = run(command, folder, uv_env, args.timeout,
                 os.path.join(folder, "uv.out"), os.path.join(folder, "uv.err"))
    uv = tool_record(result, os.path.join(folder, "uv.err"), None if args.warm else uv_cache)
    if uv["status"] == "ok":
        with open(os.path.join(folder, "uv.out")) as file:
            uv["pins"] = uv_pins(file.read())
    record["uv"] = uv

    if pexify["status"] == "ok" and uv["status"] == "ok":
        ours, theirs = pexify["pins"], uv["pins"]
        wheels = {normalise(wheel.split("-", 1)[0]): wheel for wheel in pexify.get("wheels", [])}
        record["differences"] = [
            {"name": name, "pexify": ours.get(name), "uv": theirs.get(name), "pexify_wheel": wheels.get(name)}
            for name in sorted(set(ours) | set(theirs)) if ours.get(name) != theirs.get(name)]
        record["agree"] = not record["differences"]
    else:
        record["agree"] = None
    if not args.warm:
        shutil.rmtree(pexify_cache, ignore_errors=True)
        shutil.rmtree(uv_cache, ignore_errors=True)
    return record


# ------------------------------------------------------------------------------------------ report

def size(count):
    """Bytes in binary units: MiB below a GiB, GiB above."""
    return "%.1f GiB" % (count / 2.0 ** 30) if count >= 2 ** 30 else "%.1f MiB" % (count / 2.0 ** 20)


def cell(tool):
    if tool["status"] == "ok":
        count = len(tool["pins"])
        return "%d pin%s, %.1f s" % (count, "" if count == 1 else "s", tool["seconds"])
    if tool["status"] == "timeout":
        return "**timeout** %.0f s" % tool["seconds"]
    return "**exit %d**, %.1f s" % (tool["exit"], tool["seconds"])


def fetched(tool):
    """", having fetched 10.9 GiB: 2,406 wheels (botocore 1,187, …)" for a cold pexify cache."""
    counts = tool.get("wheels_fetched")
    if not counts or "cache_bytes" not in tool:
        return ""
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:4]
    return ", having fetched %s: %s wheels (%s%s)" % (
        size(tool["cache_bytes"]), format(sum(counts.values()), ","),
        ", ".join("%s %s" % (name, format(count, ",")) for name, count in top), ", …" if len(counts) > 4 else "")


def agreement(record):
    if record["agree"] is None:
        return "—"
    return "yes" if record["agree"] else "**no** (%d)" % len(record["differences"])


def render(meta, records):
    both = [r for r in records if r["agree"] is not None]
    agree = sum(1 for r in both if r["agree"])
    pexify_ok = [r for r in records if r["pexify"]["status"] == "ok"]
    uv_ok = [r for r in records if r["uv"]["status"] == "ok"]
    timeouts = [r for r in records if r["pexify"]["status"] == "timeout"]
    errors = [r for r in records if r["pexify"]["status"] == "error"]
    lines = [
        "# Real-world corpus: pexify lock vs uv pip compile, %s" % meta["date"],
        "",
        "- Sets: %d (%s); per-set timeout %d s per tool; caches %s." % (
            len(records), meta["selection"], meta["timeout"],
            "warm (one per tool, kept across sets)" if meta["warm"] else "cold (fresh per set and tool)"),
        "- pexify: `%s` (repository at %s); uv %s, `uv pip compile --only-binary :all: "
        "--python-platform ARCH-manylinux_2_N --python-version 3.X.Y`." % (
            meta["pexify_binary"], meta["commit"], meta["uv_version"]),
        "- Index: %s, the same for both tools. Host: %s, %d CPUs, load average %.1f at the start and "
        "%.1f at the end (the machine may be shared). Wall time of the whole run: %.0f s." % (
            meta["index"], meta["host"], meta["cpus"], meta["load_start"], meta["load_end"],
            meta["wall_seconds"]),
        "- uv gets the runtime's full Python version and the newest manylinux standard it can name within "
        "the runtime's glibc, both from `platforms/lambda/` (the data pexify embeds): manylinux_2_17 for "
        "python3.9–3.11 (glibc 2.26, which uv's `--python-platform` cannot name), manylinux_2_34 for "
        "python3.12+. Wheels tagged manylinux_2_24…2_26 therefore count for pexify only.",
        "",
        "## Summary",
        "",
        "| | count |",
        "|---|---|",
        "| both resolved, pins agree | %d |" % agree,
        "| both resolved, pins differ | %d |" % (len(both) - agree),
        "| pexify resolved | %d of %d |" % (len(pexify_ok), len(records)),
        "| pexify timed out | %d |" % len(timeouts),
        "| pexify failed with an error | %d |" % len(errors),
        "| uv resolved | %d of %d |" % (len(uv_ok), len(records)),
    ]
    if not meta["warm"]:
        lines.append("| downloaded into cold caches, all sets: pexify / uv | %s / %s |" % (
            size(sum(r["pexify"].get("cache_bytes", 0) for r in records)),
            size(sum(r["uv"].get("cache_bytes", 0) for r in records))))
    if both:
        ours = sorted(r["pexify"]["seconds"] for r in both)
        theirs = sorted(r["uv"]["seconds"] for r in both)
        lines.append("| median time where both resolved: pexify / uv | %.2f s / %.2f s |" % (
            ours[len(ours) // 2], theirs[len(theirs) // 2]))
    lines += [
        "",
        "## Sets",
        "",
        "Cache is the size of the tool's cold cache after the set (what it downloaded and kept); "
        "RSS is the peak resident set of the tool's process.",
        "",
        "| Set | Requirements | Target | pexify | pexify cache / RSS | uv | uv cache / RSS | Agree |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        def footprint(tool):
            cache = size(tool["cache_bytes"]) if "cache_bytes" in tool else "—"
            return "%s / %.0f MiB" % (cache, tool["peak_rss_mib"])
        lines.append("| %s | %s | %s %s | %s | %s | %s | %s | %s |" % (
            r["id"], " ".join("`%s`" % q for q in r["requirements"]), r["runtime"], r["architecture"],
            cell(r["pexify"]), footprint(r["pexify"]), cell(r["uv"]), footprint(r["uv"]), agreement(r)))
    notable = [r for r in records if r["agree"] is not True]
    lines += ["", "## Failures and disagreements", ""]
    if not notable:
        lines.append("None.")
    for r in notable:
        lines += ["### %s (%s %s)" % (r["id"], r["runtime"], r["architecture"]), ""]
        for name in ("pexify", "uv"):
            tool = r[name]
            if tool["status"] == "timeout":
                lines.append("- %s timed out after %.1f s%s" % (name, tool["seconds"], fetched(tool)))
            elif tool["status"] != "ok":
                lines.append("- %s exited %d after %.1f s%s: `%s`" % (
                    name, tool["exit"], tool["seconds"], fetched(tool),
                    tool.get("error", "").replace("`", "'")[:300]))
        for difference in r.get("differences", []):
            wheel = difference.get("pexify_wheel")
            lines.append("- `%s`: pexify %s%s, uv %s" % (
                difference["name"], difference["pexify"] or "(absent)", " (`%s`)" % wheel if wheel else "",
                difference["uv"] or "(absent)"))
        lines += ["", "Explanation:", ""]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pexify", required=True, help="the pexify binary to test")
    parser.add_argument("--sets", default=os.path.join(HERE, "sets.toml"), help="the corpus file")
    parser.add_argument("--only", action="append", default=[], help="set ids (repeatable or comma-separated)")
    parser.add_argument("--quick", action="store_true", help="only the sets marked quick")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per tool and set (default 120)")
    parser.add_argument("--warm", action="store_true", help="keep one cache per tool in .work/cache")
    parser.add_argument("--results", default=os.path.join(HERE, "results"), help="where the report goes")
    args = parser.parse_args()
    args.pexify = os.path.abspath(args.pexify)

    with open(args.sets, "rb") as file:
        corpus = tomllib.load(file)["set"]
    ids = [item for value in args.only for item in value.split(",") if item]
    unknown = sorted(set(ids) - {entry["id"] for entry in corpus})
    if unknown:
        parser.error("unknown set id(s): %s" % ", ".join(unknown))
    selected = [e for e in corpus if (not ids or e["id"] in ids) and (not args.quick or e.get("quick"))]
    selection = "--only" if ids else "--quick" if args.quick else "all"

    ensure_venv()
    settings = pip_index_settings()
    uv_env = uv_environment(settings)
    uv_version = subprocess.run([UV, "--version"], capture_output=True, text=True).stdout.split()[1]
    commit = subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "unknown"

    started, load_start = time.perf_counter(), os.getloadavg()[0]
    records = []
    for number, entry in enumerate(selected, 1):
        log("%d/%d %s: %s for %s %s" % (number, len(selected), entry["id"], " ".join(entry["requirements"]),
                                          entry["runtime"], entry["architecture"]))
        record = run_set(entry, args, uv_env)
        log("    pexify %s %.1f s, uv %s %.1f s, agree: %s" % (
            record["pexify"]["status"], record["pexify"]["seconds"], record["uv"]["status"],
            record["uv"]["seconds"], agreement(record)))
        records.append(record)

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    meta = {"date": date, "selection": selection, "timeout": args.timeout, "warm": args.warm,
            "pexify_binary": os.path.relpath(args.pexify, os.path.dirname(os.path.dirname(HERE))),
            "commit": commit, "uv_version": uv_version, "index": describe_index(settings),
            "host": "%s %s" % (platform.system(), platform.machine()), "cpus": os.cpu_count(),
            "wall_seconds": round(time.perf_counter() - started, 1),
            "load_start": round(load_start, 1), "load_end": round(os.getloadavg()[0], 1)}
    name = date + ("" if selection == "all" else "-" + selection.lstrip("-"))
    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, name + ".json"), "w") as file:
        json.dump({"meta": meta, "sets": records}, file, indent=1, sort_keys=True)
        file.write("\n")
    with open(os.path.join(args.results, name + ".md"), "w") as file:
        file.write(render(meta, records))
    log("wrote %s.md and %s.json in %s" % (name, name, os.path.relpath(args.results)))


if __name__ == "__main__":
    main()

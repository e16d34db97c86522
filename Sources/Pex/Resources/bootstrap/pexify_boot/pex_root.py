"""PEX_ROOT: the per-user cache where distributions that need real files are unpacked.

Every cache entry is a directory named by a content hash and created atomically (lock file, work
dir, rename), so any number of processes may cold-start on the same PEX_ROOT at once: one of them
unpacks, the others wait for it and reuse the result.
"""

import os
import sys

from pexify_boot import log

# Bump when the shape of an extracted distribution changes, so older entries are not reused.
DEPS_DIR = os.path.join("deps", "1")

_writable_root = None


def configured_root():
    """PEX_ROOT from the environment, else `pexify` under the user's cache directory."""
    configured = os.environ.get("PEX_ROOT")
    if configured:
        return os.path.abspath(os.path.expanduser(configured))
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "pexify")


def _is_writable_dir(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK | os.X_OK)


def _fallback_root():
    """A private directory under the temp dir, shared by this user's processes (read-only homes,
    AWS Lambda); a fresh one when that name is taken by someone else."""
    import stat

    path = os.path.join(os.environ.get("TMPDIR") or "/tmp", "pexify-root-%d" % os.getuid())
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        path = None
    if path is not None:
        status = os.lstat(path)
        if stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid() and _is_writable_dir(path):
            return path
    import tempfile

    return tempfile.mkdtemp(prefix="pexify-root-")


def writable_root():
    """The configured PEX_ROOT if it can be written, else the temp-dir fallback (decided once)."""
    global _writable_root
    if _writable_root is None:
        root = configured_root()
        if not _is_writable_dir(root):
            fallback = _fallback_root()
            log("PEX_ROOT %s is not writable; using %s" % (root, fallback))
            root = fallback
        _writable_root = root
    return _writable_root


def atomic_directory(target, populate):
    """Create `target` by calling `populate(work_dir)` unless it exists; True if this call made it.

    The holder of `.<name>.lck` (next to target) fills `.<name>.work` and renames it into place;
    a work dir found there belongs to a holder that died, so it is removed first.
    """
    if os.path.isdir(target):
        return False
    import fcntl
    import shutil

    parent, name = os.path.split(target)
    os.makedirs(parent, exist_ok=True)
    descriptor = os.open(os.path.join(parent, "." + name + ".lck"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        if os.path.isdir(target):
            return False
        work = os.path.join(parent, "." + name + ".work")
        if os.path.lexists(work):
            log("removing the stale work directory %s" % work)
            shutil.rmtree(work)
        os.mkdir(work)
        try:
            populate(work)
            os.rename(work, target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return True
    finally:
        os.close(descriptor)


def _unzip(archive, prefix, destination):
    """Write the archive's entries under `prefix` into `destination`, keeping executable bits."""
    import shutil
    import zipfile

    with zipfile.ZipFile(archive) as source:
        for info in source.infolist():
            name = info.filename
            if not name.startswith(prefix) or name == prefix:
                continue
            relative = name[len(prefix):]
            if relative.startswith("/") or ".." in relative.split("/"):
                raise RuntimeError("pexify: refusing to extract %r from %s." % (name, archive))
            path = os.path.join(destination, relative)
            if name.endswith("/"):
                os.makedirs(path, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with source.open(info) as reader, open(path, "wb") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
            if (info.external_attr >> 16) & 0o111:
                os.chmod(path, 0o755)


def extracted_paths(archive, fingerprints):
    """Map each wheel in `fingerprints` (wheel file name → fingerprint) to its unpacked directory
    under PEX_ROOT, unpacking the missing ones from `archive` (in parallel)."""
    configured = os.path.join(configured_root(), DEPS_DIR)
    paths, missing = {}, []
    for wheel, fingerprint in fingerprints.items():
        target = os.path.join(configured, fingerprint)
        if os.path.isdir(target):
            paths[wheel] = target
        else:
            missing.append(wheel)
    if not missing:
        return paths
    deps = os.path.join(writable_root(), DEPS_DIR)

    def extract(wheel):
        import time

        target = os.path.join(deps, fingerprints[wheel])
        started = time.time()
        if atomic_directory(target, lambda work: _unzip(archive, ".deps/" + wheel + "/", work)):
            log("extracted %s into %s in %.2fs" % (wheel, target, time.time() - started))
        return target

    if len(missing) == 1:
        paths[missing[0]] = extract(missing[0])
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(missing), 4)) as pool:
            paths.update(zip(missing, pool.map(extract, missing)))
    return paths

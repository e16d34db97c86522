import Foundation

/// Zips a directory tree with CPython's `zipfile` (not with our writer), the way a careful user would for
/// Lambda: sorted entries, files 0644 (0755 when executable), directories 0755, under an optional
/// `prefix` such as `python/` for a layer. Returns `zipPath`.
@discardableResult
public func pythonZip(directory: String, to zipPath: String, prefix: String = "") throws -> String {
    _ = try python("""
        import os, stat, sys, zipfile
        root, out, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for directory, dirs, files in sorted(os.walk(root)):
                relative = os.path.relpath(directory, root)
                if relative != ".":
                    info = zipfile.ZipInfo(prefix + relative + "/")
                    info.external_attr = (stat.S_IFDIR | 0o755) << 16
                    archive.writestr(info, b"")
                for name in sorted(files):
                    path = os.path.join(directory, name)
                    info = zipfile.ZipInfo(prefix + os.path.normpath(os.path.join(relative, name)))
                    mode = 0o755 if os.access(path, os.X_OK) else 0o644
                    info.external_attr = (stat.S_IFREG | mode) << 16
                    with open(path, "rb") as source:
                        archive.writestr(info, source.read(), zipfile.ZIP_DEFLATED)
        """, arguments: [directory, zipPath, prefix])
    return zipPath
}

import Foundation
import TestSupport
import Testing

/// Wheels as real projects publish them, built and imported through the real `pexify` executable.
@Suite struct RealWorldWheelTests {
    /// sniffio 1.3.1 writes METADATA and WHEEL with CRLF line ends (and pip, uv and pex install it): the
    /// build must read its name and version, and the archive must import it.
    @Test func aWheelWithCRLFMetadataBuildsAndImports() throws {
        let directory = try TemporaryDirectory("pexify-crlf")
        defer { directory.remove() }
        let wheels = directory.child("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        _ = try python(#"""
            import base64, hashlib, sys, zipfile
            files = {
                "sniffio/__init__.py": b"from ._impl import current_async_library\n",
                "sniffio/_impl.py": b"def current_async_library():\n    return 'crlf-ok'\n",
                "sniffio-1.3.1.dist-info/METADATA": b"Metadata-Version: 2.1\r\nName: sniffio\r\nVersion: 1.3.1\r\n"
                    b"Requires-Python: >=3.7\r\nLicense: MIT OR Apache-2.0\r\n\r\n.. image:: body\r\n",
                "sniffio-1.3.1.dist-info/WHEEL": b"Wheel-Version: 1.0\r\nGenerator: bdist_wheel (0.42.0)\r\n"
                    b"Root-Is-Purelib: true\r\nTag: py3-none-any\r\n\r\n",
            }
            digest = lambda b: base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
            record = "".join(f"{n},sha256={digest(b)},{len(b)}\r\n" for n, b in files.items())
            files["sniffio-1.3.1.dist-info/RECORD"] = (record + "sniffio-1.3.1.dist-info/RECORD,,\r\n").encode()
            with zipfile.ZipFile(sys.argv[1] + "/sniffio-1.3.1-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as z:
                for name, data in files.items():
                    z.writestr(name, data)
            """#, arguments: [wheels])
        let output = directory.child("function.zip")
        try PexifyCLI.succeed(["sniffio", "--layout", "zip", "--runtime", "python3.11", "-o", output,
                               "--find-links", wheels, "--no-index", "--cache-dir", directory.child("cache")])
        let imported = try python("import sys; sys.path.insert(0, sys.argv[1]); import sniffio; "
                                  + "print(sniffio.current_async_library())", arguments: [output])
        #expect(imported == "crlf-ok\n")
        let listing = try python("import sys, zipfile; print(sorted(zipfile.ZipFile(sys.argv[1]).namelist()))",
                                 arguments: [output])
        #expect(listing.contains("sniffio-1.3.1.dist-info/METADATA"))
    }
}

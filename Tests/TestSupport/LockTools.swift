import Foundation

/// The lock tools of the test venv (uv, Poetry, Pipenv from Tests/requirements.txt), run hermetically:
/// caches and configuration under a temporary directory, no interpreter downloads, no pip configuration.
public enum LockTools {
    /// `name` next to the test interpreter (`.venv-test/bin/uv`).
    public static func path(_ name: String) -> String {
        (TestEnvironment.python as NSString).deletingLastPathComponent + "/" + name
    }

    public static func available(_ names: String...) -> Bool {
        names.allSatisfy { FileManager.default.isExecutableFile(atPath: path($0)) }
    }

    /// Variables that keep every tool's caches and settings inside `directory`.
    public static func environment(_ directory: TemporaryDirectory) -> [String: String] {
        [
            "UV_CACHE_DIR": directory.child("uv-cache"), "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1",
            "POETRY_CACHE_DIR": directory.child("poetry-cache"), "POETRY_CONFIG_DIR": directory.child("poetry-config"),
            "POETRY_DATA_DIR": directory.child("poetry-data"), "POETRY_VIRTUALENVS_CREATE": "false",
            "PIPENV_VENV_IN_PROJECT": "1", "PIPENV_IGNORE_VIRTUALENVS": "1", "PIPENV_CACHE_DIR": directory.child("pipenv-cache"),
            "PIPENV_PYTHON": TestEnvironment.python, "PIPENV_NOSPIN": "1", "PIPENV_YES": "1",
            "PIP_CONFIG_FILE": "/dev/null", "VIRTUAL_ENV": "",
        ]
    }

    /// Runs a tool of the venv and requires exit status 0; returns its stdout.
    @discardableResult
    public static func run(_ name: String, _ arguments: [String], in directory: TemporaryDirectory,
                           currentDirectory: String? = nil) throws -> String {
        let result = try TestSupport.run(path(name), arguments, environment: environment(directory),
                                         currentDirectory: currentDirectory)
        guard result.status == 0 else {
            throw PythonFailure(code: "\(name) \(arguments.joined(separator: " "))", result: result)
        }
        return result.stdout
    }

    /// The distributions installed in a directory or zip archive, as sorted `name version` lines
    /// (names normalised by `packaging`), read from each `*.dist-info/METADATA`.
    public static func distributions(in location: String) throws -> [String] {
        try python(#"""
import email.parser, os, sys, zipfile
from packaging.utils import canonicalize_name
path = sys.argv[1]
if os.path.isdir(path):
    texts = [open(os.path.join(path, d, "METADATA"), encoding="utf-8").read()
             for d in os.listdir(path) if d.endswith(".dist-info")]
else:
    with zipfile.ZipFile(path) as z:
        texts = [z.read(n).decode() for n in z.namelist()
                 if n.count("/") == 1 and n.split("/")[0].endswith(".dist-info") and n.endswith("/METADATA")]
for text in texts:
    m = email.parser.Parser().parsestr(text)
    print(canonicalize_name(m["Name"]), m["Version"])
"""#, arguments: [location]).split(separator: "\n").map(String.init).sorted()
    }
}

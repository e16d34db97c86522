import Foundation
@testable import Installer
import TestSupport
import Testing
import ZipArchive

/// What `--slim` leaves out of a wheel, and the `RECORD` it leaves behind.
@Suite struct WheelSlimmingTests {
    @Test func unusedFilesGoAndRecordListsTheRest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheel = TestWheel(name: "demo", files: [
            "demo/__init__.py": "x = 1\n", "demo/__init__.pyi": "x: int\n", "demo/py.typed": "",
            "demo/__pycache__/__init__.cpython-312.pyc": "target", "demo/__pycache__/__init__.cpython-312.opt-1.pyc": "target",
            "demo/__pycache__/__init__.cpython-39.pyc": "other", "demo/legacy.py": "", "demo/legacy.pyc": "py2",
            "demo/sourceless.pyc": "only", "demo/include/demo.h": "int f(void);", "demo/lib/libdemo.a": "!<arch>\n",
            "demo-1.0.data/headers/api.h": "int g(void);",
        ])
        var plan = try WheelInstallPlan(wheelPath: try wheel.write(into: directory.path), pythonVersion: "3.12")
        let report = try plan.slim(pythonVersion: "3.12")
        #expect(plan.files.map(\.path).sorted() == [
            "demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/WHEEL", "demo/__init__.py",
            "demo/__pycache__/__init__.cpython-312.opt-1.pyc", "demo/__pycache__/__init__.cpython-312.pyc",
            "demo/legacy.py", "demo/py.typed", "demo/sourceless.pyc",
        ])
        #expect(report.removedFiles == 6 && report.strippedFiles == 0 && report.notes.isEmpty)
        let removed = ["x: int\n", "other", "py2", "int f(void);", "!<arch>\n", "int g(void);"]
        #expect(report.savedBytes == UInt64(removed.map(\.utf8.count).reduce(0, +)))
        // RECORD lists exactly what is left (itself with no hash), as Python's csv reads it.
        let record = try #require(plan.record.rewritten)
        let listed = try python("import csv, sys; print('\\n'.join(sorted(r[0] for r in csv.reader(sys.stdin))))",
                                stdin: record)
        #expect(listed.split(separator: "\n").map(String.init) == plan.installedPaths.sorted())
    }

    @Test func nothingToLeaveOutKeepsTheRecord() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var plan = try WheelInstallPlan(wheelPath: try TestWheel(name: "plain", files: ["plain.py": ""]).write(into: directory.path))
        let report = try plan.slim(pythonVersion: "3.12")
        #expect(report.savedBytes == 0 && plan.record.rewritten == nil)
    }
}

import Foundation
@testable import Installer
import TestSupport
import Testing

/// RECORD is CSV as Python's `csv` module reads and writes it; Python is the oracle both ways.
@Suite struct WheelRecordTests {
    static let awkwardRows: [[String]] = [
        ["demo/__init__.py", "sha256=cWlBJwPD7b8t58Lc0fsUdt6pHXyVFiHrLjt5wGo9F04", "4"],
        ["demo/with,comma.py", "sha256=abc", "10"],
        ["demo/with \"quotes\".txt", "sha256=def", "3"],
        ["demo/line\nbreak.txt", "sha256=ghi", "0"],
        ["demo-1.0.dist-info/RECORD", "", ""],
    ]

    @Test(arguments: ["\n", "\r\n"])
    func parsesWhatPythonWrites(lineTerminator: String) throws {
        let rowsJSON = String(decoding: try JSONEncoder().encode(Self.awkwardRows), as: UTF8.self)
        let written = try run(TestEnvironment.python, ["-c", """
            import csv, io, json, sys
            out = io.StringIO()
            csv.writer(out, lineterminator=sys.argv[2]).writerows(json.loads(sys.argv[1]))
            sys.stdout.buffer.write(out.getvalue().encode())
            """, rowsJSON, lineTerminator])
        #expect(written.status == 0, "\(written.summary)")
        let record = try RecordFile(parsing: written.stdoutBytes, wheel: "demo.whl", entry: "RECORD")
        #expect(record.rows.map { [$0.path, $0.hash, $0.size] } == Self.awkwardRows)
    }

    @Test func pythonReadsWhatWeWrite() throws {
        let record = RecordFile(rows: Self.awkwardRows.map { .init(path: $0[0], hash: $0[1], size: $0[2]) })
        let read = try python("""
            import csv, io, json, sys
            print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode(), newline="")))))
            """, stdin: record.rendered())
        let rows = try JSONDecoder().decode([[String]].self, from: Data(read.utf8))
        #expect(rows == Self.awkwardRows)
    }

    @Test(arguments: [
        ("a.py,sha256=x\n", "line 1 has 2 fields"),
        ("a.py,sha256=x,1\nb.py,\"sha256=y,2\n", "never closed"),
    ])
    func rejectsMalformedRecords(text: String, reason: String) {
        #expect {
            try RecordFile(parsing: Array(text.utf8), wheel: "demo.whl", entry: "demo-1.0.dist-info/RECORD")
        } throws: { error in
            let description = "\(error)"
            return description.contains(reason) && description.contains("demo-1.0.dist-info/RECORD")
                && description.contains("demo.whl")
        }
    }
}

import Foundation
import TestSupport
import Testing

/// `--slim` on the wheelhouse's numpy, pandas and pydantic(-core): the function still imports and
/// computes through the Lambda runtime emulation, every shared object loads with `ctypes.CDLL`, readelf
/// finds nothing wrong with the stripped ones, and every `RECORD` matches the files it lists.
@Suite(.serialized) struct SlimTests {
    static let handler = """
        import numpy
        import pandas
        import pydantic
        import pydantic_core


        class Payload(pydantic.BaseModel):
            values: list[float]


        def handler(event, context):
            payload = Payload.model_validate(event)
            frame = pandas.DataFrame({"v": numpy.array(payload.values)})
            matrix = numpy.array([[2.0, 1.0], [1.0, 3.0]])
            return {
                "sum": float(frame["v"].sum()),
                "det": round(float(numpy.linalg.det(matrix)), 6),
                "random": int(numpy.random.default_rng(7).integers(0, 1000)),
                "core": pydantic_core.__version__,
            }
        """

    static let readelfAvailable = (try? run("readelf", ["--version"]).status) == 0

    @Test(.enabled(if: readelfAvailable, "readelf (binutils) is needed"))
    func slimFunctionImportsComputesAndLoads() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("src/app.py", Self.handler)
        func build(_ output: String, _ extra: [String]) throws -> [String: Any] {
            let result = try PexifyCLI.succeed(
                ["numpy", "pandas", "pydantic", "--layout", "zip", "--platform", "linux_x86_64-cp311",
                 "--manylinux", "manylinux_2_28", "-D", directory.child("src"), "--handler", "app.py:handler",
                 "-o", directory.child(output), "--json"] + extra + PexifyCLI.offline())
            return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }
        let full = try build("full.zip", [])
        let slim = try build("slim.zip", ["--slim"])
        let fullBytes = try #require(full["unzippedBytes"] as? Int), slimBytes = try #require(slim["unzippedBytes"] as? Int)
        let reports = try #require(slim["slimmed"] as? [[String: Any]])
        let saved = Dictionary(uniqueKeysWithValues: reports.map { ($0["distribution"] as? String ?? "", $0["savedBytes"] as? Int ?? 0) })
        for distribution in ["numpy", "pandas", "pydantic-core"] {
            #expect(saved.contains { $0.key.hasPrefix(distribution + " ") && $0.value > 0 }, "\(distribution): \(saved)")
        }
        // What the files lost, give or take the rewritten RECORDs.
        let total = saved.values.reduce(0, +)
        #expect(slimBytes < fullBytes && abs((fullBytes - slimBytes) - total) < 64 << 10,
                "full \(fullBytes), slim \(slimBytes), reported \(total)")
        let notes = reports.flatMap { $0["notes"] as? [String] ?? [] }
        #expect(notes.allSatisfy { $0.contains("is left as it is") }, "\(notes)")

        let outcomes = try LambdaEmulator.invoke(
            functionZip: directory.child("slim.zip"), handler: "lambda_function.handler",
            events: [#"{"values": [1, 2, 3.5]}"#])
        let expected = try LambdaEmulator.invoke(
            functionZip: directory.child("full.zip"), handler: "lambda_function.handler",
            events: [#"{"values": [1, 2, 3.5]}"#])
        guard case .response(let body) = try #require(outcomes.first) else {
            Issue.record("expected a response, got \(outcomes)")
            return
        }
        #expect(outcomes == expected)
        #expect(body.contains(#""sum": 6.5"#) && body.contains(#""det": 5.0"#), "\(body)")

        // Unpacked: nothing slim removes is left, RECORD lists exactly the files with their hashes, every
        // shared object loads, and readelf is silent about each stripped one.
        let report = try python("""
            import base64, ctypes, hashlib, os, subprocess, sys, zipfile
            slim, full, out = sys.argv[1], sys.argv[2], sys.argv[3]
            zipfile.ZipFile(slim).extractall(out)
            originals = {i.filename: i.CRC for i in zipfile.ZipFile(full).infolist()}
            problems, stripped, loaded = [], 0, 0
            names = [i.filename for i in zipfile.ZipFile(slim).infolist() if not i.is_dir()]
            for name in names:
                if name.endswith((".pyi", ".h", ".a")):
                    problems.append("still there: " + name)
                if "/__pycache__/" in name and ".cpython-311" not in name:
                    problems.append("bytecode for another interpreter: " + name)
            for record in [n for n in names if n.endswith(".dist-info/RECORD")]:
                listed = set()
                for line in open(os.path.join(out, record), encoding="utf-8").read().splitlines():
                    path, digest, size = line.rsplit(",", 2)
                    listed.add(path)
                    if not digest:
                        continue
                    data = open(os.path.join(out, path), "rb").read()
                    mine = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                    if mine != digest or int(size) != len(data):
                        problems.append("RECORD mismatch: " + path)
                missing = [p for p in listed if not os.path.exists(os.path.join(out, p))]
                problems += ["listed but missing: " + p for p in missing]
            for name in names:
                if not (name.endswith(".so") or ".so." in name):
                    continue
                path = os.path.join(out, name)
                ctypes.CDLL(path)
                loaded += 1
                if originals.get(name) != zipfile.ZipFile(slim).getinfo(name).CRC:
                    stripped += 1
                    result = subprocess.run(["readelf", "-a", "--wide", path], capture_output=True, text=True)
                    if result.returncode or result.stderr:
                        problems.append("readelf: " + name + ": " + result.stderr[:300])
            print(len(problems), stripped, loaded)
            print("\\n".join(problems))
            """, arguments: [directory.child("slim.zip"), directory.child("full.zip"), directory.child("unpacked")])
        let lines = report.split(separator: "\n")
        let counts = lines.first?.split(separator: " ").compactMap { Int($0) } ?? []
        #expect(counts.count == 3 && counts[0] == 0, "\(report)")
        #expect(counts.count == 3 && counts[1] > 10 && counts[2] > counts[1], "\(report)")
    }
}

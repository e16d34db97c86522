@testable import Resolver
import TestSupport
import Testing

enum MarkerCorpus {
    static let variables = ["python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
                            "platform_system", "platform_version", "platform_machine", "platform_python_implementation",
                            "implementation_name", "implementation_version", "extra", "os.name", "sys.platform",
                            "platform.machine", "platform.version", "python_implementation", "platform.python_implementation"]
    static let literals = ["3.9", "3.10", "3.8", "3.12", "3.9.*", "3.1", "3", "3.9.16", "3.9.1", "3.12.11", "5", "5.10.0",
                           "", "linux", "Linux", "x86_64", "X86_64", "aarch64", "arm64", "posix", "nt", "cpython",
                           "CPython", "Darwin", "darwin", "Windows", "win32", "socks", "SOCKS", "foo_bar", "Foo.Bar",
                           "security", "3.8 3.9 3.10", "3.9 3.10 3.11", "linux2", "1!3.0", "3.9a1", "x86"]
    static let operators = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"]

    static let handPicked = [
        #"python_version < "3.10""#, #"python_version > "3.9""#, #"python_version >= "3.9.1""#,
        #"python_full_version >= "3.9.1""#, #"python_version == "3.9.*""#, #"python_version ~= "3.8""#,
        #"python_version in "3.8 3.9 3.10""#, #"platform_machine == "X86_64""#,
        #"os_name == "nt" or python_version < "3.10" and platform_system == "Windows""#, #"extra == "SOCKS""#,
        #"platform_system > "Darwin""#, #"platform_release >= "5""#, #"(python_version<'3.10')and(os_name=='posix')"#,
        #"foo == "bar""#, #"python_version = "3.9""#, #"python_version == 3.9"#, #"python_version < "3" < "4""#,
        #"python_version in '3.1'"#, #"'linux' in sys_platform"#, #""3.9" == python_version"#, #"extra=='foo_bar'"#,
        #"python_version notin "3.9""#, #"python_version not  in "3.9""#, #"python_version not\#tin "3.9""#,
        #"(python_version < "3.10""#, #"python_version < "3.10")"#, #"extra == "security" and extra == "socks""#,
        #"extra != "socks""#, #"python_version < "3.10" andos_name == "posix""#, #"python_version"#, #""#,
        #"python_version == "3.9" or"#, #"os.name == "posix""#, #"python_full_version === "3.9.16""#,
        #"platform_version == "" and platform_release == """#, #"implementation_version >= "3.9""#,
    ]

    static func generated(count: Int, seed: UInt64) -> [String] {
        var g = SeededGenerator(seed: seed)
        func quote(_ s: String) -> String { g.chance(0.5) ? "\"\(s)\"" : "'\(s)'" }
        func comparison() -> String {
            let variable = g.pick(variables), literal = quote(g.pick(literals)), op = g.pick(operators)
            let space = op.first!.isLetter ? " " : g.pick(["", " ", "  ", "\t"])
            return g.chance(0.85) ? "\(variable)\(space)\(op)\(space)\(literal)" : "\(literal)\(space)\(op)\(space)\(variable)"
        }
        func expression(_ depth: Int) -> String {
            guard depth > 0, g.chance(0.6) else { return comparison() }
            let joined = "\(expression(depth - 1)) \(g.pick(["and", "or"])) \(expression(depth - 1))"
            return g.chance(0.4) ? "(\(joined))" : joined
        }
        return (0..<count).map { _ in expression(3) }
    }

    static let environments: [[String: String]] = [
        ["implementation_name": "cpython", "implementation_version": "3.9.16", "os_name": "posix",
         "platform_machine": "x86_64", "platform_python_implementation": "CPython", "platform_release": "",
         "platform_system": "Linux", "platform_version": "", "python_full_version": "3.9.16",
         "python_version": "3.9", "sys_platform": "linux"],
        ["implementation_name": "cpython", "implementation_version": "3.12.11", "os_name": "posix",
         "platform_machine": "aarch64", "platform_python_implementation": "CPython",
         "platform_release": "5.10.240-258.930.amzn2.aarch64", "platform_system": "Linux", "platform_version": "#1 SMP",
         "python_full_version": "3.12.11", "python_version": "3.12", "sys_platform": "linux"],
        ["implementation_name": "cpython", "implementation_version": "3.11.0", "os_name": "posix",
         "platform_machine": "arm64", "platform_python_implementation": "CPython", "platform_release": "23.1.0",
         "platform_system": "Darwin", "platform_version": "Darwin Kernel Version 23.1.0", "python_full_version": "3.11.0",
         "python_version": "3.11", "sys_platform": "darwin"],
        ["implementation_name": "cpython", "implementation_version": "3.1.0", "os_name": "nt",
         "platform_machine": "AMD64", "platform_python_implementation": "CPython", "platform_release": "10",
         "platform_system": "Windows", "platform_version": "10.0.19041", "python_full_version": "3.1.0",
         "python_version": "3.1", "sys_platform": "win32"],
    ]
    static let extraSets: [[String]] = [[], ["socks"], ["Foo.Bar", "SECURITY"]]

    static func environment(_ values: [String: String]) -> MarkerEnvironment {
        MarkerEnvironment(
            implementationName: values["implementation_name"]!, implementationVersion: values["implementation_version"]!,
            osName: values["os_name"]!, platformMachine: values["platform_machine"]!,
            platformPythonImplementation: values["platform_python_implementation"]!,
            platformRelease: values["platform_release"]!, platformSystem: values["platform_system"]!,
            platformVersion: values["platform_version"]!, pythonFullVersion: values["python_full_version"]!,
            pythonVersion: values["python_version"]!, sysPlatform: values["sys_platform"]!)
    }

    /// The oracle's evaluation of `marker` (a `Marker`) over every environment and extras set, as
    /// "1"/"0", or "x" where packaging raises (undefined comparison).
    static let oracleEvaluation = """
        from packaging.markers import Marker, InvalidMarker
        def evaluations(marker, environments, extra_sets):
            out = ""
            for env in environments:
                for extras in extra_sets:
                    try:
                        out += "1" if any(marker.evaluate(dict(env, extra=e)) for e in [""] + extras) else "0"
                    except Exception:
                        out += "x"
            return out

        """

    static func ourEvaluation(_ marker: MarkerExpression?) -> String {
        var out = ""
        for env in environments.map(environment) {
            for extras in extraSets {
                let names = Set(extras.map { try! ExtraName($0) })
                out += marker.map { $0.evaluate(env, extras: names) } ?? true ? "1" : "0"
            }
        }
        return out
    }

    static func matches(_ ours: String, _ oracle: String) -> Bool {
        ours.count == oracle.count && zip(ours, oracle).allSatisfy { $1 == "x" || $0 == $1 }
    }
}

@Suite struct MarkerTests {
    struct OracleMarker: Decodable {
        var valid: Bool
        var evaluations: String?
    }

    /// Validity and evaluation (over 4 environments × 3 extras sets, January 2026 comparison rules,
    /// PEP 685 extras) agree with `packaging.markers.Marker` for ~2,000 markers; our printed form
    /// parses back to an expression that evaluates the same.
    @Test func agreesWithPackaging() throws {
        let markers = MarkerCorpus.handPicked + MarkerCorpus.generated(count: 2000, seed: 508)
        let oracle = try PackagingOracle.run(MarkerCorpus.oracleEvaluation + """
            markers, environments, extra_sets = data
            out = []
            for text in markers:
                try: m = Marker(text)
                except InvalidMarker: out.append({"valid": False}); continue
                out.append({"valid": True, "evaluations": evaluations(m, environments, extra_sets)})
            print(json.dumps(out))
            """, input: MarkerInput(markers: markers), as: [OracleMarker].self)
        var mismatches: [String] = []
        var evaluated = 0
        for (text, expected) in zip(markers, oracle) {
            let ours = try? MarkerExpression(text)
            guard let ours, let evaluations = expected.evaluations else {
                if (ours != nil) != expected.valid { mismatches.append("\(text.debugDescription): valid ours \(ours != nil)") }
                continue
            }
            let mine = MarkerCorpus.ourEvaluation(ours)
            evaluated += evaluations.filter { $0 != "x" }.count
            if !MarkerCorpus.matches(mine, evaluations) {
                mismatches.append("\(text.debugDescription) (ours \(ours)): ours \(mine), packaging \(evaluations)")
            }
            let reparsed = try MarkerExpression(ours.description)
            #expect(MarkerCorpus.ourEvaluation(reparsed) == mine, "printed form \(ours) of \(text.debugDescription) means the same")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(8))")
        #expect(evaluated > 10_000)
    }

    struct MarkerInput: Encodable {
        var markers: [String]
        func encode(to encoder: any Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(markers)
            try c.encode(MarkerCorpus.environments)
            try c.encode(MarkerCorpus.extraSets)
        }
    }

    @Test func extrasUseSetSemanticsAndNormalisation() throws {
        let marker = try MarkerExpression(#"extra == "Use_Chardet.on-py3""#)
        let env = MarkerCorpus.environment(MarkerCorpus.environments[0])
        #expect(marker.evaluate(env, extras: [try ExtraName("use-chardet-on-py3"), try ExtraName("socks")]))
        #expect(!marker.evaluate(env, extras: [try ExtraName("socks")]))
        #expect(!marker.evaluate(env))
        let lock = try MarkerExpression(#""socks" in extras and sys_platform == "linux""#)
        #expect(lock.evaluate(env, extras: [try ExtraName("Socks")]) && !lock.evaluate(env))
    }

    @Test func errorNamesTheMarkerAndPosition() {
        let error = #expect(throws: RequirementError.self) { try MarkerExpression(#"python_version = "3.9""#) }
        let message = error?.description ?? ""
        #expect(message.contains(#""python_version = "3.9"""#) && message.contains("column") && message.contains("python_version < "))
    }
}

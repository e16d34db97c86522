import Foundation
import Resolver
import TestSupport
import Testing

/// Index configuration from flags, `PIP_*` variables and pip's config files, with `pip config list`
/// (pip reading the same files and environment) as the oracle.
@Suite struct IndexConfigurationTests {
    /// pip's merged view of `key` (`global.index-url` etc.) under `environment`.
    func pipConfig(_ environment: [String: String]) throws -> [String: String] {
        let unset = ["PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX"].flatMap { ["-u", $0] }
        let output = try run("/usr/bin/env", unset + [TestEnvironment.python, "-m", "pip", "config", "list"],
                             environment: environment).stdout.replacingOccurrences(of: "\\n", with: " ")
        var result: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).split(separator: ".").last.map(String.init) ?? ""
            result[key] = String(line[line.index(after: equals)...]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        return result
    }

    @Test func configFilesThenEnvironmentThenFlags() throws {
        let home = try TemporaryDirectory("pexify-config")
        defer { home.remove() }
        let configFile = try home.write("custom/pip.conf", """
            [global]
            index-url = https://primary.invalid/simple
            extra-index-url =
                https://extra-one.invalid/simple
                https://extra-two.invalid/simple
            [install]
            find-links = /srv/wheels
            """)
        try home.write(".config/pip/pip.conf", "[global]\nindex-url = https://user-level.invalid/simple\n")
        var clean = ["HOME": home.path, "PIP_CONFIG_FILE": configFile, "XDG_CONFIG_HOME": home.child(".config")]
        let pip = try pipConfig(clean)
        let noPip: () throws -> String = { Issue.record("pip's default must not be asked for"); return "" }
        let fromFiles = try IndexConfiguration.resolved(environment: clean, defaultIndex: noPip)
        #expect(fromFiles.indexURL == pip["index-url"])
        #expect(fromFiles.extraIndexURLs == pip["extra-index-url"]!.split(whereSeparator: \.isWhitespace).map(String.init))
        #expect(fromFiles.findLinks == [pip["find-links"]!])

        clean["PIP_INDEX_URL"] = "https://from-env.invalid/simple"
        clean["PIP_FIND_LINKS"] = "/env/wheels"
        let fromEnvironment = try IndexConfiguration.resolved(environment: clean, defaultIndex: noPip)
        #expect(fromEnvironment.indexURL == "https://from-env.invalid/simple")
        #expect(fromEnvironment.findLinks == ["/env/wheels"])

        let fromFlags = try IndexConfiguration.resolved(indexURL: "https://flag.invalid/simple", findLinks: ["./more"],
                                                        environment: clean, defaultIndex: noPip)
        #expect(fromFlags.indexURL == "https://flag.invalid/simple")
        #expect(fromFlags.findLinks == ["/env/wheels", "./more"])

        clean["PIP_NO_INDEX"] = "yes"
        let none = try IndexConfiguration.resolved(environment: clean, defaultIndex: noPip)
        #expect(none.noIndex && none.indexURLs.isEmpty && none.findLinks == ["/env/wheels"])
    }

    @Test func withoutConfigurationTheLocalPipNamesTheDefault() throws {
        let home = try TemporaryDirectory("pexify-config")
        defer { home.remove() }
        let environment = ["HOME": home.path, "PIP_CONFIG_FILE": "/dev/null", "PEXIFY_PYTHON": TestEnvironment.python]
        let expected = try python("from pip._internal.models.index import PyPI; print(PyPI.simple_url)")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let resolved = try IndexConfiguration.resolved(
            environment: environment, defaultIndex: { try IndexConfiguration.pipDefaultIndex(environment: environment) })
        #expect(resolved.indexURL == expected)
        #expect(resolved.findLinks.isEmpty && !resolved.noIndex)
    }
}

import Foundation
import TestSupport
import Testing

/// Runs the built `pexify` executable, as a user would.
enum PexifyCLI {
    static var executable: String { TestEnvironment.pexify }

    /// One wheel cache for the whole test run, so each wheel is verified once.
    static let cache: String = {
        let directory = FileManager.default.temporaryDirectory.path + "/pexify-cli-cache-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// Offline resolution from the real wheelhouse (`scripts/setup-test-env.sh`) plus `extraFindLinks`.
    static func offline(_ extraFindLinks: [String] = []) -> [String] {
        ([TestEnvironment.wheelhouse] + extraFindLinks).flatMap { ["--find-links", $0] }
            + ["--no-index", "--cache-dir", cache]
    }

    @discardableResult
    static func run(_ arguments: [String], currentDirectory: String? = nil) throws -> ProcessResult {
        try TestSupport.run(executable, arguments, currentDirectory: currentDirectory)
    }

    /// Runs and requires exit status 0.
    @discardableResult
    static func succeed(_ arguments: [String], currentDirectory: String? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let result = try run(arguments, currentDirectory: currentDirectory)
        try #require(result.status == 0, "pexify \(arguments.joined(separator: " "))\n\(result.summary)",
                     sourceLocation: sourceLocation)
        return result
    }
}

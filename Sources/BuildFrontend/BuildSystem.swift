import Foundation
import Resolver
import TOMLKit

/// A source tree's `[build-system]` table (PEP 518 `requires`, PEP 517 `build-backend` and
/// `backend-path`), or setuptools' legacy default when the tree has no `pyproject.toml` or the table
/// names no backend (what pip does).
/// https://peps.python.org/pep-0518/ https://peps.python.org/pep-0517/#source-trees
struct BuildSystem: Sendable, Equatable {
    var requires: [Requirement]
    var backend: String
    var backendPath: [String]

    static let legacyBackend = "setuptools.build_meta:__legacy__"

    /// Reads `root/pyproject.toml`.
    /// - Throws: ``BuildFrontendError/invalidProject(path:reason:)`` for a tree that is no project or a
    ///   malformed table.
    static func read(root: String) throws -> BuildSystem {
        let pyproject = root + "/pyproject.toml"
        guard let data = FileManager.default.contents(atPath: pyproject) else {
            guard FileManager.default.fileExists(atPath: root + "/setup.py") else {
                throw BuildFrontendError.invalidProject(path: root, reason: "it has neither pyproject.toml nor setup.py")
            }
            return BuildSystem(requires: [try! Requirement("setuptools>=40.8.0")], backend: legacyBackend, backendPath: [])
        }
        func fail(_ reason: String) -> BuildFrontendError { .invalidProject(path: pyproject, reason: reason) }
        let document: TOMLTable
        do { document = try TOMLText.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw fail("it is not valid TOML (\(error))")
        }
        guard let table = document["build-system"]?.table else {
            return BuildSystem(requires: [try! Requirement("setuptools>=40.8.0")], backend: legacyBackend, backendPath: [])
        }
        guard let requires = table["requires"]?.array else {
            throw fail("[build-system] has no requires array (PEP 518)")
        }
        let requirements = try requires.map { item in
            guard let text = item.string else { throw fail("build-system.requires holds a non-string item") }
            do { return try Requirement(text) } catch { throw fail("build-system.requires: \(error)") }
        }
        let backendPath: [String] = try (table["backend-path"]?.array).map { array in
            try array.map { item -> String in
                guard let text = item.string, !text.hasPrefix("/"), !text.split(separator: "/").contains("..") else {
                    throw fail("build-system.backend-path entries must be paths inside the project")
                }
                return root + "/" + text
            }
        } ?? []
        guard let backend = table["build-backend"]?.string else {
            return BuildSystem(requires: requirements, backend: legacyBackend, backendPath: backendPath)
        }
        return BuildSystem(requires: requirements, backend: backend, backendPath: backendPath)
    }
}

import Foundation
import TOMLKit

/// The `[project]` dependencies of a `pyproject.toml` (PEP 621 / *pyproject.toml specification*):
/// `dependencies` plus the `optional-dependencies` of the requested extras.
/// https://packaging.python.org/en/latest/specifications/pyproject-toml/
public enum PyProject {
    /// - Throws: `RequirementsFileError` naming the file and the key that is missing or malformed,
    ///   or an extra the project does not define.
    public static func dependencies(path: String, extras: [String] = []) throws -> [Requirement] {
        func fail(_ reason: String) -> RequirementsFileError { RequirementsFileError(origin: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("the file cannot be read") }
        let document: TOMLTable
        do { document = try TOMLText.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw fail("it is not valid TOML (\(error))")
        }
        guard let project = document["project"]?.table else { throw fail("there is no [project] table") }
        func requirements(_ value: (any TOMLValueConvertible)?, key: String) throws -> [Requirement] {
            guard let value else { return [] }
            guard let array = value.array else { throw fail("\(key) is not an array of strings") }
            return try array.map { item in
                guard let text = item.string else { throw fail("\(key) holds a non-string item") }
                do { return try Requirement(text) } catch { throw fail("\(key): \(String(describing: error))") }
            }
        }
        var result = try requirements(project["dependencies"], key: "project.dependencies")
        let optional = project["optional-dependencies"]?.table
        for extra in extras {
            let wanted = try? ExtraName(extra)
            guard let key = optional?.keys.first(where: { (try? ExtraName($0)) == wanted }) else {
                throw fail("the extra \"\(extra)\" is not in [project.optional-dependencies]")
            }
            result += try requirements(optional?[key], key: "project.optional-dependencies.\(key)")
        }
        return result
    }

    /// The requirements of the PEP 735 dependency group `group` in `[dependency-groups]`, with
    /// `{include-group = "…"}` entries expanded (names compared normalised, cycles refused).
    /// https://peps.python.org/pep-0735/
    public static func dependencyGroup(path: String, group: String) throws -> [Requirement] {
        func fail(_ reason: String) -> RequirementsFileError { RequirementsFileError(origin: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("the file cannot be read") }
        let document: TOMLTable
        do { document = try TOMLText.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw fail("it is not valid TOML (\(error))")
        }
        let groups = document["dependency-groups"]?.table
        func normalized(_ name: String) -> String { (try? ExtraName(name))?.rawValue ?? name.lowercased() }
        func expand(_ name: String, _ visiting: [String]) throws -> [Requirement] {
            guard !visiting.contains(normalized(name)) else {
                throw fail("the dependency group \"\(name)\" includes itself (through \(visiting.joined(separator: " → ")))")
            }
            guard let key = groups?.keys.first(where: { normalized($0) == normalized(name) }),
                  let items = groups?[key]?.array else {
                throw fail("there is no dependency group \"\(name)\" in [dependency-groups]")
            }
            return try items.flatMap { item -> [Requirement] in
                if let text = item.string {
                    do { return [try Requirement(text)] } catch { throw fail("dependency-groups.\(key): \(error)") }
                }
                guard let included = item.table?["include-group"]?.string else {
                    throw fail("dependency-groups.\(key) holds an item that is neither a string nor {include-group = ...}")
                }
                return try expand(included, visiting + [normalized(name)])
            }
        }
        return try expand(group, [])
    }
}

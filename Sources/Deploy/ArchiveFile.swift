import Basics
import Crypto
import Foundation

/// The archive being deployed: its size and SHA-256, computed once by streaming the file.
struct ArchiveFile: Sendable {
    var path: String
    var size: Int64
    var sha256: Data

    /// Lambda's `CodeSha256` form: base64 of the raw digest.
    var codeSha256: String { sha256.base64EncodedString() }
    var sha256Hex: String { hex(sha256) }

    init(path: String) throws {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DeployError.archive(path: path, reason: "it does not exist or is not readable")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(data: chunk)
                size += Int64(chunk.count)
            }
        } catch {
            throw DeployError.archive(path: path, reason: "\(error)")
        }
        guard size > 0 else { throw DeployError.archive(path: path, reason: "it is empty") }
        self.size = size
        sha256 = Data(hasher.finalize())
    }

    func read(offset: Int64, count: Int) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DeployError.archive(path: path, reason: "it disappeared during the deploy")
        }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: count) ?? Data()
            guard data.count == count else {
                throw DeployError.archive(path: path, reason: "it changed size during the deploy")
            }
            return data
        } catch let error as DeployError {
            throw error
        } catch {
            throw DeployError.archive(path: path, reason: "\(error)")
        }
    }
}

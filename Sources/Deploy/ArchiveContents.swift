import Basics
import ZipArchive

/// What the archive's central directory says, for the checks before a deploy: member names, the
/// unzipped size and the build stamp in the archive comment.
struct ArchiveContents: Sendable {
    var path: String
    /// What the archive was built for; `nil` for an archive pexify did not build (nothing to check against).
    var stamp: ArchiveStamp?
    var names: Set<String>
    var unzippedBytes: Int64
    private var reader: ZipReader

    /// - Throws: `DeployError.archive` when the file is not a zip Lambda could unpack.
    init(path: String) throws {
        do {
            reader = try ZipReader(path: path)
        } catch {
            throw DeployError.archive(path: path, reason: "it is not a zip archive Lambda can unpack (\(error))")
        }
        self.path = path
        stamp = ArchiveStamp(comment: reader.comment)
        names = Set(reader.entries.map(\.name))
        unzippedBytes = reader.entries.reduce(0) { $0 + Int64($1.uncompressedSize) }
    }

    /// The text of the member `name`; `nil` when there is none or it cannot be read.
    func text(of name: String) -> String? {
        guard let entry = reader.entry(named: name), let bytes = try? reader.contents(of: entry) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

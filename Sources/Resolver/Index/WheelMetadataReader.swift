import Foundation
import ZipArchive

/// Reads `<name>.dist-info/METADATA` out of a wheel without unpacking it, with the one strict zip
/// reader of the program (zip64 and prefixes included): the central directory, then the one entry.
enum WheelMetadataReader {
    static func metadata(ofWheel path: String) throws -> Data {
        do {
            let reader = try ZipReader(path: path)
            let metadata = reader.entries.first { entry in
                let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
                return parts.count == 2 && parts[0].hasSuffix(".dist-info") && parts[1] == "METADATA"
            }
            guard let metadata else {
                throw IndexError.metadataUnavailable(file: path, reason: "it has no *.dist-info/METADATA entry")
            }
            return Data(try reader.contents(of: metadata))
        } catch let error as ZipError {
            throw IndexError.metadataUnavailable(file: path, reason: error.description)
        }
    }
}

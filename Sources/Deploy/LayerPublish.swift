import Basics
import Foundation

/// Layers: publishing an archive as a layer version, and what attached layers add to a function's
/// unzipped size (Lambda's 250 MiB limit counts the function and all its layers together).
///
/// See <https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html>.
extension LambdaCalls {
    /// Each layer's unzipped size and, when `listing` asks for it (the handler's module may be in a
    /// layer), its member names. A layer pexify published says its size in its description; any other
    /// layer, or one whose listing is needed, is downloaded from its presigned `Location` into
    /// `directory`. A layer that cannot be downloaded counts with its zipped size, a lower bound.
    func inspectLayers(_ arns: [String], listing: Bool, into directory: String) async throws -> [LayerInspection] {
        var inspections: [LayerInspection] = []
        for (index, arn) in arns.enumerated() {
            let layer: LayerVersion
            do {
                layer = try await lambda.getLayerVersion(arn: arn)
            } catch let failure as AWSServiceError {
                throw map(failure)
            }
            let described = layer.description.flatMap(LayerDescription.unzippedBytes)
            var contents: ArchiveContents?
            if listing || described == nil, let text = layer.content?.location, let url = URL(string: text),
               ["http", "https"].contains(url.scheme) {
                let path = directory + "/layer-\(index).zip"
                progress("downloading \(arn) to read its contents")
                // The URL is presigned by Lambda: no signature of ours, and never printed (it holds one of AWS's).
                if let response = try? await lambda.client.transport.download(HTTPRequest(url: url, timeout: 120), to: path),
                   response.status == 200 {
                    contents = try? ArchiveContents(path: path)
                }
            }
            let usage: DeployReport.LayerUsage
            if let contents {
                usage = .init(arn: arn, unzippedBytes: contents.unzippedBytes, exact: true)
            } else if let described {
                usage = .init(arn: arn, unzippedBytes: described, exact: true)
            } else {
                usage = .init(arn: arn, unzippedBytes: layer.content?.codeSize ?? 0, exact: false)
            }
            inspections.append(LayerInspection(usage: usage, contents: contents))
        }
        return inspections
    }

    /// `PublishLayerVersion` with the archive's runtime and architecture as the compatible ones, and its
    /// unzipped size in the description (for the budget of the functions that attach it).
    func publishLayer(_ name: String, code: CodeSource, archive: ArchiveFile, contents: ArchiveContents) async throws -> LayerVersion {
        let stamp = contents.stamp
        let description = LayerDescription.text(stamp: stamp, unzippedBytes: contents.unzippedBytes,
                                                user: options.functionDescription)
        let published: LayerVersion
        do {
            published = try await lambda.publishLayerVersion(
                name, code: code, runtimes: stamp.map { [$0.lambdaRuntime] } ?? [],
                architectures: stamp.map { [$0.lambdaArchitecture] } ?? [], description: description)
        } catch let failure as AWSServiceError {
            throw map(failure)
        }
        if let received = published.content?.codeSha256, received != archive.codeSha256 {
            throw DeployError.checksumMismatch(function: name, expected: archive.codeSha256, actual: received)
        }
        return published
    }
}

/// What a deploy learned about one of the function's layers.
struct LayerInspection: Sendable {
    var usage: DeployReport.LayerUsage
    /// The layer's members; `nil` when it was not (or could not be) downloaded.
    var contents: ArchiveContents?
}

/// The description pexify gives a layer version: what it was built for and how large it unzips, the one
/// number Lambda's API does not tell (`CodeSize` is zipped) and the 250 MiB limit counts.
enum LayerDescription {
    /// `user` (`--description`) comes first, shortened so the whole stays within Lambda's 256 characters.
    static func text(stamp: ArchiveStamp?, unzippedBytes: Int64, user: String?) -> String {
        let own = "pexify \(PexifyVersion.current) layer" + (stamp.map { " for \($0.lambdaRuntime) \($0.lambdaArchitecture)" } ?? "")
            + ": \(unzippedBytes) bytes unzipped"
        guard let user, !user.isEmpty else { return own }
        return String(user.prefix(max(0, 256 - own.count - 2))) + "; " + own
    }

    static func unzippedBytes(_ description: String) -> Int64? {
        guard description.contains("pexify "), let end = description.range(of: " bytes unzipped", options: .backwards)
        else { return nil }
        return Int64(description[..<end.lowerBound].reversed().prefix { $0.isNumber }.reversed().map(String.init).joined())
    }
}

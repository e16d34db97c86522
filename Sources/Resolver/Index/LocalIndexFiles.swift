import Basics
import Foundation

/// `file:` URLs, read straight from disk so a local directory can act as an index: a directory
/// answers with its `index.html` when it has one, as a static web server would.
enum LocalIndexFiles {
    static func read(_ url: URL) -> HTTPResponse {
        var path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return HTTPResponse(status: 404, headers: [:], url: url, body: Data())
        }
        if isDirectory.boolValue { path += "/index.html" }
        guard let data = FileManager.default.contents(atPath: path) else {
            return HTTPResponse(status: 404, headers: [:], url: url, body: Data())
        }
        let type = path.hasSuffix(".json") ? SimpleAPI.jsonContentType : "text/html"
        return HTTPResponse(status: 200, headers: ["content-type": type], url: url, body: data)
    }

    /// Copies the file behind `url` to `destination`, answering as a download would.
    static func download(_ url: URL, to destination: String) throws -> HTTPResponse {
        var answer = read(url)
        if answer.status == 200 { try answer.body.write(to: URL(fileURLWithPath: destination)) }
        answer.body = Data()
        return answer
    }
}

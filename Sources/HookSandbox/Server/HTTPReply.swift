import HTTPTypes
import HookCore
import Hummingbird
import NIOCore

/// Builders of the sandbox's responses.
enum HTTPReply {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let bytes = value.compactBytes
        fields[.contentLength] = String(bytes.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// FastAPI's `{"detail": "..."}`.
    static func detail(_ message: String, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        json(.ordered([("detail", .string(message))]), status: status, headers: headers)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html;charset=utf-8"
        fields[.contentLength] = String(text.utf8.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ text: String, status: HTTPResponse.Status, contentType: String = "text/plain; charset=utf-8") -> Response {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[.contentLength] = String(text.utf8.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Keycloak's OAuth error body.
    static func oauthError(_ error: String, _ description: String, status: HTTPResponse.Status = .badRequest) -> Response {
        json(.ordered([("error", .string(error)), ("error_description", .string(description))]), status: status, headers: [.cacheControl: "no-store"])
    }
}

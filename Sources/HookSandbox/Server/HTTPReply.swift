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

    /// What an ingress or an uncaught exception answers: Starlette's text 500, nginx's HTML 502/503.
    static func serverError(_ status: Int) -> Response {
        switch status {
        case 502:
            html(
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                status: .badGateway)
        case 503:
            html(
                "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                status: .serviceUnavailable)
        default: text("Internal Server Error", status: .internalServerError)
        }
    }
}

import Hummingbird

/// Hands the router each request with the printable ASCII escapes of its path undone: Hummingbird's router matches
/// the path as sent, and clients may escape OData's `$`, `(`, `)` or `'` (`Product(3)/%24value`). `%2F`, `%25`, `%3F`
/// and `%23` stay escaped, so segments and the query keep their bounds; `Call.parameter` unescapes them in place.
struct PathUnescapingResponder: HTTPResponder {
    let next: any HTTPResponder<SandboxContext>

    func respond(to request: Request, context: SandboxContext) async throws -> Response {
        guard let target = request.head.path, target.contains("%") else { return try await next.respond(to: request, context: context) }
        let query = target.firstIndex(of: "?") ?? target.endIndex
        var head = request.head
        head.path = Self.unescape(target[..<query]) + target[query...]
        return try await next.respond(to: Request(head: head, body: request.body), context: context)
    }

    static func unescape(_ path: Substring) -> String {
        let bytes = Array(path.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let value = UInt8(String(decoding: bytes[i + 1...i + 2], as: UTF8.self), radix: 16),
                (0x21...0x7E).contains(value), !"/%?#".utf8.contains(value)
            {
                out.append(value)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

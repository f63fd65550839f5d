import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox's request handlers, over one `SandboxService`. `buildRouter()` (SandboxRoutes+Router.swift) maps the
/// routes to them; the handlers for each area are in `SandboxRoutes+OData`, `+Identity`, `+STAC` and `+Inspection`.
struct SandboxRoutes: Sendable {
    let service: SandboxService
    /// Base URL for links when the request has no usable `Host` header.
    let fallbackBaseURL: @Sendable () -> String

    /// One request, as the handlers see it.
    struct Call: Sendable {
        var request: Request
        var context: SandboxContext
        var query: [(String, String)]
        var baseURL: String
        var method: HTTPRequest.Method { request.method }
        var channel: any Channel { context.channel }

        func header(_ name: HTTPField.Name) -> String? { request.headers[name] }
        func queryValue(_ name: String) -> String? { query.first { $0.0 == name }?.1 }

        /// A path parameter, percent-decoded.
        func parameter(_ name: String) -> String {
            FormData.unescape(context.parameters.get(name).map { Substring($0) } ?? "", plusIsSpace: false)
        }

        /// An OData key (`BatchOrder(12)`, `ProductionOrders('12')`). Hummingbird's router captures what follows a
        /// segment's fixed prefix, so a route is written `BatchOrder({order_id}` and captures `12)`: the key is what
        /// the parentheses hold, without quotes. A segment that does not close its parenthesis is no route.
        func key(_ name: String) throws -> String {
            let captured = parameter(name)
            guard captured.hasSuffix(")") else { throw HTTPError(.notFound) }
            let key = captured.dropLast()
            if key.count >= 2, key.hasPrefix("'"), key.hasSuffix("'") { return String(key.dropFirst().dropLast()) }
            return String(key)
        }

        /// An OData key that must be an integer, or FastAPI's 422 naming the path parameter.
        func integerKey(_ name: String, as pathName: String) throws -> Int {
            guard let id = Int(try key(name)) else { throw ErrorAnswer.notInteger(path: pathName) }
            return id
        }
    }

    func call(_ request: Request, _ context: SandboxContext) -> Call {
        Call(request: request, context: context, query: FormData.decode(request.uri.query ?? ""), baseURL: baseURL(request))
    }

    /// The request body, at most `limit` bytes (FastAPI's 413 beyond).
    func body(_ call: Call, limit: Int) async throws -> [UInt8] {
        var request = call.request
        do {
            return Array(buffer: try await request.collectBody(upTo: limit))
        } catch {
            throw ErrorAnswer.detail("Request body too large (limit \(limit) bytes)", .contentTooLarge)
        }
    }

    private func baseURL(_ request: Request) -> String {
        if let host = request.head.authority ?? request.headers[HTTPField.Name("Host")!], !host.isEmpty, host.utf8.count < 256,
            host.utf8.allSatisfy({
                $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">")
            })
        {
            return "http://\(host)"
        }
        return fallbackBaseURL()
    }
}

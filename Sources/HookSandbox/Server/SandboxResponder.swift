import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Answers every request of the sandbox: matches the route, applies faults and the bearer check to `/odata/v1`,
/// dispatches, and counts the answer in the stats.
struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxContext

    let service: SandboxService
    /// Base URL for links when the request has no usable `Host` header.
    let fallbackBaseURL: @Sendable () -> String

    /// One parsed request, as the handlers see it.
    struct Call: Sendable {
        var request: Request
        var route: SandboxRoute
        var query: [(String, String)]
        var baseURL: String
        var method: HTTPRequest.Method { request.method }
        var headers: HTTPFields
        var channel: any Channel

        func header(_ name: HTTPField.Name) -> String? { headers[name] }
        func queryValue(_ name: String) -> String? { query.first { $0.0 == name }?.1 }
    }

    struct Dropped: Error {}

    func respond(to request: Request, context: SandboxContext) async throws -> Response {
        let rawPath = request.head.path ?? "/"
        let pathPart: Substring
        let queryPart: Substring
        if let q = rawPath.firstIndex(of: "?") {
            pathPart = rawPath[..<q]
            queryPart = rawPath[rawPath.index(after: q)...]
        } else {
            pathPart = Substring(rawPath)
            queryPart = ""
        }
        let method = request.method.rawValue
        guard let route = SandboxRoute.match(SandboxRoute.segments(String(pathPart))) else {
            service.stats.record(method: method, route: "unmatched", status: 404)
            return HTTPReply.detail("Not Found", status: .notFound)
        }
        if route.isAPI {
            switch service.faults.decide() {
            case .none: break
            case .drop:
                service.stats.record(method: method, route: route.pattern, status: 0)
                try? await context.channel.close()
                throw Dropped()
            case let .throttle(retryAfter):
                service.stats.record(method: method, route: route.pattern, status: 429)
                return HTTPReply.detail("Too Many Requests", status: .tooManyRequests, headers: [.retryAfter: String(retryAfter)])
            case let .fail(status):
                service.stats.record(method: method, route: route.pattern, status: status)
                return Self.serverError(status)
            case let .slow(delay):
                try await Task.sleep(for: delay)
            }
        }
        let call = Call(
            request: request, route: route, query: FormData.decode(queryPart), baseURL: baseURL(request), headers: request.headers,
            channel: context.channel)
        var response: Response
        do {
            response = try await dispatch(call)
        } catch let error as BodyTooLarge {
            response = HTTPReply.detail("Request body too large (limit \(error.limit) bytes)", status: .contentTooLarge)
        }
        service.stats.record(method: method, route: route.pattern, status: response.status.code)
        service.logger.debug("\(method) \(route.pattern) \(response.status.code)")
        return response
    }

    /// What an ingress or an uncaught exception answers: Starlette's text 500, nginx's HTML 502/503.
    static func serverError(_ status: Int) -> Response {
        switch status {
        case 502:
            HTTPReply.html(
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                status: .badGateway)
        case 503:
            HTTPReply.html(
                "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                status: .serviceUnavailable)
        default: HTTPReply.text("Internal Server Error", status: .internalServerError)
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

    private func dispatch(_ call: Call) async throws -> Response {
        let method = call.method
        let get = method == .get || method == .head
        switch call.route.name {
        case .workflows where get: return try await authorized(call) { try workflows(call, claims: $0) }
        case .submitOrder where method == .post: return try await authorized(call) { try await submit(call, claims: $0) }
        case .batchOrders where get: return try await authorized(call) { try batchOrders(call, claims: $0) }
        case .batchOrder where get: return try await authorized(call) { try batchOrder(call, claims: $0) }
        case .products where get: return try await authorized(call) { try products(call, claims: $0) }
        case .product where get: return try await authorized(call) { try product(call, claims: $0) }
        case .productValue where get: return try await authorized(call) { try productValue(call, claims: $0) }
        case .productionOrderProduct where get:
            return try await authorized(call) { claims in try firstItem(call, claims: claims) { try product($0, claims: claims) } }
        case .productionOrderProductValue where get:
            return try await authorized(call) { claims in try firstItem(call, claims: claims) { try productValue($0, claims: claims) } }
        case .tempDownload where get: return temporaryDownload(call)
        case .productionOrders where get: return try await authorized(call) { try productionOrders(call, claims: $0) }
        case .productionOrder where get: return try await authorized(call) { try productionOrder(call, claims: $0) }
        case .cancel where get || method == .post: return try await authorized(call) { try cancel(call, claims: $0) }
        case .serviceRoot where get: return try await authorized(call) { _ in serviceDocument() }
        case .despAuth where get: return despLoginPage(call)
        case .despAuthenticate where method == .post: return try await despAuthenticate(call)
        case .despAuthenticate where get: return despExpiredPage(call)
        case .despToken where method == .post: return try await token(call, realm: "desp")
        case .dedlToken where method == .post: return try await token(call, realm: "dedl")
        case .despCerts where get, .dedlCerts where get: return HTTPReply.json(service.issuer.jwks)
        case .despConfiguration where get: return HTTPReply.json(openIDConfiguration(call, realmPath: "/realms/desp"))
        case .dedlConfiguration where get: return HTTPReply.json(openIDConfiguration(call, realmPath: "/auth/realms/dedl"))
        case .stacLanding where get: return stacLanding(call)
        case .stacCollections where get: return stacCollections(call)
        case .stacCollection where get: return stacCollection(call)
        case .stacItems where get: return stacItems(call)
        case .stacItem where get: return stacItem(call)
        case .stacDownload where get: return stacDownload(call)
        case .stacSearch where get || method == .post: return try await stacSearch(call)
        case .sandboxRoot where get: return sandboxIndex(call)
        case .sandboxOrders where get: return sandboxOrders()
        case .sandboxStats where get: return sandboxStats()
        case .sandboxFaults where get: return HTTPReply.json(service.faults.settings.json)
        case .sandboxFaults where method == .post: return try await updateFaults(call)
        case .sandboxCatalogue where get: return catalogueSummary()
        case .sandboxCatalogue where method == .post: return try await addToCatalogue(call)
        default: return HTTPReply.detail("Method Not Allowed", status: .methodNotAllowed)
        }
    }

    struct BodyTooLarge: Error {
        var limit: Int
    }

    /// The request body, at most `limit` bytes (413 beyond).
    func body(_ call: Call, limit: Int) async throws -> [UInt8] {
        var request = call.request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer: buffer)
        } catch {
            throw BodyTooLarge(limit: limit)
        }
    }

    /// Runs `handler` with the caller's token claims, or answers 401 as the service does.
    func authorized(_ call: Call, _ handler: (TokenClaims) async throws -> Response) async throws -> Response {
        let challenge: HTTPFields = [.wwwAuthenticate: "Bearer"]
        guard let header = call.header(.authorization), !header.isEmpty else {
            return HTTPReply.detail("Not authenticated", status: .unauthorized, headers: challenge)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return HTTPReply.detail("Invalid authentication credentials", status: .unauthorized, headers: challenge)
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        do {
            let claims = try service.issuer.verify(token, realm: "dedl", audience: TokenEndpoint.dedlAudience)
            return try await handler(claims)
        } catch let rejection as TokenRejection {
            return HTTPReply.detail(rejection.detail, status: .unauthorized, headers: challenge)
        }
    }
}

import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Counts (and logs at debug level) every answer in `RequestStats` by method, route pattern and status, and gives every error its service-shaped
/// body: Hummingbird's own `HTTPError`s (an unknown route) become FastAPI's `{"detail": ...}`, anything else
/// Starlette's text 500. The outermost middleware, so it sees what the client gets.
struct RequestStatsMiddleware: RouterMiddleware {
    typealias Context = SandboxContext

    let stats: RequestStats

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch is ConnectionDropped {
            stats.record(method: request.method.rawValue, route: Self.pattern(context), status: 0)
            throw ConnectionDropped()
        } catch let error as HTTPError {
            response = HTTPReply.json(.ordered([("detail", .string(error.status.reasonPhrase))]), status: error.status)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            response = HTTPReply.serverError(500)
        }
        let route = Self.pattern(context)
        stats.record(method: request.method.rawValue, route: route, status: response.status.code)
        context.logger.debug("\(request.method) \(route) \(response.status.code)")  // `--verbose`: one line per request
        return response
    }

    /// How `/sandbox/stats` names the route a request matched: Hummingbird's endpoint path with each id parameter
    /// written `{id}` and each OData key closed again (`BatchOrder({order_id}` is `BatchOrder({id})`), e.g.
    /// `/odata/v1/BatchOrder({id})/Products`; `unmatched` for no route.
    static func pattern(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return "unmatched" }
        if let known = patterns.withLock({ $0[path] }) { return known }
        let pattern = Self.pattern(endpoint: path)
        patterns.withLock { $0[path] = pattern }
        return pattern
    }

    /// Patterns already worked out, by endpoint path: one per route, so the table stays as small as the router.
    private static let patterns = Mutex<[String: String]>([:])

    private static func pattern(endpoint path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard let open = segment.firstIndex(of: "{"), segment.hasSuffix("id}") else { return String(segment) }
            let prefix = segment[..<open]
            return prefix + (prefix.hasSuffix("(") ? "{id})" : "{id}")
        }.joined(separator: "/")
    }
}

/// A connection closed on purpose (a dropped-connection or lost-response fault): no answer is sent.
struct ConnectionDropped: Error {}

import HTTPTypes
import Hummingbird

/// Injects the configured faults (`FaultInjector`) into the routes it guards, one draw per request: a dropped
/// connection, 429 with `Retry-After`, a 5xx as the ingress or the app writes it, or a slow answer.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SandboxContext

    let faults: FaultInjector

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch faults.decide() {
        case .none: break
        case .drop:
            try? await context.channel.close()
            throw ConnectionDropped()
        case .throttle(let retryAfter):
            throw ErrorAnswer.detail("Too Many Requests", .tooManyRequests, headers: [.retryAfter: String(retryAfter)])
        case .fail(let status):
            return HTTPReply.serverError(status)
        case .slow(let delay):
            try await Task.sleep(for: delay)
        }
        return try await next(request, context)
    }
}

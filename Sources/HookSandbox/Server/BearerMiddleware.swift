import Foundation
import HTTPTypes
import Hummingbird

/// Checks the bearer token of every call it guards as the Hook service does (a DEDL token for `hda-public`) and
/// puts its claims in the context; answers FastAPI's 401 otherwise.
struct BearerMiddleware: RouterMiddleware {
    typealias Context = SandboxContext

    let issuer: TokenIssuer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], !header.isEmpty else { throw ErrorAnswer.notAuthenticated }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw ErrorAnswer.unauthorized("Invalid authentication credentials") }
        var context = context
        do {
            context.claims = try await issuer.verify(parts[1].trimmingSpaces(), realm: "dedl", audience: TokenEndpoint.dedlAudience)
        } catch {
            throw ErrorAnswer.unauthorized(error.detail)
        }
        return try await next(request, context)
    }
}

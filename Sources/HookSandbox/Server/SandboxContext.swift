import Hummingbird
import Logging
import NIOCore

/// Per-request context: the channel (a dropped-connection fault closes it) and, behind `BearerMiddleware`, the caller.
struct SandboxContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// The verified bearer token's claims; set by `BearerMiddleware` on `/odata/v1`.
    var claims: TokenClaims?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The caller of a route behind `BearerMiddleware`.
    func caller() throws -> TokenClaims {
        guard let claims else { throw ErrorAnswer.notAuthenticated }
        return claims
    }
}

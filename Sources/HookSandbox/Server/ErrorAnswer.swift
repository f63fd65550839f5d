import HTTPTypes
import HookCore
import Hummingbird

/// An error answer, thrown by handlers and middleware and rendered by Hummingbird in the body the real services
/// write: FastAPI's `{"detail": ...}` for the Hook API, Keycloak's OAuth error, the STAC API's `{code, description}`.
struct ErrorAnswer: HTTPResponseError {
    var status: HTTPResponse.Status
    var body: JSONValue
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        HTTPReply.json(body, status: status, headers: headers)
    }

    /// FastAPI's `{"detail": "..."}`.
    static func detail(_ message: String, _ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> ErrorAnswer {
        ErrorAnswer(status: status, body: .ordered([("detail", .string(message))]), headers: headers)
    }

    /// FastAPI's 422 `{"detail": [{loc, msg, type}]}`.
    static func invalid(_ issues: [ValidationIssue]) -> ErrorAnswer {
        ErrorAnswer(status: .unprocessableContent, body: ValidationIssue.body(issues))
    }

    /// FastAPI's 422 for a path parameter that is not an integer.
    static func notInteger(path name: String) -> ErrorAnswer {
        invalid([.init(loc: [.key("path"), .key(name)], msg: "value is not a valid integer", type: "type_error.integer")])
    }

    /// The bearer check's 401, with the challenge FastAPI's `HTTPBearer` sends.
    static func unauthorized(_ message: String) -> ErrorAnswer { detail(message, .unauthorized, headers: [.wwwAuthenticate: "Bearer"]) }

    static let notAuthenticated = unauthorized("Not authenticated")

    /// Keycloak's OAuth error body.
    static func oauth(_ error: String, _ description: String, status: HTTPResponse.Status = .badRequest) -> ErrorAnswer {
        ErrorAnswer(
            status: status, body: .ordered([("error", .string(error)), ("error_description", .string(description))]),
            headers: [.cacheControl: "no-store"])
    }

    /// The STAC API's `{"code": ..., "description": ...}`.
    static func stac(_ code: String, _ description: String, status: HTTPResponse.Status) -> ErrorAnswer {
        ErrorAnswer(status: status, body: .ordered([("code", .string(code)), ("description", .string(description))]))
    }
}

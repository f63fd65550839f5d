import Foundation

/// Every way a call to the Hook service or its identity realms can fail, each as one clear line.
public enum ClientError: Error, Equatable, Sendable {
    /// The service refused the request outright (4xx other than auth): nothing was created.
    case rejected(status: Int, detail: String)
    /// The service answered with an error status (after retries).
    case unexpectedStatus(status: Int, detail: String)
    /// Login refused: wrong username or password, bad client secret.
    case invalidCredentials(String)
    /// The DESP login asks for a one-time password and none was given.
    case otpRequired
    /// A token was refused by the service even after logging in again.
    case unauthorized(String)
    /// The service could not be reached (after retries).
    case unreachable(url: String, reason: String)
    /// A submission got no answer: it may or may not have reached the service.
    case submissionOutcomeUnknown(String)
    /// The answer was not what the service sends.
    case decoding(what: String, reason: String)
    /// The identity flow did not go as Keycloak's does.
    case identity(String)
}

extension ClientError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .rejected(status, detail): "the service rejected the request (\(status)): \(detail)"
        case let .unexpectedStatus(status, detail): "the service answered \(status): \(detail)"
        case let .invalidCredentials(message): "login failed: \(message)"
        case .otpRequired: "the DESP login asks for a one-time password: set the profile's `otp` (e.g. DESP_OTP)"
        case let .unauthorized(message): "the service refused the token: \(message)"
        case let .unreachable(url, reason): "cannot reach \(url): \(reason)"
        case let .submissionOutcomeUnknown(reason): "no answer to the submission (\(reason))"
        case let .decoding(what, reason): "unexpected answer for \(what): \(reason)"
        case let .identity(message): "login failed: \(message)"
        }
    }
}

/// The one clear line of a FastAPI error body: `{"detail": [{"loc", "msg"}]}`, `{"detail": "..."}`,
/// `{"detail": {"message"}}`, `{"error": {"message"}}`, else the start of the raw text.
func errorDetail(_ body: [UInt8]) -> String {
    let text = String(decoding: body.prefix(4096), as: UTF8.self)
    guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
        let plain = text.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return plain.isEmpty ? "no detail" : String(plain.prefix(200))
    }
    if let list = json["detail"] as? [[String: Any]] {
        return list.map { item in
            let loc = (item["loc"] as? [Any])?.map { "\($0)" }.filter { $0 != "body" }.joined(separator: ".") ?? ""
            let msg = item["msg"] as? String ?? "invalid"
            return loc.isEmpty ? msg : "`\(loc)`: \(msg)"
        }.joined(separator: "; ")
    }
    if let detail = json["detail"] as? String { return detail }
    if let detail = json["detail"] as? [String: Any], let message = detail["message"] as? String { return message }
    if let error = json["error"] as? [String: Any], let message = error["message"] as? String { return message }
    if let description = json["error_description"] as? String { return description }
    if let error = json["error"] as? String { return error }
    return String(text.prefix(200))
}

import Foundation

/// Why an S3 call failed, in one clear line (never a dump of the response).
public enum S3Error: Error, Sendable, Equatable {
    /// The server answered with an S3 error document (`<Error><Code>…<Message>…`).
    case service(operation: String, status: Int, code: String, message: String)
    /// A non-success status without a readable S3 error document.
    case unexpectedStatus(operation: String, status: Int, body: String)
    /// A success status whose body could not be read as the expected document.
    case invalidResponse(operation: String, reason: String)
    /// The request could not be built (bad endpoint, bucket or key).
    case invalidRequest(String)
    /// The server could not be reached or the connection failed.
    case transport(operation: String, reason: String)
    /// A local file could not be read or written.
    case file(path: String, reason: String)
    /// A conditional write found the object changed (or created) by someone else.
    case preconditionFailed(operation: String)
}

extension S3Error: LocalizedError {
    /// One line naming the operation and the cause.
    public var errorDescription: String? {
        switch self {
        case let .service(operation, status, code, message):
            "\(operation) failed: \(code): \(message.isEmpty ? "no message" : message) (HTTP \(status))"
        case let .unexpectedStatus(operation, status, body):
            "\(operation) failed: HTTP \(status)\(body.isEmpty ? "" : ": \(body)")"
        case let .invalidResponse(operation, reason):
            "\(operation): unreadable response: \(reason)"
        case let .invalidRequest(reason):
            "invalid S3 request: \(reason)"
        case let .transport(operation, reason):
            "\(operation) failed: \(reason)"
        case let .file(path, reason):
            "\(path): \(reason)"
        case let .preconditionFailed(operation):
            "\(operation) failed: the object was changed by someone else (precondition failed)"
        }
    }
}

extension S3Error {
    /// Builds the error for a non-success response from its body (XML error document, else a short raw excerpt).
    static func from(operation: String, status: Int, body: [UInt8]) -> S3Error {
        let text = String(decoding: body, as: UTF8.self)
        if let root = XMLElement.parse(text), root.name == "Error", let code = root.value("Code"), !code.isEmpty {
            return .service(operation: operation, status: status, code: code, message: root.value("Message") ?? "")
        }
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingBlanks()
        return .unexpectedStatus(operation: operation, status: status, body: String(oneLine.prefix(200)))
    }
}

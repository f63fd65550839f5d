import Foundation
import Synchronization

/// DESP login state between the login page, the form posts and the code exchange (Keycloak's auth sessions).
final class LoginSessions: Sendable {
    struct Session: Sendable {
        var clientID: String
        var redirectURI: String
        var state: String?
        var nonce: String?
        var createdMs: Int64
        /// Set after a correct password for a user with an OTP: the login waits for the code.
        var pendingOTPUser: String?
    }

    struct CodeGrant: Sendable {
        var username: String
        var clientID: String
        var redirectURI: String
        var sessionState: String
        var nonce: String?
        var expiresMs: Int64
    }

    static let maxSessions = 10_000
    static let sessionLifetimeMs: Int64 = 30 * 60 * 1000
    static let codeLifetimeMs: Int64 = 60 * 1000

    private let sessions = Mutex<[String: Session]>([:])
    private let codes = Mutex<[String: CodeGrant]>([:])

    static func randomToken(_ bytes: Int = 24) -> String {
        Base64URL.encode((0..<bytes).map { _ in UInt8.random(in: 0...255) })
    }

    func open(_ session: Session) -> String {
        let code = Self.randomToken()
        sessions.withLock { all in
            if all.count >= Self.maxSessions {
                let cutoff = session.createdMs - Self.sessionLifetimeMs
                all = all.filter { $0.value.createdMs > cutoff }
                if all.count >= Self.maxSessions { all.removeAll() }
            }
            all[code] = session
        }
        return code
    }

    func session(_ code: String, now: Int64) -> Session? {
        sessions.withLock { all in
            guard let s = all[code] else { return nil }
            guard now - s.createdMs < Self.sessionLifetimeMs else {
                all[code] = nil
                return nil
            }
            return s
        }
    }

    func update(_ code: String, _ change: (inout Session) -> Void) {
        sessions.withLock { all in
            if var s = all[code] {
                change(&s)
                all[code] = s
            }
        }
    }

    func close(_ code: String) { sessions.withLock { $0[code] = nil } }

    func issueCode(_ grant: CodeGrant) -> String {
        let code = Self.randomToken(16) + "." + UUID().uuidString.lowercased()
        codes.withLock { all in
            if all.count >= Self.maxSessions { all = all.filter { $0.value.expiresMs > grant.expiresMs - Self.codeLifetimeMs } }
            if all.count >= Self.maxSessions { all.removeAll() }
            all[code] = grant
        }
        return code
    }

    /// Takes a code (single use); `nil` if unknown, used or expired.
    func redeem(_ code: String, now: Int64) -> CodeGrant? {
        codes.withLock { all in
            guard let grant = all.removeValue(forKey: code), grant.expiresMs > now else { return nil }
            return grant
        }
    }
}

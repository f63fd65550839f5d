import JWTKit

/// Constants and claim sets of the two realms (HOOK-API 7).
enum TokenEndpoint {
    /// Audience every DEDL access token carries and `/odata/v1` requires.
    static let dedlAudience = "hda-public"
    /// Public DESP clients and the redirect URIs they may use.
    static let despClients: [String: [String]] = [
        "dedl-hda": ["https://hda.data.destination-earth.eu/stac"],
        "dedl-hook": ["https://odp.data.destination-earth.eu/odata/v1/"],
    ]
    /// Public DEDL clients for token exchange and the password grant.
    static let dedlPublicClients: Set<String> = ["hda-public", "ordering"]

    static func accessClaims(
        realmURL: String, realm: String, username: String, subject: String, clientID: String, audiences: [String],
        now: Int64, lifetime: Int64, sessionState: String
    ) -> SandboxToken {
        let roles: [String] =
            realm == "dedl" ? ["offline_access", "uma_authorization", "default-roles-dedl"] : ["offline_access", "uma_authorization", "default-roles-desp"]
        return SandboxToken(
            expiry: Int(now + lifetime), issuedAt: Int(now), id: LoginSessions.randomToken(16), issuer: realmURL, audience: AudienceClaim(value: audiences),
            subject: subject, type: "Bearer", authorizedParty: clientID, sessionState: sessionState, authenticationContext: "1",
            realmAccess: .init(roles: roles), scope: "openid profile email", sessionID: sessionState, emailVerified: true, username: username)
    }

    static func refreshClaims(realmURL: String, username: String, subject: String, clientID: String, now: Int64, lifetime: Int64, sessionState: String)
        -> SandboxToken
    {
        SandboxToken(
            expiry: Int(now + lifetime), issuedAt: Int(now), id: LoginSessions.randomToken(16), issuer: realmURL, audience: AudienceClaim(value: [realmURL]),
            subject: subject, type: "Refresh", authorizedParty: clientID, sessionState: sessionState, scope: "openid profile email", username: username)
    }

}

/// The claims of the sandbox's access and refresh tokens, named as Keycloak writes them; a refresh token leaves out
/// the optional ones. Times are whole seconds since 1970.
struct SandboxToken: JWTPayload {
    struct RealmAccess: Codable, Sendable { var roles: [String] }

    var expiry: Int
    var issuedAt: Int
    var id: String
    var issuer: String
    var audience: AudienceClaim
    var subject: String
    var type: String
    var authorizedParty: String
    var sessionState: String
    var authenticationContext: String? = nil
    var realmAccess: RealmAccess? = nil
    var scope: String
    var sessionID: String? = nil
    var emailVerified: Bool? = nil
    var username: String

    enum CodingKeys: String, CodingKey {
        case expiry = "exp"
        case issuedAt = "iat"
        case id = "jti"
        case issuer = "iss"
        case audience = "aud"
        case subject = "sub"
        case type = "typ"
        case authorizedParty = "azp"
        case sessionState = "session_state"
        case authenticationContext = "acr"
        case realmAccess = "realm_access"
        case scope
        case sessionID = "sid"
        case emailVerified = "email_verified"
        case username = "preferred_username"
    }

    /// Nothing to check here: JWTKit checks the signature and key, and `TokenIssuer.verify` the expiry (at the
    /// sandbox's clock, which JWTKit does not know), issuer and audience.
    func verify(using algorithm: some JWTAlgorithm) throws {}
}

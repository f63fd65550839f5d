import HookCore

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
    ) -> JSONValue {
        let roles: [String] =
            realm == "dedl" ? ["offline_access", "uma_authorization", "default-roles-dedl"] : ["offline_access", "uma_authorization", "default-roles-desp"]
        return .ordered([
            ("exp", .integer(Int(now + lifetime))), ("iat", .integer(Int(now))), ("jti", .string(LoginSessions.randomToken(16))),
            ("iss", .string(realmURL)), ("aud", audiences.count == 1 ? .string(audiences[0]) : .array(audiences.map { .string($0) })),
            ("sub", .string(subject)), ("typ", .string("Bearer")), ("azp", .string(clientID)), ("session_state", .string(sessionState)),
            ("acr", .string("1")), ("realm_access", .ordered([("roles", .array(roles.map { .string($0) }))])),
            ("scope", .string("openid profile email")), ("sid", .string(sessionState)), ("email_verified", .bool(true)),
            ("preferred_username", .string(username)),
        ])
    }

    static func refreshClaims(realmURL: String, username: String, subject: String, clientID: String, now: Int64, lifetime: Int64, sessionState: String)
        -> JSONValue
    {
        .ordered([
            ("exp", .integer(Int(now + lifetime))), ("iat", .integer(Int(now))), ("jti", .string(LoginSessions.randomToken(16))),
            ("iss", .string(realmURL)), ("aud", .string(realmURL)), ("sub", .string(subject)), ("typ", .string("Refresh")),
            ("azp", .string(clientID)), ("session_state", .string(sessionState)), ("scope", .string("openid profile email")),
            ("preferred_username", .string(username)),
        ])
    }
}

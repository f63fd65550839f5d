import Foundation
import HookCore
import HookS3
import JWTKit
import NIOHTTP1

/// The claims hookctl checks in a DEDL token.
struct DEDLClaims: JWTPayload {
    var exp: ExpirationClaim
    var sub: SubjectClaim?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

extension HookService {
    /// Checks the current token as `destinelab` does: the DEDL realm's discovery document names its JWKS, the key
    /// named by the token's `kid` must verify its RS256 signature, and it must not have expired. One line, for
    /// `--verbose` diagnostics of a refused token; it never contains the token.
    public func verifyToken() async -> String {
        guard let tokenURL = configuration.identity.dedlTokenURL?.absoluteString,
            let realm = tokenURL.range(of: "/protocol/openid-connect/token").map({ String(tokenURL[..<$0.lowerBound]) })
        else { return "token not checked: the profile names no DEDL token URL" }
        do {
            let token = try await tokens.token()
            let discovery = try await http.send(.GET, realm + "/.well-known/openid-configuration", timeout: .seconds(15))
            guard discovery.status == 200,
                let document = try JSONSerialization.jsonObject(with: Data(discovery.body)) as? [String: Any],
                let jwksURI = document["jwks_uri"] as? String
            else { return "token not checked: \(realm)/.well-known/openid-configuration answered \(discovery.status) without a jwks_uri" }
            let jwks = try await http.send(.GET, jwksURI, timeout: .seconds(15))
            let keys = JWTKeyCollection()
            try await keys.add(jwksJSON: String(decoding: jwks.body, as: UTF8.self))
            let claims = try await keys.verify(token.reveal(), as: DEDLClaims.self)
            let left = Int(claims.exp.value.timeIntervalSinceNow)
            return "token verified against \(jwksURI): signature valid, expires in \(left) s"
                + (claims.sub.map { ", subject \($0.value)" } ?? "")
        } catch {
            return "token check failed: \(String(describing: error).prefix(200))"
        }
    }
}

import Crypto
import CryptoExtras
import Foundation
import HookCore
import JWTKit
import Synchronization

/// What the sandbox learns from a valid access token.
struct TokenClaims: Sendable {
    var subject: String
    var username: String
    var issuer: String
    var audiences: [String]
    var expiry: Int64
}

/// Why a bearer token was refused; `detail` is the 401 body's text.
enum TokenRejection: Error, Equatable {
    case malformed
    case badSignature
    case unknownKey
    case expired
    case wrongIssuer
    case wrongAudience

    var detail: String {
        switch self {
        case .malformed: "Invalid token: not a JWT"
        case .badSignature: "Invalid token: signature verification failed"
        case .unknownKey: "Invalid token: unknown signing key"
        case .expired: "Token has expired"
        case .wrongIssuer: "Invalid token: wrong issuer"
        case .wrongAudience: "Invalid token: wrong audience"
        }
    }
}

/// Signs and verifies the RS256 JWTs of both realms with one RSA key (JWTKit), named by `kid` in the JWKS.
final class TokenIssuer: Sendable {
    let kid: String
    private let publicKey: _RSA.Signing.PublicKey
    private let keys: JWTKeyCollection
    private let signingKey: JWTKit.Insecure.RSA.PrivateKey
    /// Whether `signingKey` is in `keys` yet: adding to JWTKit's actor is asynchronous and `init` is not, so the first
    /// use adds it (two first uses at once both add it, which is harmless).
    private let keyAdded = Mutex(false)
    /// Claims of tokens already verified, so a bearer used again is not taken through JWTKit's actor again.
    private let verified = Mutex<[String: TokenClaims]>([:])
    /// The time tokens are checked at (`SandboxConfiguration.now`).
    private let now: @Sendable () -> Date

    /// The key of sandboxes without a state directory, generated once per process (RSA generation is slow).
    private static let processKey = Mutex<_RSA.Signing.PrivateKey?>(nil)

    init(stateDirectory: URL?, now: @escaping @Sendable () -> Date) throws {
        let key: _RSA.Signing.PrivateKey
        if let stateDirectory {
            let file = stateDirectory.appendingPathComponent("signing-key.pem")
            if let pem = try? String(contentsOf: file, encoding: .utf8), let loaded = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) {
                key = loaded
            } else {
                key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
                try AtomicFile.write(key.pemRepresentation, to: file.path, permissions: 0o600)
            }
        } else {
            key = try Self.processKey.withLock { cached in
                if let cached { return cached }
                let fresh = try _RSA.Signing.PrivateKey(keySize: .bits2048)
                cached = fresh
                return fresh
            }
        }
        publicKey = key.publicKey
        signingKey = try JWTKit.Insecure.RSA.PrivateKey(backing: key)
        keys = JWTKeyCollection()
        kid = Base64URL.encode(SHA256.hash(data: key.publicKey.derRepresentation).prefix(12))
        self.now = now
    }

    /// The JWKS document (`keys` with one RSA signing key).
    var jwks: JSONValue {
        let primitives = try? publicKey.getKeyPrimitives()
        return .ordered([
            (
                "keys",
                .array([
                    .ordered([
                        ("kid", .string(kid)), ("kty", .string("RSA")), ("alg", .string("RS256")), ("use", .string("sig")),
                        ("n", .string(Base64URL.encode(primitives?.modulus ?? Data()))),
                        ("e", .string(Base64URL.encode(primitives?.publicExponent ?? Data()))),
                    ])
                ])
            )
        ])
    }

    private func signer() async -> JWTKeyCollection {
        if keyAdded.withLock({ $0 }) { return keys }
        await keys.add(rsa: signingKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        keyAdded.withLock { $0 = true }
        return keys
    }

    /// Signs `claims` as a compact RS256 JWS whose header names the key (`kid`).
    func sign(_ claims: SandboxToken) async throws -> String {
        try await signer().sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// Verifies signature and key (JWTKit), then expiry at the sandbox's time, issuer realm and (when given) audience.
    func verify(_ token: String, realm: String, audience: String?) async throws(TokenRejection) -> TokenClaims {
        let claims: TokenClaims
        if let cached = verified.withLock({ $0[token] }) {
            claims = cached
        } else {
            claims = try await verifySignature(token)
            verified.withLock { cache in
                if cache.count > 20_000 { cache.removeAll(keepingCapacity: true) }
                cache[token] = claims
            }
        }
        guard claims.expiry > Int64(now().timeIntervalSince1970) else { throw .expired }
        guard claims.issuer.hasSuffix("/realms/\(realm)") else { throw .wrongIssuer }
        if let audience, !claims.audiences.contains(audience) { throw .wrongAudience }
        return claims
    }

    private func verifySignature(_ token: String) async throws(TokenRejection) -> TokenClaims {
        guard token.utf8.count < 16_384 else { throw .malformed }
        let payload: SandboxToken
        do {
            payload = try await signer().verify(token, as: SandboxToken.self)
        } catch let error as JWTError {
            switch error.errorType {
            case .malformedToken: throw .malformed
            case .missingKIDHeader, .unknownKID: throw .unknownKey
            default: throw .badSignature
            }
        } catch {
            throw .malformed
        }
        return TokenClaims(
            subject: payload.subject, username: payload.username, issuer: payload.issuer, audiences: payload.audience.value,
            expiry: Int64(payload.expiry))
    }
}

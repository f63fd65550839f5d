import Crypto
import CryptoExtras
import Foundation
import HookCore
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

/// Signs and verifies the RS256 JWTs of both realms with one RSA key, named by `kid` in the JWKS.
final class TokenIssuer: Sendable {
    let kid: String
    private let privateKey: _RSA.Signing.PrivateKey
    private let publicKey: _RSA.Signing.PublicKey
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
        privateKey = key
        publicKey = key.publicKey
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

    /// Signs `claims` (a JSON object) as a compact RS256 JWS.
    func sign(_ claims: JSONValue) throws -> String {
        let header = JSONValue.ordered([("alg", .string("RS256")), ("typ", .string("JWT")), ("kid", .string(kid))])
        let input = Base64URL.encode(header.compactBytes) + "." + Base64URL.encode(claims.compactBytes)
        let signature = try privateKey.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// Verifies signature, expiry, issuer realm and (when given) audience of a token.
    func verify(_ token: String, realm: String, audience: String?) throws(TokenRejection) -> TokenClaims {
        let claims: TokenClaims
        if let cached = verified.withLock({ $0[token] }) {
            claims = cached
        } else {
            claims = try verifySignature(token)
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

    private func verifySignature(_ token: String) throws(TokenRejection) -> TokenClaims {
        guard token.utf8.count < 16_384 else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
            let signatureBytes = Base64URL.decode(parts[2]),
            let header = try? JSONReader.parse(headerBytes), let payload = try? JSONReader.parse(payloadBytes)
        else { throw .malformed }
        guard header["alg"]?.stringValue == "RS256" else { throw .badSignature }
        guard header["kid"]?.stringValue == kid else { throw .unknownKey }
        let input = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
        guard publicKey.isValidSignature(signature, for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5) else {
            throw .badSignature
        }
        let audiences: [String]
        switch payload["aud"] {
        case let .string(a): audiences = [a]
        case let .array(list): audiences = list.compactMap(\.stringValue)
        default: audiences = []
        }
        let expiry: Int64
        switch payload["exp"] {
        case let .integer(e): expiry = Int64(e)
        case let .number(e): expiry = Int64(e)
        default: throw .malformed
        }
        return TokenClaims(
            subject: payload["sub"]?.stringValue ?? "",
            username: payload["preferred_username"]?.stringValue ?? "",
            issuer: payload["iss"]?.stringValue ?? "",
            audiences: audiences,
            expiry: expiry
        )
    }
}

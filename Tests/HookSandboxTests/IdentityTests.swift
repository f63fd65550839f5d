import Foundation
import HookCore
import JWTKit
import NIOHTTP1
import Testing

@testable import HookSandbox

struct IdentityTests {
    @Test func `the DESP login page has a form whose action is an absolute URL`() async throws {
        try await Harness.routed { h in
            let action = try await h.loginAction()
            #expect(action.hasPrefix(h.base + "/realms/desp/login-actions/authenticate?session_code="))
            #expect(action.contains("client_id=dedl-hda"))
        }
    }

    @Test func `a correct password redirects to the client's redirect URI with a code`() async throws {
        try await Harness.routed { h in
            let reply = try await h.postForm(try await h.loginAction(), [("username", "demo"), ("password", "demo")])
            #expect(reply.status == 302)
            let location = try #require(reply.header("Location"))
            #expect(location.hasPrefix(Harness.despRedirect + "?session_state="))
            #expect(Harness.code(fromLocation: location) != nil)
        }
    }

    @Test func `a wrong password re-renders the page with the input error span`() async throws {
        try await Harness.routed { h in
            let reply = try await h.postForm(try await h.loginAction(), [("username", "demo"), ("password", "nope")])
            #expect(reply.status == 200)
            #expect(reply.text.contains("<span id=\"input-error\" aria-live=\"polite\">Invalid username or password.</span>"))
            #expect(Harness.formAction(reply.text) != nil)
        }
    }

    @Test func `a user with an OTP gets the OTP form and a code only with the right OTP`() async throws {
        let configuration = SandboxConfiguration(users: [("alice", "secret")], otps: ["alice": "123456"])
        try await Harness.routed(configuration) { h in
            let reply = try await h.postForm(try await h.loginAction(), [("username", "alice"), ("password", "secret")])
            #expect(reply.status == 200)
            #expect(reply.text.contains("<input id=\"otp\" name=\"otp\""))
            #expect(!reply.text.contains("id=\"input-error\""))
            let action = try #require(Harness.formAction(reply.text))
            let wrong = try await h.postForm(action, [("otp", "000000"), ("login", "Sign In")])
            #expect(wrong.status == 200)
            #expect(wrong.text.contains("Invalid authenticator code."))
            let right = try await h.postForm(try #require(Harness.formAction(wrong.text)), [("otp", "123456"), ("login", "Sign In")])
            #expect(right.status == 302)
            #expect(Harness.code(fromLocation: right.header("Location")) != nil)
            // And the whole flow through the helper:
            _ = try await h.despToken(user: "alice", password: "secret", otp: "123456")
        }
    }

    @Test func `an unknown client or redirect URI gets an error page, not a form`() async throws {
        try await Harness.routed { h in
            let badClient = try await h.get("/realms/desp/protocol/openid-connect/auth?client_id=evil&redirect_uri=https://x&response_type=code")
            #expect(badClient.status == 400)
            #expect(Harness.formAction(badClient.text) == nil)
            let badRedirect = try await h.get(
                "/realms/desp/protocol/openid-connect/auth?client_id=dedl-hda&redirect_uri=https://evil.example/cb&response_type=code")
            #expect(badRedirect.status == 400)
        }
    }

    @Test func `a code is exchanged once and only with its redirect URI`() async throws {
        try await Harness.routed { h in
            let reply = try await h.postForm(try await h.loginAction(), [("username", "demo"), ("password", "demo")])
            let code = try #require(Harness.code(fromLocation: reply.header("Location")))
            let tokenURL = h.base + "/realms/desp/protocol/openid-connect/token"
            let wrongRedirect = try await h.postForm(
                tokenURL, [("client_id", "dedl-hda"), ("redirect_uri", "https://elsewhere"), ("code", code), ("grant_type", "authorization_code")])
            #expect(wrongRedirect.status == 400)
            #expect(wrongRedirect.json?["error"]?.stringValue == "invalid_grant")
            // The failed attempt consumed the code, as Keycloak does.
            let again = try await h.postForm(
                tokenURL, [("client_id", "dedl-hda"), ("redirect_uri", Harness.despRedirect), ("code", code), ("grant_type", "authorization_code")])
            #expect(again.status == 400)
            #expect(again.json?["error_description"]?.stringValue == "Code not valid")
        }
    }

    @Test func `the token exchange gives a DEDL token that the JWKS named by the well-known document verifies`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let configuration = try await h.get("/auth/realms/dedl/.well-known/openid-configuration")
            #expect(configuration.status == 200)
            let jwksURI = try #require(configuration.json?["jwks_uri"]?.stringValue)
            #expect(jwksURI == h.base + "/auth/realms/dedl/protocol/openid-connect/certs")
            #expect(configuration.json?["issuer"]?.stringValue == h.base + "/auth/realms/dedl")
            let jwks = try await h.get(jwksURI)
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks.text)
            struct Claims: JWTPayload {
                var exp: ExpirationClaim
                var iat: IssuedAtClaim
                var sub: SubjectClaim
                var aud: AudienceClaim
                var iss: IssuerClaim
                // swift-format-ignore: AlwaysUseLowerCamelCase
                var realm_access: [String: [String]]
                // swift-format-ignore: AlwaysUseLowerCamelCase
                var preferred_username: String
                func verify(using algorithm: some JWTAlgorithm) async throws { try exp.verifyNotExpired() }
            }
            let claims = try await keys.verify(token, as: Claims.self)
            #expect(claims.preferred_username == "demo")
            #expect(claims.aud.value.contains("hda-public"))
            #expect(claims.iss.value == h.base + "/auth/realms/dedl")
            #expect(claims.realm_access["roles"]?.isEmpty == false)
            let header = try #require(token.split(separator: ".").first.flatMap { Base64URL.decode($0) }.flatMap { try? JSONReader.parse($0) })
            #expect(header["alg"]?.stringValue == "RS256")
            #expect(jwks.json?["keys"]?.arrayValue?.contains { $0["kid"] == header["kid"] } == true)
        }
    }

    @Test func `client credentials work for configured service accounts only`() async throws {
        let configuration = SandboxConfiguration(serviceAccounts: [("ci-bot", "s3cret")])
        try await Harness.routed(configuration) { h in
            let url = h.dedlTokenURL
            let good = try await h.postForm(
                url, [("client_id", "ci-bot"), ("client_secret", "s3cret"), ("grant_type", "client_credentials"), ("scope", "openid")])
            #expect(good.status == 200)
            let token = try #require(good.json?["access_token"]?.stringValue)
            #expect(try await h.get("/odata/v1/Workflows", token: token).status == 200)
            let basic = Data("ci-bot:s3cret".utf8).base64EncodedString()
            let viaBasic = try await h.postForm(url, [("grant_type", "client_credentials")], headers: [("Authorization", "Basic \(basic)")])
            #expect(viaBasic.status == 200)
            let bad = try await h.postForm(url, [("client_id", "ci-bot"), ("client_secret", "wrong"), ("grant_type", "client_credentials")])
            #expect(bad.status == 401)
            #expect(bad.json?["error"]?.stringValue == "unauthorized_client")
        }
    }

    @Test func `the DEDL password grant accepts sandbox logins`() async throws {
        try await Harness.routed { h in
            let url = h.dedlTokenURL
            let good = try await h.postForm(
                url, [("grant_type", "password"), ("client_id", "hda-public"), ("username", "demo"), ("password", "demo"), ("scope", "openid")])
            #expect(good.status == 200)
            #expect(good.json?["token_type"]?.stringValue == "Bearer")
            let bad = try await h.postForm(url, [("grant_type", "password"), ("client_id", "hda-public"), ("username", "demo"), ("password", "x")])
            #expect(bad.status == 401)
            #expect(bad.json?["error_description"]?.stringValue == "Invalid user credentials")
            let unsupported = try await h.postForm(url, [("grant_type", "implicit")])
            #expect(unsupported.json?["error"]?.stringValue == "unsupported_grant_type")
        }
    }

    @Test func `the API answers 401 with a detail for missing, malformed, forged and DESP tokens`() async throws {
        try await Harness.routed { h in
            let missing = try await h.get("/odata/v1/Workflows")
            #expect(missing.status == 401)
            #expect(missing.text == #"{"detail":"Not authenticated"}"#)
            #expect(missing.header("WWW-Authenticate") == "Bearer")
            let garbage = try await h.get("/odata/v1/Workflows", token: "not-a-jwt")
            #expect(garbage.status == 401)
            #expect(garbage.json?["detail"]?.stringValue?.hasPrefix("Invalid token") == true)
            let token = try await h.dedlToken()
            var parts = token.split(separator: ".").map(String.init)
            var payload = try #require(Base64URL.decode(Substring(parts[1])))
            let text = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "\"demo\"", with: "\"root\"")
            payload = Array(text.utf8)
            parts[1] = Base64URL.encode(payload)
            let forged = try await h.get("/odata/v1/Workflows", token: parts.joined(separator: "."))
            #expect(forged.status == 401)
            #expect(forged.json?["detail"]?.stringValue == "Invalid token: signature verification failed")
            let desp = try await h.despToken()
            let wrongRealm = try await h.get("/odata/v1/Workflows", token: desp)
            #expect(wrongRealm.status == 401)
            let basic = try await h.send(.GET, "/odata/v1/Workflows", headers: [("Authorization", "Basic ZGVtbzpkZW1v")])
            #expect(basic.status == 401)
        }
    }

    @Test func `tokens expire after the configured lifetime, and refresh tokens after 30 minutes`() async throws {
        // A whole second, so the tokens' whole-second `iat` and `exp` fall exactly on the instants below.
        let time = ManualTime(Date(timeIntervalSince1970: 1_900_000_000))
        try await Harness.routed(SandboxConfiguration(tokenTTL: .seconds(300)), time: time) { h in
            let tokenURL = h.dedlTokenURL
            let reply = try await h.postForm(tokenURL, [("grant_type", "password"), ("client_id", "hda-public"), ("username", "demo"), ("password", "demo")])
            #expect(reply.json?["expires_in"]?.intValue == 300)
            #expect(reply.json?["refresh_expires_in"]?.intValue == 1800)
            let token = try #require(reply.json?["access_token"]?.stringValue)
            let refresh = try #require(reply.json?["refresh_token"]?.stringValue)
            time.advance(bySeconds: 299)
            #expect(try await h.get("/odata/v1/Workflows", token: token).status == 200)
            time.advance(bySeconds: 1)
            let expired = try await h.get("/odata/v1/Workflows", token: token)
            #expect(expired.status == 401)
            #expect(expired.json?["detail"]?.stringValue == "Token has expired")

            let refreshForm = [("grant_type", "refresh_token"), ("client_id", "hda-public"), ("refresh_token", refresh)]
            time.advance(bySeconds: 1499)
            #expect(try await h.postForm(tokenURL, refreshForm).status == 200)
            time.advance(bySeconds: 1)
            let lapsed = try await h.postForm(tokenURL, refreshForm)
            #expect(lapsed.status == 400)
            #expect(lapsed.json?["error"]?.stringValue == "invalid_grant")
        }
    }

    @Test func `paths with a double slash are tolerated, as the notebooks send them`() async throws {
        try await Harness.routed { h in
            let page = try await h.get(
                "//realms/desp/protocol/openid-connect/auth?client_id=dedl-hda&redirect_uri=\(FormData.escape(Harness.despRedirect))&response_type=code")
            #expect(page.status == 200)
            #expect(Harness.formAction(page.text) != nil)
        }
    }
}

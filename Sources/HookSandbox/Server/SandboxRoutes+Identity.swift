import Foundation
import HTTPTypes
import HookCore
import Hummingbird
import NIOCore

/// The DESP (authorization code with an HTML form and optional OTP) and DEDL (token exchange, client credentials,
/// password) realms.
extension SandboxRoutes {
    static let formLimit = 64 * 1024

    private func htmlEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private func actionURL(_ call: Call, sessionCode: String, clientID: String) -> String {
        "\(call.baseURL)/realms/desp/login-actions/authenticate?session_code=\(sessionCode)&execution=\(UUID().uuidString.lowercased())&client_id=\(FormData.escape(clientID))&tab_id=\(LoginSessions.randomToken(8))"
    }

    private func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>\(title)</title></head>
        <body id="keycloak-bg">
        <div class="login-pf-page"><div id="kc-header"><div id="kc-header-wrapper">DESP</div></div>
        <div class="card-pf">
        \(body)
        </div></div>
        </body>
        </html>

        """
    }

    private func loginForm(action: String, username: String = "", error: String? = nil) -> String {
        let errorHTML = error.map { "<div class=\"alert-error\"><span id=\"input-error\" aria-live=\"polite\">\(htmlEscape($0))</span></div>\n" } ?? ""
        return page(
            title: "Sign in to DESP",
            body: """
                <h1 id="kc-page-title">Sign in to your account</h1>
                \(errorHTML)<div id="kc-form"><div id="kc-form-wrapper">
                <form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="\(htmlEscape(action))" method="post">
                <label for="username">Username or email</label>
                <input tabindex="1" id="username" name="username" value="\(htmlEscape(username))" type="text" autofocus autocomplete="off">
                <label for="password">Password</label>
                <input tabindex="2" id="password" name="password" type="password" autocomplete="off">
                <input type="hidden" id="id-hidden-input" name="credentialId">
                <input tabindex="4" name="login" id="kc-login" type="submit" value="Sign In">
                </form></div></div>
                """)
    }

    private func otpForm(action: String, error: String? = nil) -> String {
        let errorHTML = error.map { "<div class=\"alert-error\"><span id=\"input-error-otp-code\" aria-live=\"polite\">\(htmlEscape($0))</span></div>\n" } ?? ""
        return page(
            title: "Sign in to DESP",
            body: """
                <h1 id="kc-page-title">Two-factor authentication</h1>
                \(errorHTML)<form id="kc-otp-login-form" action="\(htmlEscape(action))" method="post">
                <label for="otp">One-time code</label>
                <input id="otp" name="otp" autocomplete="off" type="text" autofocus>
                <input name="login" id="kc-login" type="submit" value="Sign In">
                </form>
                """)
    }

    func despLoginPage(_ call: Call) -> Response {
        let clientID = call.queryValue("client_id") ?? ""
        guard let redirects = TokenEndpoint.despClients[clientID] else {
            return HTTPReply.html(page(title: "Error", body: "<p id=\"error-summary\">Client not found.</p>"), status: .badRequest)
        }
        let redirectURI = call.queryValue("redirect_uri") ?? ""
        guard redirects.contains(redirectURI) || redirectURI.hasPrefix(call.baseURL + "/") else {
            return HTTPReply.html(page(title: "Error", body: "<p id=\"error-summary\">Invalid parameter: redirect_uri</p>"), status: .badRequest)
        }
        guard call.queryValue("response_type") ?? "code" == "code" else {
            return HTTPReply.html(page(title: "Error", body: "<p id=\"error-summary\">Unsupported response_type</p>"), status: .badRequest)
        }
        let sessionCode = service.sessions.open(
            .init(
                clientID: clientID, redirectURI: redirectURI, state: call.queryValue("state"), nonce: call.queryValue("nonce"), createdMs: service.nowMs))
        return HTTPReply.html(
            loginForm(action: actionURL(call, sessionCode: sessionCode, clientID: clientID)),
            headers: [.setCookie: "AUTH_SESSION_ID=\(sessionCode); Path=/realms/desp/; HttpOnly"])
    }

    func despExpiredPage(_ call: Call) -> Response {
        HTTPReply.html(page(title: "Sign in to DESP", body: "<p id=\"instruction1\">Your login attempt timed out. Login will start from the beginning.</p>"))
    }

    func despAuthenticate(_ call: Call) async throws -> Response {
        let form = FormData.decode(String(decoding: try await body(call, limit: Self.formLimit), as: UTF8.self))
        func field(_ name: String) -> String? { form.first { $0.0 == name }?.1 }
        let now = service.nowMs
        guard let sessionCode = call.queryValue("session_code"), let session = service.sessions.session(sessionCode, now: now) else {
            return despExpiredPage(call)
        }
        let action = actionURL(call, sessionCode: sessionCode, clientID: session.clientID)
        if let pendingUser = session.pendingOTPUser {
            guard let otp = field("otp"), otp == service.configuration.otps[pendingUser] else {
                return HTTPReply.html(otpForm(action: action, error: "Invalid authenticator code."))
            }
            return redirectWithCode(session: session, sessionCode: sessionCode, username: pendingUser, now: now)
        }
        let username = field("username") ?? ""
        let password = field("password") ?? ""
        guard !username.isEmpty, let expected = service.logins[username], expected == password else {
            return HTTPReply.html(loginForm(action: action, username: username, error: "Invalid username or password."))
        }
        if service.configuration.otps[username] != nil {
            service.sessions.update(sessionCode) { $0.pendingOTPUser = username }
            return HTTPReply.html(otpForm(action: action))
        }
        return redirectWithCode(session: session, sessionCode: sessionCode, username: username, now: now)
    }

    private func redirectWithCode(session: LoginSessions.Session, sessionCode: String, username: String, now: Int64) -> Response {
        service.sessions.close(sessionCode)
        let sessionState = UUID().uuidString.lowercased()
        let code = service.sessions.issueCode(
            .init(
                username: username, clientID: session.clientID, redirectURI: session.redirectURI, sessionState: sessionState, nonce: session.nonce,
                expiresMs: now + LoginSessions.codeLifetimeMs))
        var query: [(String, String)] = []
        if let state = session.state { query.append(("state", state)) }
        query += [("session_state", sessionState), ("code", code)]
        let separator = session.redirectURI.contains("?") ? "&" : "?"
        return Response(status: .found, headers: [.location: session.redirectURI + separator + FormData.encode(query), .contentLength: "0"], body: .init())
    }

    func openIDConfiguration(_ call: Call, realmPath: String) -> JSONValue {
        let realm = call.baseURL + realmPath
        return .ordered([
            ("issuer", .string(realm)),
            ("authorization_endpoint", .string(realm + "/protocol/openid-connect/auth")),
            ("token_endpoint", .string(realm + "/protocol/openid-connect/token")),
            ("jwks_uri", .string(realm + "/protocol/openid-connect/certs")),
            (
                "grant_types_supported",
                .array(
                    ["authorization_code", "password", "client_credentials", "refresh_token", "urn:ietf:params:oauth:grant-type:token-exchange"].map {
                        .string($0)
                    })
            ),
            ("response_types_supported", .array([.string("code")])),
            ("subject_types_supported", .array([.string("public")])),
            ("id_token_signing_alg_values_supported", .array([.string("RS256")])),
            ("token_endpoint_auth_methods_supported", .array([.string("client_secret_post"), .string("client_secret_basic")])),
        ])
    }

    private func tokenResponse(_ call: Call, realm: String, username: String, clientID: String, sessionState: String? = nil) async throws -> Response {
        let realmURL = call.baseURL + (realm == "dedl" ? "/auth/realms/dedl" : "/realms/desp")
        let now = Int64(service.configuration.now().timeIntervalSince1970)
        let lifetime = max(1, service.faults.settings.tokenTTL.milliseconds / 1000)
        let session = sessionState ?? UUID().uuidString.lowercased()
        let subject = SandboxService.subject(for: username)
        let audiences = realm == "dedl" ? [TokenEndpoint.dedlAudience, "account"] : ["account"]
        let access = try await service.issuer.sign(
            TokenEndpoint.accessClaims(
                realmURL: realmURL, realm: realm, username: username, subject: subject, clientID: clientID, audiences: audiences, now: now,
                lifetime: lifetime, sessionState: session))
        let refreshLifetime = max(lifetime, 1800)
        let refresh = try await service.issuer.sign(
            TokenEndpoint.refreshClaims(
                realmURL: realmURL, username: username, subject: subject, clientID: clientID, now: now, lifetime: refreshLifetime, sessionState: session))
        return HTTPReply.json(
            .ordered([
                ("access_token", .string(access)), ("expires_in", .integer(Int(lifetime))), ("refresh_expires_in", .integer(Int(refreshLifetime))),
                ("refresh_token", .string(refresh)), ("token_type", .string("Bearer")), ("not-before-policy", .integer(0)),
                ("session_state", .string(session)), ("scope", .string("openid profile email")),
            ]), headers: [.cacheControl: "no-store"])
    }

    /// Client credentials from the form or HTTP Basic.
    private func client(_ call: Call, _ field: (String) -> String?) -> (id: String, secret: String?) {
        if let header = call.header(.authorization), header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        {
            return (FormData.unescape(text[..<colon]), FormData.unescape(text[text.index(after: colon)...]))
        }
        return (field("client_id") ?? "", field("client_secret"))
    }

    func token(_ call: Call, realm: String) async throws -> Response {
        let bytes: [UInt8]
        do {
            bytes = try await body(call, limit: Self.formLimit)
        } catch {
            throw ErrorAnswer.oauth("invalid_request", "Request body too large")
        }
        let form = FormData.decode(String(decoding: bytes, as: UTF8.self))
        func field(_ name: String) -> String? { form.first { $0.0 == name }?.1 }
        let (clientID, clientSecret) = client(call, field)
        let now = service.nowMs
        switch field("grant_type") ?? "" {
        case "authorization_code" where realm == "desp":
            guard TokenEndpoint.despClients[clientID] != nil else {
                throw ErrorAnswer.oauth("invalid_client", "Invalid client or Invalid client credentials", status: .unauthorized)
            }
            guard let code = field("code"), let grant = service.sessions.redeem(code, now: now) else {
                throw ErrorAnswer.oauth("invalid_grant", "Code not valid")
            }
            guard grant.clientID == clientID else { throw ErrorAnswer.oauth("invalid_grant", "Code not valid") }
            guard field("redirect_uri") == grant.redirectURI else { throw ErrorAnswer.oauth("invalid_grant", "Incorrect redirect_uri") }
            return try await tokenResponse(call, realm: "desp", username: grant.username, clientID: clientID, sessionState: grant.sessionState)
        case "password":
            let known = realm == "desp" ? TokenEndpoint.despClients[clientID] != nil : TokenEndpoint.dedlPublicClients.contains(clientID)
            guard known || service.serviceAccounts[clientID] != nil else {
                throw ErrorAnswer.oauth("invalid_client", "Invalid client or Invalid client credentials", status: .unauthorized)
            }
            guard let username = field("username"), let password = field("password"), service.logins[username] == password else {
                throw ErrorAnswer.oauth("invalid_grant", "Invalid user credentials", status: .unauthorized)
            }
            return try await tokenResponse(call, realm: realm, username: username, clientID: clientID)
        case "client_credentials" where realm == "dedl":
            guard let expected = service.serviceAccounts[clientID], let clientSecret, clientSecret == expected else {
                throw ErrorAnswer.oauth("unauthorized_client", "Invalid client or Invalid client credentials", status: .unauthorized)
            }
            return try await tokenResponse(call, realm: "dedl", username: "service-account-\(clientID)", clientID: clientID)
        case "urn:ietf:params:oauth:grant-type:token-exchange" where realm == "dedl":
            guard TokenEndpoint.dedlPublicClients.contains(clientID) else {
                throw ErrorAnswer.oauth("invalid_client", "Invalid client or Invalid client credentials", status: .unauthorized)
            }
            guard let subjectToken = field("subject_token"), !subjectToken.isEmpty else {
                throw ErrorAnswer.oauth("invalid_request", "subject_token parameter is required")
            }
            if let issuer = field("subject_issuer"), issuer != "desp-oidc" {
                throw ErrorAnswer.oauth("invalid_request", "Invalid subject_issuer parameter")
            }
            if let type = field("subject_token_type"), type != "urn:ietf:params:oauth:token-type:access_token" {
                throw ErrorAnswer.oauth("invalid_request", "Invalid token type, must be access token")
            }
            if let audience = field("audience"), audience != TokenEndpoint.dedlAudience {
                throw ErrorAnswer.oauth("invalid_client", "Audience not found")
            }
            let claims: TokenClaims
            do {
                claims = try await service.issuer.verify(subjectToken, realm: "desp", audience: nil)
            } catch {
                throw ErrorAnswer.oauth("invalid_token", error == .expired ? "Token is not active" : "Invalid token")
            }
            return try await tokenResponse(call, realm: "dedl", username: claims.username, clientID: clientID)
        case "refresh_token":
            guard let refresh = field("refresh_token"), let claims = try? await service.issuer.verify(refresh, realm: realm, audience: nil) else {
                throw ErrorAnswer.oauth("invalid_grant", "Invalid refresh token")
            }
            return try await tokenResponse(call, realm: realm, username: claims.username, clientID: clientID.isEmpty ? "hda-public" : clientID)
        case "":
            throw ErrorAnswer.oauth("invalid_request", "Missing form parameter: grant_type")
        default:
            throw ErrorAnswer.oauth("unsupported_grant_type", "Unsupported grant_type")
        }
    }
}

import Foundation
import HookCore
import HookS3
import NIOHTTP1

/// An access token, when it was obtained and when it expires, and the refresh token the realm gave with it, if any.
/// Instants are read on the service's clock (`ServiceClock.now`).
struct TokenGrant: Sendable {
    var token: Secret
    var obtained: Duration
    /// `nil` for a static token without a readable `exp`: it is used until the service refuses it.
    var expires: Duration?
    var refreshToken: Secret?
    /// `nil` when the realm did not say: the realm decides by accepting or refusing it.
    var refreshExpires: Duration?

    /// Whether the token should be renewed at `now`: a fifth of its life (at most 30 s) or less is left.
    func isDue(at now: Duration) -> Bool {
        guard let expires else { return false }
        return expires - now <= min(.seconds(30), (expires - obtained) / 5)
    }
}

/// Gets DEDL access tokens the way `destinelab` does, keeps the current one, and gets a new one shortly before it
/// expires or when the service refuses it: with the refresh token the realm gave (one call), else by logging in again.
/// One renewal at a time, however many calls wait for it.
actor TokenProvider {
    private let identity: IdentityConfiguration
    private let credentials: Credentials
    private let http: HTTPCaller
    private let timeout: Duration
    private let clock: ServiceClock
    private var current: TokenGrant?
    /// Kept when the access token is forgotten after a 401, to try before a full login.
    private var refreshable: TokenGrant?
    private var pending: Task<TokenGrant, any Error>?

    init(identity: IdentityConfiguration, credentials: Credentials, http: HTTPCaller, timeout: Duration, clock: ServiceClock) {
        self.identity = identity
        self.credentials = credentials
        self.http = http
        self.timeout = timeout
        self.clock = clock
    }

    /// A token with more than a fifth of its life (or more than 30 s) left.
    func token() async throws -> Secret {
        if let current, !current.isDue(at: clock.now) { return current.token }
        if let pending { return try await pending.value.token }
        let task = Task { try await self.obtain() }
        pending = task
        defer { pending = nil }
        let fresh = try await task.value
        current = fresh
        refreshable = fresh
        return fresh.token
    }

    /// Forgets the current token (the service refused it); the next `token()` logs in again.
    func invalidate(_ token: Secret) {
        if current?.token == token { current = nil }
    }

    private func obtain() async throws -> TokenGrant {
        if let previous = refreshable, let refreshToken = previous.refreshToken,
            previous.refreshExpires.map({ $0 - clock.now > .seconds(10) }) ?? true,
            let renewed = try? await dedlToken(refreshClient + [("grant_type", "refresh_token"), ("refresh_token", refreshToken.reveal())])
        {
            return renewed
        }
        switch credentials {
        case .token(let token):
            let now = clock.now
            return TokenGrant(token: token, obtained: now, expires: Self.expiry(of: token.reveal()).map { Self.instant(of: $0, now: now) })
        case .serviceAccount(let clientID, let secret):
            return try await dedlToken([
                ("client_id", clientID), ("client_secret", secret.reveal()),
                ("grant_type", "client_credentials"), ("scope", "openid"),
            ])
        case .desp(let username, let password, let otp):
            let despToken = try await despLogin(username: username, password: password, otp: otp)
            return try await dedlToken([
                ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("subject_token", despToken.reveal()),
                ("subject_issuer", "desp-oidc"), ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                ("client_id", identity.exchangeClientID), ("audience", identity.exchangeClientID),
            ])
        }
    }

    /// The client fields of a refresh at the DEDL realm: the client the token was issued to.
    private var refreshClient: [(String, String)] {
        switch credentials {
        case .serviceAccount(let clientID, let secret): [("client_id", clientID), ("client_secret", secret.reveal())]
        case .desp, .token: [("client_id", identity.exchangeClientID)]
        }
    }

    private func dedlToken(_ form: [(String, String)]) async throws -> TokenGrant {
        guard let url = identity.dedlTokenURL else { throw ClientError.identity("the profile has no DEDL token URL") }
        let response = try await post(url.absoluteString, form: form, cookies: nil)
        guard response.status == 200 else {
            let detail = errorDetail(response.body)
            if [400, 401, 403].contains(response.status) { throw ClientError.invalidCredentials(detail) }
            throw ClientError.identity("the DEDL token endpoint answered \(response.status): \(detail)")
        }
        return try Self.accessToken(response.body, obtained: clock.now)
    }

    /// DESP's authorization-code login through its HTML form (HOOK-API 7.2); returns the DESP access token.
    private func despLogin(username: String, password: Secret, otp: Secret?) async throws -> Secret {
        guard let base = identity.despURL?.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) else {
            throw ClientError.identity("the profile has no DESP URL")
        }
        var cookies = CookieJar()
        let redirect = SigV4Signer.uriEncode(identity.redirectURI, keepSlash: false)
        let authURL =
            "\(base)/realms/desp/protocol/openid-connect/auth?client_id=\(identity.despClientID)"
            + "&redirect_uri=\(redirect)&scope=openid&response_type=code"
        let page = try await call(.GET, authURL, cookies: &cookies)
        guard page.status == 200, let action = HTMLPage(String(decoding: page.body, as: UTF8.self)).formAction else {
            throw ClientError.identity("the DESP login page (\(page.status)) has no login form")
        }
        var answer = try await call(.POST, action, form: [("username", username), ("password", password.reveal())], cookies: &cookies)
        if answer.status == 200 {
            let html = HTMLPage(String(decoding: answer.body, as: UTF8.self))
            if let message = html.text(ofID: "input-error") { throw ClientError.invalidCredentials(message) }
            guard html.asksForOTP, let otpAction = html.formAction else {
                throw ClientError.identity("unexpected answer from the DESP login form")
            }
            guard let otp, !otp.isEmpty else { throw ClientError.otpRequired }
            answer = try await call(.POST, otpAction, form: [("otp", otp.reveal()), ("login", "Sign In")], cookies: &cookies)
            if answer.status == 200 {
                let retry = HTMLPage(String(decoding: answer.body, as: UTF8.self))
                throw ClientError.invalidCredentials(
                    retry.text(ofID: "input-error-otp-code") ?? retry.text(ofID: "input-error")
                        ?? "the one-time password was refused")
            }
        }
        guard answer.status == 302 || answer.status == 303, let location = answer.header("location"),
            let components = URLComponents(string: location)
        else { throw ClientError.identity("the DESP login answered \(answer.status) without a redirect") }
        if let error = components.queryItems?.first(where: { $0.name == "error" })?.value {
            throw ClientError.identity("DESP refused the login: \(error)")
        }
        guard let code = components.queryItems?.first(where: { $0.name == "code" })?.value else {
            throw ClientError.identity("the DESP redirect carries no code")
        }
        let exchange = try await call(
            .POST, "\(base)/realms/desp/protocol/openid-connect/token",
            form: [
                ("client_id", identity.despClientID), ("redirect_uri", identity.redirectURI),
                ("code", code), ("grant_type", "authorization_code"), ("scope", ""),
            ],
            cookies: &cookies)
        guard exchange.status == 200 else {
            throw ClientError.identity("the DESP code exchange answered \(exchange.status): \(errorDetail(exchange.body))")
        }
        return try Self.accessToken(exchange.body, obtained: clock.now).token
    }

    private func call(_ method: HTTPMethod, _ url: String, form: [(String, String)]? = nil, cookies: inout CookieJar) async throws
        -> WireResponse
    {
        var headers: [(String, String)] = []
        if let cookie = cookies.header { headers.append(("Cookie", cookie)) }
        if form != nil { headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        let response: WireResponse
        do {
            response = try await http.send(method, url, headers: headers, body: form.map(formEncode), timeout: timeout)
        } catch {
            throw ClientError.unreachable(url: http.redacted(url), reason: Self.reason(error))
        }
        cookies.take(response.headers)
        return response
    }

    private func post(_ url: String, form: [(String, String)], cookies: CookieJar?) async throws -> WireResponse {
        var jar = cookies ?? CookieJar()
        return try await call(.POST, url, form: form, cookies: &jar)
    }

    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("connectTimeout") { return "connection refused" }
        return String(text.prefix(160))
    }

    /// The grant in a token endpoint's answer, obtained at `now` (service clock). Lifetimes are `expires_in` and
    /// `refresh_expires_in` counted from `now`; without `expires_in`, the JWT's `exp`, else 300 s.
    static func accessToken(_ body: [UInt8], obtained now: Duration) throws -> TokenGrant {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let token = json["access_token"] as? String
        else { throw ClientError.decoding(what: "a token answer", reason: "no access_token") }
        let lifetime = (json["expires_in"] as? NSNumber)?.doubleValue
        let refresh = (json["refresh_token"] as? String).flatMap { $0.isEmpty ? nil : Secret($0) }
        let refreshLifetime = (json["refresh_expires_in"] as? NSNumber)?.doubleValue
        let expires = lifetime.map { now + seconds($0) } ?? expiry(of: token).map { instant(of: $0, now: now) } ?? now + .seconds(300)
        return TokenGrant(
            token: Secret(token), obtained: now, expires: expires, refreshToken: refresh,
            // Keycloak's 0 means "as long as the session": let the realm decide by trying.
            refreshExpires: refreshLifetime.flatMap { $0 > 0 ? now + seconds($0) : nil })
    }

    /// A wall-clock instant (a JWT's `exp`) on the service clock, whose reading is `now`: the wall clock is read once,
    /// here.
    static func instant(of date: Date, now: Duration) -> Duration {
        now + seconds(date.timeIntervalSinceNow)
    }

    /// Seconds read from a token or its answer, clamped to ±30 years: they may be any number, and `Duration` traps on
    /// one it cannot hold.
    private static func seconds(_ value: Double) -> Duration {
        .seconds(min(max(value, -1e9), 1e9))
    }

    /// The `exp` claim of a JWT (read, not verified: the service verifies it).
    static func expiry(of jwt: String) -> Date? {
        let parts = jwt.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
        guard let data = Data(base64Encoded: payload),
            let claims = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let exp = (claims["exp"] as? NSNumber)?.doubleValue
        else { return nil }
        return Date(timeIntervalSince1970: exp)
    }
}

/// The cookies of one login conversation.
struct CookieJar {
    private var cookies: [String: String] = [:]

    var header: String? { cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    mutating func take(_ headers: HTTPHeaders) {
        for line in headers["set-cookie"] {
            let pair = line.prefix { $0 != ";" }
            guard let equals = pair.firstIndex(of: "=") else { continue }
            cookies[String(pair[..<equals]).trimmingCharacters(in: .whitespaces)] = String(pair[pair.index(after: equals)...])
        }
    }
}

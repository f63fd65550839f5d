import Foundation
import HookCore
import HookS3

/// Who the client is and where it talks.
public struct ServiceConfiguration: Sendable {
    /// The OData root, e.g. `https://odp.data.destination-earth.eu/odata/v1/`.
    public var serviceURL: URL
    public var identity: IdentityConfiguration
    public var credentials: Credentials
    public var retry: RetryPolicy

    public init(serviceURL: URL, identity: IdentityConfiguration, credentials: Credentials, retry: RetryPolicy = RetryPolicy()) {
        self.serviceURL = serviceURL
        self.identity = identity
        self.credentials = credentials
        self.retry = retry
    }
}

/// The two identity realms, with `destinelab`'s client ids (HOOK-API section 7.1).
public struct IdentityConfiguration: Sendable {
    /// DESP identity server root; the realm is `<despURL>/realms/desp/...`.
    public var despURL: URL?
    /// The DEDL realm's token endpoint.
    public var dedlTokenURL: URL?
    public var despClientID = "dedl-hda"
    public var redirectURI = "https://hda.data.destination-earth.eu/stac"
    public var exchangeClientID = "hda-public"

    public init(despURL: URL?, dedlTokenURL: URL?) {
        self.despURL = despURL
        self.dedlTokenURL = dedlTokenURL
    }
}

/// How to obtain a DEDL access token.
public enum Credentials: Sendable {
    /// A DESP user: login form (optional OTP), code exchange, then the DESP -> DEDL token exchange.
    case desp(username: String, password: Secret, otp: Secret?)
    /// A DEDL service account (`client_credentials`).
    case serviceAccount(clientID: String, clientSecret: Secret)
    /// A ready access token.
    case token(Secret)
}

/// The one resilience policy: per-request timeout, retries with exponential backoff and jitter for calls that are
/// safe to repeat, `Retry-After` honoured, and a bound on the total time spent retrying.
public struct RetryPolicy: Sendable {
    public var requestTimeout: Duration = .seconds(30)
    public var maxAttempts = 8
    /// Attempts when the service cannot be reached at all: a down service is reported in seconds, not minutes.
    public var maxConnectAttempts = 3
    public var baseDelay: Duration = .milliseconds(200)
    public var maxDelay: Duration = .seconds(10)
    public var totalBudget: Duration = .seconds(120)

    public init() {}

    /// The pause before retry number `attempt` (1-based): exponential, capped, with full jitter in its upper half.
    func delay(attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay * 3) }
        let exponential = baseDelay * (1 << min(attempt - 1, 16))
        let capped = min(exponential, maxDelay)
        return capped / 2 + capped / 2 * Double.random(in: 0...1)
    }
}

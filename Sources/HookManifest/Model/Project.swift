import Foundation

/// The project file `hookctl.yaml` (`kind: Project`).
public struct Project: Hashable, Sendable {
    /// `defaultProfile`, if set.
    public var defaultProfile: String?
    /// Profiles by name.
    public var profiles: [String: Profile]
    /// True when the project has a `defaults:` mapping (merged under every order's `spec`, the manifest wins).
    public var hasDefaults: Bool
    /// The cached workflow catalogue (`hookctl.workflows.json` beside the project file), if present and readable.
    public var workflowCatalogue: WorkflowCatalogue?
    /// Creates a project value.
    public init(defaultProfile: String?, profiles: [String: Profile], hasDefaults: Bool = false, workflowCatalogue: WorkflowCatalogue? = nil) {
        self.defaultProfile = defaultProfile
        self.profiles = profiles
        self.hasDefaults = hasDefaults
        self.workflowCatalogue = workflowCatalogue
    }
}

/// A named way of reaching a Hook service.
public struct Profile: Hashable, Sendable {
    /// The profile's name in the project.
    public var name: String
    /// True for the embedded sandbox (`sandbox: true`), started by each command.
    public var sandbox: Bool
    /// OData root, e.g. `https://odp.data.destination-earth.eu/odata/v1/`.
    public var serviceURL: String?
    /// DESP identity base URL, e.g. `https://auth.destine.eu`.
    public var despURL: String?
    /// DEDL token endpoint.
    public var dedlTokenURL: String?
    /// The STAC API `check` looks identifiers up in (default: the HDA STAC).
    public var catalogueURL: String?
    /// Limits on what one run may submit under this profile.
    public var policy = Policy()
    /// How to authenticate.
    public var auth: ProfileAuth?
    /// Where the state lives when not in the local lock file (`state: {s3: {...}}`).
    public var state: S3StateLocation?
    /// Creates a profile.
    public init(name: String, sandbox: Bool = false, serviceURL: String? = nil, despURL: String? = nil, dedlTokenURL: String? = nil, auth: ProfileAuth? = nil) {
        self.name = name
        self.sandbox = sandbox
        self.serviceURL = serviceURL
        self.despURL = despURL
        self.dedlTokenURL = dedlTokenURL
        self.auth = auth
    }
}

/// `profiles.<name>.state.s3` (SPEC 10): the profile's state kept as an object in an S3-compatible store.
public struct S3StateLocation: Hashable, Sendable {
    public var bucket: String
    /// The state object's key, e.g. `hookctl/harvest.lock`; a shard's has `.<K>-of-<N>` before its extension.
    public var key: String
    /// The store's endpoint URL.
    public var endpoint: String
    /// The SigV4 signing region (default `us-east-1`).
    public var region: String
    public var accessKey: Template
    public var secretKey: Template

    public init(bucket: String, key: String, endpoint: String, region: String, accessKey: Template, secretKey: Template) {
        self.bucket = bucket
        self.key = key
        self.endpoint = endpoint
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
    }
}

/// A profile's credentials, as references (resolved by the runner into secrets).
public enum ProfileAuth: Hashable, Sendable {
    /// DESP login (authorization-code flow), with an optional one-time password.
    case desp(username: Template, password: Template, otp: Template?)
    /// DEDL service account (`client_credentials`).
    case serviceAccount(clientID: Template, clientSecret: Template)
    /// A ready DEDL bearer token.
    case token(Template)
}

/// `profiles.<name>.policy` (SPEC 9): a run that would submit more is refused before anything is sent.
public struct Policy: Hashable, Sendable {
    /// Orders one run may submit.
    public var maxOrders: Int?
    /// Identifiers (items) one run may submit, over all its orders.
    public var maxItems: Int?
    /// Bytes one run may order, from the catalogue's asset sizes (`500GB`: GB = 10^9, GiB = 2^30).
    public var maxBytes: Int64?

    public init(maxOrders: Int? = nil, maxItems: Int? = nil, maxBytes: Int64? = nil) {
        self.maxOrders = maxOrders
        self.maxItems = maxItems
        self.maxBytes = maxBytes
    }

    /// `500GB`, `1.5TiB`, `750MB`, `2048` (bytes): a number and an optional unit B, KB, MB, GB, TB (powers of 10) or
    /// KiB, MiB, GiB, TiB (powers of 2).
    public static func bytes(_ text: String) -> Int64? {
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
        ]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let (unit, scale) = units.first { trimmed.hasSuffix($0.0) } ?? ("", 1)
        guard let number = Double(trimmed.dropLast(unit.count).trimmingCharacters(in: .whitespaces)), number >= 0, number.isFinite else {
            return nil
        }
        let value = number * scale
        return value < 9e18 ? Int64(value.rounded()) : nil
    }
}

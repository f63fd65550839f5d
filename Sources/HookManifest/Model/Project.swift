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
    /// How to authenticate.
    public var auth: ProfileAuth?
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

/// A profile's credentials, as references (resolved by the runner into secrets).
public enum ProfileAuth: Hashable, Sendable {
    /// DESP login (authorization-code flow), with an optional one-time password.
    case desp(username: Template, password: Template, otp: Template?)
    /// DEDL service account (`client_credentials`).
    case serviceAccount(clientID: Template, clientSecret: Template)
    /// A ready DEDL bearer token.
    case token(Template)
}

/// Decodes the `kind: Project` document of `hookctl.yaml`.
struct ProjectDecoder {
    static let topKeys = ["apiVersion", "kind", "defaultProfile", "profiles", "defaults"]
    static let profileKeys = ["sandbox", "serviceUrl", "identity", "auth", "catalogueUrl", "policy", "state"]

    /// A URL field: absolute `http` or `https` with a host, or an error at its value.
    static func url(_ fields: Fields, _ key: String, required: Bool = false) -> String? {
        guard let (text, node) = fields.string(key, required: required) else { return nil }
        let scheme = text.prefix { $0 != ":" }.lowercased()
        let rest = text.dropFirst(scheme.count)
        guard scheme == "http" || scheme == "https", rest.hasPrefix("://"), rest.dropFirst(3).first.map({ $0 != "/" && !$0.isWhitespace }) == true,
            !text.contains(where: \.isWhitespace)
        else {
            fields.context.sink.error(
                "project.profile",
                "`\(fields.sub(key))` must be an absolute http(s) URL such as `https://odp.data.destination-earth.eu/odata/v1/`, got `\(text.prefix(80))`",
                at: node.mark)
            return nil
        }
        return text
    }
    static let defaultsKeys = OrderDecoder.specKeys.filter { $0 != "identifiers" && $0 != "identifiersFile" }

    let context: DecodeContext

    /// The project and the `defaults:` node; nil project when the document has errors that make it unusable.
    func decode(_ top: Fields) -> (Project, defaults: YAMLNode?, defaultProfileNode: YAMLNode?)? {
        let sink = context.sink
        let errors = sink.errorCount
        top.checkKeys(Self.topKeys)
        let defaultProfile = top.string("defaultProfile")
        var profiles: [String: Profile] = [:]
        if let fields = top.mapping("profiles") {
            for pair in fields.pairs {
                if let profile = decodeProfile(pair, path: fields.sub(pair.name)) { profiles[pair.name] = profile }
            }
        }
        if let (name, node) = defaultProfile, profiles[name] == nil {
            sink.error(
                "project.profile", "`defaultProfile` names an unknown profile `\(name)`\(Suggestion.hint(for: name, in: profiles.keys.sorted()))", at: node.mark
            )
        }
        var defaults: YAMLNode?
        if let fields = top.mapping("defaults") {
            fields.checkKeys(
                Self.defaultsKeys,
                misplaced: [
                    "identifiers": "cannot have a project-wide default", "identifiersFile": "cannot have a project-wide default",
                ])
            defaults = fields.node
        }
        guard sink.errorCount == errors else { return nil }
        return (Project(defaultProfile: defaultProfile?.0, profiles: profiles, hasDefaults: defaults != nil), defaults, defaultProfile?.1)
    }

    private func decodeProfile(_ pair: YAMLPair, path: String) -> Profile? {
        let sink = context.sink
        guard OrderDecoder.isProfileName(pair.name) else {
            sink.error("project.profile", "profile name `\(pair.name.prefix(80))` must be letters, digits, `_` and `-`", at: pair.keyMark)
            return nil
        }
        guard let fields = Fields(pair.value, path: path, context: context) else { return nil }
        fields.checkKeys(Self.profileKeys)
        let errors = sink.errorCount
        let sandbox = fields.bool("sandbox") ?? false
        var profile = Profile(name: pair.name, sandbox: sandbox)
        if let policy = fields.mapping("policy") {
            policy.checkKeys(["maxOrders", "maxItems", "maxBytes"])
            for key in ["maxOrders", "maxItems"] {
                guard let (value, node) = policy.int(key) else { continue }
                if value < 1 {
                    sink.error("project.policy", "`\(policy.sub(key))` must be at least 1", at: node.mark)
                } else if key == "maxOrders" {
                    profile.policy.maxOrders = value
                } else {
                    profile.policy.maxItems = value
                }
            }
            if let pair = policy["maxBytes"] {
                let text = pair.value.stringValue ?? { if case .int(let i)? = pair.value.scalarValue { String(i) } else { "" } }()
                if let bytes = Policy.bytes(text), bytes > 0 {
                    profile.policy.maxBytes = bytes
                } else {
                    sink.error(
                        "project.policy", "`\(policy.sub("maxBytes"))` must be a size such as `500GB` (GB = 10^9 bytes) or `2TiB` (TiB = 2^40 bytes)",
                        at: pair.value.mark)
                }
            }
        }
        if let state = fields.mapping("state") {
            state.checkKeys(["s3"])
            if let s3 = state.mapping("s3", required: true) {
                s3.checkKeys(["bucket", "key", "endpoint", "region", "accessKey", "secretKey"])
                let bucket = s3.string("bucket", required: true)
                let key = s3.string("key", required: true)
                if let (text, node) = key, text.isEmpty || text.hasSuffix("/") || text.hasPrefix("/") {
                    sink.error("project.state", "`\(s3.sub("key"))` must name an object, such as `hookctl/harvest.lock`", at: node.mark)
                }
                let endpoint = Self.url(s3, "endpoint", required: true)
                let region = s3.string("region")?.0 ?? "us-east-1"
                let accessKey = s3.template("accessKey", required: true, secret: true)
                let secretKey = s3.template("secretKey", required: true, secret: true)
                if let bucket, let key, let endpoint, let accessKey, let secretKey {
                    profile.state = S3StateLocation(
                        bucket: bucket.0, key: key.0, endpoint: endpoint, region: region, accessKey: accessKey.0, secretKey: secretKey.0)
                }
            }
        }
        if sandbox {
            for key in ["serviceUrl", "identity", "auth", "catalogueUrl"] {
                guard let pair = fields[key] else { continue }
                sink.error("project.profile", "`\(fields.sub(key))`: a sandbox profile takes no \(key) (the embedded sandbox provides it)", at: pair.keyMark)
            }
            return sink.errorCount == errors ? profile : nil
        }
        profile.serviceURL = Self.url(fields, "serviceUrl", required: true)
        profile.catalogueURL = Self.url(fields, "catalogueUrl")
        if let identity = fields.mapping("identity") {
            identity.checkKeys(["despUrl", "dedlTokenUrl"])
            profile.despURL = Self.url(identity, "despUrl")
            profile.dedlTokenURL = Self.url(identity, "dedlTokenUrl")
        }
        if let auth = fields.mapping("auth", required: true) {
            switch auth.choice("type", ["desp", "service-account", "token"]) {
            case "desp":
                auth.checkKeys(["type", "username", "password", "otp"])
                if let user = auth.template("username", required: true), let password = auth.template("password", required: true, secret: true) {
                    profile.auth = .desp(username: user.0, password: password.0, otp: auth.template("otp", secret: true)?.0)
                }
            case "service-account":
                auth.checkKeys(["type", "clientId", "clientSecret"])
                if let id = auth.template("clientId", required: true), let secret = auth.template("clientSecret", required: true, secret: true) {
                    profile.auth = .serviceAccount(clientID: id.0, clientSecret: secret.0)
                }
            case "token":
                auth.checkKeys(["type", "token"])
                if let token = auth.template("token", required: true, secret: true) { profile.auth = .token(token.0) }
            default: break
            }
        }
        return sink.errorCount == errors ? profile : nil
    }
}

extension OrderDecoder {
    static func isProfileName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 63
            && text.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D
            }
    }
}

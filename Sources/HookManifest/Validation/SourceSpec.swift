/// Decodes `spec.source` into its WorkflowOptions (contract order).
enum SourceSpec {
    static let despKeys = ["type", "collection", "username", "password"]
    static let externalKeys = ["type", "catalogue", "auth"]
    static let despMisplaced = ["catalogue": "is only for EXTERNAL sources", "auth": "is only for EXTERNAL sources"]
    static let externalMisplaced = [
        "collection": "belongs in `catalogue` for EXTERNAL sources", "username": "belongs in `auth` for EXTERNAL sources",
        "password": "belongs in `auth` for EXTERNAL sources",
    ]

    /// The source options, or nil after reporting problems. `despLogin` is the profile's DESP login references.
    static func options(_ fields: Fields, despLogin: (Template, Template)) -> (type: String, options: [WorkflowOption])? {
        guard let type = fields.choice("type", ["DESP", "EXTERNAL"], default: "DESP") else { return nil }
        if type == "DESP" {
            fields.checkKeys(despKeys, misplaced: despMisplaced)
            let errors = fields.context.sink.errorCount
            let collection = fields.template("collection", required: true)
            let username = fields.template("username")?.0 ?? fields.context.resolvedIfSet(despLogin.0)
            let password = fields.template("password", secret: true)?.0 ?? despLogin.1
            let env = fields.context.environment
            let unset =
                (fields.has("username") ? [] : despLogin.0.unsetVariables(in: env))
                + (fields.has("password") ? [] : despLogin.1.unsetVariables(in: env))
            if !unset.isEmpty {
                let names = unset.map { "`\($0)`" }.joined(separator: ", ")
                fields.context.sink.warning(
                    "reference.unset", "`\(fields.path)`: the DESP login defaults to \(names), not set; shown as the reference", at: fields.mark)
            }
            guard let collection, fields.context.sink.errorCount == errors else { return nil }
            return (
                "DESP",
                [
                    .text("source_type", "DESP"),
                    .template("desp_source_username", username),
                    .template("desp_source_password", password, secret: true),
                    .template("desp_source_collection", collection.0),
                ]
            )
        }
        fields.checkKeys(externalKeys, misplaced: externalMisplaced)
        return external(fields).map { ("EXTERNAL", $0) }
    }

    private static func external(_ fields: Fields) -> [WorkflowOption]? {
        let sink = fields.context.sink
        let errors = sink.errorCount
        let catalogue = fields.mapping("catalogue", required: true)
        let auth = fields.mapping("auth", required: true)
        catalogue?.checkKeys(["url", "type", "collection"])
        auth?.checkKeys(["tokenUrl", "grantType", "headerName", "clientId", "clientSecret", "username", "password"])
        let url = catalogue?.template("url", required: true)
        let apiType = catalogue?.choice("type", ["STAC", "ODATA"], default: "STAC")
        let collection = catalogue?.template("collection", required: apiType == "STAC")
        let tokenURL = auth?.template("tokenUrl", required: true)
        let grant = auth?.choice("grantType", ["PASSWORD", "CLIENT_CREDENTIALS"], default: "PASSWORD")
        let header = auth?.template("headerName")?.0 ?? Template(literal: "Authorization")
        let clientID = auth?.template("clientId", required: true)
        let clientSecret = auth?.template("clientSecret", secret: true)?.0 ?? Template(literal: "")
        let needsUser = grant == "PASSWORD"
        let username = auth?.template("username", required: needsUser)?.0 ?? Template(literal: "")
        let password = auth?.template("password", required: needsUser, secret: true)?.0 ?? Template(literal: "")
        guard sink.errorCount == errors, let url, let apiType, let tokenURL, let grant, let clientID else { return nil }
        return [
            .text("source_type", "EXTERNAL"),
            .template("source_catalogue_api_url", url.0),
            .text("source_catalogue_api_type", apiType),
            .template("source_token_url", tokenURL.0),
            .text("source_grant_type", grant),
            .template("source_auth_header_name", header),
            .template("source_username", username),
            .template("source_password", password, secret: true),
            .template("source_client_id", clientID.0),
            .template("source_client_secret", clientSecret, secret: true),
            .template("source_catalogue_collection", collection?.0 ?? Template(literal: "")),
        ]
    }
}

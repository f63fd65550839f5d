extension StorageSpec {
    static let centralEndpoint = "https://s3.central.data.destination-earth.eu"
    static let privateKeys = ["type", "bucket", "prefix", "endpoint", "accessKey", "secretKey"]
    static let temporaryMisplaced = Dictionary(uniqueKeysWithValues: privateKeys.dropFirst().map { ($0, "is only for PRIVATE storage") })

    /// Decodes `spec.storage` (nil fields: TEMPORARY) into the storage value and its WorkflowOptions (contract order).
    static func decode(_ fields: Fields?, workflow: String, name: String) -> (spec: StorageSpec, options: [WorkflowOption])? {
        guard let fields else { return (.temporary, [.text("output_storage", "TEMPORARY")]) }
        guard let type = fields.choice("type", ["TEMPORARY", "PRIVATE"], default: "TEMPORARY") else { return nil }
        if type == "TEMPORARY" {
            fields.checkKeys(["type"], misplaced: temporaryMisplaced)
            return (.temporary, [.text("output_storage", "TEMPORARY")])
        }
        fields.checkKeys(privateKeys)
        let sink = fields.context.sink
        let errors = sink.errorCount
        let bucket = fields.template("bucket", required: true)
        if let (template, node) = bucket, !template.hasReferences, !isBucketName(template.description) {
            sink.error(
                "storage.bucket",
                "`\(fields.sub("bucket"))` is not a valid S3 bucket name (3-63 of a-z, 0-9, `.` and `-`, starting and ending with a letter or digit)",
                at: node.mark)
        }
        let prefix = fields.template("prefix")
        let endpoint = fields.template("endpoint")?.0 ?? Template(literal: centralEndpoint)
        let accessKey = fields.template("accessKey", required: true, secret: true)
        let secretKey = fields.template("secretKey", required: true, secret: true)
        guard sink.errorCount == errors, let bucket, let accessKey, let secretKey else { return nil }
        var prefixText = prefix?.0.description ?? "dedl-\(workflow)-\(name)"
        while prefixText.hasPrefix("/") { prefixText.removeFirst() }
        while prefixText.hasSuffix("/") { prefixText.removeLast() }
        let storage = PrivateStorage(
            bucket: bucket.0.description, prefix: prefixText, endpoint: endpoint,
            accessKey: accessKey.0, secretKey: secretKey.0)
        // Both parts are valid templates (or resolved text), so their concatenation parses.
        let path = (try? TemplateParser.parse(storage.s3Path).get()) ?? Template(literal: storage.s3Path)
        return (
            .private(storage),
            [
                .text("output_storage", "PRIVATE"),
                .template("output_s3_access_key", accessKey.0, secret: true),
                .template("output_s3_secret_key", secretKey.0, secret: true),
                .template("output_s3_path", path),
                .template("output_s3_endpoint_url", endpoint),
            ]
        )
    }

    static func isBucketName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (3...63).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 0x2E || $0 == 0x2D }
    }
}

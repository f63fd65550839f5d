import Foundation
import HookCore

/// Checks a `POST BatchOrder/OData.CSC.Order` body the way the service's pydantic models and workflow checks do,
/// collecting every problem as a FastAPI 422 `detail` entry.
struct OrderValidator: Sendable {
    var maxIdentifiers: Int

    /// Options the service adds itself; a client echoing them back is not an error (they are ignored).
    static let serviceOptions: Set<String> = ["platform", "version", "brand"]

    func validate(_ body: JSONValue) -> Result<OrderDraft, ValidationFailure> {
        var issues: [ValidationIssue] = []
        guard body.isObject else {
            return .failure(.init(issues: [.init(loc: [.key("body")], msg: "value is not a valid dict", type: "type_error.dict")]))
        }
        let name = requireString(body, "Name", &issues)
        let workflowName = requireString(body, "WorkflowName", &issues)
        var identifiers: [String] = []
        switch body["IdentifierList"] {
        case nil, .null?:
            issues.append(.missing([.key("body"), .key("IdentifierList")]))
        case let .array(list)?:
            for (i, element) in list.enumerated() {
                guard case let .string(s) = element else {
                    issues.append(.init(loc: [.key("body"), .key("IdentifierList"), .index(i)], msg: "str type expected", type: "type_error.str"))
                    continue
                }
                if s.isBlank {
                    issues.append(
                        .init(
                            loc: [.key("body"), .key("IdentifierList"), .index(i)], msg: "identifier must not be empty", type: "value_error.any_str.min_length")
                    )
                }
                identifiers.append(s)
            }
            if list.isEmpty {
                issues.append(
                    .init(
                        loc: [.key("body"), .key("IdentifierList")], msg: "ensure this value has at least 1 items", type: "value_error.list.min_items",
                        ctx: .ordered([("limit_value", .integer(1))])))
            } else if list.count > maxIdentifiers {
                issues.append(
                    .init(
                        loc: [.key("body"), .key("IdentifierList")], msg: "ensure this value has at most \(maxIdentifiers) items",
                        type: "value_error.list.max_items", ctx: .ordered([("limit_value", .integer(maxIdentifiers))])))
            }
        case _?:
            issues.append(.init(loc: [.key("body"), .key("IdentifierList")], msg: "value is not a valid list", type: "type_error.list"))
        }
        var priority = 1
        switch body["Priority"] {
        case nil, .null?: break
        case let .integer(p)?: priority = p
        case _?: issues.append(.init(loc: [.key("body"), .key("Priority")], msg: "value is not a valid integer", type: "type_error.integer"))
        }
        var rawOptions: [(index: Int, name: String, value: JSONValue)] = []
        switch body["WorkflowOptions"] {
        case nil, .null?: break
        case let .array(list)?:
            for (i, element) in list.enumerated() {
                let loc: [ValidationIssue.Location] = [.key("body"), .key("WorkflowOptions"), .index(i)]
                guard element.isObject else {
                    issues.append(.init(loc: loc, msg: "value is not a valid dict", type: "type_error.dict"))
                    continue
                }
                var optionName: String?
                switch element["Name"] {
                case nil, .null?: issues.append(.missing(loc + [.key("Name")]))
                case let .string(s)?: optionName = s
                case _?: issues.append(.init(loc: loc + [.key("Name")], msg: "str type expected", type: "type_error.str"))
                }
                let value = element["Value"]
                switch value {
                case nil: issues.append(.missing(loc + [.key("Value")]))
                case .array?, .object?, .orderedObject?:
                    issues.append(.init(loc: loc + [.key("Value")], msg: "value is not a valid scalar (str, int, float or bool)", type: "type_error"))
                default: break
                }
                if let optionName, let value { rawOptions.append((i, optionName, value)) }
            }
        case _?:
            issues.append(.init(loc: [.key("body"), .key("WorkflowOptions")], msg: "value is not a valid list", type: "type_error.list"))
        }
        guard issues.isEmpty, let name, let workflowName else { return .failure(.init(issues: issues)) }
        guard let workflow = WorkflowCatalogue.named(workflowName) else {
            let known = WorkflowCatalogue.all.map { "'\($0.name)'" }.joined(separator: ", ")
            return .failure(
                .init(issues: [
                    .init(
                        loc: [.key("body"), .key("WorkflowName")], msg: "Workflow '\(workflowName)' does not exist; available workflows: \(known)",
                        type: "value_error")
                ]))
        }
        var options: [Order.Option] = []
        var seen: Set<String> = []
        for option in rawOptions {
            let loc: [ValidationIssue.Location] = [.key("body"), .key("WorkflowOptions"), .index(option.index)]
            if Self.serviceOptions.contains(option.name) { continue }
            // Options the catalogue does not list are passed to the workflow unchecked: SPEC's own example order gives
            // data-harvest an extra option, and how the real service treats unlisted options was never captured.
            let spec = workflow.option(option.name)
            guard seen.insert(option.name).inserted else {
                issues.append(.init(loc: loc + [.key("Name")], msg: "Option '\(option.name)' is given more than once", type: "value_error"))
                continue
            }
            if let spec, let issue = Self.check(option.value, against: spec, loc: loc + [.key("Value")]) {
                issues.append(issue)
                continue
            }
            options.append(.init(name: option.name, value: option.value))
        }
        issues += conditionalChecks(options, workflow: workflow)
        guard issues.isEmpty else { return .failure(.init(issues: issues)) }
        return .success(OrderDraft(name: name, workflow: workflow, identifiers: identifiers, options: options, priority: priority))
    }

    private func requireString(_ body: JSONValue, _ key: String, _ issues: inout [ValidationIssue]) -> String? {
        switch body[key] {
        case nil, .null?:
            issues.append(.missing([.key("body"), .key(key)]))
            return nil
        case let .string(s)?:
            if s.isBlank {
                issues.append(
                    .init(
                        loc: [.key("body"), .key(key)], msg: "ensure this value has at least 1 characters", type: "value_error.any_str.min_length",
                        ctx: .ordered([("limit_value", .integer(1))])))
                return nil
            }
            return s
        case _?:
            issues.append(.init(loc: [.key("body"), .key(key)], msg: "str type expected", type: "type_error.str"))
            return nil
        }
    }

    static func check(_ value: JSONValue, against spec: WorkflowOptionSpec, loc: [ValidationIssue.Location]) -> ValidationIssue? {
        if case .null = value {
            return .init(loc: loc, msg: "none is not an allowed value", type: "type_error.none.not_allowed")
        }
        switch spec.type {
        case .str:
            guard case let .string(s) = value else { return .init(loc: loc, msg: "str type expected", type: "type_error.str") }
            if let allowed = spec.allowed, !allowed.contains(s) {
                let permitted = allowed.map { "'\($0)'" }.joined(separator: ", ")
                return .init(
                    loc: loc, msg: "value is not a valid enumeration member; permitted: \(permitted)", type: "type_error.enum",
                    ctx: .ordered([("enum_values", .array(allowed.map { .string($0) }))]))
            }
        case .int:
            guard case .integer = value else { return .init(loc: loc, msg: "value is not a valid integer", type: "type_error.integer") }
        case .float:
            switch value {
            case .integer, .number: break
            default: return .init(loc: loc, msg: "value is not a valid float", type: "type_error.float")
            }
        case .bool:
            guard case .bool = value else { return .init(loc: loc, msg: "value could not be parsed to a boolean", type: "type_error.bool") }
        }
        return nil
    }

    /// The service's conditional requirements: storage options by `output_storage`, source options by `source_type`.
    private func conditionalChecks(_ options: [Order.Option], workflow: WorkflowDefinition) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let given = Dictionary(options.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let loc: [ValidationIssue.Location] = [.key("body"), .key("WorkflowOptions")]
        func require(_ names: [String], because reason: String) {
            for name in names where given[name] == nil {
                issues.append(.init(loc: loc, msg: "Option '\(name)' is required \(reason)", type: "value_error.missing"))
            }
        }
        let s3 = ["output_s3_endpoint_url", "output_s3_access_key", "output_s3_secret_key", "output_s3_path"]
        switch given["output_storage"]?.stringValue {
        case nil:
            issues.append(.init(loc: loc, msg: "Option 'output_storage' is required", type: "value_error.missing"))
        case "PRIVATE":
            require(s3, because: "when 'output_storage' is 'PRIVATE'")
            if let path = given["output_s3_path"]?.stringValue, S3OutputPath(path) == nil {
                issues.append(
                    .init(loc: loc, msg: "Option 'output_s3_path' must look like 's3://bucket/prefix', got '\(path.prefix(200))'", type: "value_error"))
            }
            if let url = given["output_s3_endpoint_url"]?.stringValue, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                issues.append(
                    .init(loc: loc, msg: "Option 'output_s3_endpoint_url' must be an http(s) URL, got '\(url.prefix(200))'", type: "value_error.url.scheme"))
            }
        default:
            for name in s3 where given[name] != nil {
                issues.append(.init(loc: loc, msg: "Option '\(name)' is not allowed when 'output_storage' is 'TEMPORARY'", type: "value_error"))
            }
        }
        let sourceType = given["source_type"]?.stringValue ?? workflow.option("source_type")?.defaultValue.stringValue
        switch sourceType {
        case "DESP"?:
            require(["desp_source_username", "desp_source_password", "desp_source_collection"], because: "when 'source_type' is 'DESP'")
            if let collection = given["desp_source_collection"]?.stringValue, ProductCatalogue.collection(collection) == nil {
                let known = ProductCatalogue.collections.map { "'\($0.id)'" }.joined(separator: ", ")
                issues.append(
                    .init(loc: loc, msg: "Collection '\(collection.prefix(200))' is not available; available collections: \(known)", type: "value_error"))
            }
        case "EXTERNAL"?:
            require(
                ["source_catalogue_api_url", "source_catalogue_api_type", "source_token_url", "source_username", "source_password", "source_client_id"],
                because: "when 'source_type' is 'EXTERNAL'")
            if given["source_catalogue_api_type"]?.stringValue == "STAC" {
                require(["source_catalogue_collection"], because: "when 'source_catalogue_api_type' is 'STAC'")
            }
            for name in ["source_catalogue_api_url", "source_token_url"] {
                if let url = given[name]?.stringValue, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                    issues.append(.init(loc: loc, msg: "Option '\(name)' must be an http(s) URL, got '\(url.prefix(200))'", type: "value_error.url.scheme"))
                }
            }
        default:
            break
        }
        return issues
    }
}

/// Why an order body was refused (the 422 `detail` list).
struct ValidationFailure: Error, Sendable {
    var issues: [ValidationIssue]
}

/// `s3://bucket/prefix` split into bucket and prefix (without slashes at either end).
struct S3OutputPath: Sendable, Equatable {
    var bucket: String
    var prefix: String

    init?(_ text: String) {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty,
            bucket.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }), bucket.count >= 3, bucket.count <= 63
        else { return nil }
        self.bucket = String(bucket)
        var prefix = parts.count > 1 ? String(parts[1]) : ""
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.prefix = prefix
    }
}

import Crypto
import HookCore

/// The JSON body of `POST BatchOrder/OData.CSC.Order`, in SPEC's contract shape and option order.
///
/// Non-secret references were resolved by `loadWorkspace` when their variables were set; secrets stay references
/// until `submissionJSON(environment:)`.
public struct OrderBody: Hashable, Sendable {
    /// `WorkflowName`.
    public let workflowName: String
    /// `IdentifierList`.
    public let identifiers: [String]
    /// `WorkflowOptions`, in contract order: storage, source, extra options in manifest order.
    public let options: [WorkflowOption]
    /// SHA-256 (lowercase hex) of the canonical body without `Name`, every reference as written (secrets, and values
    /// resolved at load alike): the same manifest gives the same digest in any environment.
    public let digest: String
    /// The order's `Name`: `hookctl-<key with # as ->-<first 10 hex of digest>`, deterministic per (manifest, body).
    public let name: String

    /// Variables that identifiers reference and the loader's environment did not set. Identifiers are resolved when
    /// loaded (they are plain text here), so these stay needed whatever environment is given later.
    public let identifierVariables: [String]

    /// The rendered text with the loader's environment (built on the loader's worker threads; reused by `render`).
    let renderedAsLoaded: [UInt8]

    /// Creates a body for the order with the given key; computes `digest` and `name`.
    public init(key: String, workflowName: String, identifiers: [String], options: [WorkflowOption], identifierVariables: [String] = []) {
        self.workflowName = workflowName
        self.identifiers = identifiers
        self.identifierVariables = identifierVariables
        self.options = options
        let prefix = "hookctl-\(key.replacingAll("#", "-"))-"
        // One buffer: the named body with a placeholder for the digest's first 10 hex digits, hashed without its
        // `Name` line (exactly the unnamed canonical text), then patched. Options are read by index throughout:
        // iterating would copy each option (its name and template) per pass.
        var estimate = 128 + prefix.utf8.count + workflowName.utf8.count
        for index in identifiers.indices { estimate += identifiers[index].utf8.count + 8 }
        for index in options.indices {
            if case .string(let template) = options[index].value { estimate += template.description.utf8.count } else { estimate += 24 }
            estimate += options[index].name.utf8.count + 48
        }
        var out = ByteWriter(capacity: estimate)
        out.append("{\n  \"Name\": ")
        out.appendJSONString(prefix + "0000000000")
        let placeholderEnd = out.count - 1  // before the closing quote
        out.append(UInt8(ascii: ","))
        let restStart = out.count
        var resolvedValues: [Range<Int>] = []
        BodyWriter.writeUnnamed(workflowName, identifiers, options, into: &out, openingBrace: false, resolvedValues: &resolvedValues)
        // The digest covers the unnamed body as written: these bytes, but each value resolved at load (a DESP login
        // such as `${env:DESP_USERNAME:-demo}`) as its references, hashed in place of the resolved text.
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(ascii: "{")) { hasher.update(bufferPointer: $0) }
        out.withBytes { body in
            var from = restStart
            var resolved = 0
            var written: [UInt8] = []
            for index in options.indices {  // by index: iterating would copy each option
                guard case .string(let template) = options[index].value, let text = template.written else { continue }
                let range = resolvedValues[resolved]
                resolved += 1
                hasher.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: body[from..<range.lowerBound])))
                written.removeAll(keepingCapacity: true)
                CanonicalJSON.writeString(text, into: &written)
                hasher.update(data: written)
                from = range.upperBound
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: body[from...])))
        }
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        hasher.finalize().withUnsafeBytes { Hex.append($0, into: &hex) }  // the digest's own iterator allocates per call
        hex.withUnsafeBufferPointer { out.overwrite(at: placeholderEnd - 10, with: UnsafeBufferPointer(rebasing: $0.prefix(10))) }
        digest = String(decoding: hex, as: UTF8.self)
        name = prefix + digest.prefix(10)
        renderedAsLoaded = out.bytes()
    }

    /// The canonical pretty JSON `render` prints: secrets as their `${env:...}` reference, other references resolved
    /// when set in `environment`, else shown as written. Ends with a newline.
    public func renderedJSON(environment: [String: String] = [:]) -> String {
        var out: [UInt8] = []
        writeRendered(environment: environment, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `renderedJSON(environment:)`'s bytes to `out` (the fast path of `render`).
    public func writeRendered(environment: [String: String] = [:], into out: inout [UInt8]) {
        out.append(contentsOf: renderedUTF8(environment: environment))
    }

    /// `renderedJSON(environment:)` as UTF-8 bytes; usually the text built when the manifest was loaded, not a copy.
    public func renderedUTF8(environment: [String: String] = [:]) -> [UInt8] {
        Self.changes(options, in: environment) ? rendered(resolving: environment) : renderedAsLoaded
    }

    /// Whether `environment` changes the text of a body with these options. Non-secret references that could be
    /// resolved were resolved by the loader; the stored text only changes if `environment` now sets a variable that
    /// was unset then. Static, on the options alone: `Workspace.renderedBodies` asks it for thousands of orders, and
    /// a method called on an order's body in an array made a copy of the whole body first.
    static func changes(_ options: [WorkflowOption], in environment: [String: String]) -> Bool {
        for index in options.indices where !options[index].isSecret {
            if case .string(let template) = options[index].value, template.hasReferences, template.isResolvable(in: environment) { return true }
        }
        return false
    }

    /// The body rendered again with `environment`'s values for its non-secret references.
    func rendered(resolving environment: [String: String]) -> [UInt8] {
        let resolved = options.map { option -> WorkflowOption in
            guard !option.isSecret, case .string(let template) = option.value, template.hasReferences,
                case .success(let text) = template.resolve(in: environment)
            else { return option }
            return WorkflowOption(name: option.name, value: .string(Template(literal: text)), isSecret: false)
        }
        var unnamed = ByteWriter(capacity: renderedAsLoaded.count)
        BodyWriter.writeUnnamed(workflowName, identifiers, resolved, into: &unnamed)
        var out = ByteWriter(capacity: unnamed.count + name.utf8.count + 16)
        BodyWriter.writeNamed(name, unnamed: unnamed, into: &out)
        return out.bytes()
    }

    /// The body to POST, every reference resolved (secrets included). Only the runner calls this, right before submitting.
    /// - Throws: `UnresolvedVariables` naming every variable that is needed but unset (values are never included).
    public func submissionJSON(environment: [String: String]) throws(UnresolvedVariables) -> String {
        CanonicalJSON.string(try submissionValue(environment: environment))
    }

    /// `submissionJSON(environment:)` as a value (members in contract order), for a caller that sets `Name` and
    /// `IdentifierList` per attempt.
    public func submissionValue(environment: [String: String]) throws(UnresolvedVariables) -> JSONValue {
        var missing = identifierVariables
        let value = Self.json(name: name, workflowName, identifiers, options, environment: environment, missing: &missing)
        if !missing.isEmpty { throw UnresolvedVariables(names: missing) }
        return value
    }

    /// Names of variables that `submissionJSON(environment:)` needs and `environment` lacks.
    public func unsetVariables(environment: [String: String]) -> [String] {
        var seen = Set<String>()
        return
            (identifierVariables
            + options.flatMap { option -> [String] in
                guard case .string(let template) = option.value else { return [] }
                return template.unsetVariables(in: environment)
            }).filter { seen.insert($0).inserted }
    }

    /// Builds the JSON. With `missing` nil, references that cannot be resolved (and all secrets) are kept as written;
    /// otherwise everything is resolved and unset names are collected into `missing`.
    private static func json(
        name: String?, _ workflowName: String, _ identifiers: [String], _ options: [WorkflowOption],
        environment: [String: String]?, missing: UnsafeMutablePointer<[String]>?
    ) -> JSONValue {
        var members: [JSONMember] = []
        members.reserveCapacity(4)
        if let name { members.append(JSONMember("Name", .string(name))) }
        members.append(JSONMember("WorkflowName", .string(workflowName)))
        members.append(JSONMember("IdentifierList", .array(identifiers.map { .string($0) })))
        let list: [JSONValue] = options.map { option in
            let value: JSONValue
            switch option.value {
            case .integer(let i): value = .integer(i)
            case .number(let d): value = .number(d)
            case .boolean(let b): value = .bool(b)
            case .string(let template):
                if let missing {
                    switch template.resolve(in: environment ?? [:]) {
                    case .success(let text): value = .string(text)
                    case .failure(let unset):
                        missing.pointee.append(contentsOf: unset.names)
                        value = .string(template.description)
                    }
                } else if option.isSecret || environment == nil || !template.hasReferences {
                    value = .string(template.description)
                } else if case .success(let text) = template.resolve(in: environment ?? [:]) {
                    value = .string(text)
                } else {
                    value = .string(template.description)
                }
            }
            return .orderedObject([JSONMember("Name", .string(option.name)), JSONMember("Value", value)])
        }
        members.append(JSONMember("WorkflowOptions", .array(list)))
        return .orderedObject(members)
    }
}

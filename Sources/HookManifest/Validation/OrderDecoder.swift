import HookCore

#if canImport(Glibc)
    import Glibc
#endif

/// An order document that passed every check, before `batchSize` splits it.
struct OrderDraft: Sendable {
    var name: String
    var nameMark: Mark
    var start: Mark
    var labels: [String: String]
    var workflow: String
    var identifiers: [String]
    /// Variables referenced by identifiers that were unset when loaded (those identifiers hold the reference as
    /// written): `apply` must refuse, naming them.
    var identifierVariables: [String]
    var batchSize: Int?
    var storage: StorageSpec
    var sourceType: String
    var options: [WorkflowOption]
    var waitTimeout: Duration?
    var download: Bool
    /// `spec.retry: all`: a retry resubmits every identifier, not only those that failed.
    var retryAll: Bool
}

/// What every order of a run shares from the project file and the selected profile.
struct ProjectContext: Sendable {
    /// `defaults:` of the project, relocated to the project's file index.
    var defaults: YAMLNode?
    var catalogue: WorkflowCatalogue?
    /// DESP login references used when a DESP source gives none.
    var despLogin: (Template, Template)
    var projectBytes: [UInt8]?
    var projectPath: String?

    static let noProject = ProjectContext(
        defaults: nil, catalogue: nil,
        despLogin: (Template.reference("DESP_USERNAME"), Template.reference("DESP_PASSWORD")), projectBytes: nil, projectPath: nil)
}

extension Template {
    static func reference(_ name: String, default value: String? = nil) -> Template {
        let text = value.map { "${env:\(name):-\($0)}" } ?? "${env:\(name)}"
        return Template(parts: [.reference(name: name, defaultValue: value)], text: text)
    }
}

/// Decodes one `kind: Order` document into an `OrderDraft`, reporting every problem it finds.
struct OrderDecoder {
    static let topKeys = ["apiVersion", "kind", "metadata", "spec"]
    static let specKeys = ["workflow", "identifiers", "identifiersFile", "batchSize", "source", "storage", "options", "wait", "download", "retry"]

    let context: DecodeContext
    let project: ProjectContext
    let identifierFiles: IdentifierFiles

    func decode(_ top: Fields) -> OrderDraft? {
        let sink = context.sink
        let errors = sink.errorCount
        top.checkKeys(Self.topKeys)
        let metadata = top.mapping("metadata", required: true)
        metadata?.checkKeys(["name", "labels"])
        let name = metadata?.string("name", required: true)
        if let (text, node) = name, text.mayHoldReference {
            sink.error(
                "metadata.name", "`metadata.name` cannot hold references (`${env:...}`): it names the order across runs, so write it literally", at: node.mark)
        } else if let (text, node) = name, !Self.isName(text) {
            sink.error(
                "metadata.name",
                "`metadata.name` `\(text.prefix(80))` must be 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit", at: node.mark
            )
        }
        var labels: [String: String] = [:]
        if let labelFields = metadata?.mapping("labels") {
            for pair in labelFields.pairs {
                if pair.value.stringValue != nil {
                    let value = context.template(pair.value, path: "metadata.labels.\(pair.name)", secret: false)
                    if let value { labels[pair.name] = value.description }
                } else {
                    sink.error("type.string", "label `\(pair.name)` must be a string, found \(pair.value.kindName); quote it", at: pair.value.mark)
                }
            }
        }
        var specNode = top["spec"]?.value
        if let defaults = project.defaults, let node = specNode { specNode = DefaultsMerger.merge(node, under: defaults) }
        guard let specNode else {
            top.missing("spec")
            return nil
        }
        guard let spec = Fields(specNode, path: "spec", context: context) else { return nil }
        spec.checkKeys(Self.specKeys)
        let workflow = spec.string("workflow", required: true)
        if let (text, node) = workflow, text.mayHoldReference {
            sink.error("spec.workflow", "`spec.workflow` cannot hold references (`${env:...}`): write the workflow name literally", at: node.mark)
        } else if let (text, node) = workflow, !Self.isWorkflowName(text) {
            sink.error("spec.workflow", "`spec.workflow` `\(text.prefix(80))` is not a workflow name (letters, digits, `_`, `-`, `.`)", at: node.mark)
        }
        var workflowInfo: WorkflowCatalogue.Workflow?
        if let catalogue = project.catalogue, let (text, node) = workflow {
            workflowInfo = catalogue.workflows[text]
            if workflowInfo == nil {
                sink.error(
                    "spec.workflow",
                    "unknown workflow `\(text.prefix(80))` (not in the service's catalogue)\(Suggestion.hint(for: text, in: catalogue.workflows.keys.sorted()))",
                    at: node.mark)
            }
        }
        var identifierVariables: [String] = []
        let identifiers = identifierList(spec, unset: &identifierVariables)
        var batchSize: Int?
        let limit = ServiceLimits.identifiersPerOrder
        if let (size, node) = spec.int("batchSize") {
            if size < 1 {
                sink.error("spec.batchSize", "`spec.batchSize` must be at least 1", at: node.mark)
            } else if size > limit {
                sink.error("spec.batchSize", "`spec.batchSize` \(size) is above the service's limit of \(limit) identifiers per order", at: node.mark)
            } else {
                batchSize = size
            }
        } else if let identifiers, identifiers.count > limit, let pair = spec["identifiers"] ?? spec["identifiersFile"] {
            sink.error(
                "spec.identifiers",
                "\(identifiers.count) identifiers in one order; the service takes at most \(limit): add `batchSize: \(limit)` to `spec` to split them into orders of \(limit)",
                at: pair.keyMark)
        }
        let orderName = name?.0 ?? ""
        // Taken apart at once: each use of a field of the optional tuple copied the whole of it.
        let decodedStorage = StorageSpec.decode(spec.mapping("storage"), workflow: workflow?.0 ?? "", name: orderName)
        let (storage, storageOptions) = (decodedStorage?.spec, decodedStorage?.options)
        var source: (type: String, options: [WorkflowOption])?
        if let sourceFields = spec.mapping("source") {
            source = SourceSpec.options(sourceFields, despLogin: project.despLogin)
        } else if spec["source"] == nil {
            spec.missing("source", hint: " (DESP sources need a `collection`)")
        }
        let extra = spec.mapping("options").map { ExtraOptions.decode($0, workflow: workflowInfo) } ?? []
        if spec["options"] == nil, let workflowInfo { ExtraOptions.warnMissingRequired([], workflow: workflowInfo, at: spec) }
        var timeout: Duration?
        if let wait = spec.mapping("wait") {
            wait.checkKeys(["timeout"])
            if let pair = wait["timeout"] {
                if let text = pair.value.stringValue, let duration = DurationParser.parse(text) {
                    timeout = duration
                } else {
                    sink.error(
                        "spec.wait.timeout", "`spec.wait.timeout` must be a positive whole number and one unit: `90s`, `15m`, `6h` or `2d`", at: pair.value.mark
                    )
                }
            }
        }
        let download = spec.bool("download") ?? false
        if download, case .private? = storage, let pair = spec["download"] {
            sink.error("spec.download", "`spec.download: true` needs TEMPORARY storage; PRIVATE outputs are already in your bucket", at: pair.value.mark)
        }
        var retryAll = false
        if let (text, node) = spec.string("retry") {
            switch text {
            case "all": retryAll = true
            case "failed": retryAll = false
            default:
                sink.error(
                    "spec.retry",
                    "`spec.retry` must be `failed` (retry only the items that failed, the default) or `all`\(Suggestion.hint(for: text, in: ["all", "failed"]))",
                    at: node.mark)
            }
        }
        guard sink.errorCount == errors, let name, let workflow, let identifiers, let storage, let storageOptions, let source, let extra else {
            return nil
        }
        var options: [WorkflowOption] = []  // one array, not the two intermediate ones of `a + b + c`
        options.reserveCapacity(storageOptions.count + source.options.count + extra.count)
        options += storageOptions
        options += source.options
        options += extra
        return OrderDraft(
            name: name.0, nameMark: name.1.mark, start: top.mark, labels: labels, workflow: workflow.0,
            identifiers: identifiers, identifierVariables: Array(Set(identifierVariables)).sorted(), batchSize: batchSize, storage: storage,
            sourceType: source.type,
            options: options, waitTimeout: timeout, download: download, retryAll: retryAll)
    }

    /// The identifiers, references resolved; variables left unset are added to `unset`.
    private func identifierList(_ spec: Fields, unset: inout [String]) -> [String]? {
        let sink = context.sink
        let inline = spec["identifiers"]
        let file = spec["identifiersFile"]
        if let inline, file != nil {
            sink.error("spec.identifiers", "give either `spec.identifiers` or `spec.identifiersFile`, not both", at: inline.keyMark)
            return nil
        }
        if let file {
            guard let path = file.value.stringValue else {
                sink.error("type.string", "`spec.identifiersFile` must be a string, found \(file.value.kindName)", at: file.value.mark)
                return nil
            }
            return identifierFiles.read(path, at: file.value, context: context, unset: &unset)
        }
        guard let inline else {
            spec.missing("identifiers", hint: " (or `spec.identifiersFile`)")
            return nil
        }
        guard case .sequence(let items) = inline.value.content else {
            sink.error("type.list", "`spec.identifiers` must be a list of product identifiers, found \(inline.value.kindName)", at: inline.value.mark)
            return nil
        }
        guard !items.isEmpty else {
            sink.error("spec.identifiers", "`spec.identifiers` is empty; list at least one product identifier", at: inline.value.mark)
            return nil
        }
        var out: [String] = []
        out.reserveCapacity(items.count)
        var marks: [Mark] = []
        marks.reserveCapacity(items.count)
        // Small lists (the usual case) are checked pairwise, fingerprints first; large ones through a dictionary.
        var seen: [String: Int]? = items.count > 32 ? [:] : nil
        var fingerprints: [UInt64?] = []  // of `out`, for the pairwise check only
        if seen == nil { fingerprints.reserveCapacity(items.count) }
        let errors = sink.errorCount
        for index in items.indices {  // by index: iterating would copy each item
            guard items[index].stringValue != nil else {
                sink.error("type.string", "identifier must be a string, found \(items[index].kindName)", at: items[index].mark)
                continue
            }
            guard let template = context.template(items[index], path: "spec.identifiers[\(index)]", secret: false) else { continue }
            if template.hasReferences { unset += template.unsetVariables(in: context.environment) }
            let trimmed = template.description.trimmingWhitespace()
            if trimmed.isEmpty {
                sink.error("spec.identifiers", "blank identifier", at: items[index].mark)
                continue
            }
            var first: Int?
            var fingerprint: UInt64?
            if seen != nil {
                first = seen?[trimmed]
            } else {
                fingerprint = trimmed.asciiFingerprint
                for earlier in out.indices {
                    // Two ASCII texts with different fingerprints differ; anything else is compared in full.
                    if let fingerprint, let theirs = fingerprints[earlier], fingerprint != theirs { continue }
                    if out[earlier] == trimmed {
                        first = earlier
                        break
                    }
                }
            }
            if let first {
                sink.error(
                    "spec.identifiers", "duplicate identifier `\(trimmed.prefix(120))`", at: items[index].mark, notes: [("first listed here", marks[first])])
                continue
            }
            seen?[trimmed] = out.count
            out.append(trimmed)
            marks.append(items[index].mark)
            if seen == nil { fingerprints.append(fingerprint) }
        }
        return sink.errorCount == errors ? out : nil
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63.
    static func isName(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (1...63).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 0x2D }
    }

    static func isWorkflowName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128
            && text.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E
            }
    }
}

extension String {
    /// `contains("${")`, answered from the bytes when the text has no `$` at all (the usual case; the generic
    /// `contains` is slow on the hot path).
    var mayHoldReference: Bool { containsByte(UInt8(ascii: "$")) && contains("${") }

    /// True when the UTF-8 text holds `byte` (memchr: this runs for every string value of every manifest).
    func containsByte(_ byte: UInt8) -> Bool {
        let found = utf8.withContiguousStorageIfAvailable { bytes in
            bytes.baseAddress.map { memchr($0, Int32(byte), bytes.count) != nil } ?? false
        }
        return found ?? utf8.contains(byte)
    }

    /// A hash of the UTF-8 bytes, eight at a time, or nil when the text is not all ASCII. Two ASCII texts with
    /// different fingerprints are different strings; `==` decides the rest (it equates canonically equivalent
    /// non-ASCII spellings, which bytes cannot tell). Comparing identifiers pairwise was a visible part of `render`.
    var asciiFingerprint: UInt64? {
        let hash = utf8.withContiguousStorageIfAvailable { bytes -> UInt64? in
            var hash = UInt64(bytes.count)
            var bits: UInt64 = 0
            var index = 0
            func mix(_ word: UInt64) {
                bits |= word
                hash = (hash ^ word) &* 0x0000_0100_0000_01B3
            }
            while index + 8 <= bytes.count {
                mix(UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
                index += 8
            }
            var tail: UInt64 = 0
            for offset in index..<bytes.count { tail |= UInt64(bytes[offset]) << (8 * UInt64(offset - index)) }
            mix(tail)
            return bits & 0x8080_8080_8080_8080 == 0 ? hash : nil
        }
        return hash ?? nil
    }

    func trimmingWhitespace() -> String {
        // Fast path: ASCII text that neither starts nor ends with a space.
        let utf8 = self.utf8
        if let f = utf8.first, let l = utf8.last, f > 0x20, f < 0x80, l > 0x20, l < 0x80 { return self }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? first
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }
}

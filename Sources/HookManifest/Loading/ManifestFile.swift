/// Reads and decodes one manifest file: every document, every problem.
struct ManifestFile {
    let path: String
    let project: ProjectContext
    let environment: [String: String]
    let limits: YAMLLimits
    /// Whether warnings are wanted (`--quiet` hides them: a large run would build thousands nobody reads).
    var warnings = true

    func load() -> FileOutcome {
        switch FileSystem.read(path, limit: limits.maxFileBytes) {
        case .failure(let error):
            var outcome = FileOutcome(path: path)
            outcome.diagnostics.append(.error("file.read", "cannot read `\(path)`: \(error.reason)", at: nil))
            return outcome
        case .success(let bytes): return decode(bytes)
        }
    }

    /// Decodes the file's bytes (`path` names it in diagnostics and anchors `identifiersFile`).
    func decode(_ bytes: [UInt8]) -> FileOutcome {
        let bytes = SourceText.droppingBOM(bytes)
        var outcome = FileOutcome(path: path)
        let sink = ProblemSink(keepsWarnings: warnings)
        let files = FileTable(paths: [path, project.projectPath ?? ""], contents: [bytes, project.projectBytes ?? []])
        let identifierFiles = IdentifierFiles(manifestPath: path, projectPath: project.projectPath, files: files)
        let context = DecodeContext(sink: sink, environment: environment)
        let read = bytes.withUnsafeBufferPointer { YAMLReader(limits: limits, file: FileTable.manifest).read($0) }
        for problem in read.problems { sink.add(problem) }
        if read.documents.isEmpty && !read.stopped {
            let blank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            let message =
                blank
                ? "file is empty; expected an Order document (`apiVersion: hookctl/v1`, `kind: Order`)"
                : "file has only comments; expected an Order document (`apiVersion: hookctl/v1`, `kind: Order`)"
            sink.error("file.empty", message, at: Mark(line: 1, column: 1))
        }
        let decoder = OrderDecoder(context: context, project: project, identifierFiles: identifierFiles)
        var drafts: [OrderDraft] = []
        for document in read.documents {
            let errors = sink.errorCount
            guard let top = Self.topFields(document, context: context) else { continue }
            guard Self.checkHeader(top, expected: "Order", context: context) else { continue }
            if let draft = decoder.decode(top), sink.errorCount == errors { drafts.append(draft) }
        }
        // Reading problems (a duplicate key) are not tied to a document: a file with any gives no orders.
        if !read.problems.isEmpty { drafts = [] }
        let quoting = sink.quoteSource(files: identifierFiles.files)
        outcome.names = drafts.map { FileOutcome.Name(name: $0.name, mark: $0.nameMark, quote: .pending(quoting, $0.nameMark)) }
        outcome.orders = drafts.map { OrderAssembler.split($0, path: path) }
        outcome.diagnostics = sink.diagnostics(quoting: quoting).sorted(by: Diagnostic.sortKey)
        return outcome
    }

    /// The document's top-level mapping, or nil after reporting an empty or non-mapping document.
    static func topFields(_ document: YAMLDocument, context: DecodeContext) -> Fields? {
        guard let root = document.root, root.scalarValue != .null else {
            context.sink.error(
                "document.empty", "document is empty; expected `apiVersion`, `kind`, `metadata` and `spec`", at: document.root?.mark ?? document.start)
            return nil
        }
        guard root.pairs != nil else {
            context.sink.error(
                "document.mapping", "the top level of a document must be a mapping (`apiVersion`, `kind`, ...), found \(root.kindName)", at: root.mark)
            return nil
        }
        return Fields(root, path: "", context: context)
    }

    /// Checks `apiVersion` and `kind`; false (after reporting) when the document is of another kind.
    static func checkHeader(_ top: Fields, expected: String, context: DecodeContext) -> Bool {
        let sink = context.sink
        if let (version, node) = top.string("apiVersion", required: true), version != "hookctl/v1" {
            sink.error("document.apiVersion", "unsupported `apiVersion` `\(version.prefix(40))`; expected `hookctl/v1`", at: node.mark)
        }
        // Without a usable `kind`, decode as the expected kind anyway so every other problem is reported too.
        guard let (kind, node) = top.string("kind", required: true) else { return true }
        if kind == expected { return true }
        if kind == "Project" {
            sink.error("document.kind", "a `kind: Project` document belongs in the project file `hookctl.yaml`", at: node.mark)
        } else if kind == "Order" {
            sink.error("document.kind", "the project file holds one `kind: Project` document; orders belong in manifests", at: node.mark)
        } else {
            sink.error(
                "document.kind", "unknown `kind` `\(kind.prefix(40))`; expected `\(expected)`\(Suggestion.hint(for: kind, in: ["Order", "Project"]))",
                at: node.mark)
        }
        return false
    }
}

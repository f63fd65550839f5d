import Dispatch

/// Where commands look when given no path: `manifests/` in the working folder; without one, the project's
/// `manifests/`, else the project file's own folder (orders kept beside `hookctl.yaml`, as in the shipped
/// `manifests/`); without a project either, `manifests` (reported missing).
public func defaultManifestPath(projectFile: String? = nil) -> String {
    guard FileSystem.kind("manifests") != .directory,
        let project = projectFile ?? ProjectLoader.find(startingAt: FileSystem.currentDirectory())
    else { return "manifests" }
    let folder = FileSystem.directory(of: FileSystem.absolute(project))
    let beside = FileSystem.join(folder, "manifests")
    let chosen = FileSystem.kind(beside) == .directory ? beside : folder
    let cwd = FileSystem.currentDirectory()
    if chosen == cwd { return "." }
    return chosen.hasPrefix(cwd + "/") ? String(chosen.dropFirst(cwd.count + 1)) : chosen
}

/// Reads manifests and the project file into a `Workspace`: no network, no environment needed.
/// - Parameters:
///   - paths: manifest files or folders (recursive); empty means `defaultManifestPath(projectFile:)`.
///   - projectFile: explicit project file (`--project`); else `hookctl.yaml` is looked for walking up from the first path.
///   - profile: explicit profile (`--profile`); else `environment["HOOKCTL_PROFILE"]`, else the project's `defaultProfile`.
///   - environment: variable values; non-secret references are resolved with it, unset ones are warned about.
///   - limits: YAML reading limits.
///   - embeddedSandbox: the run goes to an embedded sandbox (`--sandbox`): without a project file, DESP sources default
///     to the sandbox's demo login, as a `sandbox: true` profile gives.
///   - warnings: false leaves the manifests' warnings out (for `--quiet`, which hides them); errors are always there.
public func loadWorkspace(
    paths: [String], projectFile: String? = nil, profile: String? = nil, environment: [String: String] = [:],
    limits: YAMLLimits = YAMLLimits(), embeddedSandbox: Bool = false, catalogue: [UInt8]? = nil, warnings: Bool = true
) -> Workspace {
    let paths = paths.isEmpty ? [defaultManifestPath(projectFile: projectFile)] : paths
    var diagnostics: [Diagnostic] = []
    let projectPath = projectFile ?? ProjectLoader.find(startingAt: paths[0])
    var loaded = ProjectLoader.Loaded()
    if let projectPath {
        loaded = ProjectLoader.load(projectPath, explicitProfile: profile, environment: environment, limits: limits, catalogue: catalogue)
        diagnostics += loaded.diagnostics
    } else if embeddedSandbox {
        loaded.context.despLogin = ProjectLoader.despLogin(for: nil, projectHasProfile: false)
    } else if let profile {
        diagnostics.append(.error("project.missing", "profile `\(profile)` was asked for but no project file `hookctl.yaml` was found", at: nil))
    }

    var files: [String] = []
    let projectAbsolute = projectPath.map(FileSystem.absolute)
    for path in paths {
        switch FileSystem.kind(path) {
        // The project file is never read as a manifest, whatever its name (`--project` may name one in the folder).
        case .directory:
            // Only a file of the project file's name can be it: the others need no absolute path.
            let projectName = projectAbsolute.map(FileSystem.fileName(of:))
            files += FileSystem.manifestFiles(under: path).filter { file in
                guard let projectName, FileSystem.hasFileName(file, projectName) else { return true }
                return FileSystem.absolute(file) != projectAbsolute
            }
        case .file: if FileSystem.absolute(path) != projectAbsolute { files.append(path) }
        case .missing: diagnostics.append(.error("file.missing", "`\(path)`: no such file or directory", at: nil))
        case .other: diagnostics.append(.error("file.kind", "`\(path)` is not a regular file or folder", at: nil))
        }
    }
    if paths.count > 1 {  // one folder's scan has no repeats
        var seen = Set<String>()
        files = files.filter { seen.insert($0).inserted }
    }

    var outcomes = loadConcurrently(files, project: loaded.context, environment: environment, limits: limits, warnings: warnings)
    // Problems in the project's `defaults` are found once per order that merges them: report each once.
    var seenInProject = Set<Diagnostic>()
    for index in outcomes.indices {
        // Moved out, not copied: a large run has thousands (one warning per unset variable).
        var fileDiagnostics: [Diagnostic] = []
        swap(&fileDiagnostics, &outcomes[index].diagnostics)
        guard let projectPath else {
            diagnostics.append(contentsOf: fileDiagnostics)
            continue
        }
        for diagnostic in fileDiagnostics {
            if diagnostic.location?.file == projectPath, !seenInProject.insert(diagnostic).inserted { continue }
            diagnostics.append(diagnostic)
        }
    }
    let orders = OrderAssembler.assemble(&outcomes, diagnostics: &diagnostics)
    // Each file's diagnostics come sorted, and files in path order: often there is nothing left to sort.
    if !diagnostics.indices.dropFirst().allSatisfy({ !Diagnostic.sortKey(diagnostics[$0], diagnostics[$0 - 1]) }) {
        diagnostics.sort(by: Diagnostic.sortKey)
    }
    // What is left of thousands of files' outcomes (their texts, kept for quoting) takes milliseconds to free:
    // another thread frees it while the command goes on.
    DispatchQueue.global().async { [outcomes] in withExtendedLifetime(outcomes) {} }
    return Workspace(
        project: loaded.project, projectFile: projectPath, profileName: loaded.profileName, profile: loaded.profile,
        manifestFiles: files, orders: orders, diagnostics: diagnostics)
}

/// Decodes files on every core: each file is independent until names are checked across the run.
private func loadConcurrently(
    _ files: [String], project: ProjectContext, environment: [String: String], limits: YAMLLimits, warnings: Bool
) -> [FileOutcome] {
    // Placeholders, each replaced by its file's outcome (not optionals: unwrapping thousands would copy each one).
    var outcomes = [FileOutcome](repeating: FileOutcome(path: ""), count: files.count)
    outcomes.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let slots = buffer  // each iteration writes only its own slot
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            slots[index] = ManifestFile(path: files[index], project: project, environment: environment, limits: limits, warnings: warnings).load()
        }
    }
    return outcomes
}

/// Splits drafts into orders and checks names across the run.
enum OrderAssembler {
    /// The orders of every file, sorted by key, with the names checked across the run. The orders are moved out of
    /// `outcomes` (copying thousands of orders, then freeing the originals, was a measurable part of `render`).
    static func assemble(_ outcomes: inout [FileOutcome], diagnostics: inout [Diagnostic]) -> [Order] {
        // Where each name was first used (file and document); a location and note are built only for a name used twice.
        var firstByName: [String: (file: Int, document: Int)] = [:]
        firstByName.reserveCapacity(outcomes.count)
        var orders: [Order] = []
        orders.reserveCapacity(outcomes.count)
        func location(_ file: Int, _ document: Int) -> SourceLocation {
            let mark = outcomes[file].names[document].mark
            return SourceLocation(file: outcomes[file].path, line: Int(mark.line), column: Int(mark.column))
        }
        for fileIndex in outcomes.indices {
            for documentIndex in outcomes[fileIndex].names.indices {  // by index: no copy of each name
                if let first = firstByName[outcomes[fileIndex].names[documentIndex].name] {
                    let name = outcomes[fileIndex].names[documentIndex]
                    var error = Diagnostic(
                        severity: .error, id: "metadata.duplicate-name",
                        message: "order name `\(name.name)` is already used; names must be unique in a run",
                        location: location(fileIndex, documentIndex), quote: name.quote)
                    error.notes = [
                        Diagnostic(
                            severity: .note, id: "note", message: "first used here", location: location(first.file, first.document),
                            quote: outcomes[first.file].names[first.document].quote)
                    ]
                    diagnostics.append(error)
                    continue
                }
                firstByName[outcomes[fileIndex].names[documentIndex].name] = (fileIndex, documentIndex)
                var split: [Order] = []
                swap(&split, &outcomes[fileIndex].orders[documentIndex])
                split.reverse()
                while let order = split.popLast() { orders.append(order) }  // moved, in batch order
            }
        }
        // Keys are ASCII: `<` is byte order, and faster than comparing the bytes one by one. Files are read in path
        // order and often named after their orders: check before sorting (moving thousands of orders costs).
        if !orders.indices.dropFirst().allSatisfy({ orders[$0 - 1].key < orders[$0].key }) {
            orders.sort { $0.key < $1.key }
        }
        return orders
    }

    static func split(_ draft: OrderDraft, path: String) -> [Order] {
        let start = SourceLocation(file: path, line: Int(draft.start.line), column: Int(draft.start.column))
        let chunks: [[String]]
        if let size = draft.batchSize {
            chunks = stride(from: 0, to: draft.identifiers.count, by: size).map {
                Array(draft.identifiers[$0..<min($0 + size, draft.identifiers.count)])
            }
        } else {
            chunks = [draft.identifiers]
        }
        return chunks.enumerated().map { index, identifiers in
            let key = draft.batchSize == nil ? draft.name : "\(draft.name)#\(index + 1)"
            return Order(
                key: key, name: draft.name, manifestPath: path, location: start, labels: draft.labels, workflow: draft.workflow,
                batchIndex: index + 1, batchCount: chunks.count,
                body: OrderBody(
                    key: key, workflowName: draft.workflow, identifiers: identifiers, options: draft.options,
                    identifierVariables: draft.identifierVariables),
                waitTimeout: draft.waitTimeout, download: draft.download, retryAll: draft.retryAll, storage: draft.storage,
                sourceType: draft.sourceType)
        }
    }
}

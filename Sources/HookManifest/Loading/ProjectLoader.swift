/// Finds and reads the project file, selects the profile and prepares what every order shares.
enum ProjectLoader {
    struct Loaded {
        var project: Project?
        var profileName: String?
        var profile: Profile?
        var context = ProjectContext.noProject
        var diagnostics: [Diagnostic] = []
    }

    static let fileName = "hookctl.yaml"
    static let catalogueName = "hookctl.workflows.json"

    /// `hookctl.yaml` in the folder of `path` (or `path` itself if a folder) or any folder above it.
    static func find(startingAt path: String) -> String? {
        let absolute = FileSystem.absolute(path)
        var directory = FileSystem.kind(absolute) == .directory ? absolute : FileSystem.directory(of: absolute)
        let cwd = FileSystem.currentDirectory()
        while true {
            let candidate = FileSystem.join(directory, fileName)
            if FileSystem.kind(candidate) == .file {
                // Show it relative to the working folder when it is under it, like the paths users type.
                if candidate.hasPrefix(cwd + "/") { return String(candidate.dropFirst(cwd.count + 1)) }
                return candidate
            }
            if directory == "/" || directory.isEmpty { return nil }
            directory = FileSystem.directory(of: directory)
        }
    }

    /// - Parameter catalogue: the service's workflow catalogue (`GET Workflows?$expand=WorkflowOptions`), checked
    ///   against instead of the one `workflows --save` cached in the project (`hookctl check` passes the live one).
    static func load(
        _ path: String, explicitProfile: String?, environment: [String: String], limits: YAMLLimits, catalogue live: [UInt8]? = nil
    ) -> Loaded {
        var loaded = Loaded()
        let bytes: [UInt8]
        switch FileSystem.read(path, limit: limits.maxFileBytes) {
        case .failure(let error):
            loaded.diagnostics.append(.error("project.read", "cannot read project file `\(path)`: \(error.reason)", at: nil))
            return loaded
        case .success(let content): bytes = SourceText.droppingBOM(content)
        }
        let sink = ProblemSink()
        let files = FileTable(paths: [path], contents: [bytes])
        let context = DecodeContext(sink: sink, environment: environment, warnUnset: false)
        let read = bytes.withUnsafeBufferPointer { YAMLReader(limits: limits, file: 0).read($0) }
        for problem in read.problems { sink.add(problem) }
        var decoded: (Project, defaults: YAMLNode?, defaultProfileNode: YAMLNode?)?
        if read.documents.isEmpty && !read.stopped {
            sink.error("file.empty", "project file has no document; expected `apiVersion: hookctl/v1` and `kind: Project`", at: Mark(line: 1, column: 1))
        }
        for (index, document) in read.documents.enumerated() {
            if index > 0 {
                sink.error("project.documents", "the project file holds a single `kind: Project` document", at: document.start)
                break
            }
            guard let top = ManifestFile.topFields(document, context: context),
                ManifestFile.checkHeader(top, expected: "Project", context: context)
            else { continue }
            decoded = ProjectDecoder(context: context).decode(top)
        }
        if case (var project, let defaults, let defaultNode)? = decoded {
            let name = explicitProfile ?? environment["HOOKCTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? project.defaultProfile
            loaded.profileName = name
            if let name {
                if let profile = project.profiles[name] {
                    loaded.profile = profile
                } else if explicitProfile != nil || environment["HOOKCTL_PROFILE"] != nil {
                    let from = explicitProfile != nil ? "--profile" : "HOOKCTL_PROFILE"
                    sink.error(
                        "project.profile",
                        "profile `\(name)` (from \(from)) is not defined in the project file\(Suggestion.hint(for: name, in: project.profiles.keys.sorted()))",
                        at: defaultNode?.mark ?? Mark(line: 1, column: 1))
                }
            }
            let dir = FileSystem.directory(of: path)
            let cataloguePath = FileSystem.join(dir, catalogueName)
            if let live {
                project.workflowCatalogue = WorkflowCatalogue.parse(live)
            } else if FileSystem.kind(cataloguePath) == .file {
                if case .success(let json) = FileSystem.read(cataloguePath, limit: limits.maxFileBytes), let catalogue = WorkflowCatalogue.parse(json) {
                    project.workflowCatalogue = catalogue
                } else {
                    loaded.diagnostics.append(
                        .warning(
                            "project.catalogue", "`\(cataloguePath)` is not a workflow catalogue (`{\"value\": [...]}`); options are not checked against it",
                            at: nil))
                }
            }
            loaded.project = project
            loaded.context = ProjectContext(
                defaults: defaults?.relocated(toFile: FileTable.project), catalogue: project.workflowCatalogue,
                despLogin: despLogin(for: loaded.profile, projectHasProfile: name != nil), projectBytes: bytes, projectPath: path)
        }
        loaded.diagnostics += sink.diagnostics(files: files)
        return loaded
    }

    /// The DESP login references a DESP source uses when it names none: the profile's, or the sandbox's demo login.
    static func despLogin(for profile: Profile?, projectHasProfile: Bool) -> (Template, Template) {
        if case .desp(let username, let password, _)? = profile?.auth { return (username, password) }
        if profile?.sandbox == true || !projectHasProfile {
            return (.reference("DESP_USERNAME", default: "demo"), .reference("DESP_PASSWORD", default: "demo"))
        }
        return (.reference("DESP_USERNAME"), .reference("DESP_PASSWORD"))
    }
}

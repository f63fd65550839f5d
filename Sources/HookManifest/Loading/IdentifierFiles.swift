import Foundation

/// Reads `spec.identifiersFile` files (relative to the manifest): one identifier per line, `#` comments, blank lines
/// skipped; problems point into the identifiers file. A file must lie inside the project root (the project file's
/// folder, else the manifest's): manifests come from pull requests, and a path out of the project (an absolute one,
/// `..`, a symlink) could make `validate` quote a secret of the machine it runs on. Such a file is never read.
final class IdentifierFiles {
    private let manifestPath: String
    private let projectPath: String?
    /// The manifest's folder, where relative paths start (found when first needed: most manifests list their
    /// identifiers inline, and finding a folder is a search through the path).
    private(set) lazy var manifestDirectory = FileSystem.directory(of: manifestPath)
    /// The folder identifier files must stay in.
    private(set) lazy var root = projectPath.map(FileSystem.directory(of:)) ?? manifestDirectory
    var files: FileTable
    static let maxBytes = 16 << 20

    init(manifestPath: String, projectPath: String?, files: FileTable) {
        self.manifestPath = manifestPath
        self.projectPath = projectPath
        self.files = files
    }

    /// Why `path` may not be read, or nil when it lies inside the root, `..` and symlinks resolved.
    func escape(_ relative: String, resolvedTo path: String) -> String? {
        if relative.hasPrefix("/") { return "is an absolute path" }
        func inside(_ path: String, _ base: String) -> Bool { path == base || path.hasPrefix(base.hasSuffix("/") ? base : base + "/") }
        let lexical = URL(fileURLWithPath: path).standardizedFileURL.path
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        guard inside(lexical, base) else { return "leads out of the project folder" }
        let real = URL(fileURLWithPath: lexical).resolvingSymlinksInPath().path
        let realBase = URL(fileURLWithPath: base).resolvingSymlinksInPath().path
        guard inside(real, realBase) else { return "is a symlink (or lies behind one) that leads out of the project folder" }
        return nil
    }

    /// The identifiers of the file, references resolved; names of unset variables (identifiers kept as written) are
    /// added to `unset`.
    func read(_ relative: String, at node: YAMLNode, context: DecodeContext, unset: inout [String]) -> [String]? {
        let sink = context.sink
        guard !relative.isEmpty else {
            sink.error("spec.identifiersFile", "`spec.identifiersFile` is empty", at: node.mark)
            return nil
        }
        let path = FileSystem.join(manifestDirectory, relative)
        if let reason = escape(relative, resolvedTo: path) {
            sink.error(
                "spec.identifiersFile",
                "identifiers file `\(relative.prefix(200))` \(reason); identifier files are named relative to the manifest and must stay inside the project folder",
                at: node.mark)
            return nil
        }
        let bytes: [UInt8]
        switch FileSystem.read(path, limit: Self.maxBytes) {
        case .failure(let error):
            sink.error("spec.identifiersFile", "cannot read identifiers file `\(relative)`: \(error.reason)", at: node.mark)
            return nil
        case .success(let content): bytes = SourceText.droppingBOM(content)
        }
        let file = files.add(path: path, bytes: bytes)
        let text = bytes.withUnsafeBufferPointer { ByteScanner.problems(in: $0).first { $0.id != "yaml.tab" } }
        if let problem = text {
            var mark = problem.mark
            mark.file = file
            sink.error(problem.id, problem.message.replacingOccurrencesOfManifests(), at: mark)
            return nil
        }
        var out: [String] = []
        var seen: [String: Mark] = [:]
        let errors = sink.errorCount
        var lineNumber: Int32 = 0
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = String(decoding: rawLine, as: UTF8.self)
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            let leading = line.unicodeScalars.prefix { $0.properties.isWhitespace }.count
            let written = line.trimmingWhitespace()
            guard !written.isEmpty else { continue }
            let mark = Mark(line: lineNumber, column: Int32(leading + 1), file: file)
            guard let template = context.template(written, at: mark, path: "\(relative):\(lineNumber)") else { continue }
            unset += template.unsetVariables(in: context.environment)
            let identifier = template.description
            if identifier.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
                sink.error("spec.identifiers", "identifier contains whitespace; write one identifier per line", at: mark)
                continue
            }
            if let first = seen[identifier] {
                sink.error("spec.identifiers", "duplicate identifier `\(identifier.prefix(120))`", at: mark, notes: [("first listed here", first)])
                continue
            }
            seen[identifier] = mark
            out.append(identifier)
        }
        guard sink.errorCount == errors else { return nil }
        if out.isEmpty {
            sink.error("spec.identifiersFile", "identifiers file `\(relative)` lists no identifiers", at: node.mark)
            return nil
        }
        return out
    }
}

extension String {
    fileprivate func replacingOccurrencesOfManifests() -> String {
        self.replacing("manifests are", with: "identifier files are").replacing("manifests must", with: "identifier files must")
    }
}

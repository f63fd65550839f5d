/// Everything one command reads: the project file, the selected profile, the orders and every diagnostic.
public struct Workspace: Sendable {
    /// The project, when a project file was found and is valid.
    public var project: Project?
    /// Path of the project file, when one was found (even if invalid).
    public var projectFile: String?
    /// Name of the selected profile (explicit, else `HOOKCTL_PROFILE`, else `defaultProfile`), if any.
    public var profileName: String?
    /// The selected profile, when it exists in the project.
    public var profile: Profile?
    /// Manifest files read, sorted.
    public var manifestFiles: [String]
    /// Valid orders, sorted by key; documents with errors contribute none.
    public var orders: [Order]
    /// Every diagnostic, sorted by file, line and column.
    public var diagnostics: [Diagnostic]

    /// True when any diagnostic is an error (commands then exit 1 without doing anything else).
    public var hasErrors: Bool { diagnostics.indices.contains { diagnostics[$0].severity == .error } }  // by index: no copies
    /// Only the errors.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    /// Every order's rendered body (`OrderBody.renderedUTF8(environment:)`), in order-key order. Through the body's
    /// fields on purpose: calling a method on each order's body copied the whole body first, a measurable part of
    /// `render`'s serial end.
    public func renderedBodies(environment: [String: String]) -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        bodies.reserveCapacity(orders.count)
        for index in orders.indices {
            if OrderBody.changes(orders[index].body.options, in: environment) {
                bodies.append(orders[index].body.rendered(resolving: environment))
            } else {
                bodies.append(orders[index].body.renderedAsLoaded)
            }
        }
        return bodies
    }
}

/// What one manifest file gave: its valid documents' names and orders, and its diagnostics.
struct FileOutcome: Sendable {
    /// A valid document's `metadata.name`, for the run-wide check that names are unique.
    struct Name: Sendable {
        var name: String
        var mark: Mark
        /// The quoted line of `mark` (quoted only if the name turns out to be a duplicate).
        var quote: SourceQuote
    }

    var path: String
    var names: [Name] = []
    /// The orders of each named document (split by `batchSize`), built on the file's worker thread.
    var orders: [[Order]] = []
    var diagnostics: [Diagnostic] = []
}

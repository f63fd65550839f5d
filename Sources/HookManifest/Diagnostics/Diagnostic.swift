/// One problem found in a manifest or project file: a value, never printed or thrown by the library itself.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Codable, Comparable {
        /// Extra context attached to another diagnostic.
        case note
        /// Worth reading; does not fail `validate`.
        case warning
        /// Invalid input; `validate` exits 1.
        case error

        private var rank: Int { self == .note ? 0 : self == .warning ? 1 : 2 }
        /// Orders note < warning < error.
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// How serious it is.
    public var severity: Severity
    /// Stable, greppable identifier such as `yaml.duplicate-key` or `spec.unknown-key`.
    public var id: String
    /// One-line message; never contains a secret value.
    public var message: String
    /// Where it is, when it has a place in a file.
    public var location: SourceLocation?
    /// The quoted source line of `location`, with literal secrets masked as `****`.
    public var sourceLine: String?
    /// 1-based column of the caret in `sourceLine`, in Unicode scalars, when it differs from `location.column`
    /// (masking a secret changes the length of the line before it).
    public var sourceColumn: Int?
    /// Related places (for example the first occurrence of a duplicate).
    public var notes: [Diagnostic]

    /// Creates a diagnostic; `sourceLine` is normally filled in by the loader.
    public init(
        severity: Severity, id: String, message: String, location: SourceLocation?, sourceLine: String? = nil,
        sourceColumn: Int? = nil, notes: [Diagnostic] = []
    ) {
        self.severity = severity
        self.id = id
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
        self.sourceColumn = sourceColumn
        self.notes = notes
    }

    /// SPEC's one-line form: `path:line:column: error: message`.
    public var description: String { "\(location.map { "\($0): " } ?? "")\(severity.rawValue): \(message)" }

    /// Sorts by file, line, column, then message, so output is stable.
    public static func sortKey(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        switch (a.location, b.location) {
        case let (x?, y?) where x != y: return x < y
        case (nil, _?): return true
        case (_?, nil): return false
        default: return (a.message, a.id) < (b.message, b.id)
        }
    }
}

extension Diagnostic {
    init(severity: Severity, id: String, message: String, location: SourceLocation?, quoted: QuotedLine?) {
        let column = quoted.flatMap { $0.caret == location?.column ? nil : $0.caret }
        self.init(severity: severity, id: id, message: message, location: location, sourceLine: quoted?.text, sourceColumn: column)
    }

    static func error(_ id: String, _ message: String, at location: SourceLocation?, notes: [Diagnostic] = []) -> Diagnostic {
        Diagnostic(severity: .error, id: id, message: message, location: location, notes: notes)
    }

    static func warning(_ id: String, _ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(severity: .warning, id: id, message: message, location: location)
    }

    static func note(_ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(severity: .note, id: "note", message: message, location: location)
    }
}

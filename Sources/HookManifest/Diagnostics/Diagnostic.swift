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
    public var sourceLine: String? {
        get { quote.resolved.line }
        set { quote = .text(newValue, column: sourceColumn) }
    }
    /// 1-based column of the caret in `sourceLine`, in Unicode scalars, when it differs from `location.column`
    /// (masking a secret changes the length of the line before it).
    public var sourceColumn: Int? {
        get { quote.resolved.column }
        set { quote = .text(sourceLine, column: newValue) }
    }
    /// Related places (for example the first occurrence of a duplicate).
    public var notes: [Diagnostic]
    /// `sourceLine` and `sourceColumn`, or what builds them when read: most warnings are never printed
    /// (`--quiet`, `render`), so the loader does not quote their lines up front.
    var quote: SourceQuote

    /// Creates a diagnostic; `sourceLine` is normally filled in by the loader.
    public init(
        severity: Severity, id: String, message: String, location: SourceLocation?, sourceLine: String? = nil,
        sourceColumn: Int? = nil, notes: [Diagnostic] = []
    ) {
        self.severity = severity
        self.id = id
        self.message = message
        self.location = location
        self.quote = .text(sourceLine, column: sourceColumn)
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
    /// A diagnostic whose source line is quoted from `quote` when read.
    init(severity: Severity, id: String, message: String, location: SourceLocation?, quote: SourceQuote) {
        self.init(severity: severity, id: id, message: message, location: location)
        self.quote = quote
    }

    /// Equal when every public field is (quoted lines compared as text, however they are held).
    public static func == (a: Diagnostic, b: Diagnostic) -> Bool {
        a.severity == b.severity && a.id == b.id && a.message == b.message && a.location == b.location
            && a.quote.resolved == b.quote.resolved && a.notes == b.notes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(severity)
        hasher.combine(id)
        hasher.combine(message)
        hasher.combine(location)
        let quoted = quote.resolved
        hasher.combine(quoted.line)
        hasher.combine(quoted.column)
        hasher.combine(notes)
    }

    private enum CodingKeys: String, CodingKey {
        case severity, id, message, location, sourceLine, sourceColumn, notes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            severity: try c.decode(Severity.self, forKey: .severity), id: try c.decode(String.self, forKey: .id),
            message: try c.decode(String.self, forKey: .message), location: try c.decodeIfPresent(SourceLocation.self, forKey: .location),
            sourceLine: try c.decodeIfPresent(String.self, forKey: .sourceLine), sourceColumn: try c.decodeIfPresent(Int.self, forKey: .sourceColumn),
            notes: try c.decode([Diagnostic].self, forKey: .notes))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(severity, forKey: .severity)
        try c.encode(id, forKey: .id)
        try c.encode(message, forKey: .message)
        try c.encodeIfPresent(location, forKey: .location)
        let quoted = quote.resolved
        try c.encodeIfPresent(quoted.line, forKey: .sourceLine)
        try c.encodeIfPresent(quoted.column, forKey: .sourceColumn)
        try c.encode(notes, forKey: .notes)
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

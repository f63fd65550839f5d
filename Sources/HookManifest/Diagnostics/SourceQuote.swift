/// How a diagnostic holds its quoted source line: as text, or as the place to quote it from whenever it is read (not
/// kept: only printed diagnostics are read, and each is read a few times at most).
enum SourceQuote: Sendable {
    /// The line and caret column as `Diagnostic.sourceLine` and `Diagnostic.sourceColumn` give them.
    case text(String?, column: Int?)
    /// The line of `mark` in `files`, with `secrets` masked, quoted each time it is read.
    case pending(QuoteSource, Mark)

    /// The quoted line and caret column (nil when the caret is at the location's own column).
    var resolved: Resolved {
        switch self {
        case .text(let line, let column): return Resolved(line: line, column: column)
        case .pending(let source, let mark):
            guard let quoted = source.files.line(mark, masking: source.secrets) else { return Resolved(line: nil, column: nil) }
            let column = source.files.clamped(mark).column
            return Resolved(line: quoted.text, column: quoted.caret == Int(column) ? nil : quoted.caret)
        }
    }

    struct Resolved: Equatable {
        var line: String?
        var column: Int?
    }
}

/// A file's text and its secret spans, shared by the diagnostics of one file that quote lines lazily.
final class QuoteSource: Sendable {
    let files: FileTable
    let secrets: [(Mark, Mark)]

    init(files: FileTable, secrets: [(Mark, Mark)]) {
        self.files = files
        self.secrets = secrets
    }
}

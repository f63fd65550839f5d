import Synchronization

/// Collects the problems of one file while it is decoded, plus the spans of literal secrets to mask when quoting lines.
final class ProblemSink {
    struct Problem {
        var severity: Diagnostic.Severity
        var id: String
        var message: String
        var mark: Mark
        var notes: [(String, Mark)] = []
    }

    private(set) var problems: [Problem] = []
    private(set) var secretSpans: [(Mark, Mark)] = []
    private(set) var errorCount = 0
    /// False drops warnings (the caller will not show them); errors are always kept.
    let keepsWarnings: Bool

    init(keepsWarnings: Bool = true) { self.keepsWarnings = keepsWarnings }

    func error(_ id: String, _ message: String, at mark: Mark, notes: [(String, Mark)] = []) {
        problems.append(Problem(severity: .error, id: id, message: message, mark: mark, notes: notes))
        errorCount += 1
    }

    func warning(_ id: String, _ message: String, at mark: Mark) {
        guard keepsWarnings else { return }
        problems.append(Problem(severity: .warning, id: id, message: message, mark: mark))
    }

    func add(_ problem: YAMLProblem) { error(problem.id, problem.message, at: problem.mark) }

    /// Marks `node`'s text as a secret: any quoted line that shows it masks it as `****`. Works for any kind of
    /// node: a mapping or list given where a secret belongs holds the secret too.
    func maskSecret(_ node: YAMLNode) { secretSpans.append((node.mark, Self.textEnd(node))) }

    /// Where `node`'s own text ends. A block collection's end mark lies at the next token (often the next line's
    /// indentation), so it ends with its last item instead; a flow collection ends after its closing bracket.
    private static func textEnd(_ node: YAMLNode) -> Mark {
        let last: YAMLNode?
        switch node.content {
        case .scalar: return node.end
        case .mapping(let pairs): last = pairs.last?.value
        case .sequence(let items): last = items.last
        }
        guard let last else { return node.end.line == node.mark.line ? node.end : node.mark }
        let lastEnd = textEnd(last)
        return node.end.line > lastEnd.line ? lastEnd : node.end
    }

    /// The files' text and the secrets found so far, for quoting lines once decoding is done.
    func quoteSource(files: FileTable) -> QuoteSource { QuoteSource(files: files, secrets: secretSpans) }

    /// Turns the problems into diagnostics with locations; their masked source lines are quoted when read.
    func diagnostics(files: FileTable) -> [Diagnostic] { diagnostics(quoting: quoteSource(files: files)) }

    func diagnostics(quoting source: QuoteSource) -> [Diagnostic] {
        var out: [Diagnostic] = []
        out.reserveCapacity(problems.count)
        let files = source.files
        for problem in problems {
            var diagnostic = Diagnostic(
                severity: problem.severity, id: problem.id, message: problem.message, location: files.location(problem.mark),
                quote: .pending(source, problem.mark))
            if !problem.notes.isEmpty {
                diagnostic.notes = problem.notes.map { note in
                    Diagnostic(severity: .note, id: "note", message: note.0, location: files.location(note.1), quote: .pending(source, note.1))
                }
            }
            out.append(diagnostic)
        }
        return out
    }
}

/// The files one manifest's diagnostics can point into: index 0 is the manifest, 1 the project file, then
/// identifier files. Contents are kept as bytes to quote lines.
struct FileTable: Sendable {
    static let manifest: Int32 = 0
    static let project: Int32 = 1

    var paths: [String]
    var contents: [[UInt8]]
    /// Where each file's lines start, found on first use: a diagnostic finds its line without rescanning the file.
    let lineStarts = LineStarts()

    mutating func add(path: String, bytes: [UInt8]) -> Int32 {
        paths.append(path)
        contents.append(bytes)
        return Int32(paths.count - 1)
    }

    /// Where `mark` is, moved to the end of the file's last line when it lies past the end (as the quoted line is).
    func location(_ mark: Mark) -> SourceLocation {
        let index = Int(mark.file)
        let path = index >= 0 && index < paths.count ? paths[index] : "?"
        let mark = clamped(mark)
        return SourceLocation(file: path, line: Int(mark.line), column: Int(mark.column))
    }

    /// `mark`, or the end of the last line with text when `mark` lies past the end of its file (a reader's
    /// end-of-input position), so every diagnostic can quote a line.
    func clamped(_ mark: Mark) -> Mark {
        let index = Int(mark.file)
        guard index >= 0, index < contents.count else { return mark }
        let bytes = contents[index]
        let lineCount = lineStarts.starts(of: index, bytes).count
        if mark.line >= 1 && Int(mark.line) <= lineCount { return mark }  // the line exists (`text(ofLine:)` is non-nil)
        if mark.line < 1 { return Mark(line: 1, column: 1, file: mark.file) }
        var last = lineCount
        if last > 1, bytes.last == 0x0A { last -= 1 }
        let text = text(ofLine: last, file: index) ?? ""
        return Mark(line: Int32(last), column: Int32(text.unicodeScalars.count + 1), file: mark.file)
    }

    /// The 1-based `line` of file `index` without its line break, or nil past the end. Invalid UTF-8 is repaired.
    func text(ofLine line: Int, file index: Int) -> String? {
        let bytes = contents[index]
        let starts = lineStarts.starts(of: index, bytes)
        guard line >= 1, line <= starts.count else { return nil }
        let start = starts[line - 1]
        var end = line < starts.count ? starts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The quoted source line of `mark` (see `QuotedLine`), with secret spans of the same file replaced by `****`,
    /// and the caret's column in that text (masks change the length of the line before the column).
    func line(_ mark: Mark, masking spans: [(Mark, Mark)]) -> QuotedLine? {
        let index = Int(mark.file)
        guard index >= 0, index < contents.count else { return nil }
        let mark = clamped(mark)
        guard let text = text(ofLine: Int(mark.line), file: index) else { return nil }
        var caret = Int(mark.column) - 1  // 0-based, in scalars of the current text
        var scalars = Array(text.unicodeScalars)
        let masks = spans.filter { $0.0.file == mark.file && $0.0.line <= mark.line && $0.1.line >= mark.line }
        // Replace from the right so earlier columns (and the caret, left of the replaced part) stay valid.
        // `limit` keeps a span that overlaps one already replaced (the same node masked twice) from eating the mask.
        var limit = scalars.count
        for (start, end) in masks.sorted(by: { $0.0.column > $1.0.column }) {
            let from = start.line == mark.line ? Int(start.column) - 1 : 0
            let to = end.line == mark.line ? Int(end.column) - 1 : scalars.count
            let lower = max(0, min(from, limit))
            let upper = max(lower, min(to, limit))
            guard upper > lower else { continue }
            scalars.replaceSubrange(lower..<upper, with: "****".unicodeScalars)
            limit = lower
            if caret >= upper { caret += 4 - (upper - lower) } else if caret >= lower { caret = lower }
        }
        return QuotedLine(scalars, caret: caret)
    }
}

/// The byte offsets where the lines of each file of a `FileTable` start, computed once per file when first asked.
final class LineStarts: Sendable {
    private let byFile = Mutex<[Int: [Int]]>([:])

    func starts(of file: Int, _ bytes: [UInt8]) -> [Int] {
        if let known = byFile.withLock({ $0[file] }) { return known }
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == 0x0A { starts.append(offset + 1) }
        byFile.withLock { $0[file] = starts }
        return starts
    }
}

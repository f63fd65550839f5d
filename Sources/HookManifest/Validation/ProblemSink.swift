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

    func error(_ id: String, _ message: String, at mark: Mark, notes: [(String, Mark)] = []) {
        problems.append(Problem(severity: .error, id: id, message: message, mark: mark, notes: notes))
        errorCount += 1
    }

    func warning(_ id: String, _ message: String, at mark: Mark) {
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

    /// Turns the problems into diagnostics with locations and masked source lines.
    func diagnostics(files: FileTable) -> [Diagnostic] {
        var out: [Diagnostic] = []
        out.reserveCapacity(problems.count)
        for problem in problems {
            var diagnostic = Diagnostic(
                severity: problem.severity, id: problem.id, message: problem.message, location: files.location(problem.mark),
                quoted: files.line(problem.mark, masking: secretSpans))
            diagnostic.notes = problem.notes.map { note in
                Diagnostic(severity: .note, id: "note", message: note.0, location: files.location(note.1),
                           quoted: files.line(note.1, masking: secretSpans))
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

    mutating func add(path: String, bytes: [UInt8]) -> Int32 {
        paths.append(path)
        contents.append(bytes)
        return Int32(paths.count - 1)
    }

    func location(_ mark: Mark) -> SourceLocation {
        let index = Int(mark.file)
        let path = index >= 0 && index < paths.count ? paths[index] : "?"
        return SourceLocation(file: path, line: Int(mark.line), column: Int(mark.column))
    }

    /// The quoted source line of `mark`, with secret spans of the same file replaced by `****`, and the caret's
    /// column in that text (masks change the length of the line before the column).
    func line(_ mark: Mark, masking spans: [(Mark, Mark)]) -> QuotedLine? {
        let index = Int(mark.file)
        guard index >= 0, index < contents.count else { return nil }
        guard let text = SourceText.line(Int(mark.line), in: contents[index]) else { return nil }
        var caret = Int(mark.column) - 1  // 0-based, in scalars of the current text
        let masks = spans.filter { $0.0.file == mark.file && $0.0.line <= mark.line && $0.1.line >= mark.line }
        guard !masks.isEmpty else { return QuotedLine(text: text, caret: caret + 1) }
        var scalars = Array(text.unicodeScalars)
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
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return QuotedLine(text: out, caret: caret + 1)
    }
}

/// A source line as quoted under a diagnostic, and where its caret goes.
struct QuotedLine {
    var text: String
    /// 1-based column of the caret in `text`, in Unicode scalars; differs from the file position when the line
    /// was masked.
    var caret: Int
}

/// Extracting one line of a file's bytes.
enum SourceText {
    /// `bytes` without a leading UTF-8 byte order mark. Editors on Windows add one; it is valid YAML but no content,
    /// so it is dropped before reading, and columns on line 1 count from the first character after it.
    static func droppingBOM(_ bytes: [UInt8]) -> [UInt8] {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    }

    /// The 1-based `line` of `bytes` without its line break, or nil past the end. Invalid UTF-8 is repaired.
    static func line(_ line: Int, in bytes: [UInt8]) -> String? {
        guard line >= 1 else { return nil }
        var current = 1
        var start = 0
        var i = 0
        while current < line {
            guard let newline = bytes[i...].firstIndex(of: 0x0A) else { return nil }
            i = newline + 1
            current += 1
        }
        start = i
        var end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        if start == bytes.count && line > 1 && bytes.last == 0x0A { return "" }
        let slice = bytes[start..<end].map { $0 == 0 ? UInt8(ascii: "?") : $0 }
        return String(decoding: slice.prefix(400), as: UTF8.self)
    }
}

import Foundation
import Testing

@testable import HookManifest

/// The source line under a diagnostic is safe to print and its caret points at the reported character.
struct QuotedLineTests {
    /// The character the caret of `diagnostic` points at in its quoted line.
    func pointed(_ diagnostic: Diagnostic) -> Character? {
        guard let line = diagnostic.sourceLine, let column = diagnostic.sourceColumn ?? diagnostic.location?.column else { return nil }
        let scalars = Array(line.unicodeScalars)
        return column >= 1 && column <= scalars.count ? Character(scalars[column - 1]) : nil
    }

    @Test func `control characters are shown as question marks, one per character`() throws {
        let text = "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: \"a\u{1B}[31mb\u{7F}\u{85}\"\n"
        let diagnostics = decode(text).diagnostics
        #expect(!diagnostics.isEmpty)
        for diagnostic in diagnostics {
            let rendered = diagnostic.rendered()
            #expect(!rendered.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{7F}" || $0 == "\u{85}" }, "\(rendered)")
        }
        // libyaml names no position for a control character; the reader turns its byte offset into one.
        let error = try #require(diagnostics.first)
        #expect(error.location == SourceLocation(file: "m.yaml", line: 4, column: 11))
        #expect(error.sourceLine == "  name: \"a?[31mb??\"")
        #expect(pointed(error) == "?")
        let binary = try #require(decodeBytes(Array("kind: O\u{1B}\0rder\n".utf8)).diagnostics.first)
        #expect(binary.id == "file.binary")
        #expect(binary.sourceLine == "kind: O??rder")
        #expect(pointed(binary) == "?")
    }

    @Test func `a position past the end of the file is clamped to the end of the last line`() throws {
        let files = FileTable(paths: ["m.yaml"], contents: [Array("a: 1\nbb: 2\n".utf8)])
        #expect(files.location(Mark(line: 9, column: 4)) == SourceLocation(file: "m.yaml", line: 2, column: 6))
        let quoted = try #require(files.line(Mark(line: 9, column: 4), masking: []))
        #expect(quoted.text == "bb: 2" && quoted.caret == 6)
        // The line after the final line break is a real position (end of input) and stays as it is.
        #expect(files.location(Mark(line: 3, column: 1)) == SourceLocation(file: "m.yaml", line: 3, column: 1))
        let empty = FileTable(paths: ["e.yaml"], contents: [[]])
        #expect(empty.location(Mark(line: 2, column: 1)) == SourceLocation(file: "e.yaml", line: 1, column: 1))
    }

    @Test(arguments: [0, 120, 400])
    func `a long line is quoted as a window around the caret, which stays on the reported character`(_ before: Int) throws {
        let long = String(repeating: "A", count: 250)
        let list = (before > 0 ? String(repeating: "B", count: before) + ", " : "") + long + ", 5, " + long
        let text = header + "spec:\n  workflow: w\n  identifiers: [\(list)]\n" + desp
        let error = try #require(decode(text).diagnostics.first { $0.message.contains("identifier must be a string") })
        let line = try #require(error.sourceLine)
        #expect(line.unicodeScalars.count <= QuotedLine.window + 6)
        #expect(line.hasPrefix("...") && line.hasSuffix("..."))
        #expect(pointed(error) == "5")
        let rendered = error.rendered().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rendered[2].count == (error.sourceColumn ?? 0))  // caret line: padding, then ^
    }

    @Test func `a short line is quoted whole`() throws {
        let error = try #require(decode(header + "spec:\n  workflow: [a]\n" + ids + desp).diagnostics.first)
        #expect(error.sourceLine == "  workflow: [a]")
        #expect(error.sourceColumn == nil)
    }

    @Test func `a line quoted when first read equals, hashes and encodes like the same line given as text`() throws {
        let text = order(spec: "  options: {resolution: 20, api_token: hunter2, x: 1}\n  batchSize: 0\n")
        let lazy = decode(text).diagnostics
        #expect(lazy.count >= 2)
        for diagnostic in lazy {
            let eager = Diagnostic(
                severity: diagnostic.severity, id: diagnostic.id, message: diagnostic.message, location: diagnostic.location,
                sourceLine: diagnostic.sourceLine, sourceColumn: diagnostic.sourceColumn, notes: diagnostic.notes)
            #expect(diagnostic == eager)
            #expect(diagnostic.hashValue == eager.hashValue)
            #expect(diagnostic.rendered() == eager.rendered())
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let encoded = try encoder.encode(diagnostic)
            #expect(encoded == (try encoder.encode(eager)))
            #expect(try JSONDecoder().decode(Diagnostic.self, from: encoded) == diagnostic)
        }
        let secret = try #require(lazy.first { $0.id == "secret.literal" })
        #expect(secret.sourceLine == "  options: {resolution: 20, api_token: ****, x: 1}")
        var edited = secret
        edited.sourceColumn = 3
        #expect(edited.sourceLine == secret.sourceLine && edited.sourceColumn == 3)
    }
}

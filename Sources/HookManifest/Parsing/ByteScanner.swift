/// Checks run over the raw bytes before libyaml sees them: binary content, invalid UTF-8 and tab indentation, each
/// reported at its exact line and column (libyaml reports the first two without a usable position).
enum ByteScanner {
    static func problems(in bytes: UnsafeBufferPointer<UInt8>, limit: Int = 20) -> [YAMLProblem] {
        var problems: [YAMLProblem] = []
        var line: Int32 = 1
        var column: Int32 = 1
        var atIndent = true
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if b == 0x0A {
                    line += 1
                    column = 1
                    atIndent = true
                    i += 1
                    continue
                }
                if b == 0 {
                    problems.append(.init(id: "file.binary", message: "file is binary (NUL byte); manifests are YAML text", mark: Mark(line: line, column: column)))
                    return problems
                }
                if b == 0x09 && atIndent {
                    problems.append(.init(id: "yaml.tab", message: "tab character in indentation; YAML indents with spaces", mark: Mark(line: line, column: column)))
                    atIndent = false
                    if problems.count >= limit { return problems }
                } else if b != 0x20 {
                    atIndent = false
                }
                column += 1
                i += 1
                continue
            }
            atIndent = false
            let width = utf8SequenceLength(bytes, at: i)
            if width == 0 {
                problems.append(.init(id: "file.utf8", message: "invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true)); manifests must be UTF-8 text", mark: Mark(line: line, column: column)))
                return problems
            }
            column += 1
            i += width
        }
        return problems
    }

    /// Length of the valid UTF-8 sequence starting at `i`, or 0 if it is invalid.
    private static func utf8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = bytes[i]
        let n = bytes.count
        func cont(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
        switch b {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0:
            return i + 1 < n && (0xA0...0xBF).contains(bytes[i + 1]) && cont(2) ? 3 : 0
        case 0xED:
            return i + 1 < n && (0x80...0x9F).contains(bytes[i + 1]) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xF0:
            return i + 1 < n && (0x90...0xBF).contains(bytes[i + 1]) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4:
            return i + 1 < n && (0x80...0x8F).contains(bytes[i + 1]) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}

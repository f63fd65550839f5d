/// Checks run over the raw bytes before libyaml sees them: binary content, invalid UTF-8 and tab indentation, each
/// reported at its exact line and column (libyaml reports the first two without a usable position).
enum ByteScanner {
    static func problems(in bytes: UnsafeBufferPointer<UInt8>, limit: Int = 20) -> [YAMLProblem] {
        if isPlainASCII(bytes) { return [] }
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
                    problems.append(
                        .init(id: "file.binary", message: "file is binary (NUL byte); manifests are YAML text", mark: Mark(line: line, column: column)))
                    return problems
                }
                if b == 0x09 && atIndent {
                    problems.append(
                        .init(id: "yaml.tab", message: "tab character in indentation; YAML indents with spaces", mark: Mark(line: line, column: column)))
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
                problems.append(
                    .init(
                        id: "file.utf8", message: "invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true)); manifests must be UTF-8 text",
                        mark: Mark(line: line, column: column)))
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

    /// True when the text is ASCII without NUL or tab bytes: nothing to report. Checks eight bytes at a time, so the
    /// usual manifest costs one fast pass; only other files get the line-and-column scan.
    static func isPlainASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let tabs: UInt64 = 0x0909_0909_0909_0909
        var i = 0
        while i + 8 <= n {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let hasZero = (word &- ones) & ~word & highs
            let t = word ^ tabs
            let hasTab = (t &- ones) & ~t & highs
            if (word & highs) | hasZero | hasTab != 0 { return false }
            i += 8
        }
        while i < n {
            let b = base[i]
            if b >= 0x80 || b == 0 || b == 0x09 { return false }
            i += 1
        }
        return true
    }
}

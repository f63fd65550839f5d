import Testing

@testable import HookManifest

struct ReaderTests {
    func read(_ text: String, limits: YAMLLimits = YAMLLimits()) -> YAMLReadResult {
        Array(text.utf8).withUnsafeBufferPointer { YAMLReader(limits: limits).read($0) }
    }

    @Test func `marks are 1-based lines and columns counted in Unicode scalars`() throws {
        let result = read("a: 1\nbé: {c: x}\n")
        let pairs = try #require(result.documents.first?.root?.pairs)
        #expect(pairs[0].keyMark == Mark(line: 1, column: 1))
        #expect(pairs[0].value.mark == Mark(line: 1, column: 4))
        #expect(pairs[1].keyMark == Mark(line: 2, column: 1))
        // `bé: ` is four scalars (five bytes): the flow mapping starts at column 5.
        #expect(pairs[1].value.mark == Mark(line: 2, column: 5))
        let inner = try #require(pairs[1].value.pairs)
        #expect(inner[0].value.mark == Mark(line: 2, column: 9))
    }

    @Test func `plain scalars follow the YAML 1.2 core schema and quoted ones stay strings`() throws {
        let result = read(
            """
            a: 20
            b: "20"
            c: 0.5
            d: true
            e: 'false'
            f: ~
            g: 0x1F
            h: 1e3
            i: yes
            j: 012
            k: !!str 7
            l: -.inf
            """)
        let values = try #require(result.documents.first?.root?.pairs).map { $0.value.scalarValue }
        let expected: [ScalarValue?] = [
            .int(20), .string("20"), .double(0.5), .bool(true), .string("false"), .null, .int(31), .double(1000),
            .string("yes"), .int(12), .string("7"), .double(-.infinity),
        ]
        #expect(values == expected)
    }

    /// Every branch of the core schema's plain-scalar resolution, its near misses included.
    @Test func `plain scalars resolve by the core schema at every edge`() {
        let cases: [(String, ScalarValue)] = [
            ("", .null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("nULL", .string("nULL")),
            ("nulls", .string("nulls")), ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)), ("tRUE", .string("tRUE")),
            ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)), ("falsey", .string("falsey")),
            ("TEMPORARY", .string("TEMPORARY")), ("n", .string("n")), ("0", .int(0)), ("-0", .int(0)), ("+12", .int(12)),
            ("-12", .int(-12)), ("007", .int(7)), ("0o17", .int(15)), ("0o", .string("0o")), ("0o8", .string("0o8")),
            ("0x1F", .int(31)), ("0xff", .int(255)), ("0x", .string("0x")), ("0x1g", .string("0x1g")), ("1_000", .string("1_000")),
            ("12abc", .string("12abc")), ("--1", .string("--1")), ("+-1", .string("+-1")),
            ("99999999999999999999", .double(1e20)), ("1.5", .double(1.5)), (".5", .double(0.5)), ("5.", .double(5)),
            ("-.5", .double(-0.5)), ("1e3", .double(1000)), ("1.5e-3", .double(0.0015)), ("2E+2", .double(200)), ("1e", .string("1e")),
            ("e5", .string("e5")), (".", .string(".")), ("+.", .string("+.")), ("-", .string("-")), ("+", .string("+")),
            (".inf", .double(.infinity)), (".Inf", .double(.infinity)), ("+.INF", .double(.infinity)), ("-.inf", .double(-.infinity)),
            ("-.Inf", .double(-.infinity)), (".infinity", .string(".infinity")), ("inf", .string("inf")), ("-inf", .string("-inf")),
            ("6h", .string("6h")), ("20230910T050701", .string("20230910T050701")), ("1.2.3", .string("1.2.3")), ("0.5x", .string("0.5x")),
        ]
        for (text, expected) in cases { #expect(ScalarValue.resolvePlain(text) == expected, "`\(text)`") }
        for nan in [".nan", ".NaN", ".NAN"] {
            guard case .double(let d) = ScalarValue.resolvePlain(nan) else {
                Issue.record("`\(nan)` is not a number")
                continue
            }
            #expect(d.isNaN)
        }
        #expect(ScalarValue.resolvePlain("nan") == .string("nan") && ScalarValue.resolvePlain("+.nan") == .string("+.nan"))
    }

    @Test func `a duplicate key is reported at the duplicate and the first value is kept`() throws {
        let result = read("a: 1\nb: 2\na: 3\n")
        #expect(result.problems.map(\.id) == ["yaml.duplicate-key"])
        #expect(result.problems.first?.mark == Mark(line: 3, column: 1))
        #expect(result.problems.first?.message.contains("first defined at line 1, column 1") == true)
        #expect(result.documents.first?.root?.pairs?.first?.value.scalarValue == .int(1))
    }

    @Test func `duplicate keys are found in large mappings too`() {
        let text = (0..<40).map { "k\($0): \($0)" }.joined(separator: "\n") + "\nk7: again\n"
        let result = read(text)
        #expect(result.problems.map(\.mark) == [Mark(line: 41, column: 1)])
    }

    @Test func `a billion-laughs alias bomb is refused at the alias that crosses the limit`() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in 1...9 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]") }
        let result = read(lines.joined(separator: "\n"))
        #expect(result.stopped)
        #expect(result.problems.map(\.id) == ["yaml.alias-bomb"])
        #expect(result.problems.first?.mark.line == 6)
    }

    @Test func `too many aliases are refused`() {
        let text = "a: &a x\nb: [" + Array(repeating: "*a", count: 300).joined(separator: ", ") + "]\n"
        #expect(read(text).problems.map(\.id) == ["yaml.alias-limit"])
    }

    @Test func `deep nesting is refused at the level past the limit`() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let result = read(text)
        #expect(result.problems.map(\.id) == ["yaml.too-deep"])
        #expect(result.problems.first?.mark == Mark(line: 1, column: 65))
    }

    @Test func `aliases to an anchored mapping are copied with the alias position`() throws {
        let result = read("base: &b {x: 1}\nother: *b\n")
        let pairs = try #require(result.documents.first?.root?.pairs)
        #expect(pairs[1].value.pairs?.first?.value.scalarValue == .int(1))
        #expect(pairs[1].value.mark == Mark(line: 2, column: 8))
    }

    @Test func `multi-document files give one document each`() {
        let result = read("a: 1\n---\nb: 2\n---\n")
        #expect(result.documents.count == 3)
        #expect(result.documents[2].root?.scalarValue == .null)
    }

    @Test func `the fast byte check finds NUL, tab and non-ASCII bytes at any position`() {
        for length in [1, 7, 8, 9, 16, 23] {
            for position in 0..<length {
                for bad: UInt8 in [0x00, 0x09, 0x80, 0xFF] {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = bad
                    #expect(!bytes.withUnsafeBufferPointer(ByteScanner.isPlainASCII), "\(bad) at \(position) of \(length)")
                }
            }
            let clean = [UInt8](repeating: UInt8(ascii: "z"), count: length) + Array(" :-\n".utf8)
            #expect(clean.withUnsafeBufferPointer(ByteScanner.isPlainASCII))
        }
    }
}

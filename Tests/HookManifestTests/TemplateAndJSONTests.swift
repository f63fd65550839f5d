import Testing

@testable import HookCore
@testable import HookManifest

struct TemplateAndJSONTests {
    @Test func `references parse into parts and resolve with defaults`() throws {
        let template = try TemplateParser.parse("s3://${env:BUCKET}/${env:PREFIX:-out}/$$x").get()
        #expect(template.variableNames == ["BUCKET", "PREFIX"])
        #expect(template.description == "s3://${env:BUCKET}/${env:PREFIX:-out}/$$x")
        #expect(try template.resolve(in: ["BUCKET": "b"]).get() == "s3://b/out/$x")
        #expect(template.unsetVariables(in: [:]) == ["BUCKET"])
        #expect(!template.isReferenceOnly)
        #expect(try TemplateParser.parse("${env:A}${env:B:-}").get().isReferenceOnly)
    }

    @Test(arguments: [("${env:X", 0), ("ab${nope:X}", 2), ("é${env:9X}", 1), ("${env:A-B}", 0)])
    func `malformed references fail at the dollar`(_ text: String, _ offset: Int) {
        guard case .failure(let failure) = TemplateParser.parse(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(failure.offset == offset)
    }

    @Test func `secret names are recognised`() {
        for name in [
            "password", "desp_source_password", "source_s3_secret_key", "accessKey", "output_s3_access_key", "token", "api_token", "otp", "clientSecret",
            "DESP-PASSWORD", "Access-Key", "X_OTP", "SECRET", "API-Token",
        ] {
            #expect(DecodeContext.isSecretName(name), "\(name)")
        }
        for name in ["resolution", "source_token_url", "tokenizer", "format", "username", "bucket", "mytoken", "passwd", "access", "", "p", "ot"] {
            #expect(!DecodeContext.isSecretName(name), "\(name)")
        }
    }

    @Test func `canonical JSON sorts keys, indents by two and ends with a newline`() {
        let value: JSONValue = .object([
            "b": .array([.integer(1), .number(0.5), .bool(true), .null]), "a": .string("x\"\n\u{1}é"), "c": .object([:]), "d": .array([]),
        ])
        #expect(
            CanonicalJSON.string(value) == """
                {
                  "a": "x\\"\\n\\u0001é",
                  "b": [
                    1,
                    0.5,
                    true,
                    null
                  ],
                  "c": {},
                  "d": []
                }

                """)
    }

    @Test func `durations are a positive whole number and one unit`() {
        #expect(DurationParser.parse("90s") == .seconds(90))
        #expect(DurationParser.parse("15m") == .seconds(900))
        #expect(DurationParser.parse("6h") == .seconds(21600))
        #expect(DurationParser.parse("2d") == .seconds(172_800))
        #expect(DurationParser.parse("999999999d") == .seconds(86_399_999_913_600))
        for bad in ["0s", "-5m", "+5m", "soon", "1h30m", "1.5h", "h", "90", "99999999999h", " 5m", "5é", "\u{FF11}h", "5H", ""] {
            #expect(DurationParser.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func `did-you-mean finds close keys only`() {
        #expect(Suggestion.closest(to: "identifers", in: OrderDecoder.specKeys) == "identifiers")
        #expect(Suggestion.closest(to: "Workflow", in: OrderDecoder.specKeys) == "workflow")
        #expect(Suggestion.closest(to: "zzzzzz", in: OrderDecoder.specKeys) == nil)
    }

    @Test func `hex is two lower-case digits per byte, and JSON escapes control bytes with it`() {
        #expect(Hex.string([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(Hex.string([UInt8]()) == "")
        var out: [UInt8] = []
        CanonicalJSON.writeString("a\u{1F}b", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\u001fb""#)
    }

    /// The writer skips eight bytes at a time when none needs escaping: every byte value at every place in a word, and
    /// strings of every length around the word size, must come out as the byte-by-byte rule says.
    @Test func `JSON strings escape the same bytes wherever they sit in a word`() {
        func expected(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for byte in bytes {
                switch byte {
                case 0x22: out += Array(#"\""#.utf8)
                case 0x5C: out += Array(#"\\"#.utf8)
                case 0x0A: out += Array(#"\n"#.utf8)
                case 0x0D: out += Array(#"\r"#.utf8)
                case 0x09: out += Array(#"\t"#.utf8)
                case 0x08: out += Array(#"\b"#.utf8)
                case 0x0C: out += Array(#"\f"#.utf8)
                case ..<0x20: out += Array("\\u00".utf8) + Array(Hex.string([byte]).utf8)
                default: out.append(byte)
                }
            }
            return out + [0x22]
        }
        for byte in UInt8(0)...UInt8(0x7F) {
            let needsEscape = byte < 0x20 || byte == 0x22 || byte == 0x5C
            for place in 0..<8 {
                var word: [UInt8] = Array(repeating: place % 2 == 0 ? 0x61 : 0xC3, count: 8)  // plain ASCII, or bytes >= 0x80
                word[place] = byte
                #expect(CanonicalJSON.mayNeedEscape(word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }) == needsEscape, "\(byte) at \(place)")
            }
        }
        let alphabet: [UInt8] = [0x61, 0x7A, 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x22, 0x5C, 0x0A, 0x1F, 0x00, 0x09]
        for length in 0...40 {
            for seed in 0..<alphabet.count {
                let bytes = (0..<length).map { alphabet[($0 * 7 + seed * 3 + $0 / 5) % alphabet.count] }
                let text = String(decoding: bytes, as: UTF8.self)
                var out: [UInt8] = []
                CanonicalJSON.writeString(text, into: &out)
                #expect(out == expected(Array(text.utf8)), "length \(length), seed \(seed)")
            }
        }
        var out: [UInt8] = []
        CanonicalJSON.writeString("Sentinel-2 é “quoted” \u{7F}12345678\"", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"Sentinel-2 é “quoted” \u{7F}12345678\\\"\"")
    }
}

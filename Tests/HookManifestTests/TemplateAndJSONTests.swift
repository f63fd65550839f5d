import HookCore
import Testing

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
        ] {
            #expect(DecodeContext.isSecretName(name), "\(name)")
        }
        for name in ["resolution", "source_token_url", "tokenizer", "format", "username", "bucket"] {
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
        for bad in ["0s", "-5m", "soon", "1h30m", "1.5h", "h", "90", "99999999999h", " 5m"] { #expect(DurationParser.parse(bad) == nil, "\(bad)") }
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
}

import Testing

@testable import HookManifest

/// One broken manifest: where the first error must point (the `1️⃣` marker) and what it must say.
struct BadCase: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let message: String
    var testDescription: String { name }
}

let header = "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: s2-t47vlh\n"
let ids = "  identifiers: [S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE]\n"
let desp = "  source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}\n"

let badCases: [BadCase] = [
    BadCase(
        name: "typo in a spec key suggests the right one",
        yaml: header + "spec:\n  workflow: data-harvest\n  1️⃣identifers: [a]\n" + desp,
        message: "unknown key `identifers` in `spec`; did you mean `identifiers`?"),
    BadCase(
        name: "typo in a top-level key", yaml: "apiVersion: hookctl/v1\nkind: Order\n1️⃣metdata:\n  name: x\nspec: {}\n",
        message: "did you mean `metadata`?"),
    BadCase(
        name: "workflow must be a string", yaml: header + "spec:\n  workflow: 1️⃣[a, b]\n" + ids + desp,
        message: "`spec.workflow` must be a string, found a list"),
    BadCase(
        name: "missing workflow is reported at spec", yaml: header + "spec:\n  1️⃣identifiers: [a]\n" + desp,
        message: "missing required key `spec.workflow`"),
    BadCase(
        name: "missing spec", yaml: "1️⃣apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: a\n",
        message: "missing required key `spec`"),
    BadCase(
        name: "missing metadata name", yaml: "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  1️⃣labels: {a: b}\nspec:\n  workflow: w\n" + ids + desp,
        message: "missing required key `metadata.name`"),
    BadCase(
        name: "bad name with capitals", yaml: "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: 1️⃣S2-Order\nspec:\n  workflow: w\n" + ids + desp,
        message: "must be 1-63 lowercase letters"),
    BadCase(
        name: "name longer than 63",
        yaml: "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: 1️⃣" + String(repeating: "a", count: 64) + "\nspec:\n  workflow: w\n" + ids + desp,
        message: "must be 1-63 lowercase letters"),
    BadCase(
        name: "wrong apiVersion", yaml: "apiVersion: 1️⃣hookctl/v2\nkind: Order\nmetadata:\n  name: a\nspec:\n  workflow: w\n" + ids + desp,
        message: "unsupported `apiVersion` `hookctl/v2`"),
    BadCase(
        name: "unknown kind suggests Order", yaml: "apiVersion: hookctl/v1\nkind: 1️⃣Ordr\nmetadata:\n  name: a\n",
        message: "did you mean `Order`?"),
    BadCase(name: "tab in indentation", yaml: header + "spec:\n1️⃣\tworkflow: w\n", message: "tab character in indentation"),
    BadCase(name: "empty file", yaml: "1️⃣", message: "file is empty"),
    BadCase(name: "only comments", yaml: "1️⃣# nothing here\n# at all\n", message: "file has only comments"),
    BadCase(name: "top level is a list", yaml: "1️⃣- a\n- b\n", message: "the top level of a document must be a mapping"),
    BadCase(name: "top level is a scalar", yaml: "1️⃣hello\n", message: "found a string"),
    BadCase(
        name: "duplicate key at the duplicate", yaml: header + "spec:\n  workflow: data-harvest\n  1️⃣workflow: lai\n" + ids + desp,
        message: "duplicate key `workflow` (first defined at line 6, column 3)"),
    BadCase(
        name: "unterminated reference", yaml: header + "spec:\n  workflow: w\n" + ids + "  source:\n    collection: 1️⃣${env:COLL\n",
        message: "unterminated reference"),
    BadCase(
        name: "unterminated reference in a quoted string points at the dollar",
        yaml: header + "spec:\n  workflow: w\n" + ids + "  source:\n    collection: \"ab1️⃣${env:COLL\"\n",
        message: "unterminated reference"),
    BadCase(
        name: "unknown reference scheme", yaml: header + "spec:\n  workflow: w\n" + ids + "  source:\n    collection: 1️⃣${nope:X}\n",
        message: "unknown reference `${nope:...}`"),
    BadCase(
        name: "bad variable name", yaml: header + "spec:\n  workflow: w\n" + ids + "  source:\n    collection: 1️⃣${env:1BAD}\n",
        message: "bad variable name `1BAD`"),
    BadCase(
        name: "empty variable name", yaml: header + "spec:\n  workflow: w\n" + ids + "  source:\n    collection: x-1️⃣${env:}\n",
        message: "bad variable name an empty name"),
    BadCase(
        name: "duration without unit", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  wait: {timeout: 1️⃣90}\n",
        message: "`spec.wait.timeout` must be a positive whole number and one unit"),
    BadCase(
        name: "duration with two units", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  wait: {timeout: 1️⃣1h30m}\n",
        message: "`spec.wait.timeout` must be a positive whole number"),
    BadCase(
        name: "zero duration", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  wait:\n    timeout: 1️⃣0s\n",
        message: "`spec.wait.timeout` must be a positive whole number"),
    BadCase(
        name: "download with PRIVATE storage",
        yaml: header + "spec:\n  workflow: w\n" + ids + desp
            + "  storage: {type: PRIVATE, bucket: my-bucket, accessKey: \"${env:A}\", secretKey: \"${env:B}\"}\n  download: 1️⃣true\n",
        message: "`spec.download: true` needs TEMPORARY storage"),
    BadCase(
        name: "blank identifier", yaml: header + "spec:\n  workflow: w\n  identifiers:\n    - a\n    - 1️⃣\"  \"\n" + desp,
        message: "blank identifier"),
    BadCase(
        name: "duplicate identifier at the duplicate", yaml: header + "spec:\n  workflow: w\n  identifiers:\n    - a\n    - b\n    - 1️⃣a\n" + desp,
        message: "duplicate identifier `a`"),
    BadCase(
        name: "empty identifier list", yaml: header + "spec:\n  workflow: w\n  identifiers: 1️⃣[]\n" + desp,
        message: "`spec.identifiers` is empty"),
    BadCase(
        name: "identifiers and identifiersFile together", yaml: header + "spec:\n  workflow: w\n  1️⃣identifiers: [a]\n  identifiersFile: ids.txt\n" + desp,
        message: "not both"),
    BadCase(
        name: "literal DESP password", yaml: header + "spec:\n  workflow: w\n" + ids + "  source:\n    collection: c\n    password: 1️⃣hunter2\n",
        message: "`spec.source.password` is a secret and must be a reference"),
    BadCase(
        name: "literal S3 secret key",
        yaml: header + "spec:\n  workflow: w\n" + ids + desp
            + "  storage:\n    type: PRIVATE\n    bucket: my-bucket\n    accessKey: ${env:A}\n    secretKey: 1️⃣abc${env:B}\n",
        message: "`spec.storage.secretKey` is a secret"),
    BadCase(
        name: "literal secret in an extra option", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  options:\n    source_s3_secret_key: 1️⃣12345\n",
        message: "`spec.options.source_s3_secret_key` is a secret"),
    BadCase(
        name: "nested extra option", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  options:\n    bbox: 1️⃣[1, 2, 3, 4]\n",
        message: "option `bbox` must be a string, number or boolean, not a list"),
    BadCase(
        name: "extra option colliding with a generated one", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  options:\n    1️⃣source_type: EXTERNAL\n",
        message: "option `source_type` is generated from `spec.source`"),
    BadCase(
        name: "null extra option", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  options:\n    resolution: 1️⃣~\n",
        message: "option `resolution` has no value"),
    BadCase(
        name: "unknown source type suggests", yaml: header + "spec:\n  workflow: w\n" + ids + "  source: {type: 1️⃣DSEP, collection: c}\n",
        message: "did you mean `DESP`?"),
    BadCase(
        name: "bucket key on TEMPORARY storage", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  storage: {type: TEMPORARY, 1️⃣bucket: b}\n",
        message: "`spec.storage.bucket` is only for PRIVATE storage"),
    BadCase(
        name: "PRIVATE storage without keys",
        yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  storage: 1️⃣{type: PRIVATE, bucket: my-bucket, secretKey: \"${env:B}\"}\n",
        message: "missing required key `spec.storage.accessKey`"),
    BadCase(
        name: "bad bucket name",
        yaml: header + "spec:\n  workflow: w\n" + ids + desp
            + "  storage: {type: PRIVATE, bucket: 1️⃣My_Bucket, accessKey: \"${env:A}\", secretKey: \"${env:B}\"}\n",
        message: "not a valid S3 bucket name"),
    BadCase(
        name: "EXTERNAL without auth", yaml: header + "spec:\n  workflow: w\n" + ids + "  source: 1️⃣{type: EXTERNAL, catalogue: {url: u, collection: c}}\n",
        message: "missing required key `spec.source.auth`"),
    BadCase(
        name: "batchSize zero", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  batchSize: 1️⃣0\n",
        message: "`spec.batchSize` must be at least 1"),
    BadCase(
        name: "batchSize as a string", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  batchSize: 1️⃣\"10\"\n",
        message: "`spec.batchSize` must be an integer, found a string"),
    BadCase(
        name: "download not a boolean", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  download: 1️⃣yes\n",
        message: "`spec.download` must be true or false"),
    BadCase(
        name: "label value not a string",
        yaml: "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: a\n  labels: {n: 1️⃣5}\nspec:\n  workflow: w\n" + ids + desp,
        message: "label `n` must be a string, found an integer; quote it"),
    BadCase(name: "YAML syntax error", yaml: header + "spec:\n  workflow: [a\n1️⃣", message: "YAML syntax error"),
    BadCase(name: "unknown alias", yaml: header + "spec:\n  workflow: 1️⃣*nothing\n", message: "unknown alias `*nothing`"),
    BadCase(name: "a Project document in a manifest", yaml: "apiVersion: hookctl/v1\nkind: 1️⃣Project\n", message: "belongs in the project file"),
    BadCase(name: "spec is a list", yaml: header + "spec: 1️⃣[a]\n", message: "`spec` must be a mapping, found a list"),
    BadCase(name: "mapping used as a key", yaml: header + "spec:\n  ? 1️⃣{a: b}\n  : c\n", message: "mapping keys must be plain text"),
    BadCase(name: "unsupported tag", yaml: header + "spec:\n  workflow: 1️⃣!!binary aGVsbG8=\n", message: "YAML tag `tag:yaml.org,2002:binary` is not supported"),
    BadCase(
        name: "unknown reference scheme in an identifier",
        yaml: header + "spec:\n  workflow: w\n  identifiers:\n    - ok\n    - S2A_1️⃣${nope:X}\n" + desp, message: "unknown reference `${nope:...}`"),
    BadCase(
        name: "unterminated reference in an identifier",
        yaml: header + "spec:\n  workflow: w\n  identifiers:\n    - \"1️⃣${env:ID\"\n" + desp, message: "`spec.identifiers[0]`: unterminated reference"),
    BadCase(
        name: "empty variable name in a label value",
        yaml: "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: a\n  labels: {campaign: \"x-1️⃣${env:}\"}\nspec:\n  workflow: w\n" + ids + desp,
        message: "`metadata.labels.campaign`: bad variable name"),
    BadCase(
        name: "a reference in metadata.name says references are not allowed there",
        yaml: "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: 1️⃣x-${env:N}\nspec:\n  workflow: w\n" + ids + desp,
        message: "`metadata.name` cannot hold references"),
    BadCase(
        name: "a reference in spec.workflow says references are not allowed there",
        yaml: header + "spec:\n  workflow: 1️⃣${env:WF}\n" + ids + desp, message: "`spec.workflow` cannot hold references"),
    BadCase(
        name: "non-finite number option", yaml: header + "spec:\n  workflow: w\n" + ids + desp + "  options:\n    x: 1️⃣.nan\n",
        message: "must be a finite number"),
]

struct BadInputTests {
    @Test(arguments: badCases)
    func `broken manifests get an error at the right line and column`(_ bad: BadCase) throws {
        let marked = MarkedYAML(bad.yaml)
        let outcome = decode(marked.text)
        #expect(outcome.names.isEmpty && outcome.orders.isEmpty)
        let errors = outcome.diagnostics.filter { $0.severity == .error }
        let expected = SourceLocation(file: "m.yaml", line: marked.line, column: marked.column)
        let match = errors.first { $0.location == expected && $0.message.contains(bad.message) }
        #expect(match != nil, "expected `\(bad.message)` at \(expected); got:\n\(errors.map(\.description).joined(separator: "\n"))")
    }

    /// Short lists are checked pairwise (fingerprints of ASCII text first), long ones through a dictionary: both must
    /// find the same duplicates, exact or canonically equivalent (`é` as one scalar or two; a Kelvin sign and `K`), as
    /// the runner's dictionaries keyed by identifier would merge them.
    @Test(arguments: [3, 40])
    func `a list finds the same duplicate identifiers whatever its length`(_ length: Int) {
        let filler = (0..<length).map { "    - S2A_MSIL1C_2023\(1000 + $0)T050701_N0509_R019_T47VLH.SAFE\n" }.joined()
        for (first, again) in [("S2A_X.SAFE", "S2A_X.SAFE"), ("caf\u{E9}", "cafe\u{301}"), ("\u{212A}X", "KX"), ("a\u{E9}b", "a\u{E9}b")] {
            let text = header + "spec:\n  workflow: w\n  identifiers:\n    - \"\(first)\"\n" + filler + "    - \"\(again)\"\n" + desp
            let errors = decode(text).diagnostics.filter { $0.severity == .error }
            #expect(errors.map(\.message) == ["duplicate identifier `\(again)`"], "\(first) / \(again), \(length) between")
            #expect(errors.first?.location?.line == 9 + length)
        }
        let distinct = header + "spec:\n  workflow: w\n  identifiers:\n    - S2A_X.SAFE\n" + filler + "    - S2B_X.SAFE\n    - \"\u{E9}\"\n" + desp
        #expect(decode(distinct).diagnostics.filter { $0.severity == .error }.isEmpty)
    }

    @Test func `there are at least thirty distinct bad-input cases`() {
        #expect(Set(badCases.map(\.name)).count == badCases.count)
        #expect(badCases.count >= 30)
    }

    @Test func `invalid UTF-8 is reported at its byte`() throws {
        let bytes = Array("apiVersion: hookctl/v1\nkind: Or".utf8) + [0xFF, 0xFE] + Array("der\n".utf8)
        let error = try #require(decodeBytes(bytes).diagnostics.first)
        #expect(error.location == SourceLocation(file: "m.yaml", line: 2, column: 9))
        #expect(error.message.contains("invalid UTF-8 byte 0xFF"))
    }

    @Test func `binary files are refused at the first NUL byte`() throws {
        let bytes: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]
        let error = try #require(decodeBytes(bytes).diagnostics.first)
        #expect(error.id == "file.binary")
        #expect(error.location == SourceLocation(file: "m.yaml", line: 1, column: 8))
    }

    @Test func `a huge scalar is refused`() throws {
        let text = "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: " + String(repeating: "a", count: 70_000) + "\n"
        let error = try #require(decode(text).diagnostics.first)
        #expect(error.id == "yaml.scalar-too-large")
        #expect(error.location?.line == 4)
    }

    @Test func `a huge file is refused before parsing`() throws {
        var limits = YAMLLimits()
        limits.maxFileBytes = 1000
        let error = try #require(decodeBytes(Array(order().utf8) + Array(repeating: 0x20, count: 1000), limits: limits).diagnostics.first)
        #expect(error.id == "file.too-large")
        #expect(error.location?.line == 1)
    }

    @Test func `every error of a file is reported at once, sorted by position`() {
        let text = header + "spec:\n  workflow: 5\n  identifers: [a]\n  batchSize: -1\n  wait: {timeout: soon}\n"
        let errors = decode(text).diagnostics.filter { $0.severity == .error }.sorted(by: Diagnostic.sortKey)
        #expect(errors.count >= 5)
        #expect(errors.map { $0.location?.line ?? 0 } == errors.map { $0.location?.line ?? 0 }.sorted())
    }

    @Test func `a literal secret never appears in a message and is masked in the quoted line`() throws {
        let text = header + "spec:\n  workflow: w\n" + ids + "  source: {type: DESP, collection: c, password: hunter2, passwrd: hunter3}\n"
        let diagnostics = decode(text).diagnostics
        let secret = try #require(diagnostics.first { $0.id == "secret.literal" })
        #expect(secret.sourceLine == "  source: {type: DESP, collection: c, password: ****, passwrd: ****}")
        for diagnostic in diagnostics {
            #expect(!diagnostic.message.contains("hunter"))
            #expect(!(diagnostic.rendered().contains("hunter")))
        }
    }

    @Test func `the caret stays under its column after a masked secret on the same line`() throws {
        let line = "  source: {type: DESP, collection: c, username: u, password: averylongliteralsecret, bogus: 1}"
        let diagnostics = decode(header + "spec:\n  workflow: w\n" + ids + line + "\n").diagnostics
        let error = try #require(diagnostics.first { $0.id == "key.unknown" })
        let masked = "  source: {type: DESP, collection: c, username: u, password: ****, bogus: 1}"
        #expect(error.location == SourceLocation(file: "m.yaml", line: 8, column: 86))  // the file's own position
        let caret = String(repeating: " ", count: 67) + "^"  // under `bogus` in the masked line
        #expect(error.rendered().hasSuffix("\n" + masked + "\n" + caret + "\n"))
        #expect(Diagnostic.jsonArray([error]).contains("\"sourceColumn\": 68"))
    }

    @Test(arguments: [
        "  options: { client_secret: {nested: TOPSECRET4} }\n",
        "  options:\n    client_secret:\n      nested: TOPSECRET4\n      more: [TOPSECRET4]\n  wait: {timeout: 6h}\n",
        "  options: {api_token: [a, TOPSECRET4]}\n",
        "  storage: {type: PRIVATE, bucket: b, accessKey: {k: TOPSECRET4}, secretKey: [TOPSECRET4]}\n",
        "  storage: {type: TEMPORARY, secretKey: TOPSECRET4}\n",
    ])
    func `a secret given as a mapping or list is masked whole, wherever it is quoted`(_ spec: String) throws {
        let diagnostics = decode(order(spec: spec)).diagnostics
        #expect(diagnostics.contains { $0.severity == .error })
        for diagnostic in diagnostics {
            #expect(!diagnostic.rendered().contains("TOPSECRET4"), "\(diagnostic.rendered())")
        }
        #expect(!Diagnostic.jsonArray(diagnostics).contains("TOPSECRET4"))
    }

    @Test func `an explicit empty secret is accepted, a non-empty literal is not`() throws {
        let auth = "{tokenUrl: https://t, grantType: CLIENT_CREDENTIALS, clientId: me, clientSecret: SECRET}"
        let source = "  source:\n    type: EXTERNAL\n    catalogue: {url: https://c, collection: C}\n    auth: \(auth)\n"
        func decoded(_ secret: String) -> FileOutcome {
            decode(header + "spec:\n  workflow: w\n" + ids + source.replacing("SECRET", with: secret))
        }
        let empty = decoded("\"\"")
        #expect(empty.diagnostics.filter { $0.severity == .error }.isEmpty, "\(empty.diagnostics.map(\.description))")
        #expect(empty.orders.count == 1)
        #expect(decoded("hunter2").diagnostics.contains { $0.id == "secret.literal" })
        #expect(decoded("\"${env:CS}\"").diagnostics.filter { $0.severity == .error }.isEmpty)
        // A default is written in the manifest too: only an empty one is allowed.
        #expect(decoded("\"${env:CS:-}\"").diagnostics.filter { $0.severity == .error }.isEmpty)
        let defaulted = decoded("\"${env:CS:-hunter2secret}\"").diagnostics
        let error = try #require(defaulted.first { $0.id == "secret.literal" })
        #expect(error.message.contains("may not carry a default value"))
        #expect(!defaulted.map { $0.rendered() }.joined().contains("hunter2secret"))
        #expect(!Diagnostic.jsonArray(defaulted).contains("hunter2secret"))
    }

    @Test func `a leading byte order mark is skipped and line 1 columns count from after it`() throws {
        let valid = decodeBytes([0xEF, 0xBB, 0xBF] + Array(order().utf8))
        #expect(valid.diagnostics.filter { $0.severity == .error }.isEmpty, "\(valid.diagnostics.map(\.description))")
        #expect(valid.orders.count == 1)
        let bad = decodeBytes([0xEF, 0xBB, 0xBF] + Array("apiVersion: hookctl/v2\nkind: Order\n".utf8))
        let error = try #require(bad.diagnostics.first { $0.id == "document.apiVersion" })
        #expect(error.location?.line == 1 && error.location?.column == 13)
        #expect(error.rendered().hasSuffix("\napiVersion: hookctl/v2\n" + String(repeating: " ", count: 12) + "^\n"))
    }
}

import Foundation
import HookCore
import Testing

@testable import HookManifest

/// Golden renders: `Fixtures/golden/<case>.yaml` rendered with no project file and an empty environment must equal
/// `Fixtures/golden/<case>.json` byte for byte (set `HOOKCTL_UPDATE_GOLDEN=1` to rewrite them after a reviewed change).
struct RenderGoldenTests {
    static let cases = [
        "desp-temporary", "desp-private", "external-temporary", "external-private", "batch-split", "typed-options", "lai", "card-bs",
    ]

    func render(_ name: String) throws -> String {
        let path = fixtures.appendingPathComponent("golden/\(name).yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let outcome = decode(text, file: "\(name).yaml")
        #expect(outcome.diagnostics.filter { $0.severity == .error }.isEmpty, "\(outcome.diagnostics)")
        return outcome.orders.flatMap { $0 }.map { $0.body.renderedJSON() }.joined()
    }

    @Test(arguments: cases)
    func `rendered bodies match the golden files`(_ name: String) throws {
        let rendered = try render(name)
        let golden = fixtures.appendingPathComponent("golden/\(name).json")
        if ProcessInfo.processInfo.environment["HOOKCTL_UPDATE_GOLDEN"] == "1" {
            try Data(rendered.utf8).write(to: golden)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(rendered == expected)
    }

    @Test func `the direct body writer gives exactly the canonical JSON writer's text`() throws {
        for name in Self.cases {
            let outcome = decode(try String(contentsOfFile: fixtures.appendingPathComponent("golden/\(name).yaml").path, encoding: .utf8))
            for order in outcome.orders.flatMap({ $0 }) { #expect(order.body.renderedJSON() == CanonicalJSON.string(Self.tree(of: order.body))) }
        }
    }

    /// Texts that need escaping, that do not, that are long enough to make the writer grow, in every field and type.
    @Test func `the direct body writer matches the canonical writer on any text`() {
        var random = SeededGenerator(state: 12)
        let pieces = ["a", "S2A_MSIL1C", "\"", "\\", "\n", "\t", "\u{1}", "\u{7F}", "é", "☃", "😀", " ", "${env:X}", "/", "0"]
        func text() -> String { (0..<Int(random.next() % 40)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined() }
        for round in 0..<200 {
            let identifiers = (0..<(1 + Int(random.next() % 5))).map { _ in text() + String(round) }
            let values: [OptionValue] = [
                .string(Template(literal: text())), .integer(Int(bitPattern: UInt(random.next()))), .number(0.5), .boolean(round % 2 == 0),
            ]
            let options = (0..<Int(random.next() % 6)).map { index in
                WorkflowOption(name: "o\(index)" + text(), value: values[Int(random.next() % 4)], isSecret: false)
            }
            let long = round % 10 == 0 ? String(repeating: "x\"", count: 3000) : text()
            let body = OrderBody(key: "k\(round)", workflowName: long, identifiers: identifiers, options: options)
            #expect(body.renderedJSON() == CanonicalJSON.string(Self.tree(of: body)), "round \(round)")
        }
    }

    /// The body as a `JSONValue`, for `CanonicalJSON` to write.
    static func tree(of body: OrderBody) -> JSONValue {
        .orderedObject([
            JSONMember("Name", .string(body.name)), JSONMember("WorkflowName", .string(body.workflowName)),
            JSONMember("IdentifierList", .array(body.identifiers.map { .string($0) })),
            JSONMember(
                "WorkflowOptions",
                .array(
                    body.options.map { option in
                        let value: JSONValue
                        switch option.value {
                        case .string(let t): value = .string(t.description)
                        case .integer(let i): value = .integer(i)
                        case .number(let d): value = .number(d)
                        case .boolean(let b): value = .bool(b)
                        }
                        return .orderedObject([JSONMember("Name", .string(option.name)), JSONMember("Value", value)])
                    })),
        ])
    }

    @Test func `option order is storage, then source, then extra options in manifest order`() throws {
        let text = try String(contentsOfFile: fixtures.appendingPathComponent("golden/external-private.yaml").path, encoding: .utf8)
        let body = try #require(decode(text).orders.first?.first?.body)
        #expect(
            body.options.map(\.name) == [
                "output_storage", "output_s3_access_key", "output_s3_secret_key", "output_s3_path", "output_s3_endpoint_url",
                "source_type", "source_catalogue_api_url", "source_catalogue_api_type", "source_token_url", "source_grant_type",
                "source_auth_header_name", "source_username", "source_password", "source_client_id", "source_client_secret",
                "source_catalogue_collection",
            ])
    }

    @Test func `secrets stay references in render and are resolved only for submission`() throws {
        let text = try String(contentsOfFile: fixtures.appendingPathComponent("golden/desp-private.yaml").path, encoding: .utf8)
        let environment = [
            "MY_DESP_USER": "alice", "MY_DESP_PASSWORD": "s3cret", "HOOK_OUTPUT_STORAGE_ACCESS_KEY": "AK", "HOOK_OUTPUT_STORAGE_SECRET_KEY": "SK",
        ]
        let body = try #require(decode(text, environment: environment).orders.first?.first?.body)
        let rendered = body.renderedJSON(environment: environment)
        #expect(rendered.contains("\"alice\""))
        #expect(!rendered.contains("s3cret"))
        #expect(rendered.contains("${env:MY_DESP_PASSWORD}"))
        let submitted = try body.submissionJSON(environment: environment)
        #expect(submitted.contains("\"s3cret\"") && submitted.contains("\"SK\""))
        let error = try #require(throws: UnresolvedVariables.self) { try body.submissionJSON(environment: ["MY_DESP_USER": "alice"]) }
        #expect(error.names == ["HOOK_OUTPUT_STORAGE_ACCESS_KEY", "HOOK_OUTPUT_STORAGE_SECRET_KEY", "MY_DESP_PASSWORD"])
    }

    @Test func `the digest ignores secret values but not real fields, and the name is deterministic`() throws {
        let text = try String(contentsOfFile: fixtures.appendingPathComponent("golden/desp-private.yaml").path, encoding: .utf8)
        let a = try #require(decode(text, environment: ["MY_DESP_PASSWORD": "one"]).orders.first?.first?.body)
        let b = try #require(decode(text, environment: ["MY_DESP_PASSWORD": "two"]).orders.first?.first?.body)
        let c = try #require(decode(text.replacingOccurrences(of: "harvest-bucket", with: "other-bucket")).orders.first?.first?.body)
        #expect(a.digest == b.digest && a.name == b.name)
        #expect(a.digest != c.digest && a.name != c.name)
        #expect(a.name == "hookctl-s2-private-\(a.digest.prefix(10))")
        #expect(a.digest.count == 64)
        // The name is the key with `#` as `-`; a key JSON would escape (never a manifest's) is written escaped in the body.
        let batch = OrderBody(key: "s2#2", workflowName: "w", identifiers: ["x"], options: [])
        #expect(batch.name == "hookctl-s2-2-\(batch.digest.prefix(10))")
        let odd = OrderBody(key: "a\"b\\c#3", workflowName: "w", identifiers: ["x"], options: [])
        #expect(odd.name == "hookctl-a\"b\\c-3-\(odd.digest.prefix(10))")
        #expect(odd.renderedJSON().contains(#""Name": "hookctl-a\"b\\c-3-"#))
    }

    @Test func `digest and name do not depend on the environment, though render shows resolved values`() throws {
        // MY_DESP_USER is a non-secret reference: resolved for render when set, kept as written for the digest, so a
        // plan run without the variable (a fork's pull request) still sees the order unchanged.
        let text = try String(contentsOfFile: fixtures.appendingPathComponent("golden/desp-private.yaml").path, encoding: .utf8)
        #expect(text.contains("${env:MY_DESP_USER}"))
        let withUser = try #require(decode(text, environment: ["MY_DESP_USER": "alice"]).orders.first?.first?.body)
        let without = try #require(decode(text).orders.first?.first?.body)
        #expect(withUser.digest == without.digest && withUser.name == without.name)
        #expect(withUser.renderedJSON().contains("\"alice\""))
        #expect(without.renderedJSON().contains("${env:MY_DESP_USER}"))
        let edited = try #require(
            decode(text.replacingOccurrences(of: "${env:MY_DESP_USER}", with: "${env:OTHER_USER}"), environment: ["OTHER_USER": "alice"]).orders.first?.first?
                .body)
        #expect(edited.digest != withUser.digest, "editing the reference in the manifest is a change")
    }

    @Test func `a batch split gives keys name#N and names without the hash`() throws {
        let text = try String(contentsOfFile: fixtures.appendingPathComponent("golden/batch-split.yaml").path, encoding: .utf8)
        let orders = decode(text).orders.flatMap { $0 }
        #expect(orders.map(\.key) == ["batch#1", "batch#2"])
        #expect(orders.map(\.body.identifiers) == [["id-1", "id-2"], ["id-3"]])
        #expect(orders.map(\.batchIndex) == [1, 2] && orders.allSatisfy { $0.batchCount == 2 })
        #expect(orders.allSatisfy { $0.body.name.hasPrefix("hookctl-batch-") && !$0.body.name.contains("#") })
    }
}

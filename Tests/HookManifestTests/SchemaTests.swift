import Foundation
import HookCore
import Testing

@testable import HookManifest

/// The JSON Schema in `schema/` checked by a real validator (Python `jsonschema`, draft 2020-12): every shipped manifest
/// and example passes, and bad examples the schema can express fail. YAML is turned into JSON by hookctl's own reader.
struct SchemaTests {
    static let schemaPath = packageRoot.appendingPathComponent("schema/order-manifest.schema.json").path

    /// The YAML files of a folder (recursive).
    func yamlFiles(_ folder: String) -> [String] {
        let root = packageRoot.appendingPathComponent(folder)
        let items = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])?.compactMap { $0 as? URL } ?? []
        return items.filter { ["yaml", "yml"].contains($0.pathExtension) }.map(\.path).sorted()
    }

    /// Validates every document of every file; returns the files (with messages) that failed.
    func check(_ files: [String]) async throws -> [String: String] {
        var documents: [JSONValue] = []
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let docs = try #require(yamlDocumentsAsJSON(bytes), "cannot read \(file)")
            for doc in docs { documents.append(.object(["file": .string(file), "document": doc])) }
        }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("hookctl-schema-\(UUID().uuidString).json")
        try Data(CanonicalJSON.string(.array(documents)).utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema)
            failed = {}
            for item in json.load(open(sys.argv[2])):
                errors = sorted(e.message for e in validator.iter_errors(item["document"]))
                if errors:
                    failed.setdefault(item["file"], []).extend(errors)
            print(json.dumps({k: "; ".join(v) for k, v in failed.items()}))
            """
        let result = try await run(try python(), ["-c", script, Self.schemaPath, input.path])
        try #require(result.status == 0, "python failed: \(result.output)")
        let data = Data(result.output.utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
    }

    @Test func `every shipped manifest, example and golden fixture passes the schema`() async throws {
        let files = yamlFiles("manifests") + yamlFiles("examples") + yamlFiles("Tests/HookManifestTests/Fixtures/golden")
        #expect(files.count >= 15)
        let failed = try await check(files)
        #expect(failed.isEmpty, "\(failed)")
    }

    @Test func `bad examples fail the schema`() async throws {
        let files = yamlFiles("Tests/HookManifestTests/Fixtures/schema-bad")
        #expect(files.count >= 10)
        let failed = try await check(files)
        #expect(Set(failed.keys) == Set(files), "passed but should fail: \(Set(files).subtracting(failed.keys).sorted())")
    }

    @Test func `bad schema examples are also rejected by validate`() throws {
        for file in yamlFiles("Tests/HookManifestTests/Fixtures/schema-bad") {
            let workspace = loadWorkspace(paths: [file], projectFile: file.hasSuffix("project-literal-token.yaml") ? file : nil)
            #expect(workspace.hasErrors, "\(file) is valid for hookctl")
        }
    }

    @Test func `every manifest and example names the schema with a path that exists`() throws {
        for file in yamlFiles("manifests") + yamlFiles("examples") + yamlFiles("Tests/HookManifestTests/Fixtures/golden") {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("# yaml-language-server: $schema=") }, "\(file) has no $schema line")
            let relative = String(line.dropFirst("# yaml-language-server: $schema=".count))
            let target = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(relative).standardized.path
            #expect(target == URL(fileURLWithPath: Self.schemaPath).standardized.path, "\(file): \(relative)")
        }
    }
}

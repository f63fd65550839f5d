import Foundation
import HookManifest
import Testing

@testable import HookRunner

struct StateTests {
    static func sample() -> RunState {
        let body: JSONValue = .object([
            "Name": .string("hookctl-a-0123456789"),
            "WorkflowOptions": .array([
                .object(["Name": .string("resolution"), "Value": .number(12.0)]),
                .object(["Name": .string("count"), "Value": .integer(12)]),
                .object(["Name": .string("flag"), "Value": .bool(true)]),
                .object(["Name": .string("desp_source_password"), "Value": .string("${env:DESP_PASSWORD}")]),
                .object(["Name": .string("note"), "Value": .string("é \"quoted\" \\ \u{1}")]),
            ]),
        ])
        return RunState(orders: [
            "a": OrderRecord(manifest: "a.yaml", workflow: "data-harvest", labels: ["campaign": "demo"], digest: "abc",
                             body: body, name: "hookctl-a-0123456789", attempt: 1, id: 7, status: "completed",
                             message: "requested output product is available",
                             products: [.init(id: 70, identifier: "S2A_X.SAFE", status: "completed", output: "BatchOrder(7)/Product(70)/$value")]),
            "b#2": OrderRecord(manifest: "b.yaml", workflow: "lai", labels: [:], digest: "def", body: .object([:]),
                               name: "hookctl-b-2-x", attempt: 2, id: nil, status: OrderRecord.submitting),
        ])
    }

    @Test func `the lock file reads back to the same state and the same bytes`() throws {
        let text = RunStateCodec.encode(Self.sample())
        let state = try RunStateCodec.decode(Data(text.utf8))
        #expect(state == Self.sample())
        #expect(RunStateCodec.encode(state) == text)
        #expect(text.hasSuffix("}\n"))
        #expect(text.contains(#""Value": 12.0"#))
        #expect(text.contains(#""Value": 12"#))
    }

    @Test func `the lock file is canonical JSON with sorted keys and no timestamps`() throws {
        let text = RunStateCodec.encode(Self.sample())
        let lines = text.split(separator: "\n")
        #expect(lines[1] == #"  "orders": {"#)
        #expect(lines[2] == #"    "a": {"#)
        #expect(lines[3] == #"      "attempt": 1,"#)
        #expect(!text.localizedCaseInsensitiveContains("date"))
        #expect(!text.localizedCaseInsensitiveContains("time"))
    }

    @Test(arguments: ["", "{", "[]", #"{"orders": 3}"#, #"{"orders": {"a": {"manifest": "a.yaml"}}}"#, "{\"orders\": {\"a\": \"\u{0}\"}}"])
    func `a damaged lock file gives a clear error, not a crash`(_ text: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("hookctl.sandbox.lock")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: RunnerError.self) { try FileStateStore(path: path).load() }
        guard case .corruptState(let reported, _) = error else { Issue.record("unexpected \(error)"); return }
        #expect(reported == path)
    }

    @Test func `saving unchanged state leaves the file alone`() throws {
        let folder = try TemporaryFolder()
        let store = FileStateStore(path: folder.path("hookctl.sandbox.lock"))
        try store.save(Self.sample())
        let before = try FileManager.default.attributesOfItem(atPath: store.path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.02)
        try store.save(try store.load())
        let after = try FileManager.default.attributesOfItem(atPath: store.path)[.modificationDate] as? Date
        #expect(before == after)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.root) == ["hookctl.sandbox.lock"])
    }

    @Test func `a second holder of the project lock is refused with the holder named`() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path(".hookctl/sandbox.pid")
        let first = try await ProjectLock(path: path)
        let error = try await #require(throws: RunnerError.self) { _ = try await ProjectLock(path: path, wait: .milliseconds(200)) }
        #expect(error == .projectBusy(lock: path, holder: "pid \(ProcessInfo.processInfo.processIdentifier)"))
        withExtendedLifetime(first) {}
    }
}

/// A folder under the system's temporary directory, removed when the value goes away.
final class TemporaryFolder {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "hookctl-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}

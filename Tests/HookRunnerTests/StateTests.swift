import Foundation
import HookCore
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
            "a": OrderRecord(
                manifest: "a.yaml", workflow: "data-harvest", labels: ["campaign": "demo"], digest: "abc", body: BodyText(body),
                attempts: [
                    Attempt(
                        number: 1, name: "hookctl-a-0123456789", identifiers: ["S2A_X.SAFE"], id: 7, status: "completed",
                        message: "requested output product is available",
                        products: [.init(id: 70, identifier: "S2A_X.SAFE", status: "completed", output: "BatchOrder(7)/Product(70)/$value")])
                ]),
            "b#2": OrderRecord(
                manifest: "b.yaml", workflow: "lai", labels: [:], digest: "def", body: BodyText(.object([:])),
                attempts: [
                    Attempt(number: 1, name: "hookctl-b-2-x", identifiers: ["S1A"], id: 3, status: "failed"),
                    Attempt(number: 2, name: "hookctl-b-2-x-r2", identifiers: ["S1A"]),
                ]),
        ])
    }

    @Test func `the lock file reads back to the same state and the same bytes`() throws {
        let text = RunStateCodec.encode(Self.sample())
        let (state, version) = try RunStateCodec.decode(Array(text.utf8))
        #expect(version == RunStateCodec.version)
        #expect(state == Self.sample())
        #expect(RunStateCodec.encode(state) == text)
        #expect(text.hasSuffix("}\n"))
        #expect(text.contains(#""Value": 12.0"#))
        #expect(text.contains(#""Value": 12"#))
    }

    @Test func `the lock file is exactly what the canonical writer makes of it`() throws {
        for state in [Self.sample(), RunState(), ReportTests.state()] {
            let text = RunStateCodec.encode(state)
            #expect(CanonicalJSON.string(try JSONReader.parse(Array(text.utf8))) == text)
        }
    }

    @Test func `each entry also says what SPEC 4 asks of it: the order's name, id and status, and each product in its attempt`() throws {
        let text = RunStateCodec.encode(ReportTests.state())
        let lock = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let entry = try #require((lock["orders"] as? [String: Any])?["b#2"] as? [String: Any])
        #expect(entry["name"] as? String == "hookctl-b-2-x-r2")
        #expect(entry["id"] as? Int == 8)
        #expect(entry["status"] as? String == "failed")
        let attempts = try #require(entry["attempts"] as? [[String: Any]])
        let product = try #require((attempts.last?["products"] as? [[String: Any]])?.first)
        #expect(product["id"] as? Int == 80 && product["status"] as? String == "failed")
        #expect(product.keys.contains("output"))
        #expect(entry["manifest"] as? String == "b.yaml" && entry["digest"] as? String == "def")
    }

    @Test func `the lock file is canonical JSON with sorted keys and no timestamps`() throws {
        let text = RunStateCodec.encode(Self.sample())
        let lines = text.split(separator: "\n")
        #expect(lines[1] == #"  "orders": {"#)
        #expect(lines[2] == #"    "a": {"#)
        #expect(lines[3] == #"      "attempts": ["#)
        #expect(!text.localizedCaseInsensitiveContains("date"))
        #expect(!text.localizedCaseInsensitiveContains("time"))
    }

    static let badAttempts =
        #"{"orders": {"a": {"attempts": [{"attempt": 0, "name": "n", "status": "failed"}], "body": {}, "digest": "d", "manifest": "a.yaml", "workflow": "w"}}, "version": 2}"#
    static let hugeAttempt =
        #"{"orders": {"a": {"attempts": [{"attempt": 9223372036854775807, "name": "n", "status": "failed"}], "body": {}, "digest": "d", "manifest": "a.yaml", "workflow": "w"}}, "version": 2}"#

    @Test(arguments: [
        "", "{", "[]", #"{"orders": 3}"#, #"{"orders": {"a": {"manifest": "a.yaml"}}}"#, "{\"orders\": {\"a\": \"\u{0}\"}}",
        badAttempts, hugeAttempt,
    ])
    func `a damaged lock file gives a clear error, not a crash`(_ text: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("hookctl.sandbox.lock")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: RunnerError.self) { try Self.store(folder).load() }
        guard case .corruptState(let reported, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(reported == path)
    }

    static func store(_ folder: TemporaryFolder, warnings: EventLog = EventLog()) -> FileStateStore {
        FileStateStore(path: folder.path("hookctl.sandbox.lock"), journalPath: folder.path(".hookctl/sandbox.journal")) {
            warnings.record(.warning($0))
        }
    }

    @Test func `compacting unchanged state leaves the lock file alone`() throws {
        let folder = try TemporaryFolder()
        let first = Self.store(folder)
        try first.record(Self.sample().orders.mapValues { $0 })
        try first.compact()
        // A rewrite replaces the file (temp file + rename), so an unchanged file number shows it was left alone,
        // however coarse the file system's timestamps.
        func fileNumber() throws -> Int? {
            (try FileManager.default.attributesOfItem(atPath: first.path)[.systemFileNumber] as? NSNumber)?.intValue
        }
        let before = try #require(try fileNumber())
        let text = try String(contentsOfFile: first.path, encoding: .utf8)
        let second = Self.store(folder)
        #expect(try second.load() == Self.sample())
        try second.record(["a": Self.sample().orders["a"]])
        try second.compact()
        #expect(try fileNumber() == before)
        // And the check can fail: a compaction that changes the state does replace the file.
        try second.record(["b#2": OrderRecord?.none])
        try second.compact()
        #expect(try fileNumber() != before)
        try second.record(["b#2": Self.sample().orders["b#2"]])
        try second.compact()
        #expect(try String(contentsOfFile: first.path, encoding: .utf8) == text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path(".hookctl")).isEmpty)
    }

    @Test func `the journal is replayed over the lock file until compacted`() throws {
        let folder = try TemporaryFolder()
        let store = Self.store(folder)
        try store.record(Self.sample().orders.mapValues { $0 })
        try store.record(["b#2": OrderRecord?.none])
        // Another reader (a crash happened here: no compaction) sees the journal's state.
        var expected = Self.sample()
        expected.orders["b#2"] = nil
        #expect(try Self.store(folder).load() == expected)
        #expect(!FileManager.default.fileExists(atPath: store.path))
        try store.compact()
        #expect(try RunStateCodec.decode(FileStateStore.contents(of: store.path)).0 == expected)
        #expect(!FileManager.default.fileExists(atPath: store.journalPath))
    }

    @Test func `a journal cut in the middle of a record keeps the whole records, with one warning`() throws {
        let folder = try TemporaryFolder()
        try Self.store(folder).record(["a": Self.sample().orders["a"]])
        try Self.store(folder).record(["b#2": Self.sample().orders["b#2"]])
        let journal = folder.path(".hookctl/sandbox.journal")
        let whole = try Data(contentsOf: URL(fileURLWithPath: journal))
        let cut = whole.prefix(whole.count - 40)
        try cut.write(to: URL(fileURLWithPath: journal))
        let warnings = EventLog()
        let store = Self.store(folder, warnings: warnings)
        #expect(try store.load().orders.keys.sorted() == ["a"])
        #expect(warnings.all.count == 1)
        // The next record starts where the cut one began, so it is read back whole.
        try store.record(["c": Self.sample().orders["b#2"]])
        let reread = EventLog()
        #expect(try Self.store(folder, warnings: reread).load().orders.keys.sorted() == ["a", "c"])
        #expect(reread.all.isEmpty)
    }

    @Test func `a version 1 lock file is read and upgraded`() throws {
        let fixture = try #require(Bundle.module.url(forResource: "hookctl.v1", withExtension: "lock", subdirectory: "Fixtures"))
        let folder = try TemporaryFolder()
        try FileManager.default.copyItem(atPath: fixture.path, toPath: folder.path("hookctl.sandbox.lock"))
        let store = Self.store(folder)
        let state = try store.load()
        let failed = try #require(state.orders["s2-failed"])
        #expect(failed.attempts.count == 1)
        #expect(failed.latest.identifiers == ["S2B_MSIL1C_20240101T000000_N0510_R001_T32TQM_20240101T000000.SAFE"])
        #expect(failed.unfinishedIdentifiers == failed.latest.identifiers)
        #expect(state.orders["s2-done"]?.isSuccessful == true)
        try store.compact()
        let upgraded = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(upgraded.contains(#""version": 2"#))
        #expect(try RunStateCodec.decode(Array(upgraded.utf8)).0 == state)
    }

    @Test func `a second holder of the project lock is refused with the holder named`() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path(".hookctl/sandbox.pid")
        let first = try await ProjectLock.acquire(path: path, wait: .zero)
        let error = try await #require(throws: RunnerError.self) { _ = try await ProjectLock.acquire(path: path, wait: .milliseconds(200)) }
        #expect(error == .projectBusy(lock: path, holder: "pid \(ProcessInfo.processInfo.processIdentifier)"))
        withExtendedLifetime(first) {}
    }

    @Test(arguments: ["lock", "journal"])
    func `a folder where the lock file or its journal should be is one clear error, not a crash`(_ which: String) throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path(which == "lock" ? "hookctl.p.lock" : "p.journal"), withIntermediateDirectories: true)
        let store = FileStateStore(path: folder.path("hookctl.p.lock"), journalPath: folder.path("p.journal"))
        let path = folder.path(which == "lock" ? "hookctl.p.lock" : "p.journal")
        #expect(throws: RunnerError.io("cannot read \(path): it is not a regular file (a folder?); move it away")) { try store.load() }
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

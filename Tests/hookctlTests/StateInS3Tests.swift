import Foundation
import HookCore
import HookS3
import Synchronization
import Testing

@testable import HookRunner

/// SPEC 10's shared state: a profile's state as an object in S3 (the moto server), written with conditional writes
/// under a lease, shards with their own objects, and `report --merge` over them.
struct StateInS3Tests {
    static let environment = ["STATE_KEY": "AKIASTATE", "STATE_SECRET": "state-secret-key"]

    /// A project whose embedded-sandbox profile keeps its state at `s3://state/team/demo.lock`, with two orders.
    static func project(_ moto: MotoProcess) throws -> ProjectFolder {
        let project = try ProjectFolder()
        try project.write(
            "hookctl.yaml",
            """
            apiVersion: hookctl/v1
            kind: Project
            defaultProfile: shared
            profiles:
              shared:
                sandbox: true
                state:
                  s3:
                    bucket: state
                    key: team/demo.lock
                    endpoint: \(moto.endpoint)
                    accessKey: ${env:STATE_KEY}
                    secretKey: ${env:STATE_SECRET}
            """)
        for name in ["alpha", "beta", "gamma"] { try project.write("manifests/\(name).yaml", LocalSandboxTests.order(name)) }
        return project
    }

    /// The test's own S3 client (moto takes any key; objects written signed are not readable unsigned).
    static func client(_ moto: MotoProcess) -> S3Client {
        let credentials = AWSCredentials(accessKeyID: "AKIATEST", secretAccessKey: Secret("test-secret"))
        return S3Client(configuration: S3Configuration(endpoint: URL(string: moto.endpoint)!, credentials: credentials))
    }

    /// The object's text and ETag, nil when there is none.
    static func object(_ moto: MotoProcess, _ key: String) async throws -> (body: String, eTag: String)? {
        try await client(moto).getObjectVersion(bucket: "state", key: key).map { (String(decoding: $0.body, as: UTF8.self), $0.eTag) }
    }

    static func putLease(_ moto: MotoProcess, _ key: String, owner: String, expires: Date) async throws {
        let body = #"{"expires": "\#(ISO8601DateFormatter().string(from: expires))", "owner": "\#(owner)"}"#
        try await client(moto).putObject(bucket: "state", key: key, body: Array(body.utf8))
    }

    @Test func `apply keeps the state in S3 under a lease; a live lease keeps a second runner out, an expired one is taken over`() async throws {
        let moto = try await MotoProcess()
        try await moto.createBucket("state")
        let project = try Self.project(moto)
        let env = Self.environment

        let unset = try await CLI.run(["apply"], in: project.root)
        #expect(unset.code == 1 && unset.stderr.contains("$STATE_KEY, $STATE_SECRET"), "\(unset.output)")

        let applied = try await CLI.run(["apply"], in: project.root, environment: env)
        #expect(applied.code == 0, "\(applied.output)")
        #expect(!applied.output.contains("state-secret-key"))
        let first = try #require(try await Self.object(moto, "team/demo.lock"))
        for key in ["alpha", "beta", "gamma"] { #expect(first.body.contains("\"\(key)\": {"), "\(first.body)") }
        #expect(!project.exists("hookctl.shared.lock"), "the state is in S3, not beside the project file")
        #expect(try await Self.object(moto, "team/demo.lock.lease") == nil, "the lease is released at the end")

        // A rerun with nothing to do leaves the object as it was (same ETag: not even rewritten).
        let again = try await CLI.run(["apply"], in: project.root, environment: env)
        #expect(again.code == 0, "\(again.output)")
        #expect(try await Self.object(moto, "team/demo.lock")?.eTag == first.eTag)

        // plan reads the object, so a checkout without the working copy sees every order as recorded.
        try FileManager.default.removeItem(atPath: project.path(".hookctl"))
        let plan = try await CLI.run(["plan", "--detailed-exitcode"], in: project.root, environment: env)
        #expect(plan.code == 0, "\(plan.output)")

        // A live lease: the second runner waits --lock-timeout, then names the holder; nothing changes.
        try await Self.putLease(moto, "team/demo.lock.lease", owner: "ci@runner-7 pid 42", expires: Date().addingTimeInterval(600))
        try project.write("manifests/delta.yaml", LocalSandboxTests.order("delta"))
        let refused = try await CLI.run(["apply", "--lock-timeout", "1s"], in: project.root, environment: env)
        #expect(refused.code == 1, "\(refused.output)")
        #expect(refused.stderr.contains("ci@runner-7 pid 42"), "\(refused.output)")
        #expect(refused.stderr.contains("waiting up to 1s for ci@runner-7 pid 42, lease until"), "\(refused.output)")
        #expect(try await Self.object(moto, "team/demo.lock")?.eTag == first.eTag)

        // An expired lease (its holder died) is taken over, with a warning.
        try await Self.putLease(moto, "team/demo.lock.lease", owner: "ci@runner-7 pid 42", expires: Date().addingTimeInterval(-5))
        let takenOver = try await CLI.run(["apply"], in: project.root, environment: env)
        #expect(takenOver.code == 0, "\(takenOver.output)")
        #expect(takenOver.stderr.contains("took over the expired lease of ci@runner-7 pid 42"), "\(takenOver.output)")
        let after = try #require(try await Self.object(moto, "team/demo.lock"))
        #expect(after.body.contains("\"delta\": {") && after.eTag != first.eTag, "\(after.body)")
        #expect(try await Self.object(moto, "team/demo.lock.lease") == nil)
    }

    @Test func `shards keep one state object each, and report --merge reads them all`() async throws {
        let moto = try await MotoProcess()
        try await moto.createBucket("state")
        let project = try Self.project(moto)
        for shard in ["1/2", "2/2"] {
            let run = try await CLI.run(["apply", "--shard", shard], in: project.root, environment: Self.environment)
            #expect(run.code == 0, "\(run.output)")
        }
        let one = try #require(try await Self.object(moto, "team/demo.1-of-2.lock"))
        let two = try #require(try await Self.object(moto, "team/demo.2-of-2.lock"))
        // Each shard's object holds its own orders only.
        let keys = ["alpha", "beta", "gamma"]
        #expect(keys.filter { one.body.contains("\"\($0)\": {") }.count + keys.filter { two.body.contains("\"\($0)\": {") }.count == 3)
        #expect(try await Self.object(moto, "team/demo.lock") == nil)
        let merged = try await CLI.run(["report", "--merge", "--format", "json"], in: project.root, environment: Self.environment)
        #expect(merged.code == 0, "\(merged.output)")
        let report = try project.read("reports/report.json")
        for key in ["alpha", "beta", "gamma"] { #expect(report.contains("\"key\": \"\(key)\""), "\(report)") }
    }

    @Test func `a lease is renewed a lease ahead of now, excludes a second owner, and a state write that lost a race merges instead of overwriting`()
        async throws
    {
        let moto = try await MotoProcess()
        try await moto.createBucket("state")
        let state = S3State(client: Self.client(moto), bucket: "state", key: "run.lock")
        let start = Date(timeIntervalSince1970: 2_000_000_000)
        let clock = Mutex(start)
        let now: @Sendable () -> Date = { clock.withLock { $0 } }
        let lease = try await S3Lease.acquire(state, owner: "first", wait: .zero, now: now)
        let holder = { S3Lease.Holder(Array(try #require(try await Self.object(moto, "run.lock.lease")).body.utf8)) }
        #expect(try await holder() == S3Lease.Holder(owner: "first", expires: start.addingTimeInterval(60)))

        clock.withLock { $0 = start.addingTimeInterval(20) }
        try await lease.renew()
        #expect(try await holder() == S3Lease.Holder(owner: "first", expires: start.addingTimeInterval(80)))
        await #expect(throws: RunnerError.projectBusy(lock: "s3://state/run.lock.lease", holder: "first, lease until 2033-05-18T03:34:40Z")) {
            try await S3Lease.acquire(state, owner: "second", wait: .zero, now: now)
        }
        // Past its expiry, a second owner takes it over; the first can no longer renew it, nor remove it.
        clock.withLock { $0 = start.addingTimeInterval(81) }
        let second = try await S3Lease.acquire(state, owner: "second", wait: .zero, now: now)
        await #expect(throws: S3Error.self) { try await lease.renew() }
        await lease.release()
        #expect(try await holder()?.owner == "second")
        await second.release()
        #expect(try await Self.object(moto, "run.lock.lease") == nil)

        // The state object: pushed only over the version pulled; a push that lost a race merges instead of overwriting.
        func record(_ key: String) -> OrderRecord {
            OrderRecord(
                manifest: "m.yaml", workflow: "data-harvest", labels: [:], digest: String(repeating: "a", count: 64), body: BodyText(.object([:])),
                attempts: [Attempt(number: 1, name: "hookctl-\(key)-0123456789", identifiers: ["ID-\(key)"], id: 7, status: .completed)])
        }
        func text(_ keys: [String]) -> String {
            var state = RunState()
            for key in keys { state.orders[key] = record(key) }
            return RunStateCodec.encode(state)
        }
        let copy = NSTemporaryDirectory() + "hookctl-s3state-\(UUID().uuidString).lock"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try await state.pull(into: copy)
        try text(["alpha"]).write(toFile: copy, atomically: true, encoding: .utf8)
        try await state.push(from: copy)
        #expect(try await Self.object(moto, "run.lock")?.body == text(["alpha"]))
        // Another runner writes gamma meanwhile; this one adds beta and drops nothing it did not change.
        try await Self.client(moto).putObject(bucket: "state", key: "run.lock", body: Array(text(["alpha", "gamma"]).utf8))
        try text(["alpha", "beta"]).write(toFile: copy, atomically: true, encoding: .utf8)
        let merged = Mutex<[Int]>([])
        try await state.push(from: copy) { count in merged.withLock { $0.append(count) } }
        #expect(merged.withLock { $0 } == [1])
        #expect(try await Self.object(moto, "run.lock")?.body == text(["alpha", "beta", "gamma"]))
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == text(["alpha", "beta", "gamma"]))
    }

    /// `count` product names, each of its own tile.
    static func identifiers(_ count: Int) -> [String] {
        (1...count).map { String(format: "S2A_MSIL1C_20240101T000000_N0510_R001_T%05dX_20240101T000000.SAFE", $0) }
    }

    /// A project whose profile `local` talks to `sandbox` and keeps its state at `s3://state/sim/run.lock`, with one
    /// manifest of `count` identifiers split into one-item orders.
    static func sandboxProject(_ sandbox: SandboxProcess, _ moto: MotoProcess, count: Int, endpoint: String? = nil) throws -> ProjectFolder {
        let project = try ProjectFolder()
        try project.write(
            "hookctl.yaml",
            sandbox.projectFile()
                + """
                    state:
                      s3: {bucket: state, key: sim/run.lock, endpoint: "\(endpoint ?? moto.endpoint)", accessKey: "${env:STATE_KEY}", secretKey: "${env:STATE_SECRET}"}

                """)
        try project.write("manifests/sim.yaml", LocalSandboxTests.order("sim", identifiers: identifiers(count), extra: "  batchSize: 1"))
        return project
    }

    @Test func `four shard processes at once share one sandbox and one S3 store: 400 orders, each submitted once, one merged report`()
        async throws
    {
        let moto = try await MotoProcess()
        try await moto.createBucket("state")
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        try await sandbox.post("/sandbox/catalogue", ["collection": AttemptTests.collection, "identifiers": Self.identifiers(400)])
        let project = try Self.sandboxProject(sandbox, moto, count: 400)
        let processes = try (1...4).map { index in
            let process = try CLI.start(["apply", "--shard", "\(index)/4", "--quiet"], in: project.root, environment: Self.environment)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes { try await waitForExit(process, timeout: .seconds(240)) }
        #expect(processes.map(\.terminationStatus) == [0, 0, 0, 0])
        let names = try await sandbox.orderNames()
        #expect(names.count == 400 && Set(names).count == 400, "\(names.count) orders, \(Set(names).count) names")
        for index in 1...4 { #expect(try await Self.object(moto, "sim/run.\(index)-of-4.lock") != nil) }
        let merged = try await CLI.run(["report", "--merge", "--format", "json"], in: project.root, environment: Self.environment)
        #expect(merged.code == 0, "\(merged.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(project.read("reports/report.json").utf8)) as? [String: Any])
        #expect((report["orders"] as? [Any])?.count == 400)
        #expect((report["summary"] as? [String: Any])?["completed"] as? Int == 400)
    }

    @Test func `a runner killed holding the lease keeps the next one out until the lease expires, which then takes over and sends nothing twice`()
        async throws
    {
        let moto = try await MotoProcess()
        try await moto.createBucket("state")
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "5"], in: folder.root)
        try await sandbox.post("/sandbox/catalogue", ["collection": AttemptTests.collection, "identifiers": Self.identifiers(3)])
        let project = try Self.sandboxProject(sandbox, moto, count: 3)
        let first = try CLI.start(["apply"], in: project.root, environment: Self.environment)
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        // Killed once it has submitted (the sandbox has the orders) and so holds the lease.
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline, first.isRunning, try await sandbox.orderNames().count < 3 {
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(first.processIdentifier, SIGKILL)
        try await waitForExit(first)
        let lease = try #require(try await Self.object(moto, "sim/run.lock.lease"))
        #expect(lease.body.contains("pid \(first.processIdentifier)"), "\(lease.body)")

        let refused = try await CLI.run(["apply", "--lock-timeout", "1s"], in: project.root, environment: Self.environment)
        #expect(refused.code == 1 && refused.stderr.contains("pid \(first.processIdentifier)"), "\(refused.output)")
        // Its expiry passes (written here rather than waited for): the next runner takes over and adopts the orders.
        let holder = try #require(S3Lease.Holder(Array(lease.body.utf8)))
        try await Self.putLease(moto, "sim/run.lock.lease", owner: holder.owner, expires: Date().addingTimeInterval(-1))
        let resumed = try await CLI.run(["apply"], in: project.root, environment: Self.environment)
        #expect(resumed.code == 0, "\(resumed.output)")
        #expect(resumed.stderr.contains("took over the expired lease"), "\(resumed.output)")
        #expect(try await sandbox.orderNames().count == 3)
    }

    @Test func `an S3 store that cannot be reached, or has no such bucket, stops the run before anything is submitted`() async throws {
        let moto = try await MotoProcess()
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        for endpoint in ["http://127.0.0.1:1", moto.endpoint] {
            let project = try Self.sandboxProject(sandbox, moto, count: 1, endpoint: endpoint)
            let run = try await CLI.run(["apply"], in: project.root, environment: Self.environment)
            #expect(run.code == 1, "\(run.output)")
            #expect(run.stderr.contains("error: cannot take the lease s3://state/sim/run.lock.lease"), "\(run.output)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.output)")
        }
        #expect(try await sandbox.orderNames().isEmpty)
    }
}

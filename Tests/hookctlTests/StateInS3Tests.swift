import Foundation
import HookCore
import HookS3
import Synchronization
import Testing

@testable import HookRunner

/// SPEC 10's shared state: a profile's state as an object in S3 (the moto server), written with conditional writes
/// under a lease, shards with their own objects, and `report --merge` over them.
@Suite(.serialized)
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

    @Test func `a lease is renewed a lease ahead of now, excludes a second owner, and a state write that lost a race fails`() async throws {
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

        // The state object: pushed only over the version pulled.
        let copy = NSTemporaryDirectory() + "hookctl-s3state-\(UUID().uuidString).lock"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try await state.pull(into: copy)
        try "{\"version\": 1}\n".write(toFile: copy, atomically: true, encoding: .utf8)
        try await state.push(from: copy)
        try await Self.client(moto).putObject(bucket: "state", key: "run.lock", body: Array("{\"someone\": \"else\"}\n".utf8))
        try "{\"version\": 2}\n".write(toFile: copy, atomically: true, encoding: .utf8)
        await #expect(throws: RunnerError.self) { try await state.push(from: copy) }
        #expect(try await Self.object(moto, "run.lock")?.body == "{\"someone\": \"else\"}\n")
    }
}

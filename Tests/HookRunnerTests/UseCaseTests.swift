import Foundation
import HookClient
import HookCore
import HookManifest
import Synchronization
import Testing

@testable import HookRunner

/// Hands the use cases a scripted service, and counts how often they opened it.
struct ScriptedConnector: ServiceConnector {
    let service: ScriptedService
    let opened = Counter()

    func withService<T: Sendable>(_ work: @Sendable (any OrderService) async throws -> T) async throws -> T {
        opened.add()
        return try await work(service)
    }

    final class Counter: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }
}

/// A project on disk (a project file and manifests) whose use cases run in-process against a scripted service on an
/// immediate clock: what each command does, without spawning the binary or waiting.
final class UseCaseProject: @unchecked Sendable {
    let root: String
    let service: ScriptedService
    let log = EventLog()

    /// - Parameter sandboxProfile: the project's one profile, as written in flow style.
    init(
        _ script: ScriptedService.Script = .init(), manifests: [String: String] = ["orders.yaml": UseCaseProject.twoOrders],
        sandboxProfile: String = "{sandbox: true}"
    ) throws {
        root = NSTemporaryDirectory() + "hookctl-usecase-" + UUID().uuidString
        service = ScriptedService(script)
        try write(
            "hookctl.yaml",
            """
            apiVersion: hookctl/v1
            kind: Project
            defaultProfile: sandbox
            profiles:
              sandbox: \(sandboxProfile)
            defaults:
              source: {type: DESP, username: demo, password: "${env:DESP_PASSWORD}"}
              storage: {type: TEMPORARY}
            """)
        for (name, text) in manifests { try write("manifests/" + name, text) }
    }

    static let twoOrders = """
        apiVersion: hookctl/v1
        kind: Order
        metadata: {name: alpha}
        spec:
          workflow: data-harvest
          identifiers: [ID-A1, ID-A2]
          source: {collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}
          wait: {timeout: 1h}
        ---
        apiVersion: hookctl/v1
        kind: Order
        metadata: {name: beta}
        spec:
          workflow: data-harvest
          identifiers: [ID-B1]
          source: {collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}
        """

    func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    /// The context a command would build, for the manifests under `paths` (default: the project's `manifests/`).
    func context(_ paths: [String] = ["manifests"], environment: [String: String] = ["DESP_PASSWORD": "demo"], shard: Shard? = nil) throws
        -> RunContext<ImmediateClock>
    {
        let bench = try Workbench(
            paths: paths.map(path), projectFile: path("hookctl.yaml"), profile: nil, sandbox: false, environment: environment, shard: shard)
        #expect(bench.workspace.diagnostics.filter { $0.severity == .error }.isEmpty)
        return RunContext(
            bench: bench, environment: environment, connector: ScriptedConnector(service: service), clock: ImmediateClock(),
            events: log.record)
    }

    var submissions: Int { service.script.withLock { $0.submissions } }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}

struct UseCaseTests {
    @Test func `apply submits, waits and reports; a second apply sends nothing and changes no byte`() async throws {
        let project = try UseCaseProject()
        let first = try await project.context().apply(ApplyRequest())
        #expect(first.verdict == .done)
        #expect(!first.nothingToDo)
        #expect(project.submissions == 2)
        #expect(first.report.orders.map(\.key) == ["alpha", "beta"])
        #expect(first.report.summary["completed"] == 2)
        let lock = try project.read("hookctl.sandbox.lock")
        let report = try project.read("reports/report.json")
        #expect(!FileManager.default.fileExists(atPath: project.path(".hookctl/sandbox.journal")))

        let second = try await project.context().apply(ApplyRequest())
        #expect(second.nothingToDo)
        #expect(second.verdict == .done)
        #expect(project.submissions == 2)
        #expect(try project.read("hookctl.sandbox.lock") == lock)
        #expect(try project.read("reports/report.json") == report)
    }

    @Test func `an order the service refuses is reported failed with its reason, is not recorded, and the run is refused`() async throws {
        var script = ScriptedService.Script()
        script.refuse = [PlanTests.name(ofFirstAttemptOf: "beta", in: try UseCaseProject().context())]
        let project = try UseCaseProject(script)
        let result = try await project.context().apply(ApplyRequest())
        #expect(result.verdict == .rejected)
        #expect(result.rejected.keys.sorted() == ["beta"])
        let beta = try #require(result.report.orders.first { $0.key == "beta" }?.record)
        #expect(beta.status == "failed")
        #expect(beta.message?.hasPrefix("rejected by the service: ") == true)
        let recorded = try project.context().bench.stateStore(warn: { _ in }).load()
        #expect(recorded.orders.keys.sorted() == ["alpha"])
    }

    @Test func `apply --no-wait returns with the orders unfinished, and wait finishes them`() async throws {
        let project = try UseCaseProject()
        var request = ApplyRequest()
        request.wait = false
        let submitted = try await project.context().apply(request)
        #expect(submitted.verdict == .done)
        #expect(submitted.report.orders.allSatisfy { !$0.record.isFinished })
        let waited = try await project.context().wait(timeout: nil, timings: false)
        #expect(waited.verdict == .done)
        #expect(waited.report.summary["completed"] == 2)
        #expect(project.submissions == 2)
    }

    @Test func `wait gives up at the manifest's timeout, or --timeout's, and says timed out`() async throws {
        var script = ScriptedService.Script()
        script.neverFinish = true
        let project = try UseCaseProject(script)
        var request = ApplyRequest()
        request.wait = false
        _ = try await project.context().apply(request)
        // beta has no timeout of its own: only --timeout ends its wait.
        let waited = try await project.context().wait(timeout: .seconds(90), timings: false)
        #expect(waited.verdict == .timedOut)
        #expect(waited.report.timedOut == ["alpha", "beta"])
        #expect(project.log.all.contains(.timedOut(key: "alpha")))
    }

    @Test func `a failed item makes the run's verdict a failure, and status refreshes every recorded order`() async throws {
        var script = ScriptedService.Script()
        script.failIdentifiers = ["ID-A2"]
        let project = try UseCaseProject(script)
        let applied = try await project.context().apply(ApplyRequest())
        #expect(applied.verdict == .ordersFailed)
        #expect(applied.report.failures == ["alpha"])
        let status = try await project.context().status()
        #expect(status.verdict == .ordersFailed)
        #expect(status.report.orders.map(\.key) == ["alpha", "beta"])
        // Only the orders of the manifests named are looked at when paths are given.
        try project.write("other/gamma.yaml", UseCaseProject.twoOrders.replacingOccurrences(of: "alpha", with: "gamma"))
        let named = try await project.context(["other/gamma.yaml"]).status()
        #expect(named.report.orders.map(\.key) == ["beta"])
    }

    @Test func `a run over the profile's policy is refused, one line per breach, before anything is sent`() async throws {
        let project = try UseCaseProject(sandboxProfile: "{sandbox: true, policy: {maxOrders: 1, maxItems: 2}}")
        let context = try project.context()
        let plan = try await context.plan(retryAll: false)
        #expect(
            context.policyBreaches(plan) == [
                "this run would submit 2 orders; profile 'sandbox' allows at most 1 (policy.maxOrders)",
                "this run would submit 3 items; profile 'sandbox' allows at most 2 (policy.maxItems)",
            ])
        await #expect(throws: RunnerError.policy(context.policyBreaches(plan))) { try await context.apply(ApplyRequest()) }
        #expect(project.submissions == 0)
        #expect(!FileManager.default.fileExists(atPath: project.path("hookctl.sandbox.lock")))

        let roomy = try UseCaseProject(sandboxProfile: "{sandbox: true, policy: {maxOrders: 2, maxItems: 3}}")
        #expect(try await roomy.context().apply(ApplyRequest()).verdict == .done)
        // A rerun submits nothing, so nothing counts against the policy.
        #expect(try roomy.context().policyBreaches(try await roomy.context().plan(retryAll: false)).isEmpty)
    }

    @Test func `check and apply hold the bytes the catalogue gives against maxBytes; unknown sizes count 0 with a warning`() async throws {
        let collection = "EO.ESA.DAT.SENTINEL-2.MSI.L1C"
        var script = ScriptedService.Script()
        // ID-B1 is in the catalogue without a size; ID-A1 and ID-A2 weigh 400 MB each.
        script.catalogue = [collection: ["ID-A1": .init(size: 400_000_000), "ID-A2": .init(size: 400_000_000), "ID-B1": .init(size: nil)]]
        let tight = try UseCaseProject(script, sandboxProfile: "{sandbox: true, policy: {maxBytes: 0.5GB}}")
        let checked = try await tight.context().check()
        #expect(checked.volume.summary == "2 orders, 3 items, 800.0 MB (1 item of unknown size)")
        #expect(checked.problems.map(\.line) == ["this run would order 800.0 MB; profile 'sandbox' allows at most 500.0 MB (policy.maxBytes)"])
        #expect(tight.log.warnings == ["1 item without a size in the catalogue counts as 0 bytes against policy.maxBytes"])
        await #expect(throws: RunnerError.policy(["this run would order 800.0 MB; profile 'sandbox' allows at most 500.0 MB (policy.maxBytes)"])) {
            try await tight.context().apply(ApplyRequest())
        }
        #expect(tight.submissions == 0)
        #expect(!FileManager.default.fileExists(atPath: tight.path("hookctl.sandbox.lock")))

        let roomy = try UseCaseProject(script, sandboxProfile: "{sandbox: true, policy: {maxBytes: 1GB}}")
        #expect(try await roomy.context().check().problems.isEmpty)
        #expect(try await roomy.context().apply(ApplyRequest()).verdict == .done)
        #expect(roomy.log.all.contains(.volume(checked.volume)))
        // Nothing left to submit: nothing to weigh.
        #expect(try await roomy.context().check().volume.summary == "0 orders, 0 items, 0 B")

        // Without maxBytes, apply looks nothing up; check still says what it would order.
        let unlimited = try UseCaseProject(script)
        #expect(try await unlimited.context().check().volume.items == 3)
        _ = try await unlimited.context().apply(ApplyRequest())
        #expect(!unlimited.log.all.contains { if case .volume = $0 { true } else { false } })
        #expect(unlimited.log.warnings.isEmpty)
    }

    @Test func `report writes the three files from the state alone`() async throws {
        let project = try UseCaseProject()
        _ = try await project.context().apply(ApplyRequest())
        let opened = try project.context()
        let report = try await opened.report(into: project.path("out"))
        #expect(report.orders.count == 2)
        for file in ["report.json", "report.md", "junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: project.path("out/" + file)))
        }
        #expect((opened.connector as? ScriptedConnector)?.opened.value == 0)
        // A file where the folder should be: one plain reason, not Foundation's "could not be completed".
        try project.write("blocked", "")
        await #expect(throws: FileError(path: project.path("blocked"), reason: "cannot create the folder: \(project.path("blocked")) is a file")) {
            try await opened.report(into: project.path("blocked"))
        }
    }

    @Test func `outputs lists each completed product's archive location`() async throws {
        let project = try UseCaseProject()
        _ = try await project.context().apply(ApplyRequest())
        let outputs = try await project.context().outputs()
        #expect(outputs.map(\.identifier) == ["ID-A1", "ID-A2", "ID-B1"])
        for item in outputs {
            #expect(item.location == "BatchOrder(\(item.orderID))/Product(\(item.productID ?? -1))/$value")
        }
    }

    @Test func `a PRIVATE order's output location comes from its manifest's storage and survives the lock file`() async throws {
        let manifest = """
            apiVersion: hookctl/v1
            kind: Order
            metadata: {name: kept}
            spec:
              workflow: data-harvest
              identifiers: [ID-P1]
              source: {collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}
              storage:
                type: PRIVATE
                bucket: results
                prefix: harvest/s2
                endpoint: http://127.0.0.1:9
                accessKey: "${env:KEY}"
                secretKey: "${env:SECRET}"
            """
        let project = try UseCaseProject(manifests: ["private.yaml": manifest])
        let context = try project.context(environment: ["DESP_PASSWORD": "demo", "KEY": "k", "SECRET": "s"])
        #expect(context.bench.desiredOrders().map(\.output) == [.s3(bucket: "results", prefix: "harvest/s2")])
        _ = try await context.apply(ApplyRequest())
        let recorded = try #require(try context.bench.stateStore(warn: { _ in }).load().orders["kept"])
        #expect(recorded.output == .s3(bucket: "results", prefix: "harvest/s2"))
        #expect(recorded.latest.products.map(\.output) == ["s3://results/harvest/s2"])
    }

    @Test func `a saved plan is carried out only while its inputs are unchanged`() async throws {
        let project = try UseCaseProject()
        let planFile = project.path("plan.json")
        let plan = try await project.context().plan(retryAll: false, out: planFile)
        #expect(plan.map(\.action) == [.create, .create])
        try project.write("manifests/orders.yaml", UseCaseProject.twoOrders.replacingOccurrences(of: "ID-B1", with: "ID-B9"))
        var request = ApplyRequest()
        request.saved = (planFile, try SavedPlan(file: planFile))
        await #expect(throws: RunnerError.self) { try await project.context().apply(request) }
        #expect(project.submissions == 0)
        #expect(!FileManager.default.fileExists(atPath: project.path("hookctl.sandbox.lock")))
    }

    @Test func `an apply that fails midway leaves what it recorded in the lock file, not in a journal`() async throws {
        var script = ScriptedService.Script()
        script.neverFinish = true
        script.unavailablePolls = 1_000_000
        let project = try UseCaseProject(script)
        var context = try project.context()
        context.pollInterval = .seconds(60)
        await #expect(throws: ScriptedService.Unavailable.self) { try await context.apply(ApplyRequest()) }
        #expect(project.submissions == 2)
        let lock = try project.read("hookctl.sandbox.lock")
        #expect(lock.contains("\"alpha\"") && lock.contains("\"beta\""))
        #expect(!FileManager.default.fileExists(atPath: project.path(".hookctl/sandbox.journal")))
    }

    @Test func `commands that keep state need a project file unless an embedded sandbox stands in`() async throws {
        let project = try UseCaseProject()
        try FileManager.default.removeItem(atPath: project.path("hookctl.yaml"))
        let bench = try Workbench(paths: [project.path("manifests")], projectFile: nil, profile: nil, sandbox: false, environment: [:])
        let context = RunContext(
            bench: bench, environment: [:], connector: ScriptedConnector(service: project.service), clock: ImmediateClock(),
            events: project.log.record)
        await #expect(throws: RunnerError.noProjectFile) { try await context.apply(ApplyRequest()) }
        await #expect(throws: RunnerError.noProjectFile) { try await context.wait(timeout: nil, timings: false) }
    }
}

extension PlanTests {
    /// The name the first attempt of `key` is sent under, as the context's manifests define it.
    static func name(ofFirstAttemptOf key: String, in context: RunContext<ImmediateClock>) -> String {
        context.bench.desiredOrders().first { $0.key == key }?.name ?? ""
    }
}

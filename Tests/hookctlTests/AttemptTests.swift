import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Retries against `hookctl sandbox` in its own process: each attempt reaches the service exactly once, whatever
/// crashes or lost answers happen on the way, and carries only the identifiers that failed. Checked through
/// `/sandbox/orders`, the list of every order the service accepted.
@Suite(.serialized)
struct AttemptTests {
    static let collection = "EO.ESA.DAT.SENTINEL-2.MSI.L1C"

    /// A sandbox whose catalogue holds `identifiers`, with `failing` ones failing as items.
    static func sandbox(_ folder: ProjectFolder, identifiers: [String], failing: [String], flags: [String] = []) async throws
        -> SandboxProcess
    {
        let sandbox = try await SandboxProcess(["--pace", "1"] + flags, in: folder.root)
        try await sandbox.post("/sandbox/catalogue", ["collection": collection, "identifiers": identifiers])
        try await sandbox.post("/sandbox/faults", ["failingIdentifiers": failing])
        return sandbox
    }

    static func order(_ name: String, identifiers: [String]) -> String {
        LocalSandboxTests.order(name, identifiers: identifiers)
    }

    static let ids = [
        "S2A_MSIL1C_20240301T101021_N0510_R022_T32TQM_20240301T120000.SAFE",
        "S2A_MSIL1C_20240302T101021_N0510_R022_T32TQM_20240302T120000.SAFE",
        "S2A_MSIL1C_20240303T101021_N0510_R022_T32TQM_20240303T120000.SAFE",
    ]

    @Test(arguments: ["before-submit:1", "after-submit:1", "after-record:1"])
    func `a kill -9 during a retry never sends the retry twice`(_ failpoint: String) async throws {
        let folder = try ProjectFolder()
        let sandbox = try await Self.sandbox(folder, identifiers: Self.ids, failing: [Self.ids[1]])
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        try project.write("manifests/o1.yaml", Self.order("o1", identifiers: Self.ids))
        let first = try await CLI.run(["apply"], in: project.root)
        #expect(first.code == 3, "\(first.output)")
        let plan = try await CLI.run(["plan"], in: project.root)
        #expect(plan.stdout.contains("retry 1 of 3 items: \(Self.ids[1])"), "\(plan.output)")

        try await sandbox.post("/sandbox/faults", ["failingIdentifiers": [String]()])
        let crashed = try await CLI.run(["apply"], in: project.root, environment: ["HOOKCTL_FAILPOINT": failpoint])
        #expect(crashed.code == 128 + 9 || crashed.code == 9, "expected the failpoint to kill the run: \(crashed.output)")
        let resumed = try await CLI.run(["apply"], in: project.root)
        #expect(resumed.code == 0, "\(resumed.output)")

        let orders = try await sandbox.orders()
        #expect(
            orders.map(\.name) == ["hookctl-o1-\(try Self.digest(project))", "hookctl-o1-\(try Self.digest(project))-r2"],
            "one service order per attempt: \(orders.map(\.name))")
        #expect(orders.last?.identifiers == [Self.ids[1]])
        let report = try Self.report(project)
        #expect(report.status == "completed")
        #expect(report.attempts == [1, 2, 1])
    }

    @Test func `a retry whose answers are all lost is adopted by name, never sent twice`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await Self.sandbox(folder, identifiers: Self.ids, failing: [Self.ids[0], Self.ids[2]])
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        try project.write("manifests/o1.yaml", Self.order("o1", identifiers: Self.ids))
        #expect(try await CLI.run(["apply"], in: project.root).code == 3)
        try await sandbox.post("/sandbox/faults", ["failingIdentifiers": [String](), "lostResponseRate": 1.0])
        let retried = try await CLI.run(["apply"], in: project.root)
        #expect(retried.code == 0, "\(retried.output)")
        #expect(retried.stderr.contains("adopted"), "\(retried.stderr)")
        let orders = try await sandbox.orders()
        #expect(orders.count == 2, "\(orders.map(\.name))")
        #expect(orders.last?.identifiers == [Self.ids[0], Self.ids[2]])
    }

    @Test func `twenty orders with failing items under 20% lost answers: one service order per attempt`() async throws {
        let folder = try ProjectFolder()
        let good = (1...20).map { String(format: "S2A_MSIL1C_20240401T101021_N0510_R022_T32TQM_2024%04dT120000.SAFE", $0) }
        let bad = (1...20).map { String(format: "S2B_MSIL1C_20240401T101021_N0510_R022_T32TQM_2024%04dT120000.SAFE", $0) }
        let sandbox = try await Self.sandbox(folder, identifiers: good + bad, failing: bad, flags: ["--seed", "7"])
        try await sandbox.post("/sandbox/faults", ["lostResponseRate": 0.2, "seed": 7])
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        for index in 0..<20 {
            try project.write("manifests/o\(index + 1).yaml", Self.order("o\(index + 1)", identifiers: [good[index], bad[index]]))
        }
        let first = try await CLI.run(["apply"], in: project.root)
        #expect(first.code == 3, "\(first.output)")
        try await sandbox.post("/sandbox/faults", ["failingIdentifiers": [String]()])
        let second = try await CLI.run(["apply"], in: project.root)
        #expect(second.code == 0, "\(second.output)")
        let orders = try await sandbox.orders()
        #expect(orders.count == 40, "\(orders.map(\.name))")
        #expect(Set(orders.map(\.name)).count == orders.count, "an attempt was sent twice: \(orders.map(\.name))")
        let retries = orders.filter { $0.name.hasSuffix("-r2") }
        #expect(retries.count == 20)
        #expect(retries.allSatisfy { $0.identifiers.count == 1 && $0.identifiers[0].hasPrefix("S2B_") })
    }

    @Test func `retry: all in a manifest, or apply --retry-all, resubmits every identifier`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await Self.sandbox(folder, identifiers: Self.ids, failing: [Self.ids[1]])
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        try project.write("manifests/o1.yaml", Self.order("o1", identifiers: Self.ids))
        #expect(try await CLI.run(["apply"], in: project.root).code == 3)
        let all = try await CLI.run(["apply", "--retry-all"], in: project.root)
        #expect(all.code == 3, "still failing: \(all.output)")
        try project.write("manifests/o1.yaml", LocalSandboxTests.order("o1", identifiers: Self.ids, extra: "  retry: all"))
        let plan = try await CLI.run(["plan"], in: project.root)
        #expect(plan.stdout.contains("retry 3 of 3 items"), "\(plan.output)")
        let orders = try await sandbox.orders()
        #expect(orders.map(\.identifiers) == [Self.ids, Self.ids])
    }

    @Test(arguments: ["login", "unreachable", "malformed"])
    func `a run that cannot reach the service records nothing`(_ failure: String) async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        try project.write("manifests/o1.yaml", LocalSandboxTests.order("o1"))
        #expect(try await CLI.run(["apply"], in: project.root).code == 0)
        let lock = try project.read("hookctl.local.lock")
        try project.write("manifests/o2.yaml", LocalSandboxTests.order("o2"))
        var environment: [String: String] = [:]
        switch failure {
        case "login": environment["DESP_PASSWORD"] = "not-the-password"
        case "unreachable":
            try project.write("hookctl.yaml", sandbox.projectFile().replacingOccurrences(of: sandbox.baseURL, with: "http://127.0.0.1:\(try freePort())"))
        default: try project.write("hookctl.yaml", sandbox.projectFile().replacingOccurrences(of: "\(sandbox.baseURL)/odata/v1/", with: "http//no host/"))
        }
        let failed = try await CLI.run(["apply"], in: project.root, environment: environment)
        #expect(failed.code == 1, "\(failed.output)")
        #expect(try project.read("hookctl.local.lock") == lock, "the lock file changed")
        #expect(!project.exists(".hookctl/local.journal"))
        let plan = try await CLI.run(["plan"], in: project.root, environment: environment)
        if failure == "malformed" {
            // Caught before anything runs: the project file's diagnostic, at the URL.
            #expect(plan.code == 1 && plan.stderr.contains("must be an absolute http(s) URL"), "\(plan.output)")
        } else {
            #expect(plan.stdout.contains("+ create  o2"), "\(plan.output)")
        }
        #expect(try await sandbox.orderNames().count == 1)
    }

    @Test func `wait never sends a recorded attempt with a body its manifest no longer asks for`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        try project.write("manifests/o1.yaml", LocalSandboxTests.order("o1"))
        let crashed = try await CLI.run(["apply"], in: project.root, environment: ["HOOKCTL_FAILPOINT": "before-submit:1"])
        #expect(crashed.code == 128 + 9 || crashed.code == 9, "\(crashed.output)")
        try project.write("manifests/o1.yaml", LocalSandboxTests.order("o1", extra: "  options: {resolution: 60}"))
        let waited = try await CLI.run(["wait"], in: project.root)
        #expect(waited.code == 0, "\(waited.output)")
        #expect(waited.stderr.contains("can be neither found nor sent again"), "\(waited.stderr)")
        #expect(try await sandbox.orderNames().isEmpty, "wait sent the old attempt with the new body")
        let applied = try await CLI.run(["apply"], in: project.root)
        #expect(applied.code == 0, "\(applied.output)")
        #expect(try await sandbox.orderNames().count == 1)
    }

    @Test func `a journal left behind is folded into the lock file by the next command, even one with nothing to do`() async throws {
        let project = try ProjectFolder.shippedManifests()
        #expect(try await CLI.run(["apply", "--quiet"], in: project.root).code == 0)
        let lock = try project.read("manifests/hookctl.sandbox.lock")
        try project.write("manifests/.hookctl/sandbox.journal", #"{"key":"s2-t47vlh","order":{"attempts":[{"#)
        let plan = try await CLI.run(["plan"], in: project.root)
        #expect(plan.stderr.contains("is incomplete"), "\(plan.stderr)")
        let again = try await CLI.run(["apply"], in: project.root)
        #expect(again.code == 0, "\(again.output)")
        #expect(again.stderr.components(separatedBy: "is incomplete").count == 2, "one warning: \(again.stderr)")
        #expect(!project.exists("manifests/.hookctl/sandbox.journal"))
        #expect(try project.read("manifests/hookctl.sandbox.lock") == lock)
    }

    /// The first ten hex digits of the digest in the order's name, read from `render`.
    static func digest(_ project: ProjectFolder) throws -> String {
        let lock = try JSONSerialization.jsonObject(with: Data(try project.read("hookctl.local.lock").utf8)) as? [String: Any]
        let entry = (lock?["orders"] as? [String: Any])?["o1"] as? [String: Any]
        return String((entry?["digest"] as? String ?? "").prefix(10))
    }

    /// `report.json`'s one order: its status and the attempt of each product.
    static func report(_ project: ProjectFolder) throws -> (status: String, attempts: [Int]) {
        let json = try JSONSerialization.jsonObject(with: Data(try project.read("reports/report.json").utf8)) as? [String: Any]
        let order = (json?["orders"] as? [[String: Any]])?.first
        let products = order?["products"] as? [[String: Any]] ?? []
        return (order?["status"] as? String ?? "", products.compactMap { $0["attempt"] as? Int })
    }
}

extension SandboxProcess {
    /// POSTs a JSON body to a `/sandbox/*` route.
    func post(_ route: String, _ body: [String: Any]) async throws {
        var request = URLRequest(url: URL(string: baseURL + route)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (_, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw SetupError("POST \(route) answered \(status)") }
    }

    /// Every order the sandbox accepted, in id order: its name and identifiers.
    func orders() async throws -> [(name: String, identifiers: [String])] {
        let json = try await get("/sandbox/orders") as? [String: Any]
        let value = (json?["value"] as? [[String: Any]] ?? [])
        func id(_ order: [String: Any]) -> Int { order["Id"] as? Int ?? Int(order["Id"] as? String ?? "") ?? 0 }
        let sorted = value.sorted { id($0) < id($1) }
        return sorted.map { ($0["Name"] as? String ?? "", $0["IdentifierList"] as? [String] ?? []) }
    }
}

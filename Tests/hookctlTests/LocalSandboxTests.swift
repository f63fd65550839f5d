import Foundation
import Testing

/// Against `hookctl sandbox` in its own process, as a user runs one: crashes, signals, faults, secrets.
@Suite(.serialized)
struct LocalSandboxTests {
    static func order(
        _ name: String, identifier: String = "S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE",
        extra: String = ""
    ) -> String {
        order(name, identifiers: [identifier], extra: extra)
    }

    static func order(_ name: String, identifiers: [String], extra: String = "") -> String {
        """
        apiVersion: hookctl/v1
        kind: Order
        metadata:
          name: \(name)
        spec:
          workflow: data-harvest
          identifiers: [\(identifiers.joined(separator: ", "))]
          source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}
          storage: {type: TEMPORARY}
        \(extra)
        """
    }

    static func project(_ sandbox: SandboxProcess, orders: Int) throws -> ProjectFolder {
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        for index in 1...orders { try project.write("manifests/o\(index).yaml", order("o\(index)")) }
        return project
    }

    @Test(arguments: ["before-submit:1", "after-submit:2", "after-record:1", "after-submit:5", "before-submit:4"])
    func `a kill -9 at any point never submits an order twice`(_ failpoint: String) async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        let project = try Self.project(sandbox, orders: 6)
        let crashed = try await CLI.run(["apply", "--concurrency", "2"], in: project.root, environment: ["HOOKCTL_FAILPOINT": failpoint])
        #expect(crashed.code == 128 + 9 || crashed.code == 9, "expected the failpoint to kill the run: \(crashed.output)")
        let resumed = try await CLI.run(["apply", "--concurrency", "2"], in: project.root)
        #expect(resumed.code == 0, "\(resumed.output)")
        let names = try await sandbox.orderNames()
        #expect(names.count == 6, "\(names)")
        #expect(Set(names).count == names.count, "an order was submitted twice: \(names)")
    }

    @Test func `orders queued behind --max-running and running past their estimate all complete, none sent twice`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1", "--max-running", "2", "--overrun-rate", "0.5", "--seed", "3"], in: folder.root)
        let project = try Self.project(sandbox, orders: 6)
        let applied = try await CLI.run(["apply"], in: project.root)
        #expect(applied.code == 0, "\(applied.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(project.read("reports/report.json").utf8)) as? [String: Any])
        #expect((report["summary"] as? [String: Int])?["completed"] == 6)
        let names = try await sandbox.orderNames()
        #expect(names.count == 6 && Set(names).count == 6, "\(names)")
    }

    @Test func `an order over quota is one clear error line per order, sent once, with nothing recorded`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        try await sandbox.post("/sandbox/faults", ["quotaExceeded": true])
        let project = try Self.project(sandbox, orders: 2)
        let applied = try await CLI.run(["apply"], in: project.root)
        #expect(applied.code == 1, "\(applied.output)")
        let lines = applied.stderr.split(separator: "\n").filter { $0.contains("rejected by the service: Quota exceeded") }
        #expect(lines.count == 2, "\(applied.output)")
        #expect(!applied.output.contains("retry"), "\(applied.output)")
        let stats = try await sandbox.get("/sandbox/stats") as? [String: Any]
        let submissions = (stats?["requests"] as? [[String: Any]] ?? []).filter { $0["route"] as? String == "/odata/v1/BatchOrder/OData.CSC.Order" }
            .compactMap { $0["count"] as? Int }.reduce(0, +)
        #expect(submissions == 2)
        #expect(project.recordedIDs(profile: "local").isEmpty)
    }

    @Test func `a failed item exits 3 with its status message in the reports`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        try project.write("manifests/missing.yaml", Self.order("missing", identifier: "S2A_MSIL1C_NO_SUCH_PRODUCT.SAFE"))
        let run = try await CLI.run(["apply"], in: project.root)
        #expect(run.code == 3, "\(run.output)")
        let junit = try project.read("reports/junit.xml")
        #expect(junit.contains("<failure"))
        let report = try project.read("reports/report.json")
        #expect(report.contains("S2A_MSIL1C_NO_SUCH_PRODUCT.SAFE"))
        #expect(report.contains(#""status": "failed""#))
        // `status` asks the service again, finished orders included, and exits as the run did.
        func odataCalls() async throws -> Int {
            let stats = try await sandbox.get("/sandbox/stats") as? [String: Any]
            return (stats?["requests"] as? [[String: Any]] ?? []).filter { ($0["route"] as? String ?? "").hasPrefix("/odata/") }
                .reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
        }
        let before = try await odataCalls()
        let status = try await CLI.run(["status"], in: project.root)
        #expect(status.code == 3, "\(status.output)")
        #expect(status.stdout.contains("failed"))
        #expect(try await odataCalls() > before)
    }

    @Test func `a wait timeout exits 4 with the state saved, and wait picks it up`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "4"], in: folder.root)
        let project = try Self.project(sandbox, orders: 1)
        let run = try await CLI.run(["apply", "--timeout", "1s"], in: project.root)
        #expect(run.code == 4, "\(run.output)")
        #expect(project.recordedIDs(profile: "local").count == 1)
        let waited = try await CLI.run(["wait"], in: project.root)
        #expect(waited.code == 0, "\(waited.output)")
        #expect(try await sandbox.orderNames().count == 1)
    }

    @Test func `a wait outlasts the service going away and coming back, submitting nothing twice`() async throws {
        let folder = try ProjectFolder()
        let state = folder.path("sandbox-state")
        var sandbox: SandboxProcess? = try await SandboxProcess(["--pace", "3", "--state", state], in: folder.root)
        let port = try #require(sandbox?.port)
        let project = try Self.project(try #require(sandbox), orders: 1)
        let process = try CLI.start(["apply"], in: project.root)
        let log = project.path("apply.err")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        try await waitUntil(while: process) { project.recordedIDs(profile: "local").count == 1 }
        sandbox = nil  // stopped (its state saved) while apply waits
        try await waitUntil(while: process) { (try? project.read("apply.err"))?.contains("still waiting") ?? false }
        let restarted = try await SandboxProcess(["--pace", "3", "--state", state], in: folder.root, port: port)
        try await waitForExit(process, timeout: .seconds(60))
        let output = try project.read("apply.err")
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("cannot get the orders' status"), "\(output)")
        #expect(try await restarted.orderNames().count == 1)
        #expect(try project.read("reports/report.json").contains(#""status": "completed""#))
    }

    @Test func `SIGINT stops a wait with exit 130 and the next apply resumes`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "5"], in: folder.root)
        let project = try Self.project(sandbox, orders: 2)
        let process = try CLI.start(["apply"], in: project.root)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Interrupt once both orders are recorded with their ids (i.e. while waiting).
        try await waitUntil(while: process) { project.recordedIDs(profile: "local").count == 2 }
        kill(process.processIdentifier, SIGINT)
        try await waitForExit(process)
        #expect(process.terminationStatus == 130)
        let resumed = try await CLI.run(["apply"], in: project.root)
        #expect(resumed.code == 0, "\(resumed.output)")
        #expect(try await sandbox.orderNames().count == 2)
    }

    @Test func `an unset variable stops apply before anything is submitted`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(in: folder.root)
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        try project.write("manifests/a.yaml", Self.order("a"))
        try project.write(
            "manifests/b.yaml",
            Self.order("b").replacingOccurrences(
                of: "storage: {type: TEMPORARY}",
                with: """
                    storage:
                        type: PRIVATE
                        bucket: out
                        endpoint: http://127.0.0.1:1
                        accessKey: ${env:HOOK_TEST_ACCESS_KEY}
                        secretKey: ${env:HOOK_TEST_SECRET_KEY}
                    """))
        let run = try await CLI.run(["apply"], in: project.root)
        #expect(run.code == 1, "\(run.output)")
        #expect(run.stderr.contains("order b needs $HOOK_TEST_ACCESS_KEY, $HOOK_TEST_SECRET_KEY, which are not set"), "\(run.stderr)")
        #expect(try await sandbox.orderNames().isEmpty)

        // A variable only the profile's login needs names the profile (the order has a login of its own).
        let login = try ProjectFolder()
        try login.write(
            "hookctl.yaml",
            sandbox.projectFile().replacingOccurrences(
                of: #"auth: {type: desp, username: "${env:DESP_USERNAME:-demo}", password: "${env:DESP_PASSWORD}"}"#,
                with: #"auth: {type: service-account, clientId: hookctl-ci, clientSecret: "${env:HOOK_TEST_CLIENT_SECRET}"}"#))
        try login.write(
            "manifests/a.yaml",
            Self.order("a").replacingOccurrences(
                of: "source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}",
                with: #"source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C, username: demo, password: "${env:DESP_PASSWORD}"}"#))
        let unsetLogin = try await CLI.run(["apply"], in: login.root)
        #expect(unsetLogin.code == 1, "\(unsetLogin.output)")
        #expect(unsetLogin.stderr.contains("profile 'local' needs $HOOK_TEST_CLIENT_SECRET, which is not set"), "\(unsetLogin.stderr)")
        #expect(try await sandbox.orderNames().isEmpty)
    }

    @Test func `a wrong password exits 1 with one clear line and no secret`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(in: folder.root)
        let project = try Self.project(sandbox, orders: 1)
        let run = try await CLI.run(["apply"], in: project.root, environment: ["DESP_PASSWORD": "wrong-Pa55word"])
        #expect(run.code == 1, "\(run.output)")
        #expect(run.stderr.localizedCaseInsensitiveContains("invalid"))
        #expect(!run.output.contains("wrong-Pa55word"))
        #expect(try await sandbox.orderNames().isEmpty)
    }

    @Test func `a login with a one-time password (sandbox --otp) needs the profile's otp`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1", "--user", "olga:Pa55:word", "--otp", "olga:246810"], in: folder.root)
        let project = try ProjectFolder()
        try project.write(
            "hookctl.yaml",
            sandbox.projectFile().replacingOccurrences(
                of: #"password: "${env:DESP_PASSWORD}"}"#, with: #"password: "${env:DESP_PASSWORD}", otp: "${env:DESP_OTP:-}"}"#))
        try project.write("manifests/o1.yaml", Self.order("o1"))
        let login = ["DESP_USERNAME": "olga", "DESP_PASSWORD": "Pa55:word"]
        let missing = try await CLI.run(["apply"], in: project.root, environment: login)
        #expect(missing.code == 1, "\(missing.output)")
        #expect(missing.stderr.contains("one-time password"), "\(missing.output)")
        let run = try await CLI.run(["apply"], in: project.root, environment: login.merging(["DESP_OTP": "246810"]) { a, _ in a })
        #expect(run.code == 0, "\(run.output)")
        #expect(!run.output.contains("246810") && !run.output.contains("Pa55:word"))
    }

    @Test func `an unreachable service exits 1 with one clear line`() async throws {
        let project = try ProjectFolder()
        let port = try freePort()
        try project.write(
            "hookctl.yaml",
            """
            apiVersion: hookctl/v1
            kind: Project
            defaultProfile: away
            profiles:
              away:
                serviceUrl: http://127.0.0.1:\(port)/odata/v1/
                identity: {despUrl: "http://127.0.0.1:\(port)", dedlTokenUrl: "http://127.0.0.1:\(port)/token"}
                auth: {type: token, token: "${env:DEDL_TOKEN}"}

            """)
        try project.write("manifests/a.yaml", Self.order("a"))
        let run = try await CLI.run(
            ["apply"], in: project.root, environment: ["DESP_USERNAME": "u", "DESP_PASSWORD": "p", "DEDL_TOKEN": "x"],
            timeout: .seconds(90))
        #expect(run.code == 1, "\(run.output)")
        let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1, "\(run.stderr)")
        #expect(errors.first?.contains("127.0.0.1:\(port)") == true)
    }

    @Test func `secrets never reach output, state or reports`() async throws {
        let folder = try ProjectFolder()
        let secret = "s3cr3t-XYZ-\(UInt32.random(in: 1000...9999))"
        let sandbox = try await SandboxProcess(["--user", "alice:\(secret)"], in: folder.root)
        let project = try Self.project(sandbox, orders: 2)
        let env = ["DESP_USERNAME": "alice", "DESP_PASSWORD": secret]
        let run = try await CLI.run(["apply", "--verbose"], in: project.root, environment: env)
        #expect(run.code == 0, "\(run.output)")
        let status = try await CLI.run(["status", "--verbose", "--format", "json"], in: project.root, environment: env)
        let rendered = try await CLI.run(["render"], in: project.root, environment: env)
        for text in [
            run.output, status.output, rendered.output, try project.read("hookctl.local.lock"),
            try project.read("reports/report.json"), try project.read("reports/report.md"),
            try project.read("reports/junit.xml"),
        ] {
            #expect(!text.contains(secret))
        }
        let accepted = try await sandbox.get("/sandbox/orders")
        #expect(!"\(accepted)".contains(secret))
    }
}

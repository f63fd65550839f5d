import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

struct PersistenceTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func `orders, tokens and catalogue additions survive a restart and orders keep progressing`() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = SandboxConfiguration(pace: .milliseconds(600), stateDirectory: directory)
        var token = ""
        var id = 0
        try await Harness.with(configuration) { h in
            token = try await h.dedlToken()
            _ = try await h.post("/sandbox/catalogue", json: #"{"collection":"EO.ESA.DAT.SENTINEL-2.MSI.L1C","identifiers":["PERSISTED_1"]}"#)
            id = try await h.submit(Harness.harvestBody(identifiers: ["PERSISTED_1"]), token: token)
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("state.json").path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("signing-key.pem").path))
        try await Harness.with(configuration) { h in
            // The same signing key: the token from before the restart is still accepted.
            let listed = try await h.get("/odata/v1/ProductionOrders", token: token)
            #expect(listed.status == 200)
            #expect(listed.json?["value"]?.arrayValue?.first?["Id"] == .string(String(id)))
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            _ = try await h.post("/sandbox/catalogue", json: #"{"collection":"EO.ESA.DAT.SENTINEL-2.MSI.L1C","identifiers":["SECRET_TEST"]}"#)
            let next = try await h.submit(Harness.harvestBody(identifiers: ["SECRET_TEST"], user: "keeper", password: "s3cr3t-pw"), token: token)
            #expect(next == id + 1)
            #expect(try await h.waitForTerminal(next, token: token) == "failed")  // keeper is no sandbox login
        }
        // Finished orders keep no secrets on disk; the file is owner-only.
        let file = directory.appendingPathComponent("state.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("SECRET_TEST"))
        #expect(!text.contains("s3cr3t-pw"))
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func `a corrupt state file is set aside and the sandbox starts empty`() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("{not json".utf8).write(to: directory.appendingPathComponent("state.json"))
        try await Harness.with(SandboxConfiguration(stateDirectory: directory)) { h in
            let orders = try await h.get("/sandbox/orders")
            #expect(orders.json?["value"] == .array([]))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.contains { $0.hasPrefix("state.json.corrupt-") })
    }

    @Test func `a state directory serves one sandbox at a time`() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = SandboxConfiguration(stateDirectory: directory)
        try await Harness.with(configuration) { _ in
            do {
                let second = try await RunningSandbox.start(configuration, logger: Harness.logger)
                await second.stop()
                Issue.record("a second sandbox started on the same state directory")
            } catch let error as SandboxError {
                #expect("\(error)".contains("another sandbox is using the state directory"))
            }
        }
        // Released on stop: the next one starts.
        try await Harness.with(configuration) { h in
            let stats = try await h.get("/sandbox/stats")
            #expect(stats.status == 200)
        }
    }

    @Test func `two sandboxes run side by side on different free ports`() async throws {
        let a = try await RunningSandbox.start(SandboxConfiguration(), logger: Harness.logger)
        let b = try await RunningSandbox.start(SandboxConfiguration(), logger: Harness.logger)
        #expect(a.baseURL != b.baseURL)
        #expect(a.serviceURL.absoluteString == a.baseURL.absoluteString + "/odata/v1/")
        #expect(a.dedlTokenURL.absoluteString == a.baseURL.absoluteString + "/auth/realms/dedl/protocol/openid-connect/token")
        await b.stop()
        await a.stop()
    }
}

import Foundation
import HookCore
import HookS3
import NIOHTTP1
import Testing

@testable import HookSandbox

/// PRIVATE outputs land in a real S3 server (moto, started by the test on a free loopback port).
struct PrivateOutputTests {
    /// A running `moto_server.py`; `stop()` ends it.
    final class Moto: Sendable {
        let process: Process
        let input: Pipe
        let port: Int
        let accessKey: String
        let secretKey: String

        init(process: Process, input: Pipe, port: Int, accessKey: String, secretKey: String) {
            self.process = process
            self.input = input
            self.port = port
            self.accessKey = accessKey
            self.secretKey = secretKey
        }

        var endpoint: String { "http://127.0.0.1:\(port)" }

        static func start(auth: Bool) async throws -> Moto {
            let python = PythonClientTests.python
            try #require(
                FileManager.default.isExecutableFile(atPath: python.path),
                "Python with moto[server] not found at \(python.path); set HOOKCTL_PYTHON or create .venv")
            let process = Process()
            process.executableURL = python
            process.arguments = [PythonClientTests.packageRoot.appendingPathComponent("Tests/python/moto_server.py").path] + (auth ? ["--auth"] : [])
            let output = Pipe()
            let input = Pipe()
            process.standardOutput = output
            process.standardInput = input
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Bounded: a moto that has not printed its port within 60 s is ended (which ends the read below).
            let watchdog = Task.detached {
                try? await Task.sleep(for: .seconds(60))
                if !Task.isCancelled, process.isRunning { process.terminate() }
            }
            defer { watchdog.cancel() }
            let lines = await offPool { () -> [String] in
                var text = ""
                while !text.contains("PORT ") || !text.hasSuffix("\n") {
                    let chunk = output.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                return text.split(separator: "\n").map(String.init)
            }
            guard let portLine = lines.first(where: { $0.hasPrefix("PORT ") }), let port = Int(portLine.dropFirst(5)) else {
                process.terminate()
                throw MotoFailed(output: lines.joined(separator: "\n"))
            }
            let key = lines.first { $0.hasPrefix("KEY ") }?.split(separator: " ").map(String.init)
            return Moto(process: process, input: input, port: port, accessKey: key?[1] ?? "AKIDEXAMPLE", secretKey: key?[2] ?? "moto-secret")
        }

        func stop() {
            try? input.fileHandleForWriting.close()
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct MotoFailed: Error, CustomStringConvertible {
        var output: String
        var description: String { "moto_server did not start: \(output)" }
    }

    private func privateBody(endpoint: String, accessKey: String, secretKey: String, path: String) -> String {
        """
        {"Name":"private","WorkflowName":"data-harvest","IdentifierList":["\(Harness.notebookIdentifier)"],"WorkflowOptions":[
        {"Name":"output_storage","Value":"PRIVATE"},{"Name":"output_s3_access_key","Value":"\(accessKey)"},
        {"Name":"output_s3_secret_key","Value":"\(secretKey)"},{"Name":"output_s3_path","Value":"\(path)"},
        {"Name":"output_s3_endpoint_url","Value":"\(endpoint)"},{"Name":"source_type","Value":"DESP"},
        {"Name":"desp_source_username","Value":"demo"},{"Name":"desp_source_password","Value":"demo"},
        {"Name":"desp_source_collection","Value":"EO.ESA.DAT.SENTINEL-2.MSI.L1C"}]}
        """
    }

    private func itemMessage(_ h: Harness, _ id: Int, token: String) async throws -> HookCore.JSONValue? {
        try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json?["value"]?.arrayValue?.first
    }

    @Test func `a PRIVATE output is written to the order's S3 bucket and prefix`() async throws {
        let moto = try await Moto.start(auth: true)
        defer { moto.stop() }
        try await Harness.with(SandboxConfiguration(pace: .milliseconds(100))) { h in
            // Moto's last unsigned bootstrap call creates the bucket.
            #expect(try await h.send(.PUT, moto.endpoint + "/sandbox-out").status == 200)
            let token = try await h.dedlToken()
            let id = try await h.submit(
                privateBody(endpoint: moto.endpoint, accessKey: moto.accessKey, secretKey: moto.secretKey, path: "s3://sandbox-out/dedl/run-1"), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let item = try await itemMessage(h, id, token: token)
            #expect(item?["DownloadLink"] == .null)
            let size = try #require(item?["ProcessedSize"]?.intValue)
            let inspected = try await h.get("/sandbox/orders")
            #expect(!inspected.text.contains(moto.secretKey))
            #expect(!inspected.text.contains(moto.accessKey))
            // Read it back with a signed request (moto now enforces signatures).
            let signed = try await S3Probe(endpoint: moto.endpoint, accessKey: moto.accessKey, secretKey: moto.secretKey)
                .get(bucket: "sandbox-out", key: "dedl/run-1/\(Harness.notebookIdentifier).zip")
            #expect(signed.count == size)
            #expect(signed.prefix(2) == [0x50, 0x4B])
        }
    }

    @Test func `bad S3 credentials or a bad endpoint fail the item with a clear message`() async throws {
        let moto = try await Moto.start(auth: true)
        defer { moto.stop() }
        try await Harness.with(SandboxConfiguration(pace: .milliseconds(100))) { h in
            #expect(try await h.send(.PUT, moto.endpoint + "/sandbox-out").status == 200)
            let token = try await h.dedlToken()
            let badKey = try await h.submit(
                privateBody(endpoint: moto.endpoint, accessKey: "AKIAWRONG", secretKey: "wrong", path: "s3://sandbox-out/x"), token: token)
            #expect(try await h.waitForTerminal(badKey, token: token) == "failed")
            let message = try await itemMessage(h, badKey, token: token)?["StatusMessage"]?.stringValue ?? ""
            #expect(message.hasPrefix("Failed to write output to s3://sandbox-out/x/"), "\(message)")
            #expect(message.hasSuffix(": InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records. (HTTP 403)"), "\(message)")
            #expect(!message.contains("wrong\""))
            let badEndpoint = try await h.submit(
                privateBody(endpoint: "http://127.0.0.1:1", accessKey: moto.accessKey, secretKey: moto.secretKey, path: "s3://sandbox-out/y"), token: token)
            #expect(try await h.waitForTerminal(badEndpoint, token: token) == "failed")
            let endpointMessage = try await itemMessage(h, badEndpoint, token: token)?["StatusMessage"]?.stringValue ?? ""
            #expect(endpointMessage.contains("at http://127.0.0.1:1: cannot connect"), "\(endpointMessage)")
            let noBucket = try await h.submit(
                privateBody(endpoint: moto.endpoint, accessKey: moto.accessKey, secretKey: moto.secretKey, path: "s3://no-such-bucket/z"), token: token)
            #expect(try await h.waitForTerminal(noBucket, token: token) == "failed")
        }
    }
}

/// Reads objects back with signed requests, through `HookS3`.
struct S3Probe {
    var endpoint: String
    var accessKey: String
    var secretKey: String

    func get(bucket: String, key: String) async throws -> [UInt8] {
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: URL(string: endpoint)!, credentials: AWSCredentials(accessKeyID: accessKey, secretAccessKey: Secret(secretKey))),
            httpClient: Harness.client)
        return try await client.getObjectBytes(bucket: bucket, key: key)
    }
}

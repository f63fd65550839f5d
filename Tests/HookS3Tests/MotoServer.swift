import AsyncHTTPClient
import Foundation
import HookCore
import HookS3
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real `moto` S3 server (Python, from the package's `.venv`), started on a free loopback port for one test.
/// Missing Python or moto is a test failure with a clear message, never a silent pass.
final class MotoServer: Sendable {
    let port: Int
    let process: Process
    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// `$HOOKCTL_PYTHON`, else `<package root>/.venv/bin/python3`.
    static func python(filePath: String = #filePath) -> String {
        if let explicit = ProcessInfo.processInfo.environment["HOOKCTL_PYTHON"], !explicit.isEmpty { return explicit }
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".venv/bin/python3").path
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Unavailable(description: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    /// Starts `python -m moto.server` and waits until it answers.
    static func start() async throws -> MotoServer {
        let python = python()
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Unavailable(
                description: "Python not found at \(python): run `python3 -m venv .venv && .venv/bin/pip install 'moto[server]'` "
                    + "in the package root, or set HOOKCTL_PYTHON")
        }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(port: port, process: process)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw Unavailable(description: "moto server exited (status \(process.terminationStatus)); is moto[server] installed in \(python)?")
            }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/moto-api/")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return server
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        server.stop()
        throw Unavailable(description: "moto server did not answer on port \(port) within 30 s")
    }

    /// Stops the server: SIGKILL (moto's werkzeug server may keep serving a SIGTERM'd worker) and a bounded wait,
    /// since `Process.waitUntilExit()` can spin forever on Linux when called from a task.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
    }

    /// Runs a body with a fresh server, stopping it afterwards whatever happens.
    static func with<T>(_ body: (MotoServer) async throws -> T) async throws -> T {
        let server = try await start()
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    /// Creates an IAM user with an access key allowed `s3:*`, then turns moto's request authentication on, so that
    /// every later request's SigV4 signature is checked.
    func createUserAndEnforceSignatures() async throws -> AWSCredentials {
        let bootstrap = AWSCredentials(accessKeyID: "AKIDBOOTSTRAP", secretAccessKey: Secret("bootstrap"))
        _ = try await iam(["Action": "CreateUser", "UserName": "hook"], as: bootstrap)
        let created = try await iam(["Action": "CreateAccessKey", "UserName": "hook"], as: bootstrap)
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        _ = try await iam(
            ["Action": "PutUserPolicy", "UserName": "hook", "PolicyName": "s3", "PolicyDocument": policy], as: bootstrap)
        guard let keyID = Self.element("AccessKeyId", in: created), let secret = Self.element("SecretAccessKey", in: created)
        else {
            throw Unavailable(description: "moto CreateAccessKey answered without keys")
        }
        var request = HTTPClientRequest(url: "\(endpoint.absoluteString)/moto-api/reset-auth")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: "0"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw Unavailable(description: "moto reset-auth answered \(response.status)") }
        return AWSCredentials(accessKeyID: keyID, secretAccessKey: Secret(secret))
    }

    private func iam(_ parameters: [String: String], as credentials: AWSCredentials) async throws -> String {
        var all = parameters
        all["Version"] = "2010-05-08"
        let body = all.sorted { $0.key < $1.key }
            .map { "\(SigV4Signer.uriEncode($0.key, keepSlash: false))=\(SigV4Signer.uriEncode($0.value, keepSlash: false))" }
            .joined(separator: "&")
        let bytes = Array(body.utf8)
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "iam")
        let signed = signer.sign(
            method: "POST", url: endpoint.appendingPathComponent("/"),
            headers: [("content-type", "application/x-www-form-urlencoded")], payloadHash: SigV4Signer.sha256Hex(bytes),
            date: Date())
        var request = HTTPClientRequest(url: endpoint.absoluteString + "/")
        request.method = .POST
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status == .ok else { throw Unavailable(description: "moto IAM \(parameters["Action"] ?? "") -> \(response.status): \(text)") }
        return text
    }

    static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}

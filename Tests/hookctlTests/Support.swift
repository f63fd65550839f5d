import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the built `hookctl` binary as a user would: a separate process, a clean environment, real exit codes.
enum CLI {
    struct Result: Sendable {
        var code: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// The package's root folder (this file is `Tests/hookctlTests/Support.swift`).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// `hookctl` beside the test bundle (SwiftPM builds it with the tests).
    static var binary: String {
        let bundleFolder = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
        ).deletingLastPathComponent()
        return bundleFolder.appendingPathComponent("hookctl").path
    }

    /// Environment without the caller's DESP/DEDL/HOOK variables, so tests see what a fresh machine sees.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("DESP_") && !key.hasPrefix("DEDL_") && !key.hasPrefix("HOOK") && key != "GITHUB_ACTIONS"
                && key != "NO_COLOR"
        }
        // The sandboxes' demo password, which project files may only name by reference.
        env["DESP_PASSWORD"] = "demo"
        for (key, value) in extra { env[key] = value }
        return env
    }

    /// Starts `hookctl ARGS` in `folder`; the caller decides when to wait for it.
    static func start(_ arguments: [String], in folder: String, environment extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = environment(extra)
        return process
    }

    /// Runs `hookctl ARGS` in `folder` to completion (killed after `timeout`).
    @discardableResult
    static func run(
        _ arguments: [String], in folder: String, environment extra: [String: String] = [:], timeout: Duration = .seconds(120)
    ) async throws -> Result {
        let process = try start(arguments, in: folder, environment: extra)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        async let stdout = offPool { out.fileHandleForReading.readDataToEndOfFile() }
        async let stderr = offPool { err.fileHandleForReading.readDataToEndOfFile() }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                Issue.record("hookctl \(arguments.joined(separator: " ")) did not finish within \(timeout)")
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return Result(
            code: process.terminationStatus, stdout: String(decoding: await stdout, as: UTF8.self),
            stderr: String(decoding: await stderr, as: UTF8.self))
    }
}

/// A throw-away project folder, removed when the value goes away.
final class ProjectFolder: @unchecked Sendable {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "hookctl-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// A copy of the repository's shipped `manifests/` folder.
    static func shippedManifests() throws -> ProjectFolder {
        let folder = try ProjectFolder()
        try FileManager.default.copyItem(atPath: CLI.packageRoot + "/manifests", toPath: folder.path("manifests"))
        for leftover in [".hookctl", "reports", "hookctl.sandbox.lock"] {
            try? FileManager.default.removeItem(atPath: folder.path("manifests/" + leftover))
        }
        return folder
    }

    func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// The service ids of the orders recorded under `profile` (their latest attempts), read as hookctl reads its
    /// state while a command runs: the lock file, then its journal (`.hookctl/<profile>.journal`) replayed over it.
    func recordedIDs(profile: String) -> [String: Int] {
        var orders: [String: Any] = [:]
        if let data = FileManager.default.contents(atPath: path("hookctl.\(profile).lock")),
            let lock = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            orders = lock["orders"] as? [String: Any] ?? [:]
        }
        for line in ((try? read(".hookctl/\(profile).journal")) ?? "").split(separator: "\n") {
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let key = entry["key"] as? String
            else { continue }
            orders[key] = entry["order"] is [String: Any] ? entry["order"] : nil
        }
        return orders.compactMapValues { order in
            ((order as? [String: Any])?["attempts"] as? [[String: Any]])?.last?["id"] as? Int
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}

/// A `hookctl sandbox` in its own process on a free loopback port, as a user would run one.
final class SandboxProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(_ flags: [String] = [], in folder: String, port: Int? = nil) async throws {
        let port = try port ?? freePort()
        self.port = port
        process = try CLI.start(["sandbox", "--port", String(port)] + flags, in: folder)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            if (try? await get("/sandbox/stats")) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw SandboxDidNotStart()
    }

    struct SandboxDidNotStart: Error {}

    /// GET a route of the sandbox (inspection routes need no token) and decode its JSON.
    func get(_ route: String) async throws -> Any {
        let (data, _) = try await URLSession.shared.data(from: URL(string: baseURL + route)!)
        return try JSONSerialization.jsonObject(with: data)
    }

    /// Names of every order the sandbox accepted.
    func orderNames() async throws -> [String] {
        let json = try await get("/sandbox/orders") as? [String: Any]
        return (json?["value"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
    }

    /// A project file whose default profile `local` talks to this sandbox with the demo login.
    func projectFile() -> String {
        """
        apiVersion: hookctl/v1
        kind: Project
        defaultProfile: local
        profiles:
          local:
            serviceUrl: \(baseURL)/odata/v1/
            identity:
              despUrl: \(baseURL)
              dedlTokenUrl: \(baseURL)/auth/realms/dedl/protocol/openid-connect/token
            auth: {type: desp, username: "${env:DESP_USERNAME:-demo}", password: "${env:DESP_PASSWORD}"}

        """
    }

    deinit {
        stopProcess(process)
    }
}

/// A TCP port nobody listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A real S3 server (Python moto, from the project's .venv) on a free loopback port, for PRIVATE storage.
final class MotoProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init() async throws {
        let python = ProcessInfo.processInfo.environment["HOOKCTL_PYTHON"] ?? CLI.packageRoot + "/.venv/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw SetupError("Python not found at \(python): run .ci/run (it creates .venv with moto) or set HOOKCTL_PYTHON")
        }
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [CLI.packageRoot + "/Tests/python/moto_server.py"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = await offPool {
            var line = ""
            while !line.hasSuffix("\n") {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty { break }
                line += String(decoding: byte, as: UTF8.self)
            }
            return line
        }
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw SetupError("moto did not start: \(line)")
        }
        self.port = port
    }

    /// Creates a bucket (moto accepts unsigned requests).
    func createBucket(_ name: String) async throws {
        var request = URLRequest(url: URL(string: "\(endpoint)/\(name)")!)
        request.httpMethod = "PUT"
        _ = try await URLSession.shared.data(for: request)
    }

    deinit {
        try? input.fileHandleForWriting.close()
        stopProcess(process)
    }
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Ends a helper process: SIGTERM, then SIGKILL if it is still there after two seconds. The wait is bounded because
/// `Process.waitUntilExit()` can spin forever on Linux when called from a task.
func stopProcess(_ process: Process) {
    guard process.isRunning else { return }
    process.terminate()
    let deadline = ContinuousClock.now.advanced(by: .seconds(2))
    while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
}

/// Waits (polling, bounded) until `condition` holds or `process` ends, whichever comes first.
func waitUntil(while process: Process, timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while process.isRunning, !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
}

/// Waits (polling, bounded) for a process to end; records an issue and kills it if it does not.
func waitForExit(_ process: Process, timeout: Duration = .seconds(60)) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while process.isRunning {
        if ContinuousClock.now > deadline {
            Issue.record("process \(process.processIdentifier) did not end within \(timeout)")
            kill(process.processIdentifier, SIGKILL)
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// Runs blocking work (a pipe read to its end, a process's exit) on a thread of its own. Swift's cooperative pool has
/// one thread per core, two here: blocking one of them stalls every test running beside it.
func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

/// Runs a script of `Tests/python/` with the project's `.venv` Python (or `$HOOKCTL_PYTHON`); returns its exit status
/// and stdout.
func runPython(_ script: String, _ arguments: [String], in folder: String) async throws -> (code: Int32, stdout: String) {
    let python = ProcessInfo.processInfo.environment["HOOKCTL_PYTHON"] ?? CLI.packageRoot + "/.venv/bin/python3"
    guard FileManager.default.isExecutableFile(atPath: python) else {
        throw SetupError("Python not found at \(python): run .ci/run (it creates .venv) or set HOOKCTL_PYTHON")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [CLI.packageRoot + "/Tests/python/" + script] + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = await offPool {
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

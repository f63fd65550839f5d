import Foundation
import NIOHTTP1
import Testing

@testable import HookSandbox

/// Runs the real `destinelab` (PyPI 1.14) and `requests` against the sandbox, as the reference notebook does.
struct PythonClientTests {
    /// `$HOOKCTL_PYTHON`, else `<package root>/.venv/bin/python3`.
    static var python: URL {
        if let path = ProcessInfo.processInfo.environment["HOOKCTL_PYTHON"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return packageRoot.appendingPathComponent(".venv/bin/python3")
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs a script of `Tests/python` with arguments; returns exit status and combined output.
    static func runPython(_ script: String, _ arguments: [String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = python
        process.arguments = [packageRoot.appendingPathComponent("Tests/python/\(script)").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Bounded: a script still running after 120 s is ended, and the test then fails on its exit status.
        let watchdog = Task.detached {
            try? await Task.sleep(for: .seconds(120))
            if !Task.isCancelled, process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        // Drained until end of file, then the exit status is read.
        let data = await offPool {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func `the destinelab client logs in, validates its token and runs the notebook's order flow`() async throws {
        let python = Self.python
        try #require(
            FileManager.default.isExecutableFile(atPath: python.path),
            "Python not found at \(python.path): create it with `python3 -m venv .venv && .venv/bin/pip install 'moto[server]' destinelab==1.14 requests` or set HOOKCTL_PYTHON"
        )
        let configuration = SandboxConfiguration(pace: .milliseconds(300), users: [("otpuser", "otppass")], otps: ["otpuser": "654321"])
        try await Harness.with(configuration) { h in
            let (status, output) = try await Self.runPython("destinelab_notebook.py", [h.base])
            #expect(status == 0, "\(output)")
            #expect(output.contains("OK destinelab"), "\(output)")
        }
    }
}

/// Runs blocking work (a pipe read to its end, a process's exit) on a thread of its own. Swift's cooperative pool has
/// one thread per core, two here: blocking one of them stalls every test running beside it.
func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

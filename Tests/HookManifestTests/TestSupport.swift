import Foundation
import Testing

@testable import HookManifest

/// YAML text with a `1️⃣` marker where a diagnostic is expected; `location` is that spot (1-based, in scalars).
struct MarkedYAML {
    let text: String
    let line: Int
    let column: Int

    init(_ marked: String) {
        var line = 1
        var column = 1
        var found: (Int, Int)?
        var text = ""
        var rest = Substring(marked)
        while let c = rest.first {
            if rest.hasPrefix("1️⃣") {
                found = (line, column)
                rest = rest.dropFirst("1️⃣".count)
                continue
            }
            text.append(c)
            if c == "\n" {
                line += 1
                column = 1
            } else {
                column += c.unicodeScalars.count
            }
            rest = rest.dropFirst()
        }
        self.text = text
        self.line = found?.0 ?? 0
        self.column = found?.1 ?? 0
    }
}

/// Decodes one manifest text as file `m.yaml` with no project (or with `project`).
func decode(_ text: String, file: String = "m.yaml", project: ProjectContext = .noProject, environment: [String: String] = [:]) -> FileOutcome {
    ManifestFile(path: file, project: project, environment: environment, limits: YAMLLimits()).decode(Array(text.utf8))
}

func decodeBytes(_ bytes: [UInt8], limits: YAMLLimits = YAMLLimits()) -> FileOutcome {
    ManifestFile(path: "m.yaml", project: .noProject, environment: [:], limits: limits).decode(bytes)
}

/// A minimal valid order; `spec` lines are appended under `spec:` (indented by two spaces by the caller).
func order(name: String = "s2-t47vlh", spec: String = "") -> String {
    """
    apiVersion: hookctl/v1
    kind: Order
    metadata:
      name: \(name)
    spec:
      workflow: data-harvest
      identifiers: [S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE]
      source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}
    \(spec)
    """
}

/// The package root, found from this file's path.
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let fixtures: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// A fresh temporary folder holding the given files (relative path -> text).
func temporaryFolder(_ files: [String: String]) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("hookctl-tests-\(UUID().uuidString)")
    for (path, text) in files {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    return root.path
}

/// Python for schema checks: `$HOOKCTL_PYTHON`, else `<package root>/.venv/bin/python3`. Missing Python is a failure.
func python() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["HOOKCTL_PYTHON"], !explicit.isEmpty { return explicit }
    let venv = packageRoot.appendingPathComponent(".venv/bin/python3").path
    guard FileManager.default.isExecutableFile(atPath: venv) else {
        Issue.record("Python not found: set HOOKCTL_PYTHON or create \(venv) (python3 -m venv .venv && .venv/bin/pip install jsonschema)")
        throw PythonMissing()
    }
    return venv
}

struct PythonMissing: Error {}

/// Runs a program with stdout and stderr merged; returns exit status and output.
func run(_ program: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // On a thread of its own: a blocking read on Swift's cooperative pool (one thread per core) stalls the tests beside it.
    let output = await withCheckedContinuation { continuation in
        Thread {
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            continuation.resume(returning: output)
        }.start()
    }
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

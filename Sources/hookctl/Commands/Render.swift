import ArgumentParser
import Foundation
import HookManifest

/// `hookctl render [PATH...]`: print each order body as canonical JSON, secrets as their `${env:NAME}` reference.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print each order body as canonical JSON (secrets shown as their ${env:NAME} reference).",
        discussion: Help.prose(
            """
            Bodies are printed in order-key order, one JSON object after another, exactly as apply would send them \
            but with every secret shown as its ${env:NAME} reference. On invalid input nothing is printed and the \
            exit code is 1. Needs no project file, network or environment.

            Examples:
              hookctl render manifests/s2-t47vlh.yaml
              hookctl render | jq -s 'map(.WorkflowName) | unique'
            """))

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Manifest files or folders (default: manifests/, else the project file's folder).")
    var paths: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let workspace = loadWorkspace(
            paths: paths, projectFile: global.project, profile: global.profile, environment: environment, warnings: !global.quiet)
        let output = DiagnosticOutput(global: global, environment: environment)
        if workspace.hasErrors {
            output.report(workspace.diagnostics)
            if global.format == .json { output.writeStdout(Diagnostic.jsonArray(output.visible(workspace.diagnostics))) }
            throw ExitCode.error
        }
        output.report(workspace.diagnostics)
        // Each body's text was built on the loader's worker threads; write them with writev(2), no big copy.
        let bodies = workspace.renderedBodies(environment: environment)
        // The process ends right after this: let the OS reclaim the thousands of small objects of a big workspace
        // instead of freeing them one by one (measurably faster on large runs; see docs/manifests.md).
        _ = Unmanaged.passRetained(WorkspaceBox(workspace))
        Self.writeAll(bodies)
    }

    /// Writes every buffer to stdout in order, `IOV_MAX` at a time, retrying short writes.
    static func writeAll(_ buffers: [[UInt8]]) {
        var index = 0
        var offset = 0  // bytes of buffers[index] already written
        while index < buffers.count {
            let written: Int = withIOVecs(buffers[index...].prefix(512), skipping: offset) { vecs in
                writev(STDOUT_FILENO, vecs.baseAddress, Int32(vecs.count))
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            var remaining = written
            while index < buffers.count, remaining >= buffers[index].count - offset {
                remaining -= buffers[index].count - offset
                index += 1
                offset = 0
                if remaining == 0 { break }
            }
            offset += remaining
        }
    }

    private static func withIOVecs<R>(_ buffers: ArraySlice<[UInt8]>, skipping offset: Int, _ body: (UnsafeBufferPointer<iovec>) -> R) -> R {
        // Array storage is heap-allocated and stays put while `buffers` holds the arrays, for the whole call.
        var vecs: [iovec] = []
        vecs.reserveCapacity(buffers.count)
        for (i, buffer) in buffers.enumerated() {
            let skip = i == 0 ? offset : 0
            buffer.withUnsafeBytes { raw in
                vecs.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress.map { $0 + skip }), iov_len: raw.count - skip))
            }
        }
        return vecs.withUnsafeBufferPointer(body)
    }
}

/// Holds a workspace that is deliberately never freed (see `Render.run`).
private final class WorkspaceBox {
    let workspace: Workspace
    init(_ workspace: Workspace) { self.workspace = workspace }
}

import ArgumentParser
import Foundation
import HookManifest

/// `hookctl render [PATH...]`: print each order body as canonical JSON, secrets as their `${env:NAME}` reference.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each order body as canonical JSON (secrets shown as their ${env:NAME} reference).",
        discussion: "Bodies are printed in order-key order, one JSON object after another; on invalid input nothing is printed and the exit code is 1.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Manifest files or folders (default: manifests/).")
    var paths: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let workspace = loadWorkspace(paths: paths, projectFile: global.project, profile: global.profile, environment: environment)
        let output = DiagnosticOutput(global: global, environment: environment)
        if workspace.hasErrors {
            output.report(workspace.diagnostics)
            if global.format == .json { output.writeStdout(Diagnostic.jsonArray(output.visible(workspace.diagnostics))) }
            throw ExitCode.error
        }
        output.report(workspace.diagnostics)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(workspace.orders.count * 2048)
        for order in workspace.orders { order.body.writeRendered(environment: environment, into: &bytes) }
        // The process ends right after this: let the OS reclaim the thousands of small objects of a big workspace
        // instead of freeing them one by one (measurably faster on large runs; see docs/manifests.md).
        _ = Unmanaged.passRetained(WorkspaceBox(workspace))
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    break
                }
                offset += written
            }
        }
    }
}

/// Holds a workspace that is deliberately never freed (see `Render.run`).
private final class WorkspaceBox {
    let workspace: Workspace
    init(_ workspace: Workspace) { self.workspace = workspace }
}

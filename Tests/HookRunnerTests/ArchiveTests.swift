import Foundation
import HookCore
import Synchronization
import Testing

@testable import HookRunner

/// Verified downloads (SPEC 8): archives checked and recorded, kept only while size and SHA-256 match, stale ones
/// removed, damaged ones refused; and the expiry of TEMPORARY outputs.
struct ArchiveTests {
    static let downloading = UseCaseProject.twoOrders.replacingOccurrences(of: "  wait: {timeout: 1h}", with: "  wait: {timeout: 1h}\n  download: true")

    static func project(_ script: ScriptedService.Script = .init()) throws -> UseCaseProject {
        try UseCaseProject(script, manifests: ["orders.yaml": downloading])
    }

    static func recorded(_ project: UseCaseProject) throws -> RunState {
        try project.context().bench.stateStore(warn: { _ in }).load()
    }

    @Test func `apply downloads each completed archive, checks it, and records its size and SHA-256`() async throws {
        let project = try Self.project()
        _ = try await project.context().apply(ApplyRequest())
        let alpha = try #require(try Self.recorded(project).orders["alpha"])
        #expect(alpha.outcomes.map(\.product.identifier) == ["ID-A1", "ID-A2"])
        for outcome in alpha.outcomes {
            let path = project.path("downloads/alpha/\(outcome.product.identifier).zip")
            let check = try ArchiveCheck.verify(path)
            #expect(outcome.product.sha256 == check.sha256)
            #expect(outcome.product.size == check.size)
        }
        // beta does not ask for downloads.
        #expect(!FileManager.default.fileExists(atPath: project.path("downloads/beta")))
        #expect(project.service.script.withLock { $0.downloads.count } == 2)
        #expect(try project.read("hookctl.sandbox.lock").contains("\"sha256\""))
    }

    @Test func `an archive whose size differs from the service's ProcessedSize is kept with one warning`() async throws {
        var script = ScriptedService.Script()
        script.processedSize = 779_499_257
        let project = try Self.project(script)
        #expect(try await project.context().apply(ApplyRequest()).verdict == .done)
        let alpha = try #require(try Self.recorded(project).orders["alpha"])
        #expect(alpha.outcomes.allSatisfy { $0.product.processedSize == 779_499_257 && $0.product.sha256 != nil })
        let warnings = project.log.warnings.filter { $0.contains("ProcessedSize") }
        #expect(warnings.count == 2, "\(project.log.warnings)")
        let size = try #require(alpha.outcomes.first?.product.size)
        #expect(
            warnings.first
                == "alpha: downloads/alpha/ID-A1.zip has \(size) bytes where the service's ProcessedSize says 779499257; kept, as the service does not promise they match and the archive's own checks passed"
        )
        #expect(try project.read("hookctl.sandbox.lock").contains("\"processedSize\": 779499257"))
    }

    @Test func `a second apply keeps intact archives, and fetches again one damaged or truncated on disk`() async throws {
        let project = try Self.project()
        _ = try await project.context().apply(ApplyRequest())
        let lock = try project.read("hookctl.sandbox.lock")
        let second = try await project.context().apply(ApplyRequest())
        #expect(second.nothingToDo)
        #expect(project.service.script.withLock { $0.downloads.count } == 2)

        let first = project.path("downloads/alpha/ID-A1.zip")
        let intact = try Data(contentsOf: URL(fileURLWithPath: first))
        try Data(TestZip.damaged(Array(intact))).write(to: URL(fileURLWithPath: first))
        let third = try await project.context().apply(ApplyRequest())
        #expect(!third.nothingToDo)
        #expect(project.service.script.withLock { $0.downloads.count } == 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == intact)

        try Data(intact.prefix(100)).write(to: URL(fileURLWithPath: first))
        _ = try await project.context().apply(ApplyRequest())
        #expect(project.service.script.withLock { $0.downloads.count } == 4)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == intact)
        #expect(try project.read("hookctl.sandbox.lock") == lock)
    }

    @Test func `a damaged download is refused, not kept and not recorded, and the run fails with one line per archive`() async throws {
        var script = ScriptedService.Script()
        script.archive = { id in TestZip.damaged(TestZip.archive(["product-\(id).txt": Array("product \(id)\n".utf8)])) }
        let project = try Self.project(script)
        let error = await #expect(throws: RunnerError.self) { try await project.context().apply(ApplyRequest()) }
        #expect(error.map { "\($0.localizedDescription)" }?.contains("2 archives could not be downloaded") == true)
        #expect(!FileManager.default.fileExists(atPath: project.path("downloads/alpha/ID-A1.zip")))
        let warnings = project.log.all.compactMap { if case .warning(let text) = $0 { text } else { nil } }
        #expect(warnings.filter { $0.contains("is damaged") && $0.hasSuffix("; not kept") }.count == 2)
        let alpha = try #require(try Self.recorded(project).orders["alpha"])
        #expect(alpha.isSuccessful)
        #expect(alpha.outcomes.allSatisfy { $0.product.sha256 == nil })
    }

    @Test func `files that are no longer an item's latest output are removed, one line each`() async throws {
        let project = try Self.project()
        try project.write("downloads/alpha/ID-OLD.zip", "stale")
        try project.write("downloads/alpha/ID-A1.zip.part", "partial")
        _ = try await project.context().apply(ApplyRequest())
        #expect(!FileManager.default.fileExists(atPath: project.path("downloads/alpha/ID-OLD.zip")))
        #expect(FileManager.default.fileExists(atPath: project.path("downloads/alpha/ID-A1.zip.part")))
        #expect(project.log.all.contains(.removedStale(key: "alpha", path: "downloads/alpha/ID-OLD.zip")))
    }

    @Test func `an output about to expire is not warned of once its archive is kept on disk`() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var script = ScriptedService.Script()
        script.expires = start.addingTimeInterval(2 * 86_400)
        let project = try Self.project(script)
        var context = try project.context()
        context.now = { start }
        _ = try await context.apply(ApplyRequest())
        let warnings = { project.log.all.compactMap { if case .warning(let text) = $0 { text } else { nil } } }
        // alpha's two archives are on disk; beta asks for no download, and apply looks at download orders only.
        #expect(warnings().filter { $0.contains("expires on") }.isEmpty, "\(warnings())")
        // Listing them says so for each, kept or not: the service's copy expires all the same.
        _ = try await context.outputs()
        #expect(warnings().filter { $0.contains("expires on") }.count == 3, "\(warnings())")
    }

    @Test func `outputs warns of an expiry within 3 days, says expired after it, and never fails for it`() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var script = ScriptedService.Script()
        script.expires = start.addingTimeInterval(2 * 86_400)
        let project = try UseCaseProject(script)
        var context = try project.context()
        context.now = { start }
        _ = try await context.apply(ApplyRequest())
        let listed = try await context.outputs()
        #expect(listed.map(\.expires) == Array(repeating: script.expires, count: 3))
        #expect(listed.allSatisfy { !$0.expired })
        let warnings = { project.log.all.compactMap { if case .warning(let text) = $0 { text } else { nil } } }
        #expect(warnings().filter { $0.contains("expires on 2027-01-17T08:00:00Z (in 48 h)") }.count == 3)

        context.now = { start.addingTimeInterval(3 * 86_400) }
        let later = try await context.outputs()
        #expect(later.allSatisfy { $0.expired })
        #expect(later.first?.cells.last == "expired 2027-01-17T08:00:00Z")
        #expect(warnings().filter { $0.hasSuffix("its output expired on 2027-01-17T08:00:00Z") }.count == 3)
        // An expired archive that is not on disk is not fetched: a warning, not a failure.
        try await context.downloadOutputs(into: project.path("fetched"))
        #expect(project.service.script.withLock { $0.downloads.isEmpty })
    }
}

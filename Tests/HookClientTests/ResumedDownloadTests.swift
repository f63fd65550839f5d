import Foundation
import HookCore
import HookS3
import HookSandbox
import Logging
import NIOCore
import Synchronization
import Testing

@testable import HookClient

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Product downloads against the sandbox: streamed to a file, resumed with `Range` from a partial file.
struct ResumedDownloadTests {
    static let identifier = "S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE"

    static func completedOrder(_ service: HookService, identifier: String = identifier) async throws -> (order: Int, product: Int) {
        let body = """
            {"Name": "download-test", "WorkflowName": "data-harvest", "IdentifierList": ["\(identifier)"],
             "WorkflowOptions": [{"Name": "output_storage", "Value": "TEMPORARY"}, {"Name": "source_type", "Value": "DESP"},
               {"Name": "desp_source_username", "Value": "demo"}, {"Name": "desp_source_password", "Value": "demo"},
               {"Name": "desp_source_collection", "Value": "EO.ESA.DAT.SENTINEL-2.MSI.L1C"}]}
            """
        let order = try await service.submitOrder(json: Array(body.utf8))
        for _ in 0..<1200 {  // a minute at most: a hang guard, not a timing assertion
            let items = try await service.products(batchOrderID: order.id)
            if let item = items.first, item.status.rawValue == "completed" { return (order.id, item.id) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SetupFailed()
    }

    struct SetupFailed: Error {}

    /// Runs `body` with a client of a fresh sandbox (stopped afterwards) and a scratch folder.
    static func withSandbox(_ body: (RunningSandbox, HookService, URL) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let sandbox = try await RunningSandbox.start(SandboxConfiguration(pace: .milliseconds(200)), logger: logger)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookctl-dl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = ServiceConfiguration(
            serviceURL: sandbox.serviceURL, identity: IdentityConfiguration(despURL: sandbox.despURL, dedlTokenURL: sandbox.dedlTokenURL),
            credentials: .desp(username: "demo", password: Secret("demo"), otp: nil))
        do {
            try await HookService.with(configuration, logger: logger) { try await body(sandbox, $0, folder) }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    @Test func `a download resumes from a partial file and ends identical to a whole one`() async throws {
        try await Self.withSandbox { _, service, folder in
            let (order, product) = try await Self.completedOrder(service)
            let whole = folder.appendingPathComponent("whole.zip")
            let size = try await service.downloadProduct(batchOrderID: order, productID: product, to: whole)
            let bytes = try Data(contentsOf: whole)
            #expect(size == Int64(bytes.count) && size > 100)
            #expect(bytes.prefix(2) == Data("PK".utf8))

            let resumed = folder.appendingPathComponent("resumed.zip")
            try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: resumed.path + ".part"))
            let progress = ProgressLog()
            let observer = Collecting()
            let resumedSize = try await service.downloadProduct(
                batchOrderID: order, productID: product, to: resumed, expectedSize: size, observer: observer, progress: progress.record)
            #expect(resumedSize == size)
            #expect(try Data(contentsOf: resumed) == bytes)
            #expect(observer.bytes == Array(bytes), "the observer saw the partial file read back, then the rest, once")
            #expect(observer.secondLane == Array(bytes), "and so did its second lane")
            #expect(!FileManager.default.fileExists(atPath: resumed.path + ".part"))
            #expect(progress.first.map { $0 > Int64(bytes.count / 3) } == true, "resumed after the partial bytes")

            let wrongSize = folder.appendingPathComponent("wrong.zip")
            await #expect(throws: ClientError.self) {
                try await service.downloadProduct(batchOrderID: order, productID: product, to: wrongSize, expectedSize: size + 1)
            }
            #expect(!FileManager.default.fileExists(atPath: wrongSize.path))
        }
    }
}

extension ResumedDownloadTests {
    @Test func `a redirect to the product's temporary URL is followed, and resumed with Range`() async throws {
        try await Self.withSandbox { sandbox, service, folder in
            let (order, product) = try await Self.completedOrder(service)
            let direct = folder.appendingPathComponent("direct.zip")
            let size = try await service.downloadProduct(batchOrderID: order, productID: product, to: direct)
            var request = URLRequest(url: sandbox.baseURL.appendingPathComponent("sandbox/faults"))
            request.httpMethod = "POST"
            request.httpBody = Data(#"{"redirectDownloads": true}"#.utf8)
            _ = try await URLSession.shared.data(for: request)

            let redirected = folder.appendingPathComponent("redirected.zip")
            try Data(contentsOf: direct).prefix(Int(size) / 2).write(to: URL(fileURLWithPath: redirected.path + ".part"))
            #expect(try await service.downloadProduct(batchOrderID: order, productID: product, to: redirected, expectedSize: size) == size)
            #expect(try Data(contentsOf: redirected) == Data(contentsOf: direct))
            let stats =
                try JSONSerialization.jsonObject(with: try await URLSession.shared.data(from: sandbox.baseURL.appendingPathComponent("sandbox/stats")).0)
                as? [String: Any]
            let routes = (stats?["requests"] as? [[String: Any]] ?? []).map { "\($0["route"] ?? "") \($0["status"] ?? "")" }
            #expect(routes.contains("/odata/v1/BatchOrder({id})/Product({id})/$value 302"), "\(routes)")
            #expect(routes.contains("/swift/v1/tmp-storage/{file} 206"), "\(routes)")
        }
    }

    @Test func `a download of many blocks reaches the file and every lane of the observer whole and in order`() async throws {
        try await Self.withSandbox { sandbox, service, folder in
            // More blocks than the writer has in flight, and a last one that is not full: blocks are reused. The
            // declared size is the archive's.
            let size = BlockWriter.blockSize * (BlockWriter.blockCount + 2) + 12_345
            let identifier = "S2B_MSIL1C_20230911T050701_N0509_R019_T47VLH_20230911T074321.SAFE"
            var request = URLRequest(url: sandbox.baseURL.appendingPathComponent("sandbox/catalogue"))
            request.httpMethod = "POST"
            request.httpBody = Data(#"{"collection": "EO.ESA.DAT.SENTINEL-2.MSI.L1C", "identifiers": ["\#(identifier)"], "size": \#(size)}"#.utf8)
            _ = try await URLSession.shared.data(for: request)
            let (order, product) = try await Self.completedOrder(service, identifier: identifier)

            let plain = folder.appendingPathComponent("plain.zip")
            #expect(try await service.downloadProduct(batchOrderID: order, productID: product, to: plain) == Int64(size))
            let bytes = try Data(contentsOf: plain)
            #expect(bytes.count == size)

            let observed = folder.appendingPathComponent("observed.zip")
            let observer = Collecting()
            #expect(try await service.downloadProduct(batchOrderID: order, productID: product, to: observed, observer: observer) == Int64(size))
            #expect(try Data(contentsOf: observed) == bytes)
            #expect(observer.bytes == Array(bytes))
            #expect(observer.secondLane == Array(bytes))
        }
    }

    @Test func `a block that cannot be written fails the download, however many blocks the lanes still hold`() async throws {
        try #require(FileManager.default.fileExists(atPath: "/dev/full"), "a Linux machine has /dev/full, whose writes fail")
        let observer = Collecting()
        let writer = BlockWriter(try FileWriter(path: "/dev/full", truncate: false), observer: observer)
        let piece = ByteBuffer(repeating: 7, count: 100_000)
        var failure: FileError?
        do {
            for _ in 0..<(BlockWriter.blockCount * 12) { try await writer.append(piece) }  // about 5 MiB
            try await writer.close()
        } catch {
            failure = error
            try? await writer.close()
        }
        #expect(failure?.reason.contains("No space left") == true, "\(String(describing: failure))")
    }

    @Test func `the bearer token goes only to the service's own origin`() {
        #expect(HookService.sameOrigin("https://odp.example/odata/v1/x", "https://odp.example:443/odata/v1/BatchOrder(1)"))
        #expect(!HookService.sameOrigin("https://s3.central.example/swift/v1/tmp-storage/a.zip", "https://odp.example/odata/v1/"))
        #expect(!HookService.sameOrigin("http://odp.example/x", "https://odp.example/x"))
        #expect(!HookService.sameOrigin("http://127.0.0.1:8081/x", "http://127.0.0.1:8080/x"))
    }
}

final class ProgressLog: Sendable {
    private let values = Mutex<[Int64]>([])
    var first: Int64? { values.withLock { $0.first } }
    func record(_ written: Int64, _ total: Int64?) { values.withLock { $0.append(written) } }
}

/// An observer with two lanes that each keep every byte they are shown.
final class Collecting: DownloadObserver {
    private(set) var bytes: [UInt8] = [0xFF]  // restart must clear it
    private(set) var secondLane: [UInt8] = [0xFF]
    func restart() {
        bytes = []
        secondLane = []
    }
    var lanes: Int { 2 }
    func observe(_ bytes: UnsafeRawBufferPointer, lane: Int) {
        if lane == 0 { self.bytes += bytes } else { secondLane += bytes }
    }
}

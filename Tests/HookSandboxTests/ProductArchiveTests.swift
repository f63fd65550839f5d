import Foundation
import HookCore
import NIOCore
import Testing

@testable import HookSandbox

/// Product archives of any size: CRCs combined without the bytes, streamed ranges, and archives Python's zipfile accepts.
struct ProductArchiveTests {
    private static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test func `combining the CRCs of two runs gives the CRC of both`() {
        for seed in UInt64(1)...200 {
            var generator = SeededGenerator(seed: seed)
            let bytes = Self.randomBytes(Int(generator.next() % 3000), seed: seed)
            let cut = bytes.isEmpty ? 0 : Int(generator.next() % UInt64(bytes.count + 1))
            let combined = CRC32.combine(CRC32.checksum(Array(bytes[..<cut])), CRC32.checksum(Array(bytes[cut...])), length2: bytes.count - cut)
            #expect(combined == CRC32.checksum(bytes), "seed \(seed), cut \(cut) of \(bytes.count)")
        }
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)  // the CRC-32 check value
    }

    @Test func `the CRC of a repeated block equals the CRC of the bytes written out`() {
        for blockSize in 1...9 {
            let block = Self.randomBytes(blockSize, seed: UInt64(blockSize))
            for size in 0...(blockSize * 70) {
                let written = (0..<size).map { block[$0 % blockSize] }
                #expect(CRC32.checksum(repeating: block, size: size) == CRC32.checksum(written), "block \(blockSize), size \(size)")
            }
        }
    }

    @Test func `any range of a sized archive equals the same bytes of the archive built whole`() throws {
        let archive = ProductArchive(
            orderID: 7, itemID: 9, identifier: "S2A_BIG.SAFE", workflow: "data-harvest", processedName: "S2A_BIG.SAFE",
            declaredSize: 2 * ProductArchive.blockSize + 12_345)
        let whole = archive.bytes
        #expect(whole.count == archive.count)
        #expect(archive.crc == CRC32.checksum(whole))
        let block = ProductArchive.blockSize
        for range in [0..<10, 100..<(block + 300), (block - 5)..<(2 * block + 5), (archive.count - 40)..<archive.count, 0..<archive.count] {
            let pieces = archive.buffers(in: range)
            #expect(pieces.allSatisfy { $0.readableBytes <= block })
            #expect(pieces.flatMap { Array($0.readableBytesView) } == Array(whole[range]), "range \(range)")
        }
    }

    @Test func `the size worked out without building an archive is the built archive's`() {
        for (item, declared) in [(1, nil), (2, nil), (3, 0), (4, 5), (5, 2 * ProductArchive.blockSize + 3)] as [(Int, Int?)] {
            for (identifier, workflow, processed) in [
                ("S2A_X.SAFE", "data-harvest", "S2A_X.SAFE"), ("S1A_Y.SAFE", "sen2cor", "S1A_Y_L2A"), ("a&b<c>", "data-harvest", "a&b<c>"),
            ] {
                let built = ProductArchive(
                    orderID: 40 + item, itemID: item, identifier: identifier, workflow: workflow, processedName: processed, declaredSize: declared)
                let size = ProductArchive.size(
                    orderID: 40 + item, itemID: item, identifier: identifier, workflow: workflow, processedName: processed, declaredSize: declared)
                #expect(size == built.count, "\(identifier), item \(item), declared \(declared.map(String.init) ?? "none")")
            }
        }
    }

    @Test func `small and sized archives are valid ZIP files, a sized one of the declared size`() async throws {
        let python = PythonClientTests.python
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "Python not found at \(python.path)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("archive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for declared in [nil, 0, 5, 3 * ProductArchive.blockSize + 1] as [Int?] {
            let archive = ProductArchive(
                orderID: 1, itemID: 2, identifier: "S2B_X.SAFE", workflow: "data-harvest", processedName: "S2B_X.SAFE", declaredSize: declared)
            let file = folder.appendingPathComponent("\(declared ?? -1).zip")
            try Data(archive.bytes).write(to: file)
            let (status, output) = try await PythonClientTests.runPython("check_zip.py", [file.path])
            #expect(status == 0, "\(output)")
            if let declared {
                // Headers and the manifest take a few hundred bytes: a smaller declared size leaves no data.
                let overhead = ProductArchive(
                    orderID: 1, itemID: 2, identifier: "S2B_X.SAFE", workflow: "data-harvest", processedName: "S2B_X.SAFE", declaredSize: 0
                ).count
                #expect(archive.count == max(declared, overhead))
                #expect(output.contains("\"S2B_X.SAFE/measurement/data.bin\": \(max(0, declared - overhead))"), "\(output)")
            } else {
                #expect(output.contains("\"S2B_X.SAFE/manifest.safe\""), "\(output)")
            }
        }
    }

    @Test func `a catalogue item with a declared size is ordered and downloaded whole and in ranges`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let size = 3 * ProductArchive.blockSize + 77
            let added = try await h.post(
                "/sandbox/catalogue", json: #"{"collection":"EO.ESA.DAT.SENTINEL-2.MSI.L1C","identifiers":["S2A_BIG.SAFE"],"size":\#(size)}"#)
            #expect(added.status == 201, "\(added.text)")
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(identifiers: ["S2A_BIG.SAFE"]), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let item = try #require(try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json?["value"]?.arrayValue?.first)
            let itemID = try #require(item["Id"]?.intValue)
            let full = try await h.get("/odata/v1/BatchOrder(\(id))/Product(\(itemID))/%24value", token: token)
            #expect(full.status == 200)
            #expect(full.body.count == size, "the declared size is the archive's")
            #expect(item["ProcessedSize"] == .integer(full.body.count))
            #expect(full.header("Content-Length") == String(full.body.count))
            let lower = ProductArchive.blockSize - 3
            let part = try await h.get("/odata/v1/BatchOrder(\(id))/Product(\(itemID))/%24value", token: token, headers: [("Range", "bytes=\(lower)-")])
            #expect(part.status == 206)
            #expect(part.body == Array(full.body[lower...]))

            let tooBig = try await h.post(
                "/sandbox/catalogue", json: #"{"collection":"EO.ESA.DAT.SENTINEL-2.MSI.L1C","count":1,"size":\#(ProductArchive.maxDeclaredSize + 1)}"#)
            #expect(tooBig.status == 400)
            #expect(tooBig.text.contains("'size'"))
        }
    }
}

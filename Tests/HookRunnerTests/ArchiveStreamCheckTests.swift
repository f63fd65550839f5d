import Foundation
import HookClient
import HookCore
import Testing
import ZIPFoundation

@testable import HookRunner

/// Archives checked while they are downloaded (SPEC 8): the same SHA-256 and CRC verdicts as reading the file back,
/// without reading back what the stream vouched for.
struct ArchiveStreamCheckTests {
    static let entries: [String: [UInt8]] = [
        "a/manifest.xml": Array("<manifest/>\n".utf8), "a/empty": [],
        "a/data.bin": (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) },
    ]

    /// Feeds `bytes` to a fresh check in pieces of `piece` bytes, after some unrelated bytes it must forget.
    static func streamed(_ bytes: [UInt8], piece: Int) -> ArchiveStreamCheck {
        let check = ArchiveStreamCheck()
        [UInt8](repeating: 7, count: 100).withUnsafeBytes { check.observe($0) }
        check.restart()
        bytes.withUnsafeBytes { raw in
            for start in stride(from: 0, to: raw.count, by: piece) {
                check.observe(UnsafeRawBufferPointer(rebasing: raw[start..<min(start + piece, raw.count)]))
            }
        }
        return check
    }

    static func file(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stream-check-\(UUID().uuidString).zip").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [1, 7, 4096, 1 << 20])
    func `a stored archive is vouched for entry by entry, with the SHA-256 of reading it back`(piece: Int) throws {
        let bytes = TestZip.archive(Self.entries)
        let path = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let check = Self.streamed(bytes, piece: piece)
        #expect(check.walk.reachedEnd)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        for (index, entry) in archive.enumerated() {
            #expect(check.checkedCRC(of: entry, at: index) == entry.checksum, "\(entry.path)")
        }
        #expect(try ArchiveCheck.verify(path, streamed: check) == ArchiveCheck.verify(path))
    }

    @Test func `a damaged entry seen on the way fails as reading it back does`() throws {
        let bytes = TestZip.damaged(TestZip.archive(Self.entries))
        let path = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ArchiveCheck.Failure.self) { try ArchiveCheck.verify(path) }
        let error = #expect(throws: ArchiveCheck.Failure.self) { try ArchiveCheck.verify(path, streamed: Self.streamed(bytes, piece: 1000)) }
        #expect(error?.description.contains("is damaged") == true)
    }

    @Test func `what the stream did not see whole is read back`() throws {
        let bytes = TestZip.archive(Self.entries)
        let path = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let partial = Self.streamed(Array(bytes.prefix(bytes.count / 2)), piece: 4096)
        #expect(!partial.walk.reachedEnd)
        // Its size is not the file's: neither its hash nor its CRCs are taken.
        #expect(try ArchiveCheck.verify(path, streamed: partial) == ArchiveCheck.verify(path))
        let compressed = try Archive(data: Data(), accessMode: .create)
        try compressed.addEntry(
            with: "x.txt", type: .file, uncompressedSize: 10_000, modificationDate: TestZip.fixedDate, compressionMethod: .deflate
        ) { position, size in Data(repeating: UInt8(position % 251), count: size) }
        let deflated = Array(try #require(compressed.data))
        let check = Self.streamed(deflated, piece: 333)
        let archive = try Archive(data: Data(deflated), accessMode: .read)
        #expect(archive.enumerated().allSatisfy { check.checkedCRC(of: $0.element, at: $0.offset) == nil })
    }

    @Test func `the CRC-32 equals the reference one on any length, alignment and split`() {
        var crc = HookCore.CRC32()
        Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
        #expect(crc.value == 0xCBF4_3926)
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }
        // Below and above the 64 bytes where carry-less folding starts, off 16-byte alignment, with a tail.
        let ranges =
            [(0, 0), (1, 18), (3, 4999), (0, 5000), (15, 33)] + (0..<17).flatMap { start in [63, 64, 65, 80, 127, 128, 200].map { (start, start + $0) } }
        for (start, end) in ranges {
            var whole = HookCore.CRC32()
            bytes.withUnsafeBytes { whole.update(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
            #expect(whole.value == Data(bytes[start..<end]).crc32(checksum: 0), "bytes \(start)..<\(end)")
        }
        // Streamed in uneven pieces, as a download hands them over.
        var streamed = HookCore.CRC32()
        var start = 0
        for piece in [1, 70, 64, 3, 1000, 129, 16, 2000] {
            bytes.withUnsafeBytes { streamed.update(UnsafeRawBufferPointer(rebasing: $0[start..<(start + piece)])) }
            start += piece
        }
        bytes.withUnsafeBytes { streamed.update(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        #expect(streamed.value == Data(bytes).crc32(checksum: 0))
        #expect(
            HookCore.CRC32.combine(HookCore.CRC32.checksum(Array(bytes[..<1234])), HookCore.CRC32.checksum(Array(bytes[1234...])), length2: 5000 - 1234)
                == streamed.value)
    }
}

import Foundation
import ZIPFoundation

/// Zip archives for download tests, written by ZIPFoundation (stored entries, so a flipped byte is a CRC error).
enum TestZip {
    /// Entries carry this date, so the same entries always give the same bytes (the default is the current time).
    static let fixedDate = Date(timeIntervalSince1970: 1_694_304_000)

    static func archive(_ entries: [String: [UInt8]]) -> [UInt8] {
        guard let archive = try? Archive(data: Data(), accessMode: .create, pathEncoding: nil) else { return [] }
        for (name, bytes) in entries.sorted(by: { $0.key < $1.key }) {
            try? archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: Self.fixedDate, compressionMethod: .none
            ) { position, size in
                Data(bytes[Int(position)..<Int(position) + size])
            }
        }
        return Array(archive.data ?? Data())
    }

    /// `bytes` with one byte of the first entry's data changed: same size, a CRC that no longer matches.
    static func damaged(_ bytes: [UInt8]) -> [UInt8] {
        var copy = bytes
        // The first local header is 30 bytes plus the name; its data follows.
        let nameLength = Int(copy[26]) | Int(copy[27]) << 8
        copy[30 + nameLength] ^= 0xFF
        return copy
    }
}

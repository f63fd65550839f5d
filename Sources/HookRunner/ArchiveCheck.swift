import Crypto
import Foundation
import HookCore
import ZIPFoundation

/// What a downloaded archive is: its size and SHA-256, once its zip structure and every entry's CRC have been checked.
struct ArchiveCheck: Equatable {
    var size: Int64
    var sha256: String

    /// Why an archive is not kept.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Checks the archive at `path`: its SHA-256, and every entry's CRC-32 against the central directory's.
    /// - Parameter streamed: what was learnt while the file was downloaded, when it saw every byte: its SHA-256 is
    ///   taken, and the entries whose CRC it computed (and whose records it saw where the central directory puts them)
    ///   are not read again. Without it the file is read once for its SHA-256 and once more through its entries.
    /// - Throws: `Failure` when it is not a readable zip or an entry's CRC does not match.
    static func verify(_ path: String, streamed: ArchiveStreamCheck? = nil) throws -> ArchiveCheck {
        let streamed = streamed.flatMap { $0.size == FileWriter.size(of: path) ? $0 : nil }
        let (size, sha256) = try streamed.map { ($0.size, $0.sha256) } ?? digest(path)
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw Failure(description: "not a readable zip archive (\(error))")
        }
        for (index, entry) in archive.enumerated() where entry.type == .file {
            let crc: UInt32
            if let streamed, let seen = streamed.checkedCRC(of: entry, at: index) {
                crc = seen
            } else {
                do {
                    crc = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { _ in }
                } catch {
                    throw Failure(description: "entry \(entry.path) cannot be read (\(error))")
                }
            }
            guard crc == entry.checksum else {
                throw Failure(
                    description: "entry \(entry.path) is damaged (CRC-32 \(String(crc, radix: 16)), its header says \(String(entry.checksum, radix: 16)))")
            }
        }
        return ArchiveCheck(size: size, sha256: sha256)
    }

    /// The file's size and SHA-256 (hex), read in 1 MiB blocks.
    static func digest(_ path: String) throws -> (size: Int64, sha256: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError(path: path, reason: "cannot open for reading") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
            hasher.update(data: block)
            size += Int64(block.count)
        }
        return (size, Hex.string(hasher.finalize()))
    }
}

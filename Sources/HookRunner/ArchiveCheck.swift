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

    /// Reads the file once for its SHA-256 and once more through its zip entries, checking each entry's CRC-32.
    /// - Throws: `Failure` when it is not a readable zip or an entry's CRC does not match.
    static func verify(_ path: String) throws -> ArchiveCheck {
        let (size, sha256) = try digest(path)
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw Failure(description: "not a readable zip archive (\(error))")
        }
        for entry in archive where entry.type == .file {
            let crc: CRC32
            do {
                crc = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { _ in }
            } catch {
                throw Failure(description: "entry \(entry.path) cannot be read (\(error))")
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
        return (size, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }
}

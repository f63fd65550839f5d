import Crypto
import Foundation
import HookClient
import HookCore
import ZIPFoundation

/// Checks an archive as it is downloaded, so that it need not be read back: the SHA-256 of every byte, and the CRC-32
/// of each stored entry's data as it goes past (a zip's local headers say where each entry's data starts and ends),
/// with the central directory and end record noted for `ArchiveCheck.verify` to compare with what it reads. What the
/// walk cannot follow (a compressed entry, sizes given only after the data, ZIP64) is left to be read back.
final class ArchiveStreamCheck: DownloadObserver {
    /// The bytes seen.
    private(set) var size: Int64 = 0
    private var hasher = SHA256()
    private(set) var walk = ZipWalk()

    func restart() {
        size = 0
        hasher = SHA256()
        walk = ZipWalk()
    }

    /// Two lanes that share nothing: the SHA-256 (0), and the byte count with the zip walk (1). A download runs them
    /// on two threads, so a block costs the slower of the two, not both.
    var lanes: Int { 2 }

    func observe(_ bytes: UnsafeRawBufferPointer, lane: Int) {
        if lane == 0 {
            hasher.update(bufferPointer: bytes)
        } else {
            size += Int64(bytes.count)
            walk.feed(bytes)
        }
    }

    /// The SHA-256 of the bytes seen (hex).
    var sha256: String { Hex.string(hasher.finalize()) }
}

/// A zip archive's records followed as its bytes go past: each stored entry's data CRC-32, the central directory's
/// records, and the end record.
struct ZipWalk {
    /// A stored entry's data as it went past: how long it was and its CRC-32.
    struct LocalEntry: Equatable {
        var length: Int64
        var crc: UInt32
    }

    /// A central directory record, as seen in the stream.
    struct CentralEntry: Equatable {
        var localHeader: Int64
        var crc: UInt32
        var compressedSize: Int64
        var size: Int64
        var stored: Bool
    }

    private enum State {
        /// Gathering a record (local header, central record, end record) into `record`.
        case record
        /// A stored entry's data (`length` bytes, of a local header at `header`), `remaining` bytes to go.
        case data(remaining: Int64, length: Int64, crc: HookCore.CRC32, header: Int64)
        /// Data the walk does not check (compressed), skipped.
        case skip(remaining: Int64)
        /// Nothing more to learn: the end record was read, or the walk met what it cannot follow.
        case finished
    }

    /// The bytes walked.
    private var size: Int64 = 0
    /// Stored entries whose data went past, by the offset of their local header.
    private(set) var localEntries: [Int64: LocalEntry] = [:]
    private(set) var centralEntries: [CentralEntry] = []
    /// Where the first central record (or the end record, for an empty archive) was.
    private(set) var directoryOffset: Int64?
    /// Where the end record says the central directory starts; nil until it was read.
    private(set) var declaredDirectoryOffset: Int64?
    private var state = State.record
    private var record: [UInt8] = []
    private var recordStart: Int64 = 0

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        while !rest.isEmpty {
            let taken: Int
            switch state {
            case .finished:
                taken = rest.count
            case .data(let remaining, let length, var crc, let header):
                taken = Int(min(remaining, Int64(rest.count)))
                crc.update(UnsafeRawBufferPointer(rebasing: rest[..<taken]))
                if remaining == Int64(taken) {
                    localEntries[header] = LocalEntry(length: length, crc: crc.value)
                    startRecord(at: size + Int64(taken))
                } else {
                    state = .data(remaining: remaining - Int64(taken), length: length, crc: crc, header: header)
                }
            case .skip(let remaining):
                taken = Int(min(remaining, Int64(rest.count)))
                if remaining == Int64(taken) { startRecord(at: size + Int64(taken)) } else { state = .skip(remaining: remaining - Int64(taken)) }
            case .record:
                guard let wanted = recordLength() else {
                    state = .finished
                    continue
                }
                taken = min(wanted - record.count, rest.count)
                record.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<taken]))
                if record.count == wanted, recordLength() == wanted { endRecord(at: size + Int64(taken)) }
            }
            size += Int64(taken)
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
        }
    }

    /// Whether the walk read the whole archive up to its end record, and that record points where the central
    /// directory was seen.
    var reachedEnd: Bool { declaredDirectoryOffset != nil && declaredDirectoryOffset == directoryOffset }

    // MARK: - Records

    private static let localSignature: UInt32 = 0x0403_4B50
    private static let centralSignature: UInt32 = 0x0201_4B50
    private static let endSignature: UInt32 = 0x0605_4B50

    private mutating func startRecord(at offset: Int64) {
        record.removeAll(keepingCapacity: true)
        recordStart = offset
        state = .record
    }

    /// How long the record being gathered is, as far as its bytes so far tell; nil when it is no record the walk knows.
    private func recordLength() -> Int? {
        guard record.count >= 4 else { return 4 }
        switch le32(0) {
        case Self.localSignature: return record.count < 30 ? 30 : 30 + le16(26) + le16(28)
        case Self.centralSignature: return record.count < 46 ? 46 : 46 + le16(28) + le16(30) + le16(32)
        case Self.endSignature: return record.count < 22 ? 22 : 22 + le16(20)
        default: return nil
        }
    }

    /// Acts on a whole record; `next` is the offset just after it.
    private mutating func endRecord(at next: Int64) {
        switch le32(0) {
        case Self.localSignature:
            let flags = le16(6)
            let method = le16(8)
            let compressed = Int64(le32(18))
            let size = Int64(le32(22))
            // Encrypted, sizes after the data, or ZIP64: the walk cannot tell where the next record starts.
            guard flags & 0x9 == 0, compressed != 0xFFFF_FFFF, size != 0xFFFF_FFFF else {
                state = .finished
                return
            }
            let stored = method == 0 && compressed == size
            if compressed == 0 {
                if stored { localEntries[recordStart] = LocalEntry(length: 0, crc: 0) }
                startRecord(at: next)
            } else if stored {
                state = .data(remaining: compressed, length: compressed, crc: HookCore.CRC32(), header: recordStart)
            } else {
                state = .skip(remaining: compressed)
            }
        case Self.centralSignature:
            if directoryOffset == nil { directoryOffset = recordStart }
            centralEntries.append(
                CentralEntry(
                    localHeader: Int64(le32(42)), crc: le32(16), compressedSize: Int64(le32(20)), size: Int64(le32(24)),
                    stored: le16(10) == 0))
            startRecord(at: next)
        default:  // the end record
            if directoryOffset == nil { directoryOffset = recordStart }
            declaredDirectoryOffset = Int64(le32(16))
            state = .finished
        }
    }

    private func le16(_ at: Int) -> Int { Int(record[at]) | Int(record[at + 1]) << 8 }
    private func le32(_ at: Int) -> UInt32 {
        UInt32(record[at]) | UInt32(record[at + 1]) << 8 | UInt32(record[at + 2]) << 16 | UInt32(record[at + 3]) << 24
    }
}

extension ArchiveStreamCheck {
    /// The CRC-32 computed on the way of the data of `entry`, the `index`th record of the central directory as
    /// ZIPFoundation reads it; nil when the walk cannot vouch that it is that entry's data (the entry is then read back).
    func checkedCRC(of entry: Entry, at index: Int) -> UInt32? {
        guard walk.reachedEnd, index < walk.centralEntries.count, !entry.isCompressed else { return nil }
        let central = walk.centralEntries[index]
        guard central.stored, central.crc == entry.checksum, UInt64(central.compressedSize) == entry.compressedSize,
            UInt64(central.size) == entry.uncompressedSize, let local = walk.localEntries[central.localHeader], local.length == central.size
        else { return nil }
        return local.crc
    }
}

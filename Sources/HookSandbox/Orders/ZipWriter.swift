import HookCore

/// A run of an archive's bytes: literal bytes, or a block repeated (and cut) to a size. A gigabyte of repeated block
/// is described in the block's size, so archives of any size are streamed without being built in memory.
enum ZipSegment: Sendable {
    case bytes([UInt8])
    case repeating([UInt8], size: Int)

    var count: Int {
        switch self {
        case let .bytes(bytes): bytes.count
        case let .repeating(_, size): size
        }
    }

    /// Computed once per entry, by `ZipWriter`.
    var crc: UInt32 {
        switch self {
        case let .bytes(bytes): CRC32.checksum(bytes)
        case let .repeating(block, size): CRC32.checksum(repeating: block, size: size)
        }
    }
}

/// Writes a stored (uncompressed) ZIP archive with fixed timestamps, so the same entries always give the same bytes.
/// Entries stay below 4 GiB each and in all (no ZIP64).
struct ZipWriter {
    static let maxSize = Int(UInt32.max) - (1 << 20)

    private var segments: [ZipSegment] = []
    private var central: [UInt8] = []
    private var offset = 0
    private var count = 0
    /// The CRC-32 of every byte appended so far: the whole archive's once finished.
    private(set) var crc: UInt32 = 0

    /// 2023-09-10 00:00:00 in MS-DOS format.
    private static let dosTime: UInt16 = 0
    private static let dosDate: UInt16 = UInt16((2023 - 1980) << 9 | 9 << 5 | 10)

    mutating func add(_ name: String, _ data: [UInt8]) {
        add(name, .bytes(data))
    }

    /// Adds an entry whose data is `block` repeated to `size` bytes (the last copy cut short).
    mutating func add(_ name: String, repeating block: [UInt8], size: Int) {
        precondition(!block.isEmpty || size == 0, "an empty block cannot fill a size")
        add(name, .repeating(block, size: size))
    }

    private mutating func add(_ name: String, _ data: ZipSegment) {
        precondition(offset + data.count <= Self.maxSize, "ZIP64 archives are not written")
        let nameBytes = Array(name.utf8)
        let crc = data.crc
        let size = UInt32(data.count)
        var local = le32(0x0403_4B50) + le16(20) + le16(0x0800) + le16(0) + le16(Self.dosTime) + le16(Self.dosDate)
        local += le32(crc) + le32(size) + le32(size) + le16(UInt16(nameBytes.count)) + le16(0)
        local += nameBytes
        central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0x0800) + le16(0) + le16(Self.dosTime) + le16(Self.dosDate)
        central += le32(crc) + le32(size) + le32(size) + le16(UInt16(nameBytes.count))
        central += le16(0) + le16(0) + le16(0) + le16(0) + le32(0o100644 << 16) + le32(UInt32(offset))
        central += nameBytes
        append(.bytes(local), crc: CRC32.checksum(local))
        if data.count > 0 { append(data, crc: crc) }
        count += 1
    }

    private mutating func append(_ segment: ZipSegment, crc segmentCRC: UInt32) {
        crc = CRC32.combine(crc, segmentCRC, length2: segment.count)
        offset += segment.count
        if case let .bytes(new) = segment, case let .bytes(previous)? = segments.last {
            segments[segments.count - 1] = .bytes(previous + new)
        } else {
            segments.append(segment)
        }
    }

    /// The size of the archive these entries (name, size of data) make, in this order: what `finish()` gives.
    static func size(entries: [(name: String, size: Int)]) -> Int {
        let names = entries.reduce(0) { $0 + $1.name.utf8.count }
        // Each entry: a 30-byte local header and a 46-byte central one, each with the name; then the 22-byte end.
        return entries.reduce(0) { $0 + $1.size } + 2 * names + (30 + 46) * entries.count + 22
    }

    /// The finished archive, as segments.
    mutating func finish() -> [ZipSegment] {
        var end = central
        end += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count))
        end += le32(UInt32(central.count)) + le32(UInt32(offset)) + le16(0)
        append(.bytes(end), crc: CRC32.checksum(end))
        return segments
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
}

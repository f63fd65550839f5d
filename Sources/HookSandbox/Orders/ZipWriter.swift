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

/// CRC-32 (ISO-HDLC, as in ZIP and zlib), with zlib's combination of the CRCs of two byte runs, which gives the CRC of
/// a block repeated a billion times in a few dozen steps.
enum CRC32 {
    private static let polynomial: UInt32 = 0xEDB8_8320

    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? polynomial ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ data: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// The CRC of `block` repeated to `size` bytes.
    static func checksum(repeating block: [UInt8], size: Int) -> UInt32 {
        guard size > block.count else { return checksum(block.prefix(size)) }
        let (copies, rest) = size.quotientAndRemainder(dividingBy: block.count)
        var result: UInt32 = 0  // the CRC of no bytes
        var power = checksum(block)  // the CRC of 2^i copies
        var powerLength = block.count
        var remaining = copies
        while remaining > 0 {
            if remaining & 1 == 1 { result = combine(result, power, length2: powerLength) }
            remaining >>= 1
            if remaining > 0 {
                power = combine(power, power, length2: powerLength)
                powerLength *= 2
            }
        }
        return combine(result, checksum(block.prefix(rest)), length2: rest)
    }

    /// The CRC of `a + b`, given the CRCs of `a` and of `b`, and the length of `b` (zlib's `crc32_combine`).
    static func combine(_ crc1: UInt32, _ crc2: UInt32, length2: Int) -> UInt32 {
        multiplyModP(xToThe2N(length2, shift: 3), crc1) ^ crc2
    }

    /// a * b modulo the CRC polynomial, in the reflected bit order CRC-32 uses.
    private static func multiplyModP(_ a: UInt32, _ b: UInt32) -> UInt32 {
        guard a != 0 else { return 0 }
        var m: UInt32 = 1 << 31
        var p: UInt32 = 0
        var b = b
        while true {
            if a & m != 0 {
                p ^= b
                if a & (m - 1) == 0 { break }
            }
            m >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ polynomial : b >> 1
        }
        return p
    }

    /// x^(2^k) modulo the polynomial, for k in 0..<32.
    private static let powersOfX: [UInt32] = {
        var p: UInt32 = 1 << 30  // x^1
        var table = [p]
        for _ in 1..<32 {
            p = multiplyModP(p, p)
            table.append(p)
        }
        return table
    }()

    /// x^(n * 2^shift) modulo the polynomial: `shift` 3 turns a byte count into bits.
    private static func xToThe2N(_ n: Int, shift: Int) -> UInt32 {
        var p: UInt32 = 1 << 31  // x^0
        var n = n
        var k = shift
        while n > 0 {
            if n & 1 == 1 { p = multiplyModP(powersOfX[k & 31], p) }
            n >>= 1
            k += 1
        }
        return p
    }
}

/// Writes a stored (uncompressed) ZIP archive with fixed timestamps, so the same entries always give the same bytes.
struct ZipWriter {
    private(set) var bytes: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    /// 2023-09-10 00:00:00 in MS-DOS format.
    private static let dosTime: UInt16 = 0
    private static let dosDate: UInt16 = UInt16((2023 - 1980) << 9 | 9 << 5 | 10)

    mutating func add(_ name: String, _ data: [UInt8]) {
        let nameBytes = Array(name.utf8)
        let crc = CRC32.checksum(data)
        let offset = UInt32(bytes.count)
        bytes += le32(0x0403_4B50) + le16(20) + le16(0x0800) + le16(0) + le16(Self.dosTime) + le16(Self.dosDate)
        bytes += le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count)) + le16(UInt16(nameBytes.count)) + le16(0)
        bytes += nameBytes
        bytes += data
        central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0x0800) + le16(0) + le16(Self.dosTime) + le16(Self.dosDate)
        central += le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count)) + le16(UInt16(nameBytes.count))
        central += le16(0) + le16(0) + le16(0) + le16(0) + le32(0o100644 << 16) + le32(offset)
        central += nameBytes
        count += 1
    }

    /// The finished archive.
    mutating func finish() -> [UInt8] {
        let centralOffset = UInt32(bytes.count)
        var out = bytes + central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count))
        out += le32(UInt32(central.count)) + le32(centralOffset) + le16(0)
        return out
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
}

enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

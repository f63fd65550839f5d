/// CRC-32 (ISO-HDLC, as in ZIP and zlib): computed sixteen bytes a step through sixteen tables ("slicing by 16"),
/// several times as fast as the byte-at-a-time table ZIPFoundation falls back to without zlib; and zlib's combination
/// of the CRCs of two byte runs, which gives the CRC of a block repeated a billion times in a few dozen steps. The
/// runner checks downloaded archives with it, the sandbox writes its archives with it.
public struct CRC32: Sendable {
    private static let polynomial: UInt32 = 0xEDB8_8320

    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 16 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? polynomial ^ (c >> 1) : c >> 1 }
            tables[n] = c
        }
        for n in 0..<256 {
            var c = tables[n]
            for k in 1..<16 {
                c = tables[Int(c & 0xFF)] ^ (c >> 8)
                tables[k * 256 + n] = c
            }
        }
        return tables
    }()

    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The CRC of the bytes so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The CRC of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        bytes.withUnsafeBytes { crc.update($0) }
        return crc.value
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var n = bytes.count
        var c = state
        Self.tables.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            func at(_ k: Int, _ byte: UInt32) -> UInt32 { t[k << 8 | Int(byte)] }
            while n >= 16 {
                let a = p.loadUnaligned(as: UInt32.self).littleEndian ^ c
                let b = p.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
                let d = p.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
                let e = p.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian
                let first = at(15, a & 0xFF) ^ at(14, a >> 8 & 0xFF) ^ at(13, a >> 16 & 0xFF) ^ at(12, a >> 24)
                let second = at(11, b & 0xFF) ^ at(10, b >> 8 & 0xFF) ^ at(9, b >> 16 & 0xFF) ^ at(8, b >> 24)
                let third = at(7, d & 0xFF) ^ at(6, d >> 8 & 0xFF) ^ at(5, d >> 16 & 0xFF) ^ at(4, d >> 24)
                let fourth = at(3, e & 0xFF) ^ at(2, e >> 8 & 0xFF) ^ at(1, e >> 16 & 0xFF) ^ at(0, e >> 24)
                c = first ^ second ^ third ^ fourth
                p += 16
                n -= 16
            }
            while n > 0 {
                c = t[Int((c ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                p += 1
                n -= 1
            }
        }
        state = c
    }

    /// The CRC of `block` repeated to `size` bytes.
    public static func checksum(repeating block: [UInt8], size: Int) -> UInt32 {
        guard size > block.count else { return checksum(Array(block.prefix(size))) }
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
        return combine(result, checksum(Array(block.prefix(rest))), length2: rest)
    }

    /// The CRC of `a + b`, given the CRCs of `a` and of `b`, and the length of `b` (zlib's `crc32_combine`).
    public static func combine(_ crc1: UInt32, _ crc2: UInt32, length2: Int) -> UInt32 {
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

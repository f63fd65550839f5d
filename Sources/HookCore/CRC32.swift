import CRC32Kernel

/// CRC-32 (ISO-HDLC, as in ZIP and zlib), computed by the CRC32Kernel C target (carry-less multiplication where the
/// processor has it, else the system's zlib): streamed updates, and the combination of the CRCs of two byte runs,
/// which gives the CRC of a block repeated a billion times in a few dozen steps. The runner checks downloaded archives
/// with it, the sandbox writes its archives with it.
public struct CRC32: Sendable {
    /// The CRC of the bytes so far.
    public private(set) var value: UInt32 = 0

    public init() {}

    /// The CRC of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        bytes.withUnsafeBytes { crc.update($0) }
        return crc.value
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        value = hookctl_crc32(value, base, bytes.count)
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
        hookctl_crc32_combine(crc1, crc2, Int64(length2))
    }
}

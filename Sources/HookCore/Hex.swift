/// Lower-case hexadecimal, the one spelling of digests and signatures everywhere (body digests, SHA-256 of archives
/// and plans, SigV4 and temp-URL signatures).
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends two digits per byte to `out`.
    public static func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes, into out: inout [UInt8]) {
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
    }

    /// Two digits per byte.
    public static func string<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        append(bytes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

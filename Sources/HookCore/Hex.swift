/// Lower-case hexadecimal, the one spelling of digests and signatures everywhere (body digests, SHA-256 of archives
/// and plans, SigV4 and temp-URL signatures).
public enum Hex {
    /// Appends two digits per byte to `out`. Inlinable, so that callers get it specialized for their byte sequence
    /// (a body digest's 32 bytes went through the generic iterator one witness call at a time).
    /// No `reserveCapacity` here: `CanonicalJSON` calls it for each escaped control byte of a growing buffer, and
    /// reserving exact room on every call would defeat the array's doubling.
    @inlinable public static func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes, into out: inout [UInt8]) {
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte & 0x0F))
        }
    }

    /// The lower-case digit of a value below 16.
    @inlinable static func digit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x57 + value }

    /// Two digits per byte.
    public static func string<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        append(bytes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

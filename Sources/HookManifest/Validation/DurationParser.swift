/// SPEC's durations: a positive integer and one unit, `s`, `m`, `h` or `d` (`90s`, `15m`, `6h`, `2d`).
enum DurationParser {
    static func parse(_ text: String) -> Duration? {
        // ASCII only, so bytes are characters: at most nine digits and the unit.
        let bytes = text.utf8
        guard bytes.count >= 2, bytes.count <= 10, let unit = bytes.last else { return nil }
        var value: Int64 = 0
        for byte in bytes.dropLast() {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        guard value > 0 else { return nil }
        switch unit {
        case UInt8(ascii: "s"): return .seconds(value)
        case UInt8(ascii: "m"): return .seconds(value * 60)
        case UInt8(ascii: "h"): return .seconds(value * 3600)
        case UInt8(ascii: "d"): return .seconds(value * 86400)
        default: return nil
        }
    }
}

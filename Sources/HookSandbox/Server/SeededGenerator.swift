/// SplitMix64: a small, fast generator that gives the same sequence for the same seed.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<1 derived only from the inputs (no state): the same inputs give the same number.
    static func unit(_ parts: UInt64...) -> Double {
        var h: UInt64 = 0x1234_5678_9ABC_DEF0
        for part in parts { h = mix(h ^ part) }
        return Double(h >> 11) / Double(1 << 53)
    }

    /// FNV-1a of a string, to feed `unit`.
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

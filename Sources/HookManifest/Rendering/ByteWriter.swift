import HookCore

/// A growable byte buffer that order bodies are written into. An append copies straight into memory the writer owns
/// (a capacity check and a copy), where `Array.append(contentsOf:)` took about 90 instructions, and a body is written
/// as some 90 short pieces; `bytes()` hands the text over as an array of exactly its size.
struct ByteWriter: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    @inline(__always) mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: count + 1) }
        (start + count).initialize(to: byte)
        count += 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if capacity - count < bytes.count { grow(toHold: count + bytes.count) }
        (start + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    @inline(__always) mutating func append(_ text: StaticString) { text.withUTF8Buffer { append($0) } }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { append($0) } }

    /// `text` as a JSON string literal. Text with nothing to escape (the usual case) is copied as it is; the rest
    /// goes through `CanonicalJSON.writeString`, the one place that escapes.
    mutating func appendJSONString(_ text: String) {
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !CanonicalJSON.needsEscape(bytes) else { return false }
            append(UInt8(ascii: "\""))
            append(bytes)
            append(UInt8(ascii: "\""))
            return true
        }
        guard copied != true else { return }
        var escaped: [UInt8] = []
        CanonicalJSON.writeString(text, into: &escaped)
        append(escaped)
    }

    /// Overwrites the bytes from `offset` with `bytes` (which must lie within what was written).
    mutating func overwrite(at offset: Int, with bytes: UnsafeBufferPointer<UInt8>) {
        precondition(offset >= 0 && offset + bytes.count <= count, "overwrite past the written bytes")
        guard let source = bytes.baseAddress else { return }
        (start + offset).update(from: source, count: bytes.count)
    }

    /// Read access to the bytes written.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: start, count: count))
    }

    /// The bytes written, as an array of exactly that size.
    func bytes() -> [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

    private mutating func grow(toHold needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.initialize(from: start, count: count)
        start.deallocate()
        start = grown
        capacity = newCapacity
    }
}

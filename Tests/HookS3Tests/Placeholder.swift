import Testing

// Replaced by the real suite of this target.
@Test func `target builds`() { #expect(Bool(true)) }

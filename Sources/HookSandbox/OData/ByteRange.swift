import Foundation

/// A single `bytes=` range of a `Range` header.
enum ByteRange: Equatable {
    case range(Int, Int)
    case unsatisfiable

    /// `nil` when the header is not one well-formed bytes range (then the whole body is served).
    static func parse(_ header: String, length: Int) -> ByteRange? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]) else { return nil }
            guard suffix > 0, length > 0 else { return .unsatisfiable }
            return .range(max(0, length - suffix), length - 1)
        }
        guard let lower = Int(parts[0]), lower >= 0 else { return nil }
        let upper: Int
        if parts[1].isEmpty {
            upper = length - 1
        } else {
            guard let u = Int(parts[1]), u >= lower else { return nil }
            upper = min(u, length - 1)
        }
        guard lower < length else { return .unsatisfiable }
        return .range(lower, upper)
    }
}

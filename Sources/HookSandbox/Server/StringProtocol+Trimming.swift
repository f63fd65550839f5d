import Foundation

extension StringProtocol {
    /// The text without the spaces (`CharacterSet.whitespaces`: Unicode space separators and tab) at either end, as
    /// `trimmingCharacters(in: .whitespaces)` gives it, without that method's detour through `NSString` (which was the
    /// largest single cost of a request when every bearer token went through it).
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || (!$0.isASCII && CharacterSet.whitespaces.contains($0)) }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// Whether the text is empty or only whitespace and newlines (`CharacterSet.whitespacesAndNewlines`).
    var isBlank: Bool { unicodeScalars.allSatisfy { CharacterSet.whitespacesAndNewlines.contains($0) } }
}

import Foundation
import HookCore

/// The little HTML reading a Keycloak login needs, over `MarkupScanner`'s tokens (tolerant of attribute order,
/// quoting and case; comments, scripts and styles hold no tags).
struct HTMLPage {
    let tokens: [MarkupToken]

    init(_ text: String) { tokens = MarkupScanner.html(text) }

    /// The `action` of the first form.
    var formAction: String? { tokens.first { $0.tagName == "form" }?.attribute("action") }

    /// The text inside the first element with this id, trimmed (nil when absent or empty).
    func text(ofID id: String) -> String? {
        guard let index = tokens.firstIndex(where: { $0.attribute("id") == id }), index + 1 < tokens.count,
            case .text(let content) = tokens[index + 1]
        else { return nil }
        let trimmed = content.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Whether the page asks for a one-time password (as `destinelab` recognises it).
    var asksForOTP: Bool {
        tokens.contains { token in
            token.tagName == "input"
                && ["name", "id", "placeholder", "type"].contains { key in
                    let value = (token.attribute(key) ?? "").lowercased()
                    return value.contains("otp") || value.contains("one-time password") || value.contains("verification code")
                }
        }
    }
}

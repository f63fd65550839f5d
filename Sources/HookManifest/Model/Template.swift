/// A string that may hold `${env:NAME}` and `${env:NAME:-default}` references, kept as written.
public struct Template: Hashable, Sendable, CustomStringConvertible {
    /// One piece of a template: literal text or a reference.
    public enum Part: Hashable, Sendable {
        /// Text as written.
        case literal(String)
        /// `${env:name}` or, with a default, `${env:name:-default}`.
        case reference(name: String, defaultValue: String?)
    }

    /// The pieces of a text with references; nil for literal text (no array to allocate on the hot path).
    private let referenceParts: [Part]?
    /// The text as written in the manifest (for a template resolved at load, the resolved text).
    public let description: String
    /// For a literal resolved from references when the manifest was loaded, the references as written. Digests and
    /// order names use it, so that `plan` gives the same answer whatever environment it runs in.
    public let written: String?

    /// Equal when they read the same; where a resolved value came from is not part of it.
    public static func == (a: Template, b: Template) -> Bool { a.referenceParts == b.referenceParts && a.description == b.description }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(referenceParts)
        hasher.combine(description)
    }

    /// The pieces in order.
    public var parts: [Part] { referenceParts ?? (description.isEmpty ? [] : [.literal(description)]) }

    /// A template holding only literal text.
    public init(literal text: String) {
        referenceParts = nil
        description = text
        written = nil
    }

    /// `value`, resolved from `template`'s references.
    init(resolved value: String, from template: Template) {
        referenceParts = nil
        description = value
        written = template.written ?? template.description
    }

    init(parts: [Part], text: String) {
        written = nil
        let hasReference = parts.contains { if case .reference = $0 { true } else { false } }
        self.referenceParts = hasReference ? parts : nil
        self.description = hasReference ? text : parts.map { if case .literal(let t) = $0 { t } else { "" } }.joined()
    }

    /// True when the text has at least one reference.
    public var hasReferences: Bool { referenceParts != nil }

    /// True when the text is references only (no literal text around them): what secret fields require.
    public var isReferenceOnly: Bool {
        referenceParts?.allSatisfy { if case .reference = $0 { true } else { false } } ?? false
    }

    /// Names of the variables referenced, in order.
    public var variableNames: [String] {
        parts.compactMap { if case .reference(let name, _) = $0 { name } else { nil } }
    }

    /// The value with every reference replaced, or the names of the unset variables that have no default.
    /// - Parameter environment: variable values (usually the process environment).
    public func resolve(in environment: [String: String]) -> Result<String, UnresolvedVariables> {
        guard let parts = referenceParts else { return .success(description) }
        var out = ""
        var missing: [String] = []
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .reference(let name, let defaultValue):
                if let value = environment[name] { out += value } else if let defaultValue { out += defaultValue } else { missing.append(name) }
            }
        }
        return missing.isEmpty ? .success(out) : .failure(UnresolvedVariables(names: missing))
    }

    /// True when every reference is set in `environment` or has a default (no allocation: the render hot path).
    func isResolvable(in environment: [String: String]) -> Bool {
        guard let parts = referenceParts else { return true }
        for case .reference(let name, let defaultValue) in parts where defaultValue == nil && environment[name] == nil { return false }
        return true
    }

    /// Names of referenced variables that are unset and have no default.
    public func unsetVariables(in environment: [String: String]) -> [String] {
        guard let parts = referenceParts else { return [] }
        return parts.compactMap {
            if case .reference(let name, let defaultValue) = $0, defaultValue == nil, environment[name] == nil { name } else { nil }
        }
    }
}

/// Variables a command needs that are not set (names only, never values).
public struct UnresolvedVariables: Error, Hashable, Sendable, CustomStringConvertible {
    /// The unset variable names, in the order they are needed, without repeats.
    public var names: [String]
    /// Creates the error, dropping repeated names.
    public init(names: [String]) {
        var seen = Set<String>()
        self.names = names.filter { seen.insert($0).inserted }
    }
    /// `environment variable(s) not set: A, B`.
    public var description: String {
        "environment variable\(names.count == 1 ? "" : "s") not set: \(names.joined(separator: ", "))"
    }
}

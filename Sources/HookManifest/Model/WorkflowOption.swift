/// A value of a workflow option, typed as written in YAML.
public enum OptionValue: Hashable, Sendable {
    /// A string (possibly with references).
    case string(Template)
    /// An integer (plain YAML integer).
    case integer(Int)
    /// A finite number (plain YAML float).
    case number(Double)
    /// A boolean (plain `true`/`false`).
    case boolean(Bool)
}

/// One `{"Name": ..., "Value": ...}` entry of an order body's `WorkflowOptions`.
public struct WorkflowOption: Hashable, Sendable {
    /// The option name, e.g. `output_storage`.
    public var name: String
    /// The value.
    public var value: OptionValue
    /// True for passwords, keys, client secrets and tokens: rendered as their reference, resolved only for submission.
    public var isSecret: Bool

    /// Creates an option.
    public init(name: String, value: OptionValue, isSecret: Bool = false) {
        self.name = name
        self.value = value
        self.isSecret = isSecret
    }

    static func text(_ name: String, _ value: String) -> WorkflowOption {
        WorkflowOption(name: name, value: .string(Template(literal: value)))
    }

    static func template(_ name: String, _ value: Template, secret: Bool = false) -> WorkflowOption {
        WorkflowOption(name: name, value: .string(value), isSecret: secret)
    }
}

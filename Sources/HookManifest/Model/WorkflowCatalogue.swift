/// The service's workflow catalogue as cached by `hookctl workflows --save` (`hookctl.workflows.json`).
public struct WorkflowCatalogue: Hashable, Sendable {
    /// One workflow and the options it accepts.
    public struct Workflow: Hashable, Sendable {
        /// `Name`, e.g. `data-harvest`.
        public var name: String
        /// Options by name.
        public var options: [String: OptionInfo]
        /// Creates a workflow entry.
        public init(name: String, options: [String: OptionInfo]) {
            self.name = name
            self.options = options
        }
    }

    /// One `WorkflowOptions` entry.
    public struct OptionInfo: Hashable, Sendable {
        /// `Type` as the service spells it (`str`, `int`, `float`, `bool`, or an enum type name).
        public var type: String?
        /// Allowed values (`Value`), when the service lists them.
        public var allowed: [String]
        /// `Required` (the service is loose about it: a missing required option is only a warning).
        public var required: Bool
        /// True when the service gives a non-null `Default`.
        public var hasDefault: Bool
        /// Creates an option entry.
        public init(type: String?, allowed: [String] = [], required: Bool = false, hasDefault: Bool = false) {
            self.type = type
            self.allowed = allowed
            self.required = required
            self.hasDefault = hasDefault
        }
    }

    /// Workflows by name.
    public var workflows: [String: Workflow]
    /// Creates a catalogue.
    public init(workflows: [String: Workflow]) { self.workflows = workflows }
}

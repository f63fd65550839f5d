/// Hard limits checked while reading, so hostile files (alias bombs, deep nesting, huge scalars) are refused fast.
public struct YAMLLimits: Sendable {
    /// Largest file read, in bytes.
    public var maxFileBytes = 4 << 20
    /// Largest single scalar, in bytes.
    public var maxScalarBytes = 64 << 10
    /// Deepest nesting of mappings and sequences.
    public var maxDepth = 64
    /// Most aliases (`*name`) in one file.
    public var maxAliases = 256
    /// Most nodes one document may hold once aliases are counted as the nodes they stand for.
    public var maxNodes = 200_000

    /// The defaults above.
    public init() {}
}

/// A problem found while reading YAML (fatal or not), as plain data for the loader to turn into a `Diagnostic`.
struct YAMLProblem: Sendable {
    var id: String
    var message: String
    var mark: Mark
}

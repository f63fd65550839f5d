/// What the Hook service accepts, where hookctl checks it before anything is sent.
public enum ServiceLimits {
    /// Identifiers in one order's `IdentifierList`. No limit of DEDL's is recorded; sibling deployments limit "the
    /// number of products per one order" (HOOK-API 5), and the sandbox answers 413 above this one (inferred).
    public static let identifiersPerOrder = 1000
}

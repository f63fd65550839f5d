/// A validated order body, before the store gives it ids.
struct OrderDraft: Sendable {
    var name: String
    var workflow: WorkflowDefinition
    var identifiers: [String]
    /// As sent, without `platform`/`version` (the store prepends those).
    var options: [Order.Option]
    var priority: Int
}

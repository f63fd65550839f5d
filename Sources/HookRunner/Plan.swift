import HookCore
import HookManifest

/// What `apply` will do with one order.
public enum PlanAction: String, Sendable, CaseIterable {
    /// Not recorded yet: submit it.
    case create
    /// Recorded with another body: submit the new body.
    case replace
    /// Recorded, unchanged and every identifier completed: nothing to do.
    case keep
    /// Recorded, unchanged, submitted and not finished: wait for it.
    case resume
    /// Recorded, unchanged, finished, and some identifiers did not complete: submit a new attempt with those (or all).
    case retry
    /// Recorded, but its manifest no longer defines it: drop it from the lock (and cancel it if asked).
    case remove

    /// Whether the action sends a new order to the service.
    public var submits: Bool { self == .create || self == .replace || self == .retry }
}

/// An order as the manifests want it now: what the plan compares with the lock.
public struct DesiredOrder: Sendable, Equatable {
    public var key: String
    public var manifest: String
    public var workflow: String
    public var labels: [String: String]
    /// SHA-256 of the canonical body with every reference as written (`OrderBody.digest`).
    public var digest: String
    /// The body with secrets as references, as the lock file records it; read from its text only when asked for (a
    /// plan of unchanged orders never needs it).
    public var body: JSONValue { (try? JSONReader.parse(renderedBody)) ?? .null }
    /// The body's canonical text as `render` prints it.
    public var renderedBody: [UInt8]
    /// The body's `IdentifierList`.
    public var identifiers: [String]
    /// The order `Name` of a first attempt; retries append `-rN`.
    public var name: String
    /// Where its outputs go, from the manifest's storage.
    public var output: OutputLocation
    public var download: Bool
    public var timeout: Duration?
    /// A retry resubmits every identifier (`retry: all`, `apply --retry-all`), not only those that failed.
    public var retryAll: Bool

    public init(
        key: String, manifest: String, workflow: String, labels: [String: String], digest: String, renderedBody: [UInt8],
        identifiers: [String], name: String, output: OutputLocation = .temporary, download: Bool = false,
        timeout: Duration? = nil, retryAll: Bool = false
    ) {
        self.key = key
        self.manifest = manifest
        self.workflow = workflow
        self.labels = labels
        self.digest = digest
        self.renderedBody = renderedBody
        self.identifiers = identifiers
        self.name = name
        self.output = output
        self.download = download
        self.timeout = timeout
        self.retryAll = retryAll
    }

    /// The order name of submission number `attempt` (1-based) of this body.
    public func name(attempt: Int) -> String { attempt <= 1 ? name : "\(name)-r\(attempt)" }
}

/// One line of a plan.
public struct PlanItem: Sendable, Equatable {
    public var key: String
    public var action: PlanAction
    public var desired: DesiredOrder?
    public var recorded: OrderRecord?
    /// For `replace`: the body diff, recorded -> desired.
    public var diff: [String]

    /// The attempt number the action submits (or the recorded one when it submits nothing).
    public var attempt: Int {
        switch action {
        case .create, .replace: 1
        case .retry: (recorded?.latest.number ?? 0) + 1
        case .keep, .resume, .remove: recorded?.latest.number ?? 1
        }
    }

    /// The identifiers the action submits: all of them for a new body, the unfinished ones (or all, with `retryAll`)
    /// for a retry; none otherwise.
    public var identifiers: [String] {
        guard let desired else { return [] }
        switch action {
        case .create, .replace: return desired.identifiers
        case .retry: return desired.retryAll ? desired.identifiers : recorded?.unfinishedIdentifiers ?? desired.identifiers
        case .keep, .resume, .remove: return []
        }
    }

    /// The attempt the action would record, before the service has seen it; nil when it submits nothing.
    public var newAttempt: Attempt? {
        guard action.submits, let desired else { return nil }
        return Attempt(number: attempt, name: desired.name(attempt: attempt), identifiers: identifiers)
    }

    /// "retry 2 of 5 items: ID, ID" and the like: what the action does, in words.
    public var summary: String {
        switch action {
        case .retry:
            let all = recorded?.identifiers.count ?? identifiers.count
            let ids = identifiers.prefix(5).joined(separator: ", ") + (identifiers.count > 5 ? ", ..." : "")
            return "retry \(identifiers.count) of \(all) item\(all == 1 ? "" : "s"): \(ids)"
        case .create, .replace:
            return "\(action.rawValue) \(identifiers.count) item\(identifiers.count == 1 ? "" : "s")"
        case .keep, .resume, .remove:
            return action.rawValue
        }
    }
}

/// Compares the desired orders with the recorded state. Pure: no I/O.
/// - Parameter isRemoved: decides whether a recorded order that no desired order matches is really gone
///   (its manifest was deleted, or was read and no longer defines it) rather than merely outside the paths given.
public func makePlan(
    desired: [DesiredOrder], state: RunState, isRemoved: (String, OrderRecord) -> Bool
) -> [PlanItem] {
    var items: [PlanItem] = desired.map { order in
        guard let record = state.orders[order.key] else {
            return PlanItem(key: order.key, action: .create, desired: order, recorded: nil, diff: [])
        }
        if record.digest != order.digest {
            let diff = LineDiff.lines(old: record.body.diffLines, new: BodyText(order.body).diffLines)
            return PlanItem(key: order.key, action: .replace, desired: order, recorded: record, diff: diff)
        }
        let action: PlanAction = record.isSuccessful ? .keep : record.isFinished ? .retry : .resume
        return PlanItem(key: order.key, action: action, desired: order, recorded: record, diff: [])
    }
    let wanted = Set(desired.map(\.key))
    for (key, record) in state.orders where !wanted.contains(key) && isRemoved(key, record) {
        items.append(PlanItem(key: key, action: .remove, desired: nil, recorded: record, diff: []))
    }
    return items.sorted { $0.key < $1.key }
}

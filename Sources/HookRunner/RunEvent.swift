import HookCore

/// What the runner tells its caller as it goes: the CLI turns these into progress lines.
public enum RunEvent: Sendable, Equatable {
    case submitted(key: String, name: String, id: Int)
    /// An order submitted earlier (perhaps just before a crash) was found by its name and taken over.
    case adopted(key: String, name: String, id: Int)
    case statusChanged(key: String, from: OrderStatus, to: OrderStatus, message: String?)
    /// A submission got no answer; the order will be looked up by name before anything is sent again.
    case outcomeUnknown(key: String, reason: String)
    case timedOut(key: String)
    case removed(key: String, cancelled: Bool)
    /// What `apply` is about to do with an order (it changes something), before anything is sent.
    case planned(key: String, summary: String)
    /// How much a run orders, looked up before submitting (with a `maxBytes` policy).
    case volume(Volume)
    /// Bytes of an archive or object written so far, and its size when known.
    case transfer(key: String, written: Int64, total: Int64?)
    case downloaded(key: String, path: String)
    /// A TEMPORARY output copied to S3 by `outputs --mirror`.
    case mirrored(key: String, location: String)
    /// A file under an order's downloads folder that is no longer the latest completed outcome of its identifiers.
    case removedStale(key: String, path: String)
    /// Orders being waited on, by status, after each poll.
    case progress([String: Int])
    /// Another runner holds the project lock or the S3 state's lease: this one waits up to `timeout` for it.
    case waitingForLock(lock: String, holder: String?, timeout: Duration)
    /// A recoverable problem, e.g. a poll that failed and will be tried again.
    case warning(String)
}

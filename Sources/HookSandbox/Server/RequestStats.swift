import HookCore
import Synchronization

/// Counts answered requests by method, route pattern and status (`GET /sandbox/stats`); status 0 = dropped.
final class RequestStats: Sendable {
    private struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private let counts = Mutex<[Key: Int]>([:])

    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// Counts one answer; unusual methods count as `OTHER`, so hostile clients cannot grow the table.
    func record(method: String, route: String, status: Int) {
        let name = Self.knownMethods.contains(method) ? method : "OTHER"
        counts.withLock { $0[Key(method: name, route: route, status: status), default: 0] += 1 }
    }

    var json: JSONValue {
        let snapshot = counts.withLock { $0 }
        let sorted = snapshot.sorted { a, b in
            (a.key.route, a.key.method, a.key.status) < (b.key.route, b.key.method, b.key.status)
        }
        return .array(
            sorted.map { entry in
                .ordered([
                    ("method", .string(entry.key.method)), ("route", .string(entry.key.route)), ("status", .integer(entry.key.status)),
                    ("count", .integer(entry.value)),
                ])
            })
    }
}

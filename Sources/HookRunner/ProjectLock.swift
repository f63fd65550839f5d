import HookCore

/// The lock that keeps two hookctl processes from driving the same project and profile at once
/// (`.hookctl/<profile>.pid`).
enum ProjectLock {
    /// Takes the lock, waiting up to `wait` for another holder to finish.
    /// - Throws: `RunnerError.projectBusy` naming the holder when the lock is still held after `wait`.
    static func acquire(path: String, wait: Duration, waiting: (String?) -> Void = { _ in }) async throws -> FileLock {
        do {
            return try await FileLock.acquire(path: path, wait: wait, waiting: waiting)
        } catch let busy as FileLock.Busy {
            throw RunnerError.projectBusy(lock: path, holder: busy.holder)
        } catch let error as FileError {
            throw RunnerError.io("cannot open lock \(path): \(error.reason)")
        }
    }
}

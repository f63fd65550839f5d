import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a file, held until `release()` or until the value goes away. The kernel
/// drops it when the process dies, so a crash never leaves it held. The file holds the holder's pid, so a refusal
/// can name it.
public final class FileLock: Sendable {
    private let descriptor: Mutex<Int32>
    public let path: String

    /// Someone else holds the lock.
    public struct Busy: Error, Sendable {
        /// What the lock file says of its holder ("pid 123"), if anything.
        public let holder: String?
    }

    /// Takes the lock at once or throws `Busy`; `FileError` when the file cannot be opened.
    public init(path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, reason: "cannot open: \(FileError.lastReason)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Busy(holder: holder.flatMap { $0.isEmpty ? nil : $0 })
        }
        _ = ftruncate(fd, 0)
        let pid = Array("pid \(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        descriptor = Mutex(fd)
        self.path = path
    }

    /// Takes the lock, trying again every 100 ms for up to `wait`; `waiting` hears once, with the holder, when the
    /// lock is not free at first.
    public static func acquire(path: String, wait: Duration, waiting: (String?) -> Void = { _ in }) async throws -> FileLock {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: wait)
        var told = false
        while true {
            do {
                return try FileLock(path: path)
            } catch let busy as Busy where clock.now < deadline {
                if !told { waiting(busy.holder) }
                told = true
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Gives the lock up (and clears the holder's pid from the file).
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            _ = ftruncate(fd, 0)
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}

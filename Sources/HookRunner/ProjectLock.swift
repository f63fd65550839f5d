#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive advisory lock (`flock`) that keeps two hookctl processes from driving the same project and profile
/// at once. The lock file holds the holder's pid so the refusal can name it. The kernel drops the lock when the
/// process dies, so a crash never leaves the project locked.
public final class ProjectLock: Sendable {
    private let descriptor: Int32
    /// The path of the lock file.
    public let path: String

    /// Takes the lock, waiting up to `wait` for another holder to finish.
    /// - Throws: `RunnerError.projectBusy` when the lock is still held after `wait`.
    public init(path: String, wait: Duration = .seconds(10)) async throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunnerError.io("cannot open lock \(path): \(String(cString: strerror(errno)))") }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if clock.now >= deadline {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                close(fd)
                throw RunnerError.projectBusy(lock: path, holder: holder.flatMap { $0.isEmpty ? nil : $0 })
            }
            do {
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                close(fd)
                throw error
            }
        }
        let pid = "pid \(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
        self.path = path
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

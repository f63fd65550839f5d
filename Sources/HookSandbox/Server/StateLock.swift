import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on `sandbox.lock` in the state directory, held while a sandbox runs, so two
/// sandboxes never write the same state.
final class StateLock: Sendable {
    private let descriptor = Mutex<Int32>(-1)

    /// Takes the lock or throws `SandboxError.stateInUse` at once (never waits).
    init(directory: URL) throws {
        let path = directory.appendingPathComponent("sandbox.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SandboxError.stateUnusable(path: directory.path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw SandboxError.stateInUse(path: directory.path)
        }
        descriptor.withLock { $0 = fd }
    }

    func release() {
        descriptor.withLock { fd in
            if fd >= 0 {
                flock(fd, LOCK_UN)
                close(fd)
                fd = -1
            }
        }
    }

    deinit { release() }
}

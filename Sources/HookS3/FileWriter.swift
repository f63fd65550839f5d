#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Appends bytes to a file through a POSIX descriptor (no buffering in memory beyond the chunk being written).
package final class FileWriter {
    private var descriptor: Int32
    package let path: String

    /// Opens (creating with mode 0644) a file for writing at its end.
    /// - Parameter truncate: empty the file first.
    package init(path: String, truncate: Bool) throws {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND)
        descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw S3Error.file(path: path, reason: "cannot open for writing: \(Self.lastError())") }
    }

    deinit { if descriptor >= 0 { _ = Glibc.close(descriptor) } }

    /// Writes every readable byte of a buffer.
    package func write(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { try write($0) }
    }

    /// Writes every byte.
    package func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw S3Error.file(path: path, reason: "already closed") }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw S3Error.file(path: path, reason: "write failed: \(Self.lastError())")
            }
            offset += written
        }
    }

    /// Flushes to disk and closes.
    package func close() throws {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        guard Glibc.close(fd) == 0 else { throw S3Error.file(path: path, reason: "close failed: \(Self.lastError())") }
    }

    /// Renames a file atomically (same file system).
    package static func rename(_ from: String, to destination: String) throws {
        guard Glibc.rename(from, destination) == 0 else {
            throw S3Error.file(path: destination, reason: "cannot rename \(from): \(lastError())")
        }
    }

    /// The size of a file, or nil when it does not exist.
    package static func size(of path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}

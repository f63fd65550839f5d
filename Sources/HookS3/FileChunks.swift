import Crypto
import NIOCore

#if canImport(Glibc)
    import Glibc
    import HookCore
#endif

/// A file read as an async sequence of full buffers of `chunkSize` bytes, the last one shorter (streamed request
/// bodies, multipart parts).
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String
    let chunkSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        let chunkSize: Int
        var descriptor: Int32 = -2

        mutating func next() async throws -> ByteBuffer? {
            if descriptor == -2 {
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { throw S3Error.file(path: path, reason: "cannot open: \(FileError.lastReason)") }
            }
            guard descriptor >= 0 else { return nil }
            try Task.checkCancellation()
            var buffer = ByteBufferAllocator().buffer(capacity: chunkSize)
            let fd = descriptor
            // A chunk is full unless the file ends (an S3 part must be its whole size but for the last).
            let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { pointer -> Int in
                var filled = 0
                while filled < chunkSize {
                    let result = read(fd, pointer.baseAddress! + filled, chunkSize - filled)
                    if result < 0 && errno == EINTR { continue }
                    if result < 0 { throw S3Error.file(path: path, reason: "read failed: \(FileError.lastReason)") }
                    if result == 0 { break }
                    filled += result
                }
                return filled
            }
            if count == 0 {
                close(descriptor)
                descriptor = -1
                return nil
            }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path, chunkSize: chunkSize) }

    /// The hex SHA-256 and size of a file, read in 1 MiB chunks.
    static func sha256(path: String) throws -> (String, Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw S3Error.file(path: path, reason: "cannot open: \(FileError.lastReason)") }
        defer { close(fd) }
        var hasher = SHA256()
        var size = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw S3Error.file(path: path, reason: "read failed: \(FileError.lastReason)") }
            if count == 0 { break }
            hasher.update(data: chunk[0..<count])
            size += count
        }
        return (Hex.string(hasher.finalize()), size)
    }
}

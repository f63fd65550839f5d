import HookCore

/// Sees a download's bytes in order as they are written, to hash or check them on the way instead of reading the file
/// back afterwards.
public protocol DownloadObserver: AnyObject {
    /// Forgets what it saw: the file starts over (a fresh answer replaces a partial file, or a resumed one is read
    /// back from its start).
    func restart()
    /// The file's next bytes (a block of up to `BlockWriter.blockSize`).
    func observe(_ bytes: UnsafeRawBufferPointer)
}

/// Gathers a download's pieces (a few KiB each, as the network hands them over) into blocks, and shows each full block
/// to the observer and writes it: one system call per block instead of one per piece.
final class BlockWriter {
    static let blockSize = 1 << 20

    private let file: FileWriter
    private let observer: (any DownloadObserver)?
    private let block = UnsafeMutableRawBufferPointer.allocate(byteCount: BlockWriter.blockSize, alignment: 64)
    private var count = 0

    init(_ file: FileWriter, observer: (any DownloadObserver)?) {
        self.file = file
        self.observer = observer
    }

    deinit { block.deallocate() }

    func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        var rest = bytes
        while !rest.isEmpty {
            let taken = min(block.count - count, rest.count)
            UnsafeMutableRawBufferPointer(rebasing: block[count..<(count + taken)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[..<taken]))
            count += taken
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            if count == block.count { try flush() }
        }
    }

    /// Shows and writes what the block holds.
    func flush() throws(FileError) {
        guard count > 0 else { return }
        let full = UnsafeRawBufferPointer(rebasing: block[..<count])
        count = 0
        observer?.observe(full)
        try file.write(full)
    }

    /// Flushes, then closes the file (closed even when the last write fails).
    func close() throws(FileError) {
        do {
            try flush()
        } catch {
            try? file.close()
            throw error
        }
        try file.close()
    }
}

import Dispatch
import HookCore
import NIOCore
import Synchronization

/// Sees a download's bytes in order as they are written, to hash or check them on the way instead of reading the file
/// back afterwards.
public protocol DownloadObserver: AnyObject {
    /// Forgets what it saw: the file starts over (a fresh answer replaces a partial file, or a resumed one is read
    /// back from its start).
    func restart()
    /// How many independent parts ("lanes") the observer has, such as a hash and a format check that share no state.
    /// A download shows every byte to each lane in order, each lane on its own thread, so that they run side by side
    /// and beside the network reads.
    var lanes: Int { get }
    /// The file's next bytes (a block of up to `BlockWriter.blockSize`), for lane `lane` (in `0..<lanes`) only.
    func observe(_ bytes: UnsafeRawBufferPointer, lane: Int)
}

extension DownloadObserver {
    /// The file's next bytes, for every lane, on the caller's thread.
    public func observe(_ bytes: UnsafeRawBufferPointer) {
        for lane in 0..<lanes { observe(bytes, lane: lane) }
    }
}

/// Gathers a download's pieces (tens of KiB each, as the network hands them over) into blocks of a mebibyte and hands
/// each full block to the observer's lanes, one serial queue per lane; the last lane also writes the block to the file
/// (one system call per block). The network fills the next block meanwhile; a few blocks are in flight at most, so
/// memory stays flat, and reading waits (without blocking a thread) when all are taken.
///
/// One task calls `append` and `close`; the lanes run on their queues.
final class BlockWriter: @unchecked Sendable {
    static let blockSize = 1 << 20
    /// Blocks in flight: one filling, the rest being checked and written.
    static let blockCount = 4

    /// A block's memory, handed between the filling task and the lanes.
    private struct Block: @unchecked Sendable {
        let memory: UnsafeMutableRawBufferPointer
    }

    /// What the filling task and the lanes share.
    private struct Shared {
        var free: [Block] = []
        /// The filling task, waiting for a block to come back.
        var waiter: CheckedContinuation<Block, Never>?
        /// Why writing stopped: the first failure of the file.
        var failure: FileError?
    }

    private let file: FileWriter
    private let observer: (any DownloadObserver)?
    private let queues: [DispatchQueue]
    private let shared = Mutex(Shared())
    private let all: [Block]
    /// The block being filled, and how much of it is.
    private var filling: Block?
    private var count = 0

    init(_ file: FileWriter, observer: (any DownloadObserver)?) {
        self.file = file
        self.observer = observer
        queues = (0..<max(1, observer?.lanes ?? 1)).map { DispatchQueue(label: "hookctl.download.lane\($0)") }
        all = (0..<Self.blockCount).map { _ in Block(memory: .allocate(byteCount: Self.blockSize, alignment: 64)) }
        shared.withLock { $0.free = all }
    }

    deinit { for block in all { block.memory.deallocate() } }

    /// Adds the piece's bytes; throws when writing an earlier block failed.
    func append(_ piece: ByteBuffer) async throws(FileError) {
        var rest = piece
        while rest.readableBytes > 0 {
            let block: Block
            if let filling {
                block = filling
            } else {
                block = await take()
                filling = block
            }
            let taken = rest.readWithUnsafeReadableBytes { bytes in
                let taken = min(Self.blockSize - count, bytes.count)
                UnsafeMutableRawBufferPointer(rebasing: block.memory[count..<(count + taken)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<taken]))
                return taken
            }
            count += taken
            if count == Self.blockSize { try submit() }
        }
    }

    /// Hands what the block holds to the lanes.
    private func submit() throws(FileError) {
        if let failure = shared.withLock({ $0.failure }) { throw failure }
        guard let block = filling else { return }
        nonisolated(unsafe) let bytes = UnsafeRawBufferPointer(rebasing: block.memory[..<count])
        filling = nil
        count = 0
        let pending = Countdown(queues.count)
        for (lane, queue) in queues.enumerated() {
            queue.async { [self] in
                if let observer, lane < observer.lanes { observer.observe(bytes, lane: lane) }
                if lane == queues.count - 1 { write(bytes) }
                if pending.done() { give(block) }
            }
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        guard shared.withLock({ $0.failure == nil }) else { return }
        do throws(FileError) {
            try file.write(bytes)
        } catch {
            shared.withLock { $0.failure = error }
        }
    }

    private func take() async -> Block {
        await withCheckedContinuation { continuation in
            let block = shared.withLock { shared -> Block? in
                guard let block = shared.free.popLast() else {
                    shared.waiter = continuation
                    return nil
                }
                return block
            }
            if let block { continuation.resume(returning: block) }
        }
    }

    private func give(_ block: Block) {
        let waiter = shared.withLock { shared -> CheckedContinuation<Block, Never>? in
            guard let waiter = shared.waiter else {
                shared.free.append(block)
                return nil
            }
            shared.waiter = nil
            return waiter
        }
        waiter?.resume(returning: block)
    }

    /// Hands over the last block, waits for every lane to finish, then closes the file (closed even when a write
    /// failed) and throws the first failure.
    func close() async throws(FileError) {
        let failure: FileError?
        do throws(FileError) {
            try submit()
            failure = nil
        } catch {
            failure = error
        }
        for queue in queues {
            await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
        }
        let written = shared.withLock { $0.failure } ?? failure
        do throws(FileError) {
            try file.close()
        } catch {
            throw written ?? error
        }
        if let written { throw written }
    }
}

/// Counts down the lanes still working on a block.
private final class Countdown: Sendable {
    private let left: Atomic<Int>

    init(_ count: Int) { left = Atomic(count) }

    /// Whether this was the last.
    func done() -> Bool { left.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 }
}

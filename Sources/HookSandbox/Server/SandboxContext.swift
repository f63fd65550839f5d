import Hummingbird
import NIOCore

/// Per-request context: only the channel, so a dropped-connection fault can close it.
struct SandboxContext: InitializableFromSource {
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        channel = source.channel
    }
}

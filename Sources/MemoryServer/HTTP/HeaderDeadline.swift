import NIOCore

/// Closes a connection whose first request's headers have not arrived within `timeout`: a client that
/// sends half a request and waits (a slowloris) would otherwise hold a connection, and a descriptor, for
/// as long as it likes. Sits after the HTTP decoder, which passes nothing on until a request's head is
/// complete, so the first message through means the headers arrived; later requests on the same connection
/// are bounded by the idle timeout.
final class HeaderDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var headersArrived = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !headersArrived {
            headersArrived = true
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }
}

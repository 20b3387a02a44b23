/// RFC 7766: a truncated UDP answer is asked again over TCP, framed with a
/// two-byte length, to the same resolver. Rare, so one connection per query. If
/// that fails, the query moves on to the next resolver (`tcpRetryFailed`).
extension DNSClient {
    func retryOverTCP(_ query: Query) {
        countTCPFallback()
        query.usedTCP = true
        let resolver = resolverAddress(of: query)
        var finished = false
        var buffer: [UInt8] = []
        var endExchange: ((DNSMessage?) -> Void)?
        let stream: TCPStream
        let timer: Timer
        do {
            stream = try TCPStream(on: loop)
            timer = try Timer(on: loop) { endExchange?(nil) }
        } catch {
            return finish(query, .timeout, resolver: nil)
        }
        // Ends the exchange once: the stream and timer are closed, the query concluded.
        let end: (DNSMessage?) -> Void = { [weak self] message in
            guard !finished else { return }
            finished = true
            stream.close()
            timer.close()
            guard let self else { return }
            if let message { self.conclude(query, with: message) } else { self.tcpRetryFailed(query) }
            self.pump()
        }
        endExchange = end
        let id = UInt16.random(in: .min ... .max)
        let wire = DNSQuery.wire(id: id, name: query.name, type: query.type, ednsBufferSize: nil, dnssec: query.dnssec)
        let framed = [UInt8(wire.count >> 8), UInt8(wire.count & 0xFF)] + wire
        do {
            try timer.start(after: configuration.timeout * 2)
            try stream.connect(to: resolver, timeout: configuration.timeout) { error in
                if error != nil { return end(nil) }
                do { try stream.write(framed) } catch { end(nil) }
            }
            try stream.startReading(
                onBytes: { bytes in
                    buffer.append(contentsOf: Array(copying: bytes))
                    // The length prefix bounds the read: at most 2 + 65535 bytes are kept.
                    guard buffer.count >= 2 else { return }
                    let length = Int(buffer[0]) << 8 | Int(buffer[1])
                    if buffer.count > 2 + length { buffer.removeLast(buffer.count - 2 - length) }
                    guard buffer.count == 2 + length else { return }
                    guard case .success(let message) = DNSMessage.parse(Array(buffer[2...])), message.id == id,
                          message.question?.name == query.name.text, message.question?.type == query.type
                    else { return end(nil) }
                    end(message)
                },
                onEnd: { _ in end(nil) })
        } catch {
            end(nil)
        }
    }
}

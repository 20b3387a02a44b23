public import MTAScanCore

/// An asynchronous stub resolver client on one event loop.
///
/// Queries go over UDP from a pool of sockets on kernel-chosen random ports,
/// with random IDs; an answer is accepted only when it comes from the resolver
/// the query went to, carries a pending ID on that socket, and repeats the
/// question. Anything else is dropped and counted. Truncated answers are
/// retried over TCP. Unanswered queries are retried with doubling timeouts on
/// another resolver; SERVFAIL and REFUSED move on to another resolver when
/// there is one. Each resolver has a congestion window (`CongestionWindow`)
/// that learns how many unanswered queries it takes; queries beyond every
/// window, beyond `maxInFlight`, or beyond a resolver's queries-per-second
/// budget wait in a FIFO queue. Queries are shared among the resolvers with
/// room by what each answers per second (`chooseResolver`), so a faster
/// resolver gets more, and a slow one is used when the fast are full.
///
/// Loop-confined: create, use and close it on its loop's thread. Every query's
/// completion runs exactly once, on that thread.
public final class DNSClient {
    let loop: EventLoop
    let configuration: DNSClientConfiguration
    private var counters = DNSClientStatistics()
    /// The origin of the seconds `CongestionWindow` is given.
    private let epochNanoseconds = MonotonicClock.nanoseconds()

    /// Sockets by address family (a resolver's family picks its pool; no hashing per query).
    private var ipv4Sockets: [UDPSocket] = []
    private var ipv6Sockets: [UDPSocket] = []
    /// Pending queries by socket (high 16 bits: index in its family's pool, plus family bit) and ID.
    private var pending: [UInt32: Query] = [:]
    private var waiting: [Query] = []
    private var waitingHead = 0
    private var deadlines: [[Deadline]]
    /// The wait of each attempt: the timeout, doubled per retry.
    private let attemptWaits: [Duration]
    private var deadlineHeads: [Int]
    private var resolvers: [ResolverState]
    private var random = RandomPool()
    private var names = DNSNameCache()
    private var ticker: Timer?
    private var closed = false
    /// Answers arrived in this loop iteration: sending waits for its I/O to
    /// end (`receiveBatchEnded`, from `afterIO`).
    private var inReceiveBatch = false
    private var afterIO: LoopCheck?
    private var inFlight = 0
    private var nextSerial: UInt64 = 0

    final class Query {
        let name: DomainName
        let type: DNSRecordType
        let dnssec: DNSSECRequest
        /// The AD bit of the answer concluded.
        var authenticated = false
        /// Dropped once called: a finished query may still sit in its
        /// resolver's list of sends until the next tick, and its completion
        /// holds the whole domain's state.
        var completion: ((DNSLookup) -> Void)?
        var resolverIndex: Int
        /// The resolver that failed the last attempt: a retry goes elsewhere when it can.
        var avoidResolver: Int?
        var attempts = 0
        var key: UInt32?
        var usedTCP = false
        var lastFailure: DNSLookupOutcome?
        /// Which send this is, unique in the client: a deadline names the
        /// attempt it is for by this, without holding the query.
        var serial: UInt64 = 0
        /// When the last attempt was sent, in the window's seconds.
        var sentSeconds = 0.0
        var ticket: CongestionWindow.Ticket?
        /// Unanswered past its resolver's loss delay: out of the window, still
        /// pending (a late answer is taken) until the timeout retries it.
        var presumedLost = false

        init(name: DomainName, type: DNSRecordType, dnssec: DNSSECRequest = .none, resolverIndex: Int,
             completion: @escaping (DNSLookup) -> Void) {
            self.name = name
            self.type = type
            self.dnssec = dnssec
            self.resolverIndex = resolverIndex
            self.completion = completion
        }
    }

    /// A send's timeout. It names the query by its key and serial instead of
    /// holding it: an answered query is freed at once, not after its timeout
    /// (at full speed, seconds' worth of queries: tens of MiB).
    private struct Deadline {
        let at: ContinuousClock.Instant
        let key: UInt32
        let serial: UInt64
    }

    private struct ResolverState {
        let address: SocketAddress
        var tokens: Double
        var lastRefill: ContinuousClock.Instant
        var consecutiveTimeouts = 0
        var downUntil: ContinuousClock.Instant?
        var window: CongestionWindow
        /// The smooth weighted round robin's running credit (`chooseResolver`).
        var credit = 0.0
        /// Queries in the window: sent, unanswered, not presumed lost.
        var inWindow = 0
        var sent = 0
        var answered = 0
        /// Sends in order, for presuming loss oldest first; stale entries are skipped.
        var outstanding: [Outstanding] = []
        var outstandingHead = 0

        // The bookkeeping of a send and of an answer, each in one access to
        // the resolver's state: field by field, every update was an
        // exclusivity check and a uniqueness check of the array, twice a query.

        /// `query` (its attempt counted, its time set) has left for this resolver.
        mutating func didSend(_ query: Query, spendingToken: Bool) {
            if spendingToken { tokens -= 1 }
            inWindow += 1
            sent += 1
            query.ticket = window.sent(inFlight: inWindow, now: query.sentSeconds)
            outstanding.append(Outstanding(query: query, attempt: query.attempts))
        }

        /// This resolver answered `query` (still marked presumed lost if it was).
        mutating func didAnswer(_ query: Query, now: Double, serverFailure: Bool) {
            consecutiveTimeouts = 0
            downUntil = nil
            answered += 1
            guard let ticket = query.ticket else { return }
            let rtt = now - query.sentSeconds
            if query.presumedLost {
                window.answeredLate(rtt: rtt)
            } else {
                inWindow -= 1
                window.answered(ticket, rtt: rtt, serverFailure: serverFailure, now: now)
            }
        }
    }

    private struct Outstanding {
        let query: Query
        let attempt: Int
    }

    public init(loop: EventLoop, configuration: DNSClientConfiguration) throws(UVError) {
        precondition(!configuration.resolvers.isEmpty, "a DNS client needs at least one resolver")
        self.loop = loop
        self.configuration = configuration
        let now = ContinuousClock.now
        let windowSettings = configuration.windowSettings
        resolvers = configuration.resolvers.map {
            ResolverState(address: $0, tokens: Double(Self.burst(configuration)), lastRefill: now,
                          window: CongestionWindow(windowSettings))
        }
        deadlines = Array(repeating: [], count: max(1, configuration.attempts))
        // Duration arithmetic is 128-bit: done once here, not per query.
        attemptWaits = (0..<max(1, configuration.attempts)).map { configuration.timeout * (1 << $0) }
        deadlineHeads = Array(repeating: 0, count: max(1, configuration.attempts))
        let families = Set(configuration.resolvers.map(\.family))
        if families.contains(.ipv4) { ipv4Sockets = try makePool(family: .ipv4) }
        if families.contains(.ipv6) { ipv6Sockets = try makePool(family: .ipv6) }
        afterIO = try LoopCheck(on: loop) { [weak self] in self?.receiveBatchEnded() }
    }

    /// Resolves `type` records of `name`; `completion` runs once, on this loop.
    public func query(_ name: DomainName, _ type: DNSRecordType, dnssec: DNSSECRequest = .none,
                      _ completion: @escaping (DNSLookup) -> Void) {
        loop.preconditionInEventLoop()
        let query = Query(name: name, type: type, dnssec: dnssec, resolverIndex: 0, completion: completion)
        guard !closed else { return finish(query, .timeout, resolver: nil) }
        waiting.append(query)
        if !inReceiveBatch { pump() }
    }

    /// Closes the sockets; queries still waiting or in flight complete as timeouts.
    public func close() {
        loop.preconditionInEventLoop()
        guard !closed else { return }
        closed = true
        ticker?.close()
        ticker = nil
        afterIO?.close()
        afterIO = nil
        inReceiveBatch = false
        let unfinished = pending.values.map { $0 } + waiting[waitingHead...]
        pending.removeAll()
        waiting.removeAll()
        waitingHead = 0
        for socket in ipv4Sockets + ipv6Sockets { socket.close() }
        ipv4Sockets = []
        ipv6Sockets = []
        for query in unfinished { finish(query, .timeout, resolver: nil) }
    }

    /// Counters so far, with each resolver's window.
    public var statistics: DNSClientStatistics {
        var statistics = counters
        let now = nowSeconds()
        statistics.resolvers = resolvers.map { resolver in
            var window = resolver.window
            window.settle(now: now)
            return DNSResolverStatistics(address: resolver.address, sent: resolver.sent,
                                         answered: resolver.answered, window: window.statistics)
        }
        return statistics
    }

    /// Seconds since the client started, for the congestion windows: read per
    /// query sent and answered.
    private func nowSeconds() -> Double {
        Double(MonotonicClock.nanoseconds() &- epochNanoseconds) * 1e-9
    }

    // MARK: sending

    private static let receiveBufferBytes: Int32 = 4 << 20

    private static func burst(_ configuration: DNSClientConfiguration) -> Int {
        // 50 ms worth of budget: smooth at the resolver, no stall on a timer tick.
        max(1, configuration.queriesPerSecondPerResolver / 20)
    }

    private func makePool(family: IPAddress.Family) throws(UVError) -> [UDPSocket] {
        var sockets: [UDPSocket] = []
        let base: UInt32 = family == .ipv6 ? 0x8000 : 0
        for index in 0..<max(1, min(configuration.socketCount, 0x7FFF)) {
            let socket = try UDPSocket(on: loop, batchReceive: true)
            try socket.bind(to: SocketAddress(ip: family == .ipv6 ? .anyV6 : .anyV4, port: 0))
            // Best effort: a smaller buffer than asked for only costs retries.
            try? socket.setReceiveBufferSize(Self.receiveBufferBytes)
            let socketTag = base | UInt32(index)
            try socket.startReceiving(
                onDatagram: { [weak self] bytes, from in
                    self?.received(bytes, from: from, socketTag: socketTag)
                },
                onError: { _ in })
            sockets.append(socket)
        }
        return sockets
    }

    /// Sends waiting queries while the in-flight cap and the resolvers' budgets allow.
    func pump() {
        guard !closed else { return }
        let now = ContinuousClock.now
        refillTokens(now: now)
        while waitingHead < waiting.count, inFlight < configuration.maxInFlight {
            let query = waiting[waitingHead]
            guard let resolverIndex = chooseResolver(for: query, now: now) else { break }
            waitingHead += 1
            query.resolverIndex = resolverIndex
            send(query, now: now)
        }
        if waitingHead == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
        } else if waitingHead >= 1024, waitingHead * 2 >= waiting.count {
            waiting.removeFirst(waitingHead)
            waitingHead = 0
        }
        scheduleTicker()
    }

    /// The resolver for `query`: among those up, with budget and room in
    /// their window (and, for a retry, other than the one that failed it), a
    /// smooth weighted round robin by what each can answer per second (its
    /// window over its smoothed round trip). Two healthy resolvers of equal
    /// speed share alike; a slow one gets its share, not half.
    private func chooseResolver(for query: Query, now: ContinuousClock.Instant) -> Int? {
        let limited = configuration.queriesPerSecondPerResolver > 0
        // Runs for every query sent: a plain loop, no key paths or arrays.
        var knownRTT = Double.infinity
        for index in resolvers.indices {
            if let rtt = resolvers[index].window.smoothedRTT, rtt < knownRTT { knownRTT = rtt }
        }
        if !knownRTT.isFinite { knownRTT = 0.001 }
        var best: Int?
        var total = 0.0
        var fallbackDown: Int?
        for index in resolvers.indices {
            if limited && resolvers[index].tokens < 1 { continue }
            if resolvers[index].inWindow >= resolvers[index].window.capacity { continue }
            if resolvers.count > 1, index == query.avoidResolver { continue }
            if let until = resolvers[index].downUntil, until > now {
                if fallbackDown == nil { fallbackDown = index }
                continue
            }
            // A resolver not yet measured is taken to be as fast as the fastest.
            let rtt = max(resolvers[index].window.smoothedRTT ?? knownRTT, 0.0001)
            let weight = Double(resolvers[index].window.capacity) / rtt
            resolvers[index].credit += weight
            total += weight
            if best.map({ resolvers[index].credit > resolvers[$0].credit }) ?? true { best = index }
        }
        if let best {
            resolvers[best].credit -= total
            return best
        }
        // Every resolver with budget is marked down: keep trying them rather than stall.
        return fallbackDown
    }

    private func refillTokens(now: ContinuousClock.Instant) {
        let rate = Double(configuration.queriesPerSecondPerResolver)
        guard rate > 0 else { return }
        let capacity = Double(Self.burst(configuration))
        for index in resolvers.indices {
            let elapsed = resolvers[index].lastRefill.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            resolvers[index].tokens = min(capacity, resolvers[index].tokens + seconds * rate)
            resolvers[index].lastRefill = now
        }
    }

    private func send(_ query: Query, now: ContinuousClock.Instant) {
        let resolver = resolvers[query.resolverIndex].address
        let pool = resolver.family == .ipv6 ? ipv6Sockets : ipv4Sockets
        guard !pool.isEmpty else { return finish(query, .timeout, resolver: nil) }
        // A random socket, and an ID not pending on it: 2^16 IDs per socket are plenty.
        let socketIndex = Int(random.uint16()) % pool.count
        let socketTag = (resolver.family == .ipv6 ? 0x8000 : 0) | UInt32(socketIndex)
        var id = random.uint16()
        while pending[socketTag << 16 | UInt32(id)] != nil { id = random.uint16() }
        let key = socketTag << 16 | UInt32(id)
        let wire = DNSQuery.wire(id: id, name: query.name, type: query.type, ednsBufferSize: configuration.ednsBufferSize,
                                 dnssec: query.dnssec)
        do {
            try pool[socketIndex].send(wire, to: resolver)
        } catch {
            // Only a closed socket refuses; the deadline below retries elsewhere.
        }
        query.attempts += 1
        nextSerial &+= 1
        query.serial = nextSerial
        query.key = key
        query.presumedLost = false
        query.sentSeconds = nowSeconds()
        pending[key] = query
        inFlight += 1
        counters.sent += 1
        counters.peakInFlight = max(counters.peakInFlight, inFlight)
        resolvers[query.resolverIndex].didSend(query, spendingToken: configuration.queriesPerSecondPerResolver > 0)
        let attempt = min(query.attempts, deadlines.count) - 1
        deadlines[attempt].append(Deadline(at: now + attemptWaits[attempt], key: key, serial: query.serial))
    }

    // MARK: receiving

    /// `bytes` is lent by the socket for this call only: parsed in place, never copied.
    private func received(_ bytes: Span<UInt8>, from: SocketAddress, socketTag: UInt32) {
        if !inReceiveBatch {
            inReceiveBatch = true
            try? afterIO?.start()
        }
        counters.received += 1
        guard bytes.count >= 12 else {
            counters.droppedMalformed += 1
            return
        }
        let id = UInt32(bytes[0]) << 8 | UInt32(bytes[1])
        let key = socketTag << 16 | id
        guard let query = pending[key], resolvers[query.resolverIndex].address == from else {
            counters.droppedMismatched += 1
            return
        }
        guard case .success(let message) = DNSMessage.parseForLookup(bytes, names: &names) else {
            // Keep waiting: the real answer may still come, or the deadline retries.
            counters.droppedMalformed += 1
            return
        }
        guard message.flags.qr, let question = message.question, question.name == query.name.text,
              question.type == query.type, question.recordClass == DNSClass.internet
        else {
            counters.droppedMismatched += 1
            return
        }
        counters.accepted += 1
        pending[key] = nil
        query.key = nil
        inFlight -= 1
        resolvers[query.resolverIndex].didAnswer(
            query, now: nowSeconds(), serverFailure: message.rcode == .servFail || message.rcode == .refused)
        query.presumedLost = false
        if message.flags.tc {
            retryOverTCP(query)
        } else {
            conclude(query, with: message)
        }
    }

    /// The end of a loop iteration's I/O that brought answers: the queries
    /// its answers made room for, and those their domains asked next, leave
    /// together. Sent one per answer they trickle, the server drains its
    /// queue between them and sleeps, and each send wakes it on this thread's
    /// time (7% of the client's CPU, with a sixth fewer queries a second).
    private func receiveBatchEnded() {
        inReceiveBatch = false
        afterIO?.stop()
        pump()
    }

    func conclude(_ query: Query, with message: DNSMessage) {
        let resolver = resolvers[query.resolverIndex].address
        query.authenticated = message.flags.ad
        switch DNSAnswerInterpreter.interpret(message, name: query.name.text, type: query.type, maxChain: configuration.maxCNAMEChain) {
        case .done(let outcome):
            finish(query, outcome, resolver: resolver)
        case .tryAnotherResolver(let outcome):
            if resolvers.count > 1, query.attempts < configuration.attempts {
                query.lastFailure = outcome
                query.avoidResolver = query.resolverIndex
                counters.retries += 1
                waiting.append(query)
            } else {
                finish(query, outcome, resolver: resolver)
            }
        }
    }

    /// The TCP retry of a truncated answer failed (refused, closed, reset, no message
    /// in time): for this name the resolver is as good as silent, so another resolver
    /// gets the query (over UDP first) while attempts remain, as after a timeout. A
    /// resolver that answers UDP but not TCP must not cost the name its lookup.
    func tcpRetryFailed(_ query: Query) {
        if resolvers.count > 1, query.attempts < configuration.attempts {
            counters.retries += 1
            query.usedTCP = false
            query.avoidResolver = query.resolverIndex
            waiting.append(query)
        } else {
            counters.timeouts += 1
            finish(query, query.lastFailure ?? .timeout, resolver: nil)
        }
    }

    func finish(_ query: Query, _ outcome: DNSLookupOutcome, resolver: SocketAddress?) {
        guard let completion = query.completion else { return }
        query.completion = nil
        completion(DNSLookup(
            name: query.name, type: query.type, outcome: outcome, resolver: resolver,
            attempts: query.attempts, usedTCP: query.usedTCP,
            authenticated: resolver != nil && query.authenticated))
    }

    func countTCPFallback() { counters.tcpFallbacks += 1 }

    func resolverAddress(of query: Query) -> SocketAddress { resolvers[query.resolverIndex].address }

    // MARK: deadlines

    /// One ticker drives deadlines and the token buckets while anything is
    /// queued or in flight; it stops when the client is idle.
    private func scheduleTicker() {
        let busy = inFlight > 0 || waitingHead < waiting.count
        if !busy {
            ticker?.stop()
            return
        }
        if ticker == nil {
            ticker = try? Timer(on: loop) { [weak self] in self?.tick() }
        }
        if let ticker, !ticker.isActive {
            try? ticker.start(after: .milliseconds(10), repeat: .milliseconds(10))
        }
    }

    private func tick() {
        // A timer never runs inside a read: a batch whose end went unreported
        // (its socket closed mid-read) must not hold sending back.
        inReceiveBatch = false
        let now = ContinuousClock.now
        presumeLosses()
        for attempt in deadlines.indices {
            while deadlineHeads[attempt] < deadlines[attempt].count {
                let deadline = deadlines[attempt][deadlineHeads[attempt]]
                guard deadline.at <= now else { break }
                deadlineHeads[attempt] += 1
                expire(deadline)
            }
            // Entries before the head are spent: drop them, or memory grows with the input.
            if deadlineHeads[attempt] == deadlines[attempt].count {
                deadlines[attempt].removeAll(keepingCapacity: true)
                deadlineHeads[attempt] = 0
            } else if deadlineHeads[attempt] >= 1024, deadlineHeads[attempt] * 2 >= deadlines[attempt].count {
                deadlines[attempt].removeFirst(deadlineHeads[attempt])
                deadlineHeads[attempt] = 0
            }
        }
        pump()
    }

    /// Frees the window slots of queries unanswered past their resolver's loss
    /// delay, oldest first, and tells the window; the queries stay pending.
    private func presumeLosses() {
        let current = nowSeconds()
        for index in resolvers.indices {
            let lossDelay = resolvers[index].window.lossDelay
            var head = resolvers[index].outstandingHead
            while head < resolvers[index].outstanding.count {
                let entry = resolvers[index].outstanding[head]
                let query = entry.query
                let waiting = query.key != nil && query.attempts == entry.attempt && !query.presumedLost
                    && !query.usedTCP && query.resolverIndex == index
                if waiting {
                    guard let ticket = query.ticket,
                          current - query.sentSeconds >= lossDelay else { break }
                    query.presumedLost = true
                    resolvers[index].inWindow -= 1
                    resolvers[index].window.lost(ticket, now: current)
                }
                head += 1
            }
            // As with deadlines: dropped entries would hold their queries' domains in memory.
            if head == resolvers[index].outstanding.count {
                resolvers[index].outstanding.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= resolvers[index].outstanding.count {
                resolvers[index].outstanding.removeFirst(head)
                head = 0
            }
            resolvers[index].outstandingHead = head
        }
    }

    /// A deadline counts only if its query is still waiting for that very attempt.
    private func expire(_ deadline: Deadline) {
        // Answered, retried or moved to TCP since: nothing to expire.
        guard let query = pending[deadline.key], query.serial == deadline.serial, let key = query.key, !query.usedTCP
        else { return }
        pending[key] = nil
        query.key = nil
        inFlight -= 1
        let index = query.resolverIndex
        if !query.presumedLost, let ticket = query.ticket {
            resolvers[index].inWindow -= 1
            resolvers[index].window.lost(ticket, now: nowSeconds())
        }
        query.presumedLost = false
        resolvers[index].consecutiveTimeouts += 1
        if resolvers[index].consecutiveTimeouts >= configuration.resolverFailureThreshold {
            resolvers[index].downUntil = ContinuousClock.now + configuration.resolverCooldown
        }
        if query.attempts < configuration.attempts {
            counters.retries += 1
            query.avoidResolver = index
            waiting.append(query)
        } else {
            counters.timeouts += 1
            finish(query, query.lastFailure ?? .timeout, resolver: nil)
        }
    }
}

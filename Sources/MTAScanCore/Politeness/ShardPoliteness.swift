/// Per-destination limits of a sharded scan: politeness is global, so each of
/// `n` shards gets `1/n` of what one unsharded scan may send to one MX host,
/// policy host or resolver, and `n` machines together send no more.
///
/// A rate divides exactly. A count (connections open at once, a burst, queries
/// per second) cannot go below one per shard: where the given count is less
/// than `n`, each shard keeps one and together they may reach `n`, and
/// `exceeded` names the limits this happens to, for the user and the metadata.
public struct ShardPoliteness: Sendable, Equatable {
    public struct Limits: Sendable, Equatable {
        /// New connections per second to one destination IP.
        public var ratePerIP: Double
        public var burstPerIP: Int
        public var connectionsPerIP: Int
        /// Queries per second to each resolver; 0 means no fixed rate (the congestion window decides).
        public var queriesPerSecond: Int

        public init(ratePerIP: Double, burstPerIP: Int, connectionsPerIP: Int, queriesPerSecond: Int) {
            self.ratePerIP = ratePerIP
            self.burstPerIP = burstPerIP
            self.connectionsPerIP = connectionsPerIP
            self.queriesPerSecond = queriesPerSecond
        }
    }

    /// As given: the limits for all shards together.
    public let global: Limits
    /// What one shard uses.
    public let perShard: Limits
    public let shards: Int
    /// Option names whose global value is below the shard count: the shards
    /// together may use `shards` where one scan would use the given count.
    public let exceeded: [String]

    public init(global: Limits, shards: Int) {
        precondition(shards >= 1)
        self.global = global
        self.shards = shards
        var exceeded: [String] = []
        func divided(_ value: Int, _ option: String) -> Int {
            if value < shards { exceeded.append(option) }
            return Swift.max(1, value / shards)
        }
        perShard = Limits(
            ratePerIP: global.ratePerIP / Double(shards),
            burstPerIP: divided(global.burstPerIP, "--burst-per-ip"),
            connectionsPerIP: divided(global.connectionsPerIP, "--connections-per-ip"),
            queriesPerSecond: global.queriesPerSecond == 0 ? 0 : divided(global.queriesPerSecond, "--qps"))
        self.exceeded = exceeded
    }

    /// For the metadata's `shard` object.
    public var json: JSONValue {
        func object(_ limits: Limits) -> JSONValue {
            .object(["rate_per_ip": .double(limits.ratePerIP), "burst_per_ip": .int(limits.burstPerIP),
                     "connections_per_ip": .int(limits.connectionsPerIP), "qps": .int(limits.queriesPerSecond)])
        }
        return .object(["global": object(global), "per_shard": object(perShard),
                        "not_divisible": .strings(exceeded)])
    }
}

import Synchronization

/// The first error raised on any loop during setup.
final class FailureBox: Sendable {
    private let errors = Mutex<[any Error]>([])
    func record(_ error: any Error) { errors.withLock { $0.append(error) } }
    var first: (any Error)? { errors.withLock { $0.first } }
}

/// DNS statistics collected from every loop at the end of a scan.
final class StatisticsBox: Sendable {
    private let sum = Mutex(DNSClientStatistics())
    func add(_ statistics: DNSClientStatistics) { sum.withLock { $0.add(statistics) } }
    var total: DNSClientStatistics { sum.withLock { $0 } }
}

/// Probe statistics collected from every loop at the end of a scan.
final class ProbeStatisticsBox: Sendable {
    private let sum = Mutex(ProbeStatistics())
    func add(_ statistics: ProbeStatistics) { sum.withLock { $0.add(statistics) } }
    var total: ProbeStatistics { sum.withLock { $0 } }
}

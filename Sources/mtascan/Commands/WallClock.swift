internal import Glibc

/// Seconds since the Unix epoch, for the metadata's start and end times (the
/// core formats them; it does no I/O, the clock included).
enum WallClock {
    static func now() -> Int64 { Int64(time(nil)) }
}

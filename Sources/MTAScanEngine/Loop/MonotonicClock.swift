internal import CLibUV

/// The monotonic clock libuv reads (`uv_hrtime`, a vDSO call), in nanoseconds
/// from an arbitrary origin. For intervals measured per query: a
/// `ContinuousClock` instant turned into seconds costs a 128-bit duration and
/// a generic integer-to-float conversion each time.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 { uv_hrtime() }
}

/// Conversions between UTC calendar fields and Unix seconds, for certificate
/// validity dates. Proleptic Gregorian, no leap seconds (as POSIX time and
/// X.509 times, RFC 5280 §4.1.2.5, both ignore them). Pure arithmetic, so that
/// output never depends on the process's time zone or locale. In the core so that
/// certificate dates and scan metadata (`started_at`) share one formatter.
public enum UnixTime {
    /// Seconds since 1970-01-01T00:00:00Z of a UTC date and time; month 1...12.
    public static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
            + Int64(hour * 3_600 + minute * 60 + second)
    }

    /// RFC 3339 text in UTC, `2026-03-01T12:00:00Z`.
    public static func rfc3339(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilFromDays(Int(days))
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondOfDay / 3_600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "Z"
    }

    /// RFC 5322 §3.3 date-time in UTC, `Fri, 04 Dec 2026 16:30:00 +0000` (mail headers).
    public static func rfc5322(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilFromDays(Int(days))
        // 1970-01-01 was a Thursday.
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(weekday), " + pad(day, 2) + " \(months[month - 1]) " + pad(year, 4) + " "
            + pad(secondOfDay / 3_600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + " +0000"
    }

    /// Reads back exactly what `rfc3339` writes (`YYYY-MM-DDTHH:MM:SSZ`); nil for anything else.
    public static func parseRFC3339(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "Z"),
              let time = dateTimeFields(bytes), time.second < 60 else { return nil }
        return seconds(year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute,
                       second: time.second)
    }

    /// Any RFC 3339 `date-time` (§5.6): `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`,
    /// `T` and `Z` in either case; the fraction is dropped, a leap second
    /// read as :59, the offset applied.
    public static func parseDateTime(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard let time = dateTimeFields(bytes) else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let digits = bytes[index...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            guard digits > 0 else { return nil }
            index += digits
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = digits(bytes, (index + 1)..<(index + 3)), let minutes = digits(bytes, (index + 4)..<(index + 6)),
                  hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        return seconds(year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute,
                       second: min(time.second, 59)) - Int64(offset)
    }

    /// The fields of `YYYY-MM-DDTHH:MM:SS` at the start of `bytes` (`T` in
    /// either case), each in its range (a second of 60 included: leap seconds).
    private static func dateTimeFields(_ bytes: [UInt8])
        -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)?
    {
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = digits(bytes, 0..<4), let month = digits(bytes, 5..<7), let day = digits(bytes, 8..<10),
              let hour = digits(bytes, 11..<13), let minute = digits(bytes, 14..<16), let second = digits(bytes, 17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        return (year, month, day, hour, minute, second)
    }

    /// The decimal number written in `bytes[range]`; nil unless all are digits.
    private static func digits(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard range.upperBound <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[range] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    // Howard Hinnant's days_from_civil / civil_from_days: eras of 400 years
    // (146 097 days), with years starting in March so that the leap day is last.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// What a TXT lookup at `_mta-sts.<domain>` or `_smtp._tls.<domain>` amounts to.
public enum RecordStatus: String, Sendable {
    /// No TXT record there, or none evidently meant as this kind of record
    /// (an SPF record or a verification token is not an attempt at MTA-STS).
    case absent
    /// One usable record: compliant senders act on it (warnings allowed).
    case valid
    /// Meant as a record, but an error-severity finding makes it unusable.
    case invalid
}

/// Why an MX host matches none of the policy's `mx` patterns: the `kind` detail
/// of an `mx-pattern-mismatch` finding (shared/spec/findings.md). The raw values
/// are part of the output vocabulary and never change meaning.
/// `MXConsistency.classify` defines each kind precisely.
public enum MismatchKind: String, Sendable, CaseIterable {
    case typo
    case tld
    case extraLabel = "extra-label"
    case mtaStsLabel = "mta-sts-label"
    case complete
}

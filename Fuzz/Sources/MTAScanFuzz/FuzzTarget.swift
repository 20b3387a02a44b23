/// One fuzz target: a name for `tools/fuzz.sh`, what it checks, and the body
/// run on every input. Bodies check invariants with `Invariant.require`.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    let run: @Sendable (FuzzInput) -> Void
}

/// The registry `MTASCAN_FUZZ_TARGET` picks from; each seed corpus is
/// `Fuzz/Corpus/<name>/`.
enum FuzzTargets {
    static let all: [FuzzTarget] = [
        DNSMessageTarget.target,
        HTTPResponseTarget.target,
        SMTPReplyTarget.target,
        SMTPProbeTarget.target,
        PolicyTarget.target,
        STSRecordTarget.target,
        TLSRPTRecordTarget.target,
        DomainListTarget.target,
        TrancoCSVTarget.target,
        ZoneTokenizerTarget.target,
        ZoneFileTarget.target,
        JSONTarget.target,
        ScanRecordsTarget.target,
        LintBatchTarget.target,
        SecurityTxtTarget.target,
        BounceTarget.target,
        FeedbackCSVTarget.target,
        ProviderContactsTarget.target,
    ]

    static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

import Testing
@testable import MTAScanCore

/// The mapping of probe failures onto `mx-smtp` and `mx-no-starttls`.
@Suite struct SMTPProbeResultTests {
    @Test func everyStageAndReasonMapsAsDocumented() {
        for stage in SMTPProbeStage.allCases {
            for reason in SMTPProbeFailure.Reason.allCases {
                let code = SMTPProbeFailure(stage: stage, reason: reason).findingCode
                let expected: FindingCode?
                switch (stage, reason) {
                case (.tls, _), (.quit, _):
                    expected = nil
                case (_, .notAdvertised):
                    expected = .mxNoStartTLS
                case (.starttls, .temporary), (.starttls, .permanent), (.starttls, .unexpectedCode):
                    expected = .mxNoStartTLS
                default:
                    expected = .mxSMTP
                }
                #expect(code == expected, "\(stage) \(reason)")
            }
        }
    }

    @Test func greylistingAtBannerOrEHLOIsATemporaryMXSMTP() throws {
        for stage in [SMTPProbeStage.banner, .ehlo] {
            let finding = try #require(SMTPProbeFailure(stage: stage, reason: .temporary, code: 451, text: "try later").finding)
            #expect(finding.code == .mxSMTP)
            #expect(finding.component == .mx)
            #expect(finding.severity == .error)
            #expect(finding[detail: "reason"] == "temporary")
            #expect(finding[detail: "reply_code"] == 451)
            #expect(finding[detail: "reply_text"] == "try later")
        }
    }

    @Test func detailsOnlyWhenKnown() throws {
        let finding = try #require(SMTPProbeFailure(stage: .banner, reason: .tooLong, problem: .tooManyLines).finding)
        #expect(finding.details.keys == ["stage", "reason", "problem"])
        #expect(finding[detail: "problem"] == "too-many-lines")
        #expect(finding.json["code"] == "mx-smtp")
    }

    @Test func aSuccessfulProbeHasNoFinding() {
        var result = SMTPProbeResult()
        result.tlsEstablished = true
        #expect(result.finding == nil)
        result.failure = SMTPProbeFailure(stage: .quit, reason: .closed)
        #expect(result.finding == nil)
    }

    @Test func stableStrings() {
        #expect(SMTPProbeStage.allCases.map(\.rawValue) == ["banner", "ehlo", "helo", "starttls", "tls", "quit"])
        #expect(SMTPProbeFailure.Reason.allCases.map(\.rawValue) == [
            "timeout", "closed", "reset", "temporary", "permanent", "unexpected-code", "malformed", "too-long",
            "unexpected-data", "not-advertised", "handshake",
        ])
        #expect(SMTPReplyFailure.allCases.map(\.rawValue) == [
            "malformed", "inconsistent-code", "line-too-long", "too-many-lines", "too-large",
        ])
    }
}

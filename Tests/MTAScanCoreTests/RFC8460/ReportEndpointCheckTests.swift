import MTAScanCore
import Testing

/// Can a `rua` endpoint receive (phase tlsrpt)? The pure decisions: only what
/// shows a report can never arrive is `unreachable`, never a failed lookup.
struct ReportEndpointCheckTests {
    private func addresses(_ v4: LookupResult<String>, _ v6: LookupResult<String> = .nodata) -> HostAddresses {
        HostAddresses(ipv4: v4, ipv6: v6)
    }

    // MARK: targets

    @Test func aMailtoTargetIsTheFirstAddressesDomain() throws {
        let target = try #require(ReportEndpointTarget.parse("mailto:TLSRPT@Reports.Example.COM?subject=x"))
        #expect(target.scheme == .mailto)
        #expect(target.host.text == "reports.example.com")
        #expect(target.key == "mailto:reports.example.com")
        let two = try #require(ReportEndpointTarget.parse("mailto:a@one.example%2Cb@two.example"))
        #expect(two.host.text == "one.example")
        // Two mailboxes at one domain are one endpoint.
        #expect(ReportEndpointTarget.parse("mailto:a@x.example")?.key == ReportEndpointTarget.parse("mailto:b@x.example")?.key)
    }

    @Test func anHTTPSTargetHasHostPortAndRequestTarget() throws {
        let plain = try #require(ReportEndpointTarget.parse("https://reports.example.net/v1/tlsrpt?x=1#frag"))
        #expect(plain.host.text == "reports.example.net")
        #expect(plain.port == 443)
        #expect(plain.requestTarget == "/v1/tlsrpt?x=1")
        let bare = try #require(ReportEndpointTarget.parse("https://user@Reports.example.net:8443"))
        #expect(bare.host.text == "reports.example.net")
        #expect(bare.port == 8443)
        #expect(bare.requestTarget == "/")
        #expect(bare.key == "https://reports.example.net:8443/")
    }

    @Test func literalsAreNotChecked() {
        #expect(ReportEndpointTarget.parse("mailto:tlsrpt@[192.0.2.1]") == nil)
        #expect(ReportEndpointTarget.parse("https://192.0.2.1/tlsrpt") == nil)
        #expect(ReportEndpointTarget.parse("https://[2001:db8::1]/tlsrpt") == nil)
        #expect(ReportEndpointTarget.parse("https://x.example:0/") == nil)
    }

    @Test func theHEADRequestCarriesNoBodyAndNoInjectedLine() throws {
        let target = try #require(ReportEndpointTarget.parse("https://reports.example.net:8443/v1?a=b"))
        let text = String(decoding: ReportEndpointRequest.bytes(target, userAgent: "mtascan/1"), as: UTF8.self)
        #expect(text.hasPrefix("HEAD /v1?a=b HTTP/1.1\r\nHost: reports.example.net:8443\r\n"))
        #expect(text.hasSuffix("Connection: close\r\n\r\n"))
        #expect(!text.contains("POST"))
    }

    // MARK: mailto (RFC 5321 §5.1, RFC 7505)

    @Test func aNullMXIsUnreachable() {
        let result = ReportEndpointCheck.mailto(mx: .answer([MXRecordValue(preference: 0, host: "")]), addresses: nil)
        #expect(result.status == .unreachable)
        #expect(result.reason == .nullMX)
    }

    @Test func aNullMXBesideARealHostIsReachable() {
        let mx: LookupResult<MXRecordValue> = .answer([MXRecordValue(preference: 0, host: ""),
                                                        MXRecordValue(preference: 10, host: "mx.example")])
        #expect(ReportEndpointCheck.mailto(mx: mx, addresses: nil).status == .reachable)
        #expect(!ReportEndpointCheck.mailtoNeedsAddresses(mx))
    }

    @Test func aMissingMailDomainIsUnreachable() {
        let result = ReportEndpointCheck.mailto(mx: .nxdomain, addresses: nil)
        #expect(result.status == .unreachable)
        #expect(result.reason == .nxdomain)
        #expect(!ReportEndpointCheck.mailtoNeedsAddresses(.nxdomain))
    }

    @Test func noMXFallsBackToTheDomainsAddress() {
        #expect(ReportEndpointCheck.mailtoNeedsAddresses(.nodata))
        let viaA = ReportEndpointCheck.mailto(mx: .nodata, addresses: addresses(.answer(["192.0.2.1"])))
        #expect(viaA.status == .reachable)
        #expect(viaA.lookups.map(\.0) == ["mx", "a", "aaaa"])
        let none = ReportEndpointCheck.mailto(mx: .nodata, addresses: addresses(.nodata, .nodata))
        #expect(none.status == .unreachable)
        #expect(none.reason == .noMXNoAddress)
    }

    @Test func aFailedLookupIsNeverUnreachable() {
        for status in [LookupStatus.servfail, .timeout, .refused, .error] {
            let mx = ReportEndpointCheck.mailto(mx: LookupResult(status: status), addresses: nil)
            #expect(mx.status == .unknown, "\(status)")
            #expect(ReportEndpointObservation(uri: "mailto:a@x.example", target: nil, result: mx).finding == nil)
            let fallback = ReportEndpointCheck.mailto(mx: .nodata, addresses: addresses(.nodata, LookupResult(status: status)))
            #expect(fallback.status == .unknown, "\(status)")
            let https = ReportEndpointCheck.httpsAddresses(addresses(LookupResult(status: status), .nodata))
            #expect(https?.status == .unknown, "\(status)")
        }
    }

    // MARK: https

    @Test func anHTTPSHostWithoutAddressIsUnreachable() {
        #expect(ReportEndpointCheck.httpsAddresses(addresses(.nxdomain, .nxdomain))?.reason == .nxdomain)
        #expect(ReportEndpointCheck.httpsAddresses(addresses(.nodata, .nodata))?.reason == .noAddress)
        #expect(ReportEndpointCheck.httpsAddresses(addresses(.answer(["192.0.2.1"]))) == nil)
    }

    @Test func connectionOutcomes() {
        let found = addresses(.answer(["192.0.2.1"]))
        func check(_ connection: ReportEndpointConnection) -> ReportEndpointResult {
            ReportEndpointCheck.https(addresses: found, address: "192.0.2.1", connection: connection)
        }
        #expect(check(.tcpFailed(reason: "refused")).reason == .tcp)
        let tls = check(.tlsFailed(reason: "expired", verifyError: 10))
        #expect(tls.reason == .tls)
        #expect(tls.verifyError == 10)
        #expect(check(.answered(status: 503)).reason == .http5xx)
        // POST-only collectors answer HEAD with 404/405: they are there.
        for status in [200, 204, 301, 404, 405] {
            #expect(check(.answered(status: status)).status == .reachable, "\(status)")
        }
        let silent = check(.noStatus(reason: "timeout"))
        #expect(silent.status == .unknown)
        #expect(silent.reason == .http)
    }

    // MARK: finding and record

    @Test func theFindingCarriesURIAndReason() throws {
        let target = ReportEndpointTarget.parse("https://reports.example.net/tlsrpt")
        let result = ReportEndpointCheck.https(addresses: addresses(.answer(["192.0.2.1"])), address: "192.0.2.1",
                                               connection: .answered(status: 503))
        let observation = ReportEndpointObservation(uri: "https://reports.example.net/tlsrpt", target: target, result: result)
        let finding = try #require(observation.finding)
        #expect(finding.code == .tlsrptRUAUnreachable)
        #expect(finding.severity == .warning)
        #expect(finding.component == .tlsrpt)
        #expect(finding[detail: "uri"] == "https://reports.example.net/tlsrpt")
        #expect(finding[detail: "reason"] == "http-5xx")
        #expect(finding[detail: "status"] == 503)
        #expect(finding[detail: "host"] == "reports.example.net")
        #expect(observation.json["status"] == "unreachable")
        #expect(observation.json["http_status"] == 503)
        #expect(FindingCode.tlsrptRUAUnreachable.measuringPhases == [.dns, .tlsrpt])
    }

    @Test func anUnreachableEndpointLeavesTheVerdictAlone() {
        let finding = ReportEndpointObservation(
            uri: "mailto:x@gone.example", target: ReportEndpointTarget.parse("mailto:x@gone.example"),
            result: ReportEndpointCheck.mailto(mx: .nxdomain, addresses: nil)).finding
        #expect(Verdict.of(stsRecordStatus: .valid, findings: finding.map { [$0] } ?? []) == .valid)
    }

    @Test func tlsrptIsNotADefaultPhase() {
        #expect(ScanRecord.Phase.defaults == [.dns, .policy, .mx])
        #expect(ScanRecord.Phase.allCases.last == .tlsrpt)
    }
}

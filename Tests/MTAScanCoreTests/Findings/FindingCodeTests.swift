import Foundation
import Testing
@testable import MTAScanCore

@Suite struct FindingCodeTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Backticked kebab-case words in a Markdown file that look like finding codes.
    private func codes(inMarkdown url: URL) throws -> Set<String> {
        let text = try String(contentsOf: url, encoding: .utf8)
        let prefixes = ["sts-record", "policy", "mx", "tlsrpt", "dns", "delivery", "dane"]
        var found = Set<String>()
        for part in text.split(separator: "`").enumerated() where part.offset % 2 == 1 {
            let word = String(part.element)
            if prefixes.contains(where: { word.hasPrefix($0 + "-") }), word.allSatisfy({ $0.isLowercase || $0 == "-" || $0.isNumber }) {
                found.insert(word)
            }
        }
        return found
    }

    @Test func everyCodeIsDocumented() throws {
        let documented = try codes(inMarkdown: Self.repositoryRoot.appendingPathComponent("docs/findings.md"))
        for code in FindingCode.allCases {
            #expect(documented.contains(code.rawValue), "\(code.rawValue) is missing from docs/findings.md")
        }
    }

    /// The spec also backticks detail values (`name-mismatch`, `extra-label`);
    /// only words with a component prefix are codes.
    @Test func everyCodeOfTheSharedSpecExists() throws {
        let spec = Self.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/spec/findings.md")
        guard FileManager.default.fileExists(atPath: spec.path) else { return }
        // And tlsrpt-recommended, which campaigns add (notify plan --recommend-tlsrpt).
        let known = Set(FindingCode.allCases.map(\.rawValue)).union(["tlsrpt-recommended"])
        let specCodes = try codes(inMarkdown: spec)
        #expect(specCodes.count >= 30)
        for code in specCodes {
            #expect(known.contains(code), "\(code) from shared/spec/findings.md has no FindingCode")
        }
    }

    @Test func componentsAndSeveritiesFollowTheCodePrefix() {
        for code in FindingCode.allCases {
            switch code.component {
            case .stsRecord: #expect(code.rawValue.hasPrefix("sts-record-"))
            case .tlsrpt: #expect(code.rawValue.hasPrefix("tlsrpt-"))
            case .dns: #expect(code.rawValue.hasPrefix("dns-"))
            case .policy: #expect(code.rawValue.hasPrefix("policy-"))
            case .mx: #expect(code.rawValue.hasPrefix("mx-"))
            case .consistency: #expect(code == .mxPatternMismatch)
            case .risk: #expect(code.rawValue.hasPrefix("delivery-"))
            case .dane: #expect(code.rawValue.hasPrefix("dane-"))
            }
        }
    }

    /// docs/fixes.md, the texts notification messages are made from: every
    /// code has its section, with what was seen, why it matters and the fix,
    /// and no section names a code that does not exist.
    @Test func everyCodeHasAFixText() throws {
        let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/fixes.md"), encoding: .utf8)
        var sections: [String: String] = [:]
        for part in text.components(separatedBy: "\n## `").dropFirst() {
            guard let end = part.firstIndex(of: "`") else { continue }
            sections[String(part[..<end])] = String(part[end...])
        }
        // And tlsrpt-recommended, which campaigns add (notify plan --recommend-tlsrpt).
        let known = Set(FindingCode.allCases.map(\.rawValue)).union(["tlsrpt-recommended"])
        #expect(Set(sections.keys) == known, "extra: \(Set(sections.keys).subtracting(known)), missing: \(known.subtracting(sections.keys))")
        for (code, body) in sections {
            for heading in ["**What we saw:**", "**Why it matters:**", "**How to fix:**"] {
                #expect(body.contains(heading), "\(code) lacks \(heading)")
            }
        }
    }
}

import Foundation
import Testing
@testable import MTAScanCore

/// docs/scan-record.schema.json names the same vocabularies as the code: a
/// code added to `FindingCode` without the schema would make every record that
/// carries it invalid for everyone who validates.
@Suite struct ScanRecordSchemaTests {
    private let schema: JSONValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/scan-record.schema.json")
        return (try? JSONParser.parse(Array((try? Data(contentsOf: url)) ?? Data()))) ?? .null
    }()

    private func strings(_ value: JSONValue?) -> Set<String> {
        Set((value?.arrayValue ?? []).compactMap(\.stringValue))
    }

    private var definitions: JSONValue? { schema["$defs"] }

    @Test func findingVocabulariesMatchTheCode() {
        let finding = definitions?["finding"]?["properties"]
        #expect(strings(finding?["code"]?["enum"]) == Set(FindingCode.allCases.map(\.rawValue)))
        #expect(strings(finding?["severity"]?["enum"]) == Set(Severity.allCases.map(\.rawValue)))
        #expect(strings(finding?["component"]?["enum"]) == Set(Component.allCases.map(\.rawValue)))
        #expect(strings(definitions?["finding"]?["required"]) == ["code", "severity", "component"])
    }

    @Test func recordVocabulariesMatchTheCode() {
        let properties = schema["properties"]
        #expect(strings(definitions?["lookupStatus"]?["enum"]) == Set(LookupStatus.allCases.map(\.rawValue)))
        #expect(strings(properties?["verdict"]?["enum"]) == Set(Verdict.allCases.map(\.rawValue)))
        #expect(properties?["verdict"]?["enum"]?.arrayValue?.contains(.null) == true)
        #expect(strings(properties?["mode"]?["enum"]) == Set(PolicyMode.allCases.map(\.rawValue)))
        #expect(strings(properties?["phases"]?["items"]?["enum"]) == Set(ScanRecord.Phase.allCases.map(\.rawValue)))
        #expect(properties?["schema_version"]?["const"] == .int(ScanRecord.schemaVersion))
    }

    /// Every top-level key is required and nothing else is allowed, in the order records write them.
    @Test func everyTopLevelKeyIsRequired() {
        let required = (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(required == (schema["properties"]?.objectValue?.keys ?? []))
        #expect(schema["additionalProperties"] == false)
        #expect(required.first == "schema_version")
        #expect(required.count == 16)
        // The keys a record of today writes are a subset, in the same relative order.
        let written = ScanRecord.excluded(domain: DomainName("example.com")!, line: 1, rule: "example.com").objectValue?.keys ?? []
        #expect(written.count == 16)
        #expect(required.filter { written.contains($0) } == written)
    }
}

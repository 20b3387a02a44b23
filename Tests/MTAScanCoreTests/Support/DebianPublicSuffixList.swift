import Foundation
import MTAScanCore

/// The real list from Debian's `publicsuffix` package, read once for all tests.
/// Nil (and the tests that need it fail on `#require`) when it is not installed.
enum DebianPublicSuffixList {
    static let shared: PublicSuffixList? = {
        guard let data = FileManager.default.contents(atPath: PublicSuffixList.debianPath) else { return nil }
        return try? PublicSuffixList(listText: data)
    }()
}

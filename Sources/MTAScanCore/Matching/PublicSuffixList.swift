/// The Public Suffix List (https://publicsuffix.org/list/): which names are
/// open for registration, so that `mail.example.co.uk` is known to belong to
/// `example.co.uk` and not to `co.uk`.
///
/// Built from the list's text; reading the file is the caller's job (the core
/// does no I/O). On Debian the package `publicsuffix` installs it at
/// `debianPath`. A list without a single rule is an error, never an empty
/// list that would quietly make every TLD the only public suffix.
///
/// Names are compared in A-label form, as DNS carries them: the list's IDN
/// rules, written in Unicode, are converted to `xn--` labels on load (RFC 3492
/// Punycode, no further IDNA mapping: the list is already canonical). A name
/// looked up with non-ASCII labels is converted the same way, and the answer is
/// given in the name's own form. ASCII is compared case-insensitively and
/// answers are lower-case; one trailing dot is ignored.
public final class PublicSuffixList: Sendable {
    public static let debianPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// The list's two divisions: ICANN-delegated suffixes, and suffixes that
    /// private parties (hosting, dynamic DNS, cloud) submitted for their customers.
    public enum Section: String, Sendable, Hashable, CaseIterable {
        case icann
        case privateDomains = "private"
    }

    public enum ParseError: Error, Sendable, Equatable {
        /// The text holds no rule at all (an empty or truncated file).
        case noRules
        /// A rule that is not a name, `*.` name or `!` name: 1-based line number.
        case malformedRule(line: Int)
    }

    /// The answer for one name.
    public struct Lookup: Sendable, Equatable {
        /// The longest public suffix of the name (at least its last label, by the
        /// default rule `*`).
        public let publicSuffix: String
        /// The public suffix and one label more; nil when the name is itself a
        /// public suffix or has an empty label.
        public let registrableDomain: String?
        /// Where the prevailing rule came from; nil when only the default rule matched.
        public let section: Section?
    }

    /// Rules read, counting `*.` and `!` rules, duplicates once.
    public let ruleCount: Int
    private let table: SuffixTable

    public init(listText: some Collection<UInt8>) throws(ParseError) {
        let (suffixes, ruleCount) = try Self.parse(Array(listText))
        guard ruleCount > 0 else { throw .noRules }
        self.ruleCount = ruleCount
        self.table = SuffixTable(suffixes)
    }

    public func publicSuffix(of name: String) -> String {
        lookup(name).publicSuffix
    }

    /// eTLD+1: the name's public suffix plus one label; nil when the name is a
    /// public suffix itself or has an empty label.
    public func registrableDomain(of name: String) -> String? {
        lookup(name).registrableDomain
    }

    public func lookup(_ name: String) -> Lookup {
        var name = name
        return name.withUTF8 { whole in
            let name = UnsafeBufferPointer(rebasing: whole[..<Self.endIgnoringTrailingDot(whole)])
            guard name.contains(where: { $0 >= 0x80 }) else {
                let (labels, section) = suffixLabelCount(name)
                return Self.lookup(name, suffixLabels: labels, section: section)
            }
            // Slow path for U-labels: match their A-label form, answer in theirs.
            // Both forms have the same labels, so a label count carries over.
            guard let aLabels = Punycode.aLabelName(utf8: name) else {
                return Self.lookup(name, suffixLabels: 1, section: nil)
            }
            let (labels, section) = aLabels.withUnsafeBufferPointer(suffixLabelCount)
            return Self.lookup(name, suffixLabels: labels, section: section)
        }
    }

    /// The number of labels of `name`'s public suffix (PSL algorithm: the
    /// default rule `*`, the matching rule with the most labels, but an
    /// exception rule wins and counts one label less) and the prevailing rule's section.
    func suffixLabelCount(_ name: UnsafeBufferPointer<UInt8>) -> (Int, Section?) {
        var best = 1
        var bestSection: Section? = nil
        var hash = SuffixTable.seed
        var start = name.count  // the current suffix is name[start...]
        var labels = 0
        while start > 0 {
            if labels > 0 {
                start -= 1  // the dot
                hash = SuffixTable.extend(hash, with: UInt8(ascii: "."))
            }
            while start > 0, name[start - 1] != UInt8(ascii: ".") {
                start -= 1
                hash = SuffixTable.extend(hash, with: ASCII.lower(name[start]))
            }
            labels += 1
            guard let flags = table.flags(hash: hash, name: name, range: start..<name.count) else { break }
            if flags.contains(.exception) {
                return (labels - 1, flags.contains(.privateException) ? .privateDomains : .icann)
            }
            if flags.contains(.rule), labels >= best {
                best = labels
                bestSection = flags.contains(.privateRule) ? .privateDomains : .icann
            }
            // `*.S` matches only when there is a label left of S to stand for `*`.
            if flags.contains(.wildcard), start > 0 {
                best = labels + 1
                bestSection = flags.contains(.privateWildcard) ? .privateDomains : .icann
            }
            guard flags.contains(.interior) else { break }
        }
        return (best, bestSection)
    }

    private static func lookup(_ name: UnsafeBufferPointer<UInt8>, suffixLabels: Int, section: Section?) -> Lookup {
        let suffixStart = startOfLast(suffixLabels, labelsOf: name)
        var registrable: String? = nil
        // A name with an empty label (`.example.com`, `a..com`) is no domain
        // name, so nothing in it is registrable (the PSL's test vectors agree).
        let hasEmptyLabel = name.first == UInt8(ascii: ".") || name.last == UInt8(ascii: ".")
            || zip(name, name.dropFirst()).contains { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") }
        if suffixStart > 0, !hasEmptyLabel {
            registrable = lowerCased(name[startOfLast(suffixLabels + 1, labelsOf: name)...])
        }
        return Lookup(publicSuffix: lowerCased(name[suffixStart...]), registrableDomain: registrable, section: section)
    }

    /// The byte offset where the last `count` labels of `name` begin.
    private static func startOfLast(_ count: Int, labelsOf name: UnsafeBufferPointer<UInt8>) -> Int {
        var seen = 0
        var index = name.count
        while index > 0 {
            if name[index - 1] == UInt8(ascii: ".") {
                seen += 1
                if seen == count { return index }
            }
            index -= 1
        }
        return 0
    }

    private static func lowerCased(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { buffer in
            for (offset, byte) in bytes.enumerated() { buffer[offset] = ASCII.lower(byte) }
            return bytes.count
        }
    }

    private static func endIgnoringTrailingDot(_ name: UnsafeBufferPointer<UInt8>) -> Int {
        name.last == UInt8(ascii: ".") ? name.count - 1 : name.count
    }
}

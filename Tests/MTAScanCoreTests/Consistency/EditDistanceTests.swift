import Testing
import MTAScanCore

@Suite struct EditDistanceTests {
    @Test(arguments: [
        ("kitten", "sitting", 3),
        ("mail.exmaple.com", "mail.example.com", 1),  // one transposition
        ("mail.example.com", "mail.example.con", 1),
        ("mx.example.com", "mx1.example.com", 1),
        ("mail.example.com", "mial.exmaple.com", 2),
        ("abc", "abc", 0),
        ("", "abc", 3),
        ("abcdef", "badcfe", 3),
        // Optimal string alignment, not full Damerau–Levenshtein: `ca` → `ac`
        // → `abc` edits the transposed pair again, which OSA forbids (DL says 2).
        ("ca", "abc", 3),
    ])
    func knownDistances(a: String, b: String, expected: Int) {
        #expect(EditDistance.optimalStringAlignment(a, b, limit: 10) == expected)
        #expect(EditDistance.optimalStringAlignment(b, a, limit: 10) == expected)
        #expect(EditDistance.optimalStringAlignment(a, b, limit: expected) == expected)
        if expected > 0 { #expect(EditDistance.optimalStringAlignment(a, b, limit: expected - 1) == nil) }
    }

    @Test func boundsAndEdges() {
        #expect(EditDistance.optimalStringAlignment("", "", limit: 0) == 0)
        #expect(EditDistance.optimalStringAlignment("", "abcd", limit: 3) == nil)
        #expect(EditDistance.optimalStringAlignment("a", "a", limit: -1) == nil)
        // Length difference alone exceeds the limit: answered without the matrix.
        #expect(EditDistance.optimalStringAlignment("mx.example.com", "mx.example.com.evil.net", limit: 3) == nil)
        // Case matters: callers lower-case names first.
        #expect(EditDistance.optimalStringAlignment("Mail", "mail", limit: 3) == 1)
    }

    @Test func longInputStaysInTheBand() {
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        var changed = long
        changed[5] = UInt8(ascii: "b")
        changed[100_000] = UInt8(ascii: "b")
        #expect(EditDistance.optimalStringAlignment(long, changed, limit: 3) == 2)
        #expect(EditDistance.optimalStringAlignment(long, long.dropFirst(2), limit: 3) == 2)
        #expect(EditDistance.optimalStringAlignment(long, [UInt8](repeating: UInt8(ascii: "b"), count: 200_000), limit: 3) == nil)
    }

    /// The banded, early-exit version agrees with the textbook full matrix.
    @Test func agreesWithFullMatrixOnRandomStrings() {
        var random = SplitMix64(seed: 8461)
        for _ in 0..<2_000 {
            let a = random.string(maxLength: 9)
            let b = random.string(maxLength: 9)
            let full = Self.fullMatrixOSA(a, b)
            for limit in 0...6 {
                let bounded = EditDistance.optimalStringAlignment(a, b, limit: limit)
                #expect(bounded == (full <= limit ? full : nil), "\(a) / \(b) limit \(limit)")
            }
        }
    }

    private static func fullMatrixOSA(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}

extension SplitMix64 {
    /// Over a three-letter alphabet, so that matches and transpositions are common.
    mutating func string(maxLength: Int) -> [UInt8] {
        let length = Int(next() % UInt64(maxLength + 1))
        return (0..<length).map { _ in UInt8(ascii: "a") + UInt8(next() % 3) }
    }
}

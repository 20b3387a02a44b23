/// Edit distance between host names, to tell a typo (`exmaple`) from an
/// unrelated name.
public enum EditDistance {
    /// Damerau–Levenshtein distance in its optimal-string-alignment form over
    /// bytes: insertions, deletions, substitutions and transpositions of two
    /// adjacent bytes each cost 1, and no substring is edited twice. Bytes are
    /// compared exactly (lower-case first for DNS names).
    ///
    /// Bounded: returns nil as soon as the distance must exceed `limit`. Only
    /// the diagonal band of width `2 × limit + 1` is computed, since a cell
    /// further off the diagonal already costs more than `limit`, so the cost is
    /// O(length × limit) rather than O(length²) even for long hostile input.
    public static func optimalStringAlignment(
        _ a: some Collection<UInt8>, _ b: some Collection<UInt8>, limit: Int
    ) -> Int? {
        let a = Array(a)
        let b = Array(b)
        guard limit >= 0, abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }

        let n = a.count
        let m = b.count
        let outside = limit + 1  // any value above the limit
        var twoBack = [Int](repeating: outside, count: m + 1)
        var previous = [Int](repeating: outside, count: m + 1)
        var current = [Int](repeating: outside, count: m + 1)
        for j in 0...min(m, limit) { previous[j] = j }

        for i in 1...n {
            let low = max(1, i - limit)
            let high = min(m, i + limit)
            current[0] = i <= limit ? i : outside
            if low > 1 { current[low - 1] = outside }
            var rowMinimum = current[0]
            for j in low...high {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, twoBack[j - 2] + 1)
                }
                value = min(value, outside)
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            // The next row reads this row one cell past its band.
            if high < m { current[high + 1] = outside }
            if rowMinimum > limit { return nil }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        let distance = previous[m]
        return distance <= limit ? distance : nil
    }

    public static func optimalStringAlignment(_ a: String, _ b: String, limit: Int) -> Int? {
        optimalStringAlignment(a.utf8, b.utf8, limit: limit)
    }
}

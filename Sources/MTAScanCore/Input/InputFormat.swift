/// How the scan input is written.
public enum InputFormat: String, Sendable, CaseIterable {
    /// One name per line, `#` comments.
    case list
    /// Tranco-style `rank,domain`.
    case csv
    /// A DNS zone master file; the input is the zone's delegations.
    case zone
}

/// The reader for `format` over `source`. `origin` is the zone's origin for
/// `.zone` (nil: taken from the file) and ignored by the other formats.
public func makeDomainReader<Source: ByteSource>(
    format: InputFormat, source: Source, origin: DomainName? = nil
) -> any DomainReader {
    switch format {
    case .list: DomainListReader(source: source)
    case .csv: TrancoCSVReader(source: source)
    case .zone: ZoneFileReader(source: source, origin: origin)
    }
}

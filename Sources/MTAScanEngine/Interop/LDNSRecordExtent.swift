internal import CLDNS

/// How far ldns reads one resource record, for `DNSWireFraming`.
///
/// ldns 1.8.3's `ldns_wire2rdf` reads the fields its descriptor lists for a
/// type, bounded by the end of the message rather than by RDLENGTH, and does
/// not skip what RDLENGTH leaves over: an SRV whose RDLENGTH covers more
/// than its four fields has the rest read as the next record, one whose
/// RDLENGTH is too short has its fields taken from the next record. Either
/// way `ldns_wire2pkt` then yields records that are not in the message
/// (found by fuzzing, docs/reliability.md). The framing checks the types
/// mtascan reads itself; for the others it asks ldns here.
enum LDNSRecordExtent {
    /// The offset after the record starting at `start` as ldns reads it, or
    /// nil if ldns cannot read it. The record is freed before returning.
    static func end(of wire: UnsafeBufferPointer<UInt8>, recordAt start: Int) -> Int? {
        guard let base = wire.baseAddress else { return nil }
        var record: UnsafeMutablePointer<ldns_rr>?
        var position = start
        // The section only matters for the question section (no TTL, no rdata).
        let status = ldns_wire2rr(&record, base, wire.count, &position, LDNS_SECTION_ANSWER)
        // On failure ldns frees what it built and leaves `record` unset.
        if let record { ldns_rr_free(record) }
        return status == LDNS_STATUS_OK ? position : nil
    }
}

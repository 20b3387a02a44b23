import Foundation
import GRDB
import MTAScanCore

/// A campaign is a small SQLite database (docs/notify.md, "The database"):
/// its settings, the scans it was made from, one notice per (domain, findings
/// digest) with its state and history, and the suppression list. Every step
/// writes its state changes in one transaction, so a step killed midway leaves
/// the campaign as it was before that step or after it, never between.
public final class CampaignStore: Sendable {
    /// Internal: `CampaignStore+Sending.swift` extends the store.
    let database: DatabaseQueue

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE campaign (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    name TEXT NOT NULL, sender TEXT NOT NULL, envelope_domain TEXT NOT NULL, subject TEXT NOT NULL,
                    feedback_url TEXT, optout_url TEXT, contact TEXT NOT NULL, criteria TEXT NOT NULL,
                    include_rua INTEGER NOT NULL, control_fraction REAL NOT NULL, seed INTEGER NOT NULL,
                    created_at INTEGER NOT NULL, tool_version TEXT NOT NULL);
                CREATE TABLE scan (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, role TEXT NOT NULL,
                    started_at TEXT, finished_at TEXT, records INTEGER NOT NULL, added_at INTEGER NOT NULL);
                CREATE TABLE notice (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    domain TEXT NOT NULL, digest TEXT NOT NULL, scan_id INTEGER NOT NULL REFERENCES scan(id),
                    grp TEXT NOT NULL CHECK (grp IN ('notify', 'control')), stratum TEXT NOT NULL,
                    candidate TEXT NOT NULL, recipients TEXT NOT NULL,
                    token TEXT NOT NULL UNIQUE, message_id TEXT NOT NULL, envelope_from TEXT NOT NULL,
                    state TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                    UNIQUE (domain, digest));
                CREATE INDEX notice_state ON notice(state);
                CREATE INDEX notice_domain ON notice(domain);
                CREATE TABLE notice_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, notice_id INTEGER NOT NULL REFERENCES notice(id),
                    at INTEGER NOT NULL, state TEXT NOT NULL, detail TEXT NOT NULL);
                CREATE TABLE suppression (
                    kind TEXT NOT NULL CHECK (kind IN ('domain', 'address')), value TEXT NOT NULL,
                    added_at INTEGER NOT NULL, PRIMARY KEY (kind, value));
                """)
        }
        registerSendingMigration(&migrator)   // "v2": the send log (CampaignStore+Sending.swift)
        migrator.registerMigration("bounces") { db in
            try db.execute(sql: """
                CREATE TABLE bounce (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, notice_id INTEGER REFERENCES notice(id),
                    message_hash TEXT NOT NULL UNIQUE, source TEXT NOT NULL, format TEXT NOT NULL,
                    kind TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, recipient TEXT,
                    diagnostic TEXT NOT NULL, at INTEGER NOT NULL);
                """)
        }
        migrator.registerMigration("feedback") { db in
            try db.execute(sql: """
                CREATE TABLE feedback (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, notice_id INTEGER NOT NULL REFERENCES notice(id),
                    answer TEXT NOT NULL, comment TEXT NOT NULL, answered_at TEXT NOT NULL, imported_at INTEGER NOT NULL,
                    UNIQUE (notice_id, answer, comment, answered_at));
                """)
        }
        migrator.registerMigration("template") { db in
            // The body template a render or send was given, so that later steps use it too.
            try db.execute(sql: "ALTER TABLE campaign ADD COLUMN template TEXT")
        }
        migrator.registerMigration("v3") { db in
            // Grouping by provider: a notice's responsible party (plan --group-by-provider),
            // the token of the message that carried it (its own, or a grouped message's),
            // and the notices one hand-off carried.
            try db.execute(sql: """
                ALTER TABLE notice ADD COLUMN party TEXT;
                ALTER TABLE notice ADD COLUMN sent_as TEXT;
                CREATE INDEX notice_sent_as ON notice(sent_as);
                ALTER TABLE send_log ADD COLUMN members TEXT;
                """)
        }
        return migrator
    }

    // MARK: Settings and scans

    public func settings() throws -> CampaignSettings? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM campaign WHERE id = 1") else { return nil }
            let criteriaText: String = row["criteria"]
            let seed: Int64 = row["seed"]
            return CampaignSettings(
                name: row["name"], from: row["sender"], envelopeDomain: row["envelope_domain"], subject: row["subject"],
                feedbackURL: row["feedback_url"], optOutURL: row["optout_url"], contact: row["contact"],
                criteria: (try? JSONParser.parse(criteriaText)) ?? .null, includeRUA: row["include_rua"],
                controlFraction: row["control_fraction"], seed: UInt64(bitPattern: seed), createdAt: row["created_at"])
        }
    }

    public func create(_ settings: CampaignSettings, toolVersion: String) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO campaign (id, name, sender, envelope_domain, subject, feedback_url, optout_url, contact,
                                      criteria, include_rua, control_fraction, seed, created_at, tool_version)
                VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [settings.name, settings.from, settings.envelopeDomain, settings.subject,
                                 settings.feedbackURL, settings.optOutURL, settings.contact,
                                 String(decoding: ScanRecord.line(settings.criteria).dropLast(), as: UTF8.self),
                                 settings.includeRUA, settings.controlFraction, Int64(bitPattern: settings.seed),
                                 settings.createdAt, toolVersion])
        }
    }

    /// The scans a campaign was planned from (`plan`) and measured against (`status`).
    public struct ScanEntry: Sendable, Equatable {
        public var path: String
        public var role: String
        public var startedAt: String?
        public var finishedAt: String?
        public var records: Int

        public init(path: String, role: String, startedAt: String?, finishedAt: String?, records: Int) {
            self.path = path
            self.role = role
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.records = records
        }
    }

    public func scans() throws -> [ScanEntry] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM scan ORDER BY id").map { row in
                ScanEntry(path: row["path"], role: row["role"], startedAt: row["started_at"],
                          finishedAt: row["finished_at"], records: row["records"])
            }
        }
    }

    // MARK: Suppression

    public func suppressions() throws -> [Suppression] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, value FROM suppression ORDER BY kind, value").compactMap { row in
                Suppression.Kind(rawValue: row["kind"]).map { Suppression(kind: $0, value: row["value"]) }
            }
        }
    }

    /// Adds entries (those already listed are kept as they were); returns how many were new.
    @discardableResult
    public func addSuppressions(_ entries: [Suppression], at time: Int64) throws -> Int {
        try database.write { db in
            var added = 0
            for entry in entries {
                try db.execute(sql: "INSERT OR IGNORE INTO suppression (kind, value, added_at) VALUES (?, ?, ?)",
                               arguments: [entry.kind.rawValue, entry.value, time])
                added += db.changesCount
            }
            return added
        }
    }

    // MARK: Notices

    /// A notice as `plan` makes it.
    public struct NewNotice: Sendable {
        public var candidate: NoticeCandidate
        public var group: String
        public var recipients: [String]
        public var state: NoticeState
        /// Why it is in that state (the suppression entry, the control group).
        public var detail: String
        public var token: String
        /// Added to the findings digest: another channel to the same domain
        /// about the same problem is another notice (`+security`).
        public var digestSuffix = ""
        /// The provider whose contact gets this notice in one message with its
        /// other customers' (`plan --group-by-provider`); nil: a message of its own.
        public var party: String? = nil
    }

    /// A notice as the database holds it.
    public struct StoredNotice: Sendable {
        public var id: Int64
        public var candidate: NoticeCandidate
        public var digest: String
        public var group: String
        public var recipients: [String]
        public var token: String
        public var messageID: String
        public var envelopeFrom: String
        public var state: NoticeState
        public var createdAt: Int64
        /// The day of the scan the notice was planned from (what the message
        /// says was observed when), from the scan's metadata; nil without it.
        public var scanDate: String?
        /// The provider it is grouped under (docs/notify.md, "Grouping by provider").
        public var party: String? = nil
        /// The token of the message that carried it: its own, or the grouped
        /// message's (its lead notice's); nil until a hand-off.
        public var sentAs: String? = nil
    }

    /// The group each domain was given by an earlier plan of this campaign: a
    /// domain stays in its group for every later round, or the comparison of
    /// the groups would mean nothing.
    public func groups() throws -> [String: String] {
        try database.read { db in
            var groups: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT domain, grp FROM notice ORDER BY id") {
                let domain: String = row["domain"]
                if groups[domain] == nil { groups[domain] = row["grp"] }
            }
            return groups
        }
    }

    /// Inserts the notices of one plan with the scan they came from, in one
    /// transaction. A notice whose (domain, digest) the campaign holds already
    /// is left as it is: planning the same scan twice changes nothing.
    public func plan(_ notices: [NewNotice], scan: ScanEntry, settings: CampaignSettings,
                     at time: Int64) throws -> (added: Int, known: Int) {
        try database.write { db in
            try db.execute(sql: "INSERT INTO scan (path, role, started_at, finished_at, records, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [scan.path, scan.role, scan.startedAt, scan.finishedAt, scan.records, time])
            let scanID = db.lastInsertedRowID
            var added = 0, known = 0
            for notice in notices {
                let candidateText = String(decoding: ScanRecord.line(notice.candidate.json).dropLast(), as: UTF8.self)
                try db.execute(sql: """
                    INSERT OR IGNORE INTO notice (domain, digest, scan_id, grp, stratum, candidate, recipients, token,
                                                  message_id, envelope_from, state, created_at, updated_at, party)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [notice.candidate.domain, notice.candidate.digest + notice.digestSuffix, scanID, notice.group,
                                     notice.candidate.stratum, candidateText, notice.recipients.joined(separator: ","),
                                     notice.token, settings.messageID(token: notice.token),
                                     settings.envelopeSender(token: notice.token), notice.state.rawValue, time, time,
                                     notice.party])
                guard db.changesCount == 1 else {
                    known += 1
                    continue
                }
                added += 1
                try db.execute(sql: "INSERT INTO notice_event (notice_id, at, state, detail) VALUES (?, ?, ?, ?)",
                               arguments: [db.lastInsertedRowID, time, notice.state.rawValue, notice.detail])
            }
            return (added, known)
        }
    }

    public func notices(in states: Set<NoticeState>? = nil) throws -> [StoredNotice] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT notice.*, coalesce(scan.finished_at, scan.started_at) AS scan_date
                FROM notice JOIN scan ON scan.id = notice.scan_id ORDER BY notice.domain, notice.id
                """).compactMap { row in
                guard let state = NoticeState(rawValue: row["state"]), states?.contains(state) ?? true,
                      let candidate = NoticeCandidate(json: (try? JSONParser.parse(row["candidate"] as String)) ?? .null)
                else { return nil }
                let recipients: String = row["recipients"]
                return StoredNotice(
                    id: row["id"], candidate: candidate, digest: row["digest"], group: row["grp"],
                    recipients: recipients.split(separator: ",").map(String.init), token: row["token"],
                    messageID: row["message_id"], envelopeFrom: row["envelope_from"], state: state,
                    createdAt: row["created_at"], scanDate: (row["scan_date"] as String?).map { String($0.prefix(10)) },
                    party: row["party"], sentAs: row["sent_as"])
            }
        }
    }

    /// Moves notices to `state`, each with an event, in one transaction.
    public func transition(_ ids: [Int64], to state: NoticeState, detail: String, at time: Int64) throws {
        try database.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE notice SET state = ?, updated_at = ? WHERE id = ?",
                               arguments: [state.rawValue, time, id])
                try db.execute(sql: "INSERT INTO notice_event (notice_id, at, state, detail) VALUES (?, ?, ?, ?)",
                               arguments: [id, time, state.rawValue, detail])
            }
        }
    }

    /// Every state a notice went through, oldest first: (at, state, detail).
    public func history(of id: Int64) throws -> [(at: Int64, state: String, detail: String)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT at, state, detail FROM notice_event WHERE notice_id = ? ORDER BY id",
                             arguments: [id]).map { ($0["at"], $0["state"], $0["detail"]) }
        }
    }

    // MARK: Bounces

    /// What recording one bounce did.
    public enum BounceOutcome: Sendable, Equatable {
        /// Read before (the same message bytes): nothing changed.
        case known
        /// No notice of this campaign carries its token.
        case unmatched
        /// Recorded; the message's notices (several for a grouped message) went
        /// to `state` (or stayed, when already there or bounced).
        case recorded(domains: [String], state: NoticeState)
    }

    /// Records a bounce once (keyed by a hash of the message) and moves its
    /// notices (every notice the message carried: `token`, or `sent_as` for
    /// the members of a grouped message): a hard bounce to `bounced`; a soft
    /// one to `deferred` unless it bounced already. In one transaction.
    public func recordBounce(_ report: BounceReport, messageHash: String, source: String,
                             at time: Int64) throws -> BounceOutcome {
        try database.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM bounce WHERE message_hash = ?", arguments: [messageHash]) != nil {
                return .known
            }
            let notices = try report.token.map { token in
                try Row.fetchAll(db, sql: "SELECT id, domain, state FROM notice WHERE token = ? OR sent_as = ? ORDER BY id",
                                 arguments: [token, token])
            } ?? []
            let notice = notices.first
            let first = report.recipients.first { $0.kind == .hard } ?? report.recipients.first
            try db.execute(sql: """
                INSERT INTO bounce (notice_id, message_hash, source, format, kind, status, reason, recipient, diagnostic, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [notice?["id"] as Int64?, messageHash, source, report.format,
                                 (report.isHard ? BouncedRecipient.Kind.hard : .soft).rawValue, first?.status ?? "",
                                 first?.reason.rawValue ?? "", first?.address, first?.diagnostic ?? "", time])
            guard notice != nil else { return .unmatched }
            let detail = "\(report.isHard ? "hard" : "soft") bounce \(first?.status ?? "") \(first?.reason.rawValue ?? ""): \(first?.diagnostic ?? "")"
            var next = NoticeState.bounced
            for row in notices {
                let id: Int64 = row["id"]
                let current = NoticeState(rawValue: row["state"]) ?? .planned
                next = report.isHard ? .bounced : (current == .bounced ? .bounced : .deferred)
                try db.execute(sql: "UPDATE notice SET state = ?, updated_at = ? WHERE id = ?", arguments: [next.rawValue, time, id])
                try db.execute(sql: "INSERT INTO notice_event (notice_id, at, state, detail) VALUES (?, ?, ?, ?)",
                               arguments: [id, time, next.rawValue, detail])
            }
            return .recorded(domains: notices.map { $0["domain"] }, state: next)
        }
    }

    /// Bounces recorded for each notice: (hard, reason) of the most severe.
    public func bounceSummary() throws -> [Int64: (hard: Bool, reason: String)] {
        try database.read { db in
            var summary: [Int64: (hard: Bool, reason: String)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT notice_id, kind, reason FROM bounce WHERE notice_id IS NOT NULL ORDER BY id") {
                let id: Int64 = row["notice_id"]
                let hard = (row["kind"] as String) == "hard"
                if summary[id]?.hard != true { summary[id] = (hard, row["reason"]) }
            }
            return summary
        }
    }

    public func addScan(_ scan: ScanEntry, at time: Int64) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO scan (path, role, started_at, finished_at, records, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [scan.path, scan.role, scan.startedAt, scan.finishedAt, scan.records, time])
        }
    }

    // MARK: Feedback and the second channel

    /// Records one answer behind a token, for every notice its message carried
    /// (a grouped message's token is its lead notice's, `sent_as` of the others);
    /// nil when no notice has the token, false when the same answer was imported before.
    public func recordFeedback(token: String, answer: String, comment: String, answeredAt: String?,
                               at time: Int64) throws -> Bool? {
        try database.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM notice WHERE token = ? OR sent_as = ? ORDER BY id",
                                         arguments: [token, token])
            guard !ids.isEmpty else { return nil }
            var recorded = false
            for id in ids {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO feedback (notice_id, answer, comment, answered_at, imported_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [id, answer, comment, answeredAt ?? "", time])  // '' not NULL: NULLs never collide in UNIQUE
                guard db.changesCount == 1 else { continue }
                recorded = true
                try db.execute(sql: "UPDATE notice SET state = ?, updated_at = ? WHERE id = ? AND state NOT IN ('fixed')",
                               arguments: [NoticeState.feedback.rawValue, time, id])
                try db.execute(sql: "INSERT INTO notice_event (notice_id, at, state, detail) VALUES (?, ?, ?, ?)",
                               arguments: [id, time, NoticeState.feedback.rawValue, "feedback: \(answer)"])
            }
            return recorded
        }
    }

    /// Answers by value (`helpful`, `not-helpful`, …): domains.
    public func feedbackCounts() throws -> [String: Int] {
        try database.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT answer, count(DISTINCT notice_id) AS n FROM feedback GROUP BY answer") {
                counts[row["answer"]] = row["n"]
            }
            return counts
        }
    }

    // MARK: The body template

    /// The template the campaign's messages are rendered with; nil: the built-in one.
    public func template() throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT template FROM campaign WHERE id = 1") }
    }

    public func setTemplate(_ text: String?) throws {
        try database.write { db in try db.execute(sql: "UPDATE campaign SET template = ? WHERE id = 1", arguments: [text]) }
    }
}

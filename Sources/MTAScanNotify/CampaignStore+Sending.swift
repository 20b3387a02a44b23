import GRDB
import MTAScanCore

/// The send log (migration "v2") and the state changes of `notify send`
/// around each hand-off (docs/notify.md, "Crash safety"):
///
/// 1. `beginHandOff`: in one transaction the notice becomes `sending` and a
///    `send_log` row says `handing-off`. Only then does the client connect.
/// 2. `finishHandOff`: in one transaction the row gets the relay's verdict
///    (`accepted` with the queue ID, `refused`, `temporary`, `uncertain`,
///    `dry-run`) and the notice its state.
/// 3. `resolveInterrupted`: at the start of every run, a notice still
///    `sending` belongs to a run that died between 1 and 2; whether the relay
///    took it is unknown, so it becomes `uncertain` (and its row `interrupted`).
///    `abandonHandOff` does the same at once when a second signal stops a run.
extension CampaignStore {
    static func registerSendingMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE send_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    notice_id INTEGER NOT NULL REFERENCES notice(id),
                    attempt_at INTEGER NOT NULL, finished_at INTEGER,
                    relay TEXT NOT NULL, domain TEXT NOT NULL, provider TEXT NOT NULL,
                    recipients TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('handing-off', 'accepted', 'refused', 'temporary',
                                                           'uncertain', 'interrupted', 'dry-run', 'dry-run-refused')),
                    reply TEXT, queue_id TEXT, transcript TEXT);
                CREATE INDEX send_log_notice ON send_log(notice_id);
                CREATE INDEX send_log_attempt ON send_log(attempt_at);
                """)
        }
    }

    /// One hand-off as the log holds it.
    public struct SendLogEntry: Sendable, Equatable {
        public var id: Int64
        public var noticeID: Int64
        public var attemptAt: Int64
        public var domain: String
        public var provider: String
        public var status: String
        public var reply: String?
        public var queueID: String?
    }

    public enum HandOffStatus: String, Sendable {
        case accepted, refused, temporary, uncertain
        case dryRun = "dry-run"
        case dryRunRefused = "dry-run-refused"
    }

    /// Step 1: every notice the message carries (one, or a grouped message's
    /// members) is `sending`, with the token of the message (`sent_as`), and
    /// one log row says so, before any byte goes to the relay. The row counts
    /// against the batch's rate-limit domain and provider (the contact's for a
    /// grouped message). A dry run leaves the notices alone.
    public func beginHandOff(_ batch: NoticeBatch, relay: String, recipients: [String],
                             dryRun: Bool, at time: Int64) throws -> Int64 {
        try database.write { db in
            if !dryRun {
                for notice in batch.members {
                    try db.execute(sql: "UPDATE notice SET state = ?, sent_as = ?, updated_at = ? WHERE id = ?",
                                   arguments: [NoticeState.sending.rawValue, batch.lead.token, time, notice.id])
                    try db.execute(sql: "INSERT INTO notice_event (notice_id, at, state, detail) VALUES (?, ?, ?, ?)",
                                   arguments: [notice.id, time, NoticeState.sending.rawValue,
                                               "handing off to \(relay)" + (batch.isGrouped ? " in the message to \(batch.party ?? "")" : "")])
                }
            }
            try db.execute(sql: """
                INSERT INTO send_log (notice_id, attempt_at, relay, domain, provider, recipients, status, members)
                VALUES (?, ?, ?, ?, ?, ?, 'handing-off', ?)
                """, arguments: [batch.lead.id, time, relay, batch.rateDomain, batch.rateProvider,
                                 recipients.joined(separator: ","),
                                 batch.isGrouped ? batch.members.map { String($0.id) }.joined(separator: ",") : nil])
            return db.lastInsertedRowID
        }
    }

    /// Step 2: the verdict, and the new state of every notice the message
    /// carried (nil: unchanged, for dry runs).
    public func finishHandOff(logID: Int64, noticeIDs: [Int64], status: HandOffStatus, reply: String?, queueID: String?,
                              transcript: [String], state: NoticeState?, detail: String, at time: Int64) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE send_log SET status = ?, reply = ?, queue_id = ?, transcript = ?, finished_at = ? WHERE id = ?
                """, arguments: [status.rawValue, reply, queueID, transcript.joined(separator: "\n"), time, logID])
            guard let state else { return }
            for noticeID in noticeIDs {
                try db.execute(sql: "UPDATE notice SET state = ?, updated_at = ? WHERE id = ?",
                               arguments: [state.rawValue, time, noticeID])
                try db.execute(sql: "INSERT INTO notice_event (notice_id, at, state, detail) VALUES (?, ?, ?, ?)",
                               arguments: [noticeID, time, state.rawValue, detail])
            }
        }
    }

    /// Step 3: notices left `sending` by a run that died mid-hand-off become
    /// `uncertain`; returns their domains.
    public func resolveInterrupted(at time: Int64) throws -> [String] {
        try database.write { db in
            try Self.markInterrupted(db, at: time, detail: "a send run ended during its hand-off: the relay may or may not have it")
        }
    }

    /// A second signal during `notify send`: the hand-off under way is given up
    /// at once. Its notice becomes `uncertain` now (what the next run's
    /// `resolveInterrupted` would make it), committed, and `exit` runs while
    /// the database is still held: no write of the interrupted run can follow
    /// (its `finishHandOff` waits for the database and never gets it).
    public func abandonHandOff(at time: Int64, exit: () -> Void) throws {
        try database.writeWithoutTransaction { db in
            try db.inTransaction {
                _ = try Self.markInterrupted(db, at: time,
                                             detail: "a send run was stopped at once (second signal) during its hand-off: the relay may or may not have it")
                return .commit
            }
            exit()
        }
    }

    /// Every notice still `sending` becomes `uncertain`, its log row `interrupted`; returns their domains.
    private static func markInterrupted(_ db: Database, at time: Int64, detail: String) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: "SELECT id, domain FROM notice WHERE state = ? ORDER BY id",
                                    arguments: [NoticeState.sending.rawValue])
        for row in rows {
            let id: Int64 = row["id"]
            try db.execute(sql: "UPDATE notice SET state = ?, updated_at = ? WHERE id = ?",
                           arguments: [NoticeState.uncertain.rawValue, time, id])
            try db.execute(sql: "INSERT INTO notice_event (notice_id, at, state, detail) VALUES (?, ?, ?, ?)",
                           arguments: [id, time, NoticeState.uncertain.rawValue, detail])
        }
        // Every row still handing off (also a dry run's, which left no notice state to fix).
        try db.execute(sql: "UPDATE send_log SET status = 'interrupted', finished_at = ? WHERE status = 'handing-off'",
                       arguments: [time])
        return rows.map { $0["domain"] }
    }

    /// Hand-offs that may have reached the relay (accepted, uncertain,
    /// interrupted, or under way) since `time`: what rate limits count.
    public func handOffs(since time: Int64) throws -> [SendLogEntry] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM send_log WHERE attempt_at >= ?
                AND status IN ('accepted', 'uncertain', 'interrupted', 'handing-off') ORDER BY attempt_at, id
                """, arguments: [time]).map(Self.logEntry)
        }
    }

    /// The whole log, oldest first.
    public func sendLog() throws -> [SendLogEntry] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM send_log ORDER BY id").map(Self.logEntry)
        }
    }

    private static func logEntry(_ row: Row) -> SendLogEntry {
        SendLogEntry(id: row["id"], noticeID: row["notice_id"], attemptAt: row["attempt_at"], domain: row["domain"],
                     provider: row["provider"], status: row["status"], reply: row["reply"], queueID: row["queue_id"])
    }
}

import Foundation

/// A throwaway PKI for the TLS tests, made once per test process with the
/// `openssl` CLI in a temporary directory (removed at exit): EC P-256 keys
/// throughout (fast on both ends), one RSA leaf for the key-type fields.
///
/// - a test root and intermediate, and leaves they issue: `good` (SANs
///   `mta-sts.example.test`, `*.mx.example.test`), `expired` (2020–2021),
///   `notYetValid` (2040–2041), `rsa`
/// - `selfSigned`: a self-signed leaf for `mta-sts.example.test`
/// - `other`: a leaf for `mta-sts.example.test` from another root, sent with
///   that root's intermediate
/// Chain files hold the leaf and then what the server sends after it.
struct TestPKI: Sendable {
    let directory: String
    var rootCA: String { directory + "/test-root.pem" }
    var otherRootCA: String { directory + "/other-root.pem" }

    struct Leaf: Sendable {
        let chain: String  // leaf + intermediate
        let leafOnly: String
        let key: String
    }

    let good: Leaf
    let expired: Leaf
    let notYetValid: Leaf
    let rsa: Leaf
    let selfSigned: Leaf
    let other: Leaf
    /// Good, for `host` and 700 more names (over 16 KiB of them).
    let manyNames: Leaf

    static let host = "mta-sts.example.test"

    static let shared: Result<TestPKI, any Error> = Result { try TestPKI.make() }

    struct CommandFailed: Error, CustomStringConvertible {
        let description: String
    }

    private static func make() throws -> TestPKI {
        let directory = NSTemporaryDirectory() + "mtascan-tls-tests-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        removeAtExit = directory
        atexit {
            if let directory = TestPKI.removeAtExit { try? FileManager.default.removeItem(atPath: directory) }
        }
        let pki = Builder(directory: directory)
        try pki.makeCA(name: "test", subject: "/CN=mtascan Test Root/O=mtascan tests")
        try pki.makeCA(name: "other", subject: "/CN=mtascan Other Root/O=mtascan tests")
        let san = "DNS:\(host),DNS:*.mx.example.test"
        return TestPKI(
            directory: directory,
            good: try pki.issue("good", ca: "test", san: san, start: nil, end: nil),
            expired: try pki.issue("expired", ca: "test", san: san, start: "200101000000Z", end: "210101000000Z"),
            notYetValid: try pki.issue("not-yet-valid", ca: "test", san: san, start: "400101000000Z",
                                       end: "410101000000Z"),
            rsa: try pki.issue("rsa", ca: "test", san: "DNS:rsa.example.test", start: nil, end: nil, rsa: true),
            selfSigned: try pki.selfSigned("self-signed", san: "DNS:\(host)"),
            other: try pki.issue("other", ca: "other", san: san, start: nil, end: nil),
            manyNames: try pki.issue("many-names", ca: "test",
                                     san: san + (0..<700).map { ",DNS:name-\($0).many-names.example.test" }.joined(),
                                     start: nil, end: nil)
        )
    }

    nonisolated(unsafe) private static var removeAtExit: String?

    private struct Builder {
        let directory: String

        func run(_ arguments: [String], san: String = "DNS:unused.test") throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            var environment = ProcessInfo.processInfo.environment
            environment["SAN"] = san
            environment["OPENSSL_CONF"] = directory + "/openssl.cnf"
            process.environment = environment
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CommandFailed(description: "openssl \(arguments.joined(separator: " ")): "
                    + String(decoding: message, as: UTF8.self))
            }
        }

        func write(_ text: String, to name: String) throws {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }

        func concatenate(_ names: [String], to name: String) throws {
            let text = try names.map { try String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }.joined()
            try write(text, to: name)
        }

        func ecKey(_ name: String) throws {
            try run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name])
        }

        /// A root `<name>-root.pem` and an intermediate `<name>-intermediate.pem`
        /// with an `openssl ca` database in `<name>-ca/`.
        func makeCA(name: String, subject: String) throws {
            if !FileManager.default.fileExists(atPath: directory + "/openssl.cnf") {
                try write(Self.configuration, to: "openssl.cnf")
            }
            try ecKey("\(name)-root.key")
            try run(["req", "-x509", "-new", "-key", "\(name)-root.key", "-subj", subject, "-days", "3650",
                     "-extensions", "v3_ca", "-out", "\(name)-root.pem"])
            try ecKey("\(name)-intermediate.key")
            try run(["req", "-new", "-key", "\(name)-intermediate.key",
                     "-subj", subject.replacingOccurrences(of: "Root", with: "Intermediate"),
                     "-out", "\(name)-intermediate.csr"])
            try run(["x509", "-req", "-in", "\(name)-intermediate.csr", "-CA", "\(name)-root.pem",
                     "-CAkey", "\(name)-root.key", "-set_serial", "2", "-days", "3650",
                     "-extfile", "openssl.cnf", "-extensions", "v3_intermediate",
                     "-out", "\(name)-intermediate.pem"])
            let ca = directory + "/\(name)-ca"
            try FileManager.default.createDirectory(atPath: ca + "/issued", withIntermediateDirectories: true)
            try write("", to: "\(name)-ca/index.txt")
            try write("1000\n", to: "\(name)-ca/serial")
            try write(Self.caConfiguration(directory: directory, name: name), to: "\(name)-ca/ca.cnf")
        }

        /// A leaf from `ca`'s intermediate; `start`/`end` as `openssl ca` takes them.
        func issue(_ name: String, ca: String, san: String, start: String?, end: String?,
                   rsa: Bool = false) throws -> Leaf {
            if rsa {
                try run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "\(name).key"])
            } else {
                try ecKey("\(name).key")
            }
            let cn = san.split(separator: ",")[0].dropFirst(4)
            try run(["req", "-new", "-key", "\(name).key", "-subj", "/CN=\(cn)", "-out", "\(name).csr"], san: san)
            var arguments = ["ca", "-batch", "-notext", "-config", "\(ca)-ca/ca.cnf", "-in", "\(name).csr",
                             "-out", "\(name).pem"]
            if let start, let end {
                arguments += ["-startdate", start, "-enddate", end]
            } else {
                arguments += ["-days", "30"]
            }
            try run(arguments, san: san)
            try concatenate(["\(name).pem", "\(ca)-intermediate.pem"], to: "\(name)-chain.pem")
            return Leaf(chain: directory + "/\(name)-chain.pem", leafOnly: directory + "/\(name).pem",
                        key: directory + "/\(name).key")
        }

        func selfSigned(_ name: String, san: String) throws -> Leaf {
            try ecKey("\(name).key")
            let cn = san.split(separator: ",")[0].dropFirst(4)
            try run(["req", "-x509", "-new", "-key", "\(name).key", "-subj", "/CN=\(cn)", "-days", "30",
                     "-extensions", "v3_leaf", "-out", "\(name).pem"], san: san)
            return Leaf(chain: directory + "/\(name).pem", leafOnly: directory + "/\(name).pem",
                        key: directory + "/\(name).key")
        }

        static let configuration = """
            [ req ]
            distinguished_name = dn
            prompt = no
            [ dn ]
            CN = unused
            [ v3_ca ]
            basicConstraints = critical, CA:true
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid:always
            [ v3_intermediate ]
            basicConstraints = critical, CA:true, pathlen:0
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid:always
            [ v3_leaf ]
            basicConstraints = critical, CA:false
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            subjectAltName = $ENV::SAN

            """

        static func caConfiguration(directory: String, name: String) -> String {
            """
            [ ca ]
            default_ca = this_ca
            [ this_ca ]
            database = \(directory)/\(name)-ca/index.txt
            new_certs_dir = \(directory)/\(name)-ca/issued
            serial = \(directory)/\(name)-ca/serial
            certificate = \(directory)/\(name)-intermediate.pem
            private_key = \(directory)/\(name)-intermediate.key
            default_md = sha256
            policy = policy_any
            unique_subject = no
            email_in_dn = no
            x509_extensions = v3_leaf
            [ policy_any ]
            commonName = supplied
            [ v3_leaf ]
            basicConstraints = critical, CA:false
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            subjectAltName = $ENV::SAN

            """
        }
    }
}

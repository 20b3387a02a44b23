/// The `nameserver` lines of resolv.conf(5): the default resolvers when none
/// are named. (On shared test machines this file may point off the machine,
/// which is why tests and the demo always name their resolver.)
public enum ResolvConf {
    public static let path = "/etc/resolv.conf"

    public static func nameservers(in text: String) -> [SocketAddress] {
        var servers: [SocketAddress] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { continue }
            // A scope (fe80::1%eth0) names an interface; keep the address only when it parses.
            if let address = SocketAddress(words[1], defaultPort: 53) { servers.append(address) }
        }
        return servers
    }

    public static func nameservers() -> [SocketAddress] {
        guard let bytes = try? FileDescriptor.readAll(path: path, maxBytes: 1 << 20) else { return [] }
        return nameservers(in: String(decoding: bytes, as: UTF8.self))
    }
}

#!/usr/bin/env python3
"""Writes the HTTPS and SMTP part of the local test internet into a run directory.

Reads scenarios.json (see scenarios.py: each scenario's `policy` and `mx`
behaviours, and which server plays each behaviour) and writes:

  ca/               the test PKI (gen_certs.py): ca/bundle.pem is what clients trust
  www/NAME.txt      the policy body each scenario's nginx server sends
  nginx.conf        nginx: one server block per policy host name on its 127.44.x.y:443
                    (or [::1]:443), certificates chosen by SNI; a default server with
                    ssl_reject_handshake on every TLS address
  postfix/          a private Postfix instance (main.cf, master.cf, spool/, data/):
                    one smtpd per MX address on port 25, each with its certificate and
                    behaviour as -o overrides; mail is never accepted
  hostile.json      what hostile.py plays, on which address
  services.json     every listening endpoint by server, for status.sh and check.py

With --synthetic, also the synthetic benchmark hosts (run/synth/policy-hosts.txt and
mx-hosts.txt from gen_synthetic.py): nginx on 127.44.255.1 and Postfix on
127.25.255.1, with certificates of up to 100 names each chosen by SNI.

Usage: gen_services.py [--run DIR] [--catalogue FILE] [--synthetic]
Environment: TESTNET_NGINX_WORKERS (default 2), TESTNET_NGINX_ACCESS_LOG=1 (log
every request to run/nginx-access.log; policy hosts with `timing_log` always log
to run/nginx-timing.log), TESTNET_SMTPD_PROCESSES (per address,
default 20; the synthetic address gets 5 times as many).

Python 3 standard library and the openssl command.
"""

import argparse
import base64
import ipaddress
import json
import os
import resource
import shutil
import socket
import sys

import campaign_relay
import gen_certs

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY_PATH = "/.well-known/mta-sts.txt"
SYNTH_POLICY_ADDRESS = "127.44.255.1"   # as gen_synthetic.py assigns
SYNTH_MX_ADDRESS = "127.25.255.1"
SYNTH_POLICY_CATCH_ALL = "mta-sts.synth"  # the name of the certificate for unknown names
SYNTH_MX_CATCH_ALL = "mx.synth"
# Every synthetic domain's policy: valid for all kinds (shared provider MX hosts
# and the domain's own mx.<domain>). $synth_domain comes from an nginx map.
SYNTH_POLICY = ("version: STSv1\\r\\nmode: enforce\\r\\nmx: mx1.mailhost.test\\r\\n"
                "mx: mx2.mailhost.test\\r\\nmx: mx1.mailhost.example\\r\\n"
                "mx: mx.$synth_domain\\r\\nmax_age: 604800\\r\\n")


def body_bytes(policy):
    """The policy body as the catalogue describes it (body, body_base64, body_repeat)."""
    if policy.get("body_base64"):
        data = base64.b64decode(policy["body_base64"])
    else:
        data = (policy.get("body") or "").encode()
    repeat = policy.get("body_repeat")
    if repeat:
        line = repeat["line"].encode()
        while len(data) < repeat["until_bytes"]:
            data += line
    return data


def listen_spec(address, port):
    return f"[{address}]:{port}" if ipaddress.ip_address(address).version == 6 else f"{address}:{port}"


def nginx_quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "${dollar}") + '"'


def ipv6_loopback():
    """Can ::1 be bound here? (Some containers run without IPv6.)"""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def read_lines(path):
    try:
        with open(path) as handle:
            return [line.strip() for line in handle if line.strip()]
    except FileNotFoundError:
        return []

# hostile.py plays that run a real server handshake part of the way (so need a certificate)
HOSTILE_TLS_WITH_CERT = ("tls-close-mid-handshake", "tls-reset-mid-handshake", "smtp-bare-lf")


def batches(names, prefix):
    return [(f"{prefix}-{i // gen_certs.BATCH_SIZE:05d}", names[i:i + gen_certs.BATCH_SIZE])
            for i in range(0, len(names), gen_certs.BATCH_SIZE)]


class Services:
    def __init__(self, catalogue, run, synthetic):
        self.catalogue = catalogue
        self.run = os.path.abspath(run)
        self.synthetic = synthetic
        self.policy_server = {k: v["server"] for k, v in catalogue["policy_behaviours"].items()}
        self.mx_server = {k: v["server"] for k, v in catalogue["mx_behaviours"].items()}
        self.endpoints = {}   # "address:port" -> (server, what), to catch double use
        self.hostile = []     # hostile.py's plays
        self.certs = set()    # (host, kind) needed
        self.synth_policy_batches = []
        self.synth_mx_batches = []
        self.has_ipv6 = ipv6_loopback()
        if not self.has_ipv6:
            print("gen_services: ::1 cannot be bound here: the IPv6 policy host is not served",
                  file=sys.stderr)

    def path(self, *parts):
        return os.path.join(self.run, *parts)

    def claim(self, address, port, server, what):
        key = listen_spec(address, port)
        if key in self.endpoints and self.endpoints[key][0] != server:
            raise SystemExit(f"gen_services: {key} wanted by {server} ({what}) and by "
                             f"{self.endpoints[key][0]} ({self.endpoints[key][1]})")
        self.endpoints.setdefault(key, (server, what))

    # --- what is needed -------------------------------------------------------

    def policies(self):
        for entry in self.catalogue["scenarios"]:
            policy = entry["policy"]
            if policy and self.policy_server[policy["serve"]] != "none":
                if ":" in policy["address"] and not self.has_ipv6:
                    continue
                yield entry, policy

    def mx_hosts(self):
        """(scenario name or None, mx entry) of every MX host that listens, shared ones once."""
        for shared in self.catalogue["shared_mx_hosts"]:
            yield None, shared
        for entry in self.catalogue["scenarios"]:
            for mx in entry["mx"]:
                if mx["address"] and mx["address"] not in {s["address"] for s in
                                                           self.catalogue["shared_mx_hosts"]}:
                    if self.mx_server[mx["smtp"]] != "none":
                        yield entry["name"], mx

    def collect(self):
        for entry, policy in self.policies():
            server = self.policy_server[policy["serve"]]
            self.claim(policy["address"], 443, server, entry["name"])
            if policy["serve"] == "https":
                self.certs.add((policy["host"], policy.get("cert", "good")))
            if policy.get("security_txt"):
                self.certs.add((entry["domain"], "good"))
            elif policy["serve"].startswith("http-") or policy["serve"] in HOSTILE_TLS_WITH_CERT:
                self.certs.add((policy["host"], "good"))
        for name, mx in self.mx_hosts():
            server = self.mx_server[mx["smtp"]]
            self.claim(mx["address"], 25, server, name or mx["host"])
            if server == "postfix":
                self.certs.add((mx["host"], self.mx_cert_kind(mx["smtp"])))
            elif mx["smtp"] in HOSTILE_TLS_WITH_CERT:
                self.certs.add((mx["host"], "good"))
        for provider in self.catalogue["shared_server_providers"]:
            for address in provider["addresses"]:
                self.claim(address, 25, "postfix", provider["name"])
            self.certs |= set(self.shared_server_certs(provider).values())
        # The campaign relay and its mailstore (campaign_relay.py; notify send).
        self.claim(campaign_relay.RELAY_ADDRESS, campaign_relay.RELAY_PORT, "postfix-relay", campaign_relay.RELAY_NAME)
        self.claim(campaign_relay.MAILSTORE_ADDRESS, 25, "postfix-mailstore", campaign_relay.MAILSTORE_NAME)
        self.certs |= campaign_relay.certs()
        if self.synthetic:
            self.claim(SYNTH_POLICY_ADDRESS, 443, "nginx", "synthetic")
            self.claim(SYNTH_MX_ADDRESS, 25, "postfix", "synthetic")
            self.certs.add((SYNTH_POLICY_CATCH_ALL, "good"))
            self.certs.add((SYNTH_MX_CATCH_ALL, "good"))
            self.synth_policy_batches = batches(read_lines(self.path("synth", "policy-hosts.txt")),
                                                "synth-policy")
            self.synth_mx_batches = batches(read_lines(self.path("synth", "mx-hosts.txt")), "synth-mx")

    @staticmethod
    def shared_server_certs(provider):
        """{name or "default": (host, kind)}: a provider's certificates. Without SNI one
        wildcard for every tenant; with SNI one per tenant name and a default."""
        first = f"t0000.mx.{provider['mx_zone']}"
        if not provider["sni"]:
            return {"default": (first, "wildcard")}
        certs = {"default": (f"default.mx.{provider['mx_zone']}", "good")}
        for i in range(provider["tenants"]):
            name = f"t{i:04d}.mx.{provider['mx_zone']}"
            certs[name] = (name, "good")
        return certs

    @staticmethod
    def mx_cert_kind(behaviour):
        prefix = "starttls-cert-"
        return behaviour[len(prefix):] if behaviour.startswith(prefix) else "good"

    def cert(self, host, kind="good"):
        return gen_certs.cert_path(self.path("ca"), host, kind)

    # --- nginx ---------------------------------------------------------------------

    def write_bodies(self):
        www = self.path("www")
        if os.path.isdir(www):
            shutil.rmtree(www)
        os.makedirs(www)
        # nginx's workers (user nobody) read these: readable whatever the umask.
        for directory in (self.run, www):
            os.chmod(directory, 0o755)
        for entry, policy in self.policies():
            path = os.path.join(www, f"{entry['name']}.txt")
            with open(path, "wb") as handle:
                handle.write(body_bytes(policy))
            os.chmod(path, 0o644)
            if policy.get("security_txt"):
                path = os.path.join(www, f"{entry['name']}.security.txt")
                with open(path, "w") as handle:
                    handle.write(policy["security_txt"])
                os.chmod(path, 0o644)

    def nginx_policy_location(self, entry, policy):
        status = policy.get("status", 200)
        lines = [f"        location = {POLICY_PATH} {{"]
        if status == 200:
            lines += ["            types { }",
                      f"            default_type {nginx_quote(policy['content_type'])};",
                      f"            alias {self.path('www', entry['name'] + '.txt')};"]
            if policy.get("chunked"):
                # The SSI filter drops Content-Length, so HTTP/1.1 gets chunked.
                lines += ["            ssi on;", "            ssi_types *;"]
        elif 300 <= status < 400:
            lines.append(f"            return {status} {nginx_quote(policy['location'])};")
        else:
            lines.append(f"            return {status};")
        lines.append("        }")
        return lines

    def nginx_conf(self):
        run = self.run
        workers = os.environ.get("TESTNET_NGINX_WORKERS", "2")
        access_log = (f"access_log {self.path('nginx-access.log')};"
                      if os.environ.get("TESTNET_NGINX_ACCESS_LOG") == "1" else "access_log off;")
        temp = self.path("nginx")
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]  # nginx may raise its limit to this
        files = 65536 if hard in (resource.RLIM_INFINITY, -1) else min(65536, hard)
        out = ["# generated by tools/testnet/gen_services.py: do not edit",
               f"worker_processes {workers};",
               f"pid {self.path('nginx.pid')};",
               f"error_log {self.path('nginx.log')} warn;",
               f"worker_rlimit_nofile {files};",
               f"events {{ worker_connections {min(8192, files // 2)}; }}",
               "http {",
               f"    {access_log}",
               "    server_tokens off;",
               "    server_names_hash_bucket_size 128;",
               "    server_names_hash_max_size 262144;",
               "    keepalive_timeout 5s;",
               "    client_header_timeout 10s;",
               "    ssl_protocols TLSv1.2 TLSv1.3;",
               "    ssl_session_cache shared:testnet:4m;",
               "    geo $dollar { default \"$\"; }",
               # Policy hosts with `timing_log` (the politeness scenarios) log each request
               # with when its connection was accepted (msec - connection_time: nginx's
               # cached loop time, at or after the client's connect) and when the response
               # was written: tests watch per-IP rate and concurrency from the server side.
               "    log_format timing '$msec $connection_time $request_time $remote_addr "
               "$server_addr $ssl_server_name $connection $connection_requests $status';"]
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            out.append(f"    {kind}_temp_path {temp}/{kind};")
        tls_addresses, plain = [], []
        servers = []
        for entry, policy in self.policies():
            if self.policy_server[policy["serve"]] != "nginx":
                continue
            listen = listen_spec(policy["address"], 443)
            if policy["serve"] == "plaintext-http":
                plain.append(listen)
                servers += ["    server {", f"        # {entry['name']}: plain HTTP on port 443",
                            f"        listen {listen};", "        server_name _;"]
                servers += self.nginx_policy_location(entry, dict(policy, status=200))
                servers += ["        location / { return 404; }", "    }"]
                continue
            tls_addresses.append(listen)
            if policy["serve"] == "tls-alert":
                continue  # only the default server listens there: no certificate for the name
            pem = self.cert(policy["host"], policy.get("cert", "good"))
            servers += ["    server {", f"        # {entry['name']}",
                        f"        listen {listen} ssl;", f"        server_name {policy['host']};",
                        f"        ssl_certificate {pem};", f"        ssl_certificate_key {pem};"]
            if policy.get("timing_log"):
                servers.append(f"        access_log {self.path('nginx-timing.log')} timing;")
            servers += self.nginx_policy_location(entry, policy)
            if policy.get("rua"):
                # A TLS-RPT collector at this host (scenarios rua-https-*): any method
                # gets `status`, as a POST-only collector answers HEAD with 405.
                servers.append(f"        location = {policy['rua']['path']} {{ return {int(policy['rua']['status'])}; }}")
            servers += ["        location / { return 404; }", "    }"]
            if policy.get("security_txt"):
                # RFC 9116 security.txt at the domain's own name (an apex A record to this
                # address): notify second-channel --security-txt reads its Contact.
                pem = self.cert(entry["domain"], "good")
                servers += ["    server {", f"        # {entry['name']}: security.txt",
                            f"        listen {listen} ssl;", f"        server_name {entry['domain']};",
                            f"        ssl_certificate {pem};", f"        ssl_certificate_key {pem};",
                            "        location = /.well-known/security.txt {", "            types { }",
                            "            default_type \"text/plain; charset=utf-8\";",
                            f"            alias {self.path('www', entry['name'] + '.security.txt')};", "        }",
                            "        location / { return 404; }", "    }"]
        if self.synthetic:
            servers += self.nginx_synthetic()
        default = ["    server {",
                   "        # every TLS address: a name without a server block gets an",
                   "        # unrecognized_name alert",
                   "        ssl_reject_handshake on;"]
        default += [f"        listen {listen} ssl default_server;" for listen in sorted(set(tls_addresses))]
        default.append("    }")
        if not tls_addresses:
            default = []
        return "\n".join(out + default + servers + ["}"]) + "\n"

    def nginx_synthetic(self):
        """127.44.255.1: every synthetic policy host, its certificate chosen by SNI from
        batches of up to 100 names; other names get a certificate for mta-sts.synth
        (a name mismatch) and the same policy."""
        listen = listen_spec(SYNTH_POLICY_ADDRESS, 443)
        location = ["        location = " + POLICY_PATH + " {",
                    "            default_type text/plain;",
                    f'            return 200 "{SYNTH_POLICY}";',
                    "        }",
                    "        location / { return 404; }"]
        catch_all = self.cert(SYNTH_POLICY_CATCH_ALL)
        out = ["    map $ssl_server_name $synth_domain {",
               "        ~^mta-sts\\.(?<domain>.+)$ $domain;",
               "        default unknown.synth;",
               "    }",
               "    server {",
               "        # synthetic benchmark: names not in a batch",
               f"        listen {listen} ssl default_server;",
               f"        ssl_certificate {catch_all};", f"        ssl_certificate_key {catch_all};"]
        out += location + ["    }"]
        for label, names in self.synth_policy_batches:
            pem = gen_certs.cert_path(self.path("ca"), label, "batch")
            out += ["    server {", f"        listen {listen} ssl;",
                    "        server_name " + " ".join(names) + ";",
                    f"        ssl_certificate {pem};", f"        ssl_certificate_key {pem};"]
            out += location + ["    }"]
        return out

    # --- Postfix --------------------------------------------------------------------

    def postfix_main(self):
        pf = self.path("postfix")
        return "\n".join([
            "# generated by tools/testnet/gen_services.py: do not edit",
            "# A private Postfix instance: smtpd only, nothing is ever accepted or delivered.",
            "compatibility_level = 3.6",
            f"queue_directory = {pf}/spool",
            f"data_directory = {pf}/data",
            "mail_owner = postfix",
            "setgid_group = postdrop",
            f"maillog_file = {self.path('postfix.log')}",
            f"maillog_file_prefixes = {self.run}",
            "syslog_name = testnet-postfix",
            # Names and networks set explicitly: nothing looked up in the system resolver.
            "myhostname = mx.testnet.test",
            "mydomain = testnet.test",
            "myorigin = $myhostname",
            "mydestination =",
            "relay_domains =",
            "mynetworks = 127.0.0.1/32",
            "inet_interfaces = loopback-only",
            "inet_protocols = ipv4",
            "smtpd_peername_lookup = no",
            "smtp_dns_support_level = disabled",
            "smtpd_banner = $myhostname ESMTP testnet",
            "biff = no",
            "alias_maps =",
            "alias_database =",
            "local_recipient_maps =",
            "notify_classes =",
            # Never accept mail (belt and braces: there is no cleanup service anyway).
            "smtpd_relay_restrictions = reject",
            "smtpd_recipient_restrictions = reject",
            "smtpd_data_restrictions = reject",
            "smtpd_end_of_data_restrictions = reject",
            # No anvil service: no per-client limits.
            "smtpd_client_connection_count_limit = 0",
            "smtpd_client_connection_rate_limit = 0",
            "smtpd_timeout = 30s",
            # Every session's EHLO (or HELO) name in the log, with the client's address:
            # a WARN from the helo restrictions, evaluated at the command itself
            # (smtpd_delay_reject = no), changes no reply: "smtpd[PID]: NOQUEUE: warn:
            # EHLO from unknown[127.0.0.10]: helo-seen; proto=SMTP helo=<scanner.test>".
            "smtpd_delay_reject = no",
            "smtpd_helo_restrictions = check_helo_access static:{WARN helo-seen}",
            "smtpd_tls_security_level = may",
            "smtpd_tls_loglevel = 0",
            "smtpd_tls_session_cache_database =",
            "",
        ])

    def postfix_master(self):
        pf = self.path("postfix")
        processes = int(os.environ.get("TESTNET_SMTPD_PROCESSES", "20"))
        lines = ["# generated by tools/testnet/gen_services.py: do not edit",
                 "# service type  private unpriv  chroot  wakeup  maxproc command + args",
                 "postlog   unix-dgram n  -       n       -       1       postlogd",
                 "tlsmgr    unix  -       -       n       1000?   1       tlsmgr",
                 # smtpd canonicalises MAIL FROM through it (it hangs retrying without);
                 # local rewriting only, no DNS.
                 "rewrite   unix  -       -       n       -       -       trivial-rewrite"]
        behaviour_options = {
            "no-starttls": ["smtpd_tls_security_level=none"],
            "smtp-banner-554": ["smtpd_delay_reject=no", "smtpd_client_restrictions=reject"],
            "smtp-banner-421": ["smtpd_delay_reject=no", "smtpd_client_restrictions=defer",
                                "defer_code=421"],
            "smtp-greylist": ["smtpd_delay_reject=no", "smtpd_helo_restrictions=defer"],
            "smtp-ehlo-helo-refused": [f"smtpd_command_filter=regexp:{pf}/filter-ehlo-helo"],
            "smtp-ehlo-refused": [f"smtpd_command_filter=regexp:{pf}/filter-ehlo"],
        }
        for name, mx in self.mx_hosts():
            if self.mx_server[mx["smtp"]] != "postfix":
                continue
            options = [f"myhostname={mx['host']}",
                       f"smtpd_tls_chain_files={self.cert(mx['host'], self.mx_cert_kind(mx['smtp']))}"]
            options += behaviour_options.get(mx["smtp"], [])
            lines.append(f"# {name or 'shared'}: {mx['host']} {mx['smtp']}")
            lines.append(f"{mx['address']}:25 inet n - n - {processes} smtpd "
                         + " ".join(f"-o {o}" for o in options))
        for provider in self.catalogue["shared_server_providers"]:
            certs = self.shared_server_certs(provider)
            options = [f"myhostname=mx.{provider['mx_zone']}",
                       f"smtpd_tls_chain_files={self.cert(*certs['default'])}",
                       # Its own name in the log: tests count this provider's connections.
                       f"syslog_name=testnet-postfix-{provider['name']}"]
            if provider["sni"]:
                options.append(f"tls_server_sni_maps=texthash:{pf}/sni-{provider['name']}")
            lines.append(f"# shared-server provider {provider['name']}: {provider['tenants']} tenant MX names")
            for address in provider["addresses"]:
                lines.append(f"{address}:25 inet n - n - {processes} smtpd "
                             + " ".join(f"-o {o}" for o in options))
        if self.synthetic:
            lines.append("# synthetic benchmark: domain-owned MX hosts, certificate by SNI")
            lines.append(f"{SYNTH_MX_ADDRESS}:25 inet n - n - {processes * 5} smtpd "
                         f"-o myhostname={SYNTH_MX_CATCH_ALL} "
                         f"-o smtpd_tls_chain_files={self.cert(SYNTH_MX_CATCH_ALL)} "
                         f"-o tls_server_sni_maps=texthash:{pf}/sni-synth")
        return "\n".join(lines) + "\n"

    def write_postfix(self):
        pf = self.path("postfix")
        if os.path.isdir(pf):
            shutil.rmtree(pf)
        for sub in ("spool/pid", "spool/public", "spool/private", "data"):
            os.makedirs(os.path.join(pf, sub))
        # As postfix-script would set them, whatever the umask: the daemons run as
        # the postfix user, in the queue directory, and read the configuration.
        for sub in ("", "spool", "spool/pid"):
            os.chmod(os.path.join(pf, sub), 0o755)
        for sub, group, mode in (("spool/public", "postdrop", 0o710), ("spool/private", None, 0o700),
                                 ("data", None, 0o700)):
            shutil.chown(os.path.join(pf, sub), user="postfix", group=group)
            os.chmod(os.path.join(pf, sub), mode)
        with open(os.path.join(pf, "main.cf"), "w") as handle:
            handle.write(self.postfix_main())
        with open(os.path.join(pf, "master.cf"), "w") as handle:
            handle.write(self.postfix_master())
        # An unknown command gets "500 5.5.2 Error: command not recognized", as when a
        # firewall mangles EHLO (Cisco's "fixup smtp" sends XXXX).
        with open(os.path.join(pf, "filter-ehlo"), "w") as handle:
            handle.write("/^EHLO([[:space:]]|$)/ XXXX\n")
        with open(os.path.join(pf, "filter-ehlo-helo"), "w") as handle:
            handle.write("/^(EHLO|HELO)([[:space:]]|$)/ XXXX\n")
        with open(os.path.join(pf, "sni-synth"), "w") as handle:
            for label, names in self.synth_mx_batches:
                pem = gen_certs.cert_path(self.path("ca"), label, "batch")
                handle.writelines(f"{name} {pem}\n" for name in names)
        maps = []
        for provider in self.catalogue["shared_server_providers"]:
            if provider["sni"]:
                maps.append(f"sni-{provider['name']}")
                with open(os.path.join(pf, maps[-1]), "w") as handle:
                    handle.writelines(f"{name} {self.cert(*cert)}\n"
                                      for name, cert in self.shared_server_certs(provider).items()
                                      if name != "default")
        for name in ["main.cf", "master.cf", "filter-ehlo", "filter-ehlo-helo", "sni-synth"] + maps:
            os.chmod(os.path.join(pf, name), 0o644)

    # --- hostile.py -----------------------------------------------------------------

    def hostile_plays(self):
        plays = []
        for entry, policy in self.policies():
            if self.policy_server[policy["serve"]] == "hostile":
                play = {"mode": policy["serve"], "address": policy["address"], "port": 443,
                        "scenario": entry["name"], "host": policy["host"]}
                if policy["serve"].startswith("http-") or policy["serve"] in HOSTILE_TLS_WITH_CERT:
                    play["cert"] = self.cert(policy["host"])
                if policy["serve"].startswith("http-"):
                    play["body_file"] = self.path("www", entry["name"] + ".txt")
                plays.append(play)
        for name, mx in self.mx_hosts():
            if self.mx_server[mx["smtp"]] == "hostile":
                play = {"mode": mx["smtp"], "address": mx["address"], "port": 25,
                        "scenario": name, "host": mx["host"]}
                if mx["smtp"] in HOSTILE_TLS_WITH_CERT:
                    play["cert"] = self.cert(mx["host"])
                plays.append(play)
        return plays

    def write_health(self, plays):
        """health.env: one endpoint per server that lib.sh's health checks ask."""
        nginx = next((p for _, p in self.policies() if p["serve"] == "https" and p.get("cert") == "good"
                      and p.get("status") == 200 and p["address"].startswith("127.")), None)
        postfix = next((mx for _, mx in self.mx_hosts() if mx["smtp"] == "starttls-good"), None)
        hostile = next((p for p in plays if p["mode"] in ("starttls-refused", "starttls-garbage")), None)
        if not (nginx and postfix and hostile):
            raise SystemExit("gen_services: the catalogue needs a good policy host, a good MX "
                             "host and a starttls-refused or starttls-garbage MX host (health checks)")
        with open(self.path("health.env"), "w") as handle:
            handle.write("# generated by tools/testnet/gen_services.py: sourced by lib.sh\n"
                         f"NGINX_HEALTH_HOST={nginx['host']}\nNGINX_HEALTH_ADDR={nginx['address']}\n"
                         f"POSTFIX_HEALTH_HOST={postfix['host']}\nPOSTFIX_HEALTH_ADDR={postfix['address']}\n"
                         f"HOSTILE_HEALTH_ADDR={hostile['address']}\n")

    # --- everything -------------------------------------------------------------------

    def generate(self):
        self.collect()
        batches_wanted = self.synth_policy_batches + self.synth_mx_batches
        try:
            gen_certs.generate(self.path("ca"), self.certs, batches_wanted)
        except gen_certs.OpenSSLError as error:
            raise SystemExit(f"gen_services: {error}")
        self.write_bodies()
        os.makedirs(self.path("nginx"), exist_ok=True)
        with open(self.path("nginx.conf"), "w") as handle:
            handle.write(self.nginx_conf())
        self.write_postfix()
        campaign_relay.write(self.run, self.cert)
        plays = self.hostile_plays()
        with open(self.path("hostile.json"), "w") as handle:
            json.dump({"plays": plays}, handle, indent=1)
            handle.write("\n")
        self.write_health(plays)
        by_server = {}
        for endpoint, (server, what) in sorted(self.endpoints.items()):
            by_server.setdefault(server, []).append({"endpoint": endpoint, "for": what})
        with open(self.path("services.json"), "w") as handle:
            json.dump({"ca_bundle": self.path("ca", "bundle.pem"),
                       "intermediates": self.path("ca", "intermediates.pem"),
                       "endpoints": by_server,
                       "synthetic_certificates": len(batches_wanted)}, handle, indent=1)
            handle.write("\n")
        return len(self.certs) + len(batches_wanted)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", default=os.path.join(HERE, "run"))
    parser.add_argument("--catalogue", default=os.path.join(HERE, "scenarios.json"))
    parser.add_argument("--synthetic", action="store_true")
    options = parser.parse_args(argv)
    with open(options.catalogue) as handle:
        catalogue = json.load(handle)
    services = Services(catalogue, options.run, options.synthetic)
    count = services.generate()
    counts = {server: len(endpoints) for server, endpoints in
              json.load(open(services.path("services.json")))["endpoints"].items()}
    print(f"gen_services: {count} certificates; endpoints "
          + ", ".join(f"{server} {n}" for server, n in sorted(counts.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

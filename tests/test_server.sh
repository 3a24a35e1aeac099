#!/usr/bin/env bash
# End-to-end tests of `tenon server` as a server of many: thousands of concurrent connections
# (Python's ssl, i.e. OpenSSL, as the peer: tests/server_clients.py), the buffer pool and its
# backpressure, keep-alive HTTP (curl), timeouts, --workers with shared --ticket-keys, SIGHUP,
# SIGTERM, SIGUSR1, and the RSS per idle connection. Every wait is bounded; every process
# started is stopped by its PID.
#
# usage: test_server.sh PATH/TO/tenon
set -u

TENON=$(realpath "${1:?usage: test_server.sh PATH/TO/tenon}")
HERE=$(cd "$(dirname "$0")" && pwd)
CLIENTS="$HERE/server_clients.py"
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

check() { # check NAME STATUS [LOG]
    if [ "$2" -eq 0 ]; then
        echo "ok - $1"
        PASS=$((PASS + 1))
    else
        echo "FAIL - $1"
        [ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/    | /' "$3" | tail -20
        FAIL=$((FAIL + 1))
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() { # wait_for FILE TEXT [SECONDS]
    timeout "${3:-10}" bash -c "until grep -q -- \"$2\" \"$1\" 2>/dev/null; do sleep 0.05; done"
}

# start_server ARGS...: PORT, SPID, SLOG
start_server() {
    PORT=$(free_port)
    SLOG="$TMP/server.$PORT.log"
    # No timeout(1) wrapper: the tests signal the server itself and read its /proc entry
    # (stop_server bounds each run; the EXIT trap kills what is left).
    "$TENON" server --listen "127.0.0.1:$PORT" "$@" >"$TMP/server.$PORT.out" 2>"$SLOG" &
    SPID=$!
    PIDS+=("$SPID")
    wait_for "$SLOG" "listening on" || echo "server on $PORT did not start: $(cat "$SLOG")"
}

# stop_server [SECONDS]: SIGTERM, then the exit status in SSTATUS (124: still running)
stop_server() {
    kill -TERM "$SPID" 2>/dev/null
    wait_exit "${1:-10}"
}

wait_exit() {
    local i
    SSTATUS=124
    for i in $(seq 1 $((${1:-10} * 10))); do
        if ! kill -0 "$SPID" 2>/dev/null; then
            wait "$SPID"
            SSTATUS=$?
            return
        fi
        sleep 0.1
    done
    kill -KILL "$SPID" 2>/dev/null
}

cd "$TMP" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.pem \
    -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout new.key -out new.pem \
    -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1
fp_of() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

# ------------------------------------------------------------------------------------------
# 2,000 connections at once, held open, then each echoes; the RSS per idle connection.
start_server --cert ec.pem --key ec.key --quiet
timeout 120 python3 "$CLIENTS" many "$PORT" ec.pem 2000 "$SPID" >many.out 2>&1
st=$?
cat many.out
grep -q "echoed 2000 of 2000" many.out && [ $st -eq 0 ]
check "2,000 concurrent connections held open, each echoed" $? many.out
# The client sent SIGUSR1 while the 2,000 were idle (with the 200 of its warm-up): none holds
# a buffer pair, and the pool is back to its floor.
wait_for "$SLOG" "stats: accepted" 5
grep -m1 "stats:" "$SLOG"
grep -q "stats: accepted 2200, handshakes 2200 full 0 resumed, failures 0, timeouts 0, requests 0, open 2200, active 0, pool 16 pairs" "$SLOG"
check "SIGUSR1 prints the counters: 2,200 open, none active, the pool shrunk to 16 pairs" $? "$SLOG"
# The RSS growth per idle connection, everything counted, is within 512 bytes of the engine's
# figure (sizeof(tenon_conn)): the tool adds its own struct, malloc's header, the timer slot.
per=$(sed -n 's/.*: \([0-9]*\) bytes per idle connection/\1/p' many.out)
engine=$(sed -n 's/.*(tenon_conn \([0-9]*\), the tool.s \([0-9]*\)).*/\1/p' "$SLOG" | head -1)
own=$(sed -n 's/.*(tenon_conn \([0-9]*\), the tool.s \([0-9]*\)).*/\2/p' "$SLOG" | head -1)
echo "RSS per idle connection: $per bytes; tenon_conn: $engine bytes; the tool's struct: $own bytes"
if ldd "$TENON" 2>/dev/null | grep -q 'libasan\|libubsan'; then
    echo "ok - RSS growth per idle connection: not bounded in a sanitizer build (redzones, shadow)"
else
    [ -n "$per" ] && [ -n "$engine" ] && [ "$per" -le $((engine + 512)) ]
    check "RSS growth per idle connection ($per bytes) within 512 bytes of tenon_conn ($engine)" $? many.out
fi
stop_server
check "... and the server exits 0 on SIGTERM" "$SSTATUS" "$SLOG"

# TLS 1.2 connections hand their buffers back too.
start_server --cert ec.pem --key ec.key --quiet
timeout 120 python3 "$CLIENTS" many "$PORT" ec.pem 300 "$SPID" tls12 >many12.out 2>&1
st=$?
cat many12.out
wait_for "$SLOG" "stats: accepted" 5
[ $st -eq 0 ] && grep -q "echoed 300 of 300" many12.out &&
    grep -q "stats: accepted 500, handshakes 500 full 0 resumed, failures 0, timeouts 0, requests 0, open 500, active 0" "$SLOG"
check "TLS 1.2: 300 connections (and 200 warm-up) idle hold no buffer pair, then each echoes" $? "$SLOG"
stop_server

# The buffer pool at 2 pairs: 200 clients at once all served, waiting their turn.
start_server --cert ec.pem --key ec.key --quiet --max-active 2 --status status.txt
timeout 120 python3 "$CLIENTS" many "$PORT" ec.pem 200 >pool.out 2>&1
st=$?
kill -USR1 "$SPID"
wait_for status.txt "pool_peak" 5
cat status.txt
grep -q "echoed 200 of 200" pool.out && [ $st -eq 0 ] && grep -q "^pool_peak 2$" status.txt &&
    grep -q "^accepted 200$" status.txt && grep -q "^failures 0$" status.txt &&
    grep -q "^pid $SPID$" status.txt
check "--max-active 2: 200 concurrent clients served by a pool of 2 buffer pairs (backpressure, no failure; --status FILE)" $? pool.out
stop_server

# --max-connections: the next client waits (not refused) until one ends.
start_server --cert ec.pem --key ec.key --max-connections 1
mkfifo h1.in
timeout 30 python3 "$CLIENTS" hold "$PORT" ec.pem <h1.in >h1.out 2>&1 &
H1=$!
PIDS+=("$H1")
exec 7>h1.in
wait_for h1.out "held"
timeout 30 python3 "$CLIENTS" resume "$PORT" ec.pem 0 >h2.out 2>&1 &
H2=$!
PIDS+=("$H2")
sleep 1.5
[ ! -s h2.out ] && kill -0 "$H2" 2>/dev/null
waited=$?
echo quit >&7
exec 7>&-
wait "$H1"
wait "$H2"
st=$?
[ $waited -eq 0 ] && [ $st -eq 0 ] && grep -q "resumed 0 of 0" h2.out
check "--max-connections 1: a second client waits (1.5 s, not refused) and is served once the first ends" $? h2.out
stop_server

# ------------------------------------------------------------------------------------------
# HTTP keep-alive (curl: two requests on one connection), Connection: close, a request split
# into single bytes.
start_server --cert ec.pem --key ec.key --http
timeout 20 curl -sv --cacert ec.pem --resolve "localhost:$PORT:127.0.0.1" \
    "https://localhost:$PORT/" "https://localhost:$PORT/tls" >curl.out 2>curl.err
st=$?
[ $st -eq 0 ] && grep -q "Re-using existing connection" curl.err &&
    [ "$(grep -c '< HTTP/1.1 200 OK' curl.err)" -eq 2 ] && grep -q "Hello from tenon" curl.out &&
    grep -q "TLS_AES" curl.out
check "--http: curl sends two requests on one kept-alive connection (GET / and GET /tls)" $? curl.err
timeout 20 curl -sv --cacert ec.pem --resolve "localhost:$PORT:127.0.0.1" -H "Connection: close" \
    "https://localhost:$PORT/" >curlc.out 2>curlc.err
grep -q "< Connection: close" curlc.err && grep -q "Hello from tenon" curlc.out
check "--http: Connection: close honoured" $? curlc.err
python3 - "$PORT" >split.out 2>&1 <<'EOF'
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile="ec.pem")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10),
                    server_hostname="localhost")
req = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n"
for b in req:
    s.sendall(bytes([b]))
    time.sleep(0.002)
data = b""
while True:
    got = s.recv(4096)
    if not got:
        break
    data += got
print(data.decode(errors="replace"))
sys.exit(0 if data.startswith(b"HTTP/1.1 200 OK") and b"Hello from tenon" in data else 1)
EOF
check "--http: a request arriving a byte per record is parsed as it comes" $? split.out
stop_server
check "--http server exits 0 on SIGTERM" "$SSTATUS" "$SLOG"

# ------------------------------------------------------------------------------------------
# Timeouts: a stalled handshake is cut off while others are served; an idle connection gets
# close_notify; a client that stops reading is dropped.
start_server --cert ec.pem --key ec.key --timeout 1 --idle-timeout 2 --write-timeout 1
timeout 20 python3 "$CLIENTS" stall "$PORT" 10 >stall.out 2>&1 &
STALL=$!
PIDS+=("$STALL")
echo x | timeout 20 python3 "$CLIENTS" resume "$PORT" ec.pem 2 >served.out 2>&1
st=$?
wait "$STALL"
stst=$?
[ $st -eq 0 ] && [ $stst -eq 0 ] && grep -q "resumed 2 of 2" served.out &&
    grep -q "the handshake timed out" "$SLOG"
check "a stalled handshake is timed out (--timeout 1) while other clients are served: $(cat stall.out)" $? stall.out
(sleep 6; echo eof) | timeout 20 python3 "$CLIENTS" hold "$PORT" ec.pem >idle.out 2>&1
grep -q close_notify idle.out && grep -q "idle for 2 s: closing" "$SLOG"
check "--idle-timeout 2: an idle connection gets close_notify" $? idle.out
timeout 40 python3 "$CLIENTS" noread "$PORT" ec.pem >noread.out 2>&1
grep -q "dropped by the server" noread.out && grep -q "took nothing for 1 s" "$SLOG"
check "--write-timeout 1: a client that stops reading is dropped ($(cat noread.out))" $? noread.out
stop_server

# ------------------------------------------------------------------------------------------
# SIGTERM: close_notify to a connected client, exit 0 within the bound.
start_server --cert ec.pem --key ec.key --shutdown-timeout 3
(sleep 1; echo eof) | timeout 20 python3 "$CLIENTS" hold "$PORT" ec.pem >term.out 2>&1 &
HOLD=$!
PIDS+=("$HOLD")
wait_for term.out "held"
t0=$(date +%s)
stop_server 5
t1=$(date +%s)
wait "$HOLD"
[ "$SSTATUS" -eq 0 ] && [ $((t1 - t0)) -le 4 ] && grep -q close_notify term.out
check "SIGTERM: the client gets close_notify, the server exits 0 within the bound ($(cat term.out | tail -1))" $? "$SLOG"

# ------------------------------------------------------------------------------------------
# SIGHUP: certificate files re-read; new connections see the new certificate, an open one
# goes on with its config.
cp ec.pem srv.pem
cp ec.key srv.key
start_server --cert srv.pem --key srv.key
mkfifo hold.in
timeout 30 python3 "$CLIENTS" hold "$PORT" ec.pem <hold.in >hup.out 2>&1 &
HOLD=$!
PIDS+=("$HOLD")
exec 7>hold.in
wait_for hup.out "held"
before=$(timeout 10 python3 "$CLIENTS" fingerprint "$PORT")
cp new.pem srv.pem
cp new.key srv.key
kill -HUP "$SPID"
wait_for "$SLOG" "SIGHUP: reloaded" 5
after=$(timeout 10 python3 "$CLIENTS" fingerprint "$PORT")
echo echo >&7
wait_for hup.out "echo" 5
[ "$before" = "$(fp_of ec.pem)" ] && [ "$after" = "$(fp_of new.pem)" ] && grep -q "echo ok" hup.out
check "SIGHUP: new connections get the new certificate, the open one still echoes" $? hup.out
echo "garbage" >srv.pem
kill -HUP "$SPID"
wait_for "$SLOG" "reload failed" 5
still=$(timeout 10 python3 "$CLIENTS" fingerprint "$PORT")
[ "$still" = "$(fp_of new.pem)" ]
check "SIGHUP with a bad certificate file: the old one stays, and why is logged" $? "$SLOG"
echo eof >&7
exec 7>&-
wait "$HOLD"
stop_server

# ------------------------------------------------------------------------------------------
# --ticket-keys: made by --ticket-keys-generate (mode 0600), refused when others can read it,
# shared by --workers 2: every later connection resumes, whichever worker takes it.
"$TENON" server --ticket-keys-generate tk.txt 2>gen.err
st=$?
[ $st -eq 0 ] && [ "$(stat -c %a tk.txt)" = 600 ] && [ "$(grep -vc '^#' tk.txt)" -eq 1 ]
check "--ticket-keys-generate writes a 0600 file with one key" $? gen.err
"$TENON" server --ticket-keys-generate tk.txt 2>gen2.err
[ "$(grep -vc '^#' tk.txt)" -eq 2 ] && grep -q "1 older kept" gen2.err
check "--ticket-keys-generate again: a new key first, the old one kept" $? gen2.err
cp tk.txt open.txt
chmod 644 open.txt
timeout 10 "$TENON" server --listen 127.0.0.1:1 --ticket-keys open.txt >/dev/null 2>open.err
st=$?
[ $st -eq 2 ] && grep -q "accessible by other users (mode 644" open.err
check "--ticket-keys with mode 0644: refused (exit 2)" $? open.err

( umask 077
  echo "00112233445566778899aabbccddeeff 0011" >short.txt
  for i in $(seq 1 9); do printf '%032x %064x\n' "$i" "$i"; done >nine.txt )
timeout 10 "$TENON" server --listen 127.0.0.1:1 --ticket-keys short.txt >/dev/null 2>short.err
st1=$?
timeout 10 "$TENON" server --listen 127.0.0.1:1 --ticket-keys nine.txt >/dev/null 2>nine.err
st2=$?
[ $st1 -eq 2 ] && grep -q "line 1: not \"NAME KEY\"" short.err && [ $st2 -eq 2 ] &&
    grep -q "more than 8 keys (line 9)" nine.err
check "--ticket-keys: a short key and a ninth key are refused with the line named" $? short.err

start_server --cert ec.pem --key ec.key --workers 2 --ticket-keys tk.txt
timeout 60 python3 "$CLIENTS" resume "$PORT" ec.pem 40 >wres.out 2>&1
st=$?
grep -q "resumed 40 of 40" wres.out && [ $st -eq 0 ] &&
    grep -q "^tenon server\[w1\]: .*resumed" "$SLOG" && grep -q "^tenon server\[w2\]: .*resumed" "$SLOG"
check "--workers 2 --ticket-keys: 40 of 40 sessions resumed, by both workers ($(grep -c 'w1\]: .*resumed' "$SLOG") / $(grep -c 'w2\]: .*resumed' "$SLOG"))" $? "$SLOG"
# A worker that dies is restarted; the port keeps serving.
w1=$(sed -n 's/.*2 workers, pids \([0-9]*\) .*/\1/p' "$SLOG")
kill -KILL "$w1"
wait_for "$SLOG" "restarted" 5
sleep 0.3
timeout 30 python3 "$CLIENTS" resume "$PORT" ec.pem 4 >wres2.out 2>&1
grep -q "resumed 4 of 4" wres2.out && grep -q "worker 1 (pid $w1) died of signal 9: restarted" "$SLOG"
check "--workers: a worker killed is restarted, clients still served and resumed" $? "$SLOG"
# Rotation under load: a ticket sealed with the current key; then a new key first in the file
# (--ticket-keys-generate), SIGHUP to the parent, which forwards it to the workers; the ticket
# sealed before still resumes (its key is now the second), on whichever worker.
mkfifo go.in
timeout 60 python3 "$CLIENTS" resume "$PORT" ec.pem 6 pause <go.in >rot.out 2>&1 &
ROT=$!
PIDS+=("$ROT")
exec 8>go.in
wait_for rot.out "paused"
"$TENON" server --ticket-keys-generate tk.txt 2>gen3.err
kill -HUP "$SPID"
wait_for "$SLOG" "w2\]: SIGHUP: reloaded (certificates and keys re-read, 3 ticket keys)" 5 &&
    wait_for "$SLOG" "w1\]: SIGHUP: reloaded (certificates and keys re-read, 3 ticket keys)" 5
hup=$?
echo go >&8
exec 8>&-
wait "$ROT"
st=$?
[ $hup -eq 0 ] && [ $st -eq 0 ] && grep -q "resumed 6 of 6" rot.out
check "--workers: SIGHUP forwarded, each worker reloads the rotated keys; a ticket sealed before still resumes" $? rot.out
# A ticket keys file that became readable by others is refused at SIGHUP: the keys in use stay.
chmod 644 tk.txt
kill -HUP "$SPID"
wait_for "$SLOG" "w1\]: SIGHUP: reload failed" 5 && wait_for "$SLOG" "w2\]: SIGHUP: reload failed" 5
hup=$?
chmod 600 tk.txt
timeout 30 python3 "$CLIENTS" resume "$PORT" ec.pem 4 >wres3.out 2>&1
[ $hup -eq 0 ] && grep -q "resumed 4 of 4" wres3.out && grep -q "w1\]: the ticket keys file tk.txt is accessible by other users" "$SLOG"
check "SIGHUP with a ticket keys file readable by others: refused, the keys in use stay (4 of 4 resumed)" $? "$SLOG"
stop_server 10
check "--workers: SIGTERM forwarded, the supervisor exits 0" "$SSTATUS" "$SLOG"

# A sanitizer build reports into the servers' logs: none may hold a report.
! grep -l "runtime error\|Sanitizer" "$TMP"/server.*.log >sanitizer.out 2>/dev/null
check "no sanitizer report in any server log" $? sanitizer.out

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

#!/usr/bin/env bash
# Load test of the whole call path, signalling only: builds acd, registers
# AGENTS agents' phones with sipp, answers for them with sipp UAS
# processes, and drives CALLS calls at RATE calls/s into one queue with a
# sipp caller. Prints calls attempted/successful/failed, achieved calls/s,
# the acd process's CPU per call, its peak RSS, and the event log's count of
# completed calls (which must equal the successful calls).
#
# Not part of scripts/test.sh or `go test`: it runs for tens of seconds and
# loads both cores. Results are recorded in BENCHMARKS.md.
#
#   bash scripts/load.sh                      # 500 calls/s x 5000 calls
#   RATE=800 CALLS=8000 bash scripts/load.sh  # or: scripts/load.sh -r 800 -m 8000
#
# Settings (environment, or the flags in brackets):
#   RATE      calls/s the caller sipp starts [-r]            default 500, max 2000
#   CALLS     calls in total [-m]                            default 10 s worth, max 50000
#   TALK_MS   talk time after the answer (sipp -d) [-d]      default 1000, max 10000
#   RING_MS   agent phone rings this long, then answers      default 200, max 5000
#   AGENTS    agents (each one phone) [-a]                   default enough for RATE:
#             RATE x (RING_MS+TALK_MS+300 ms) x 1.25, at least 50, max 5000
#   UAS       sipp UAS processes answering for the agents    default 2
#   FSYNC     events.fsync of the ACD                        default every-event (the product default)
#   STRATEGY  queue strategy                                 default longest-idle
#   LOG_LEVEL acd -log-level                                 default info
#   REV       build this git revision (a clean `git archive` of it) instead
#             of the working tree, e.g. REV=HEAD while others edit the tree
#   KEEP=1    keep the work directory (config, logs, sipp stats) and print it
#
# Exit status: 0 when every call succeeded on both sides and the event log
# has one completed event per successful call; 1 otherwise; 2 on bad usage
# or a setup failure (build, registration).
#
# Needs: go, sipp (Debian sip-tester), python3 (free ports, the RTP discard
# sink, parsing stats). Raises the kernel's UDP buffer limits with sysctl when
# permitted (restored on exit) and reports UDP receive-buffer drops.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    -r) RATE=${2:?-r needs a value}; shift 2 ;;
    -m) CALLS=${2:?-m needs a value}; shift 2 ;;
    -d) TALK_MS=${2:?-d needs a value}; shift 2 ;;
    -a) AGENTS=${2:?-a needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "load: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

RATE=${RATE:-500}
TALK_MS=${TALK_MS:-1000}
RING_MS=${RING_MS:-200}
CALLS=${CALLS:-$((RATE * 10))}
UAS=${UAS:-2}
FSYNC=${FSYNC:-every-event}
STRATEGY=${STRATEGY:-longest-idle}
LOG_LEVEL=${LOG_LEVEL:-info}
REV=${REV:-}
KEEP=${KEEP:-0}
for v in RATE CALLS TALK_MS RING_MS UAS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "load: $v must be a whole number, got '${!v}'" >&2; exit 2; }
done
if [[ -z ${AGENTS:-} ]]; then
  AGENTS=$(((RATE * (RING_MS + TALK_MS + 300) * 5 / 4 + 999) / 1000))
  ((AGENTS >= 50)) || AGENTS=50
fi
[[ $AGENTS =~ ^[0-9]+$ ]] || { echo "load: AGENTS must be a whole number" >&2; exit 2; }
cap() { # name value max [min]: refuse unbounded runs
  if (($2 < ${4:-1} || $2 > $3)); then echo "load: $1=$2 out of range ${4:-1}..$3" >&2; exit 2; fi
}
cap RATE "$RATE" 2000
cap CALLS "$CALLS" 50000
cap TALK_MS "$TALK_MS" 10000
cap RING_MS "$RING_MS" 5000 0
cap AGENTS "$AGENTS" 5000
cap UAS "$UAS" 8
((UAS <= AGENTS)) || UAS=$AGENTS

for t in go sipp python3; do
  command -v "$t" >/dev/null || { echo "load: $t not found (sipp: apt-get install sip-tester)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/acd-load.XXXXXX")
pids=() # processes this script started, stopped by pid on exit
sysctl_saved=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for p in "${sysctl_saved[@]}"; do # key=old=ours: restore unless changed since
    IFS='=' read -r k old ours <<<"$p"
    [[ $(sysctl -n "$k" 2>/dev/null) == "$ours" ]] && sysctl -q -w "$k=$old" >/dev/null 2>&1 || true
  done
  if [[ $KEEP == 1 ]]; then echo "load: work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers (python3, standard library only) -------------------------------
tool=$work/loadtool.py
cat >"$tool" <<'PY'
import json, os, signal, socket, sys, time

def ports(n):
    # n distinct loopback ports free for both UDP and TCP right now.
    held, out = [], []
    while len(out) < n:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        p = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", p))
        except OSError:
            u.close(); t.close(); continue
        held += [u, t]; out.append(p)
    for s in held: s.close()
    print(" ".join(map(str, out)))

def mediaports(n):
    # n ports p with p and p+2 free for UDP: sipp binds both for RTP (-mp).
    held, out = [], []
    while len(out) < n:
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        a.bind(("127.0.0.1", 0))
        p = a.getsockname()[1]
        b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            b.bind(("127.0.0.1", p + 2))
        except OSError:
            a.close(); b.close(); continue
        held += [a, b]; out.append(p)
    for s in held: s.close()
    print(" ".join(map(str, out)))

def sink(portfile, countfile):
    # RTP discard sink: reads and drops every datagram (hold audio the ACD
    # plays to callers), so nothing piles up in a socket buffer.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    n = [0, 0]
    def done(*_):
        with open(countfile, "w") as f: f.write("%d %d\n" % (n[0], n[1]))
        sys.exit(0)
    signal.signal(signal.SIGTERM, done)
    with open(portfile + ".tmp", "w") as f: f.write(str(s.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    while True:
        b = s.recv(4096)
        n[0] += 1; n[1] += len(b)

def sippstat(path):
    # Last row of a sipp -trace_stat file as KEY=VALUE lines.
    with open(path) as f:
        rows = [l.rstrip("\n").split(";") for l in f if l.strip()]
    head, last = rows[0], rows[-1]
    for k, v in zip(head, last):
        if k: print("%s=%s" % (k.replace("(", "_").replace(")", ""), v))

def cpu(pid, split=""):
    # utime+stime of a process in ms (with "split": utime and stime too).
    with open("/proc/%s/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ms = lambda t: int(t) * 1000 // os.sysconf("SC_CLK_TCK")
    u, s = ms(fields[11]), ms(fields[12])
    print(u + s, u, s) if split else print(u + s)

def status(pid, key):
    with open("/proc/%s/status" % pid) as f:
        for l in f:
            if l.startswith(key + ":"): print(l.split()[1]); return
    print(0)

def machine():
    # busy and total jiffies of all CPUs.
    with open("/proc/stat") as f:
        v = list(map(int, f.readline().split()[1:]))
    idle = v[3] + v[4]
    print(sum(v) - idle, sum(v))

def snmp():
    with open("/proc/net/snmp") as f:
        udp = [l.split() for l in f if l.startswith("Udp:")]
    d = dict(zip(udp[0][1:], udp[1][1:]))
    print(d.get("RcvbufErrors", 0), d.get("InErrors", 0), d.get("SndbufErrors", 0))

def drops(*named):
    # per-socket drop counters from /proc/net/udp for name=port pairs.
    want = dict(x.split("=") for x in named)
    seen = {}
    with open("/proc/net/udp") as f:
        next(f)
        for l in f:
            p = l.split()
            port = int(p[1].split(":")[1], 16)
            seen[port] = seen.get(port, 0) + int(p[-1])
    print(" ".join("%s=%s" % (k, seen.get(int(v), "closed")) for k, v in want.items()))

def ts(s):
    # RFC 3339 with nanoseconds -> epoch seconds (float), no dependencies.
    import datetime
    date, frac = s.rstrip("Z"), "0"
    if "." in date: date, frac = date.split(".")
    off = 0
    for sign in "+-":
        if sign in frac:
            frac, o = frac.split(sign); h, m = o.split(":"); off = (int(h) * 60 + int(m)) * 60 * (1 if sign == "+" else -1)
    t = datetime.datetime.strptime(date, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp()
    return t + float("0." + frac) - off

def events(path):
    counts, completed, waits, reasons = {}, [], [], {}
    with open(path) as f:
        for l in f:
            e = json.loads(l)
            counts[e["type"]] = counts.get(e["type"], 0) + 1
            if e["type"] == "completed":
                completed.append(ts(e["time"]))
                reasons[e.get("reason", "")] = reasons.get(e.get("reason", ""), 0) + 1
            elif e["type"] == "connected":
                waits.append(e.get("wait_ms", 0))
    print("ev_counts='%s'" % " ".join("%s=%d" % kv for kv in sorted(counts.items())))
    print("ev_completed=%d" % counts.get("completed", 0))
    print("ev_reasons='%s'" % " ".join("%s=%d" % kv for kv in sorted(reasons.items())))
    rate, span = 0.0, 0.0
    if len(completed) > 1:
        completed.sort()
        span = completed[-1] - completed[0]
        rate = (len(completed) - 1) / span if span > 0 else 0.0
    print("ev_rate=%.1f" % rate)
    print("ev_span=%.2f" % span)
    waits.sort()
    q = lambda p: waits[min(len(waits) - 1, int(p * len(waits)))] if waits else 0
    print("ev_wait='p50=%d p90=%d p99=%d max=%d ms'" % (q(.5), q(.9), q(.99), waits[-1] if waits else 0))

cmd, args = sys.argv[1], sys.argv[2:]
{"ports": lambda: ports(int(args[0])), "mediaports": lambda: mediaports(int(args[0])), "sink": lambda: sink(*args), "sippstat": lambda: sippstat(args[0]),
 "cpu": lambda: cpu(*args), "status": lambda: status(*args), "machine": machine, "snmp": snmp,
 "drops": lambda: drops(*args), "events": lambda: events(args[0])}[cmd]()
PY
py() { python3 "$tool" "$@"; }

echo "load: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(go env GOVERSION), $(sipp -v 2>&1 | grep -o 'v[0-9][0-9.]*' | head -1 | sed 's/^/sipp /'), kernel $(uname -r)"
echo "load: RATE=$RATE CALLS=$CALLS TALK_MS=$TALK_MS RING_MS=$RING_MS AGENTS=$AGENTS UAS=$UAS FSYNC=$FSYNC STRATEGY=$STRATEGY LOG_LEVEL=$LOG_LEVEL${REV:+ REV=$REV}"

# ---- kernel UDP buffers ------------------------------------------------------
raise_sysctl() { # key value: raise when lower, remember the old value
  local old
  old=$(sysctl -n "$1" 2>/dev/null) || return 0
  if ((old < $2)) && sysctl -q -w "$1=$2" >/dev/null 2>&1; then
    sysctl_saved+=("$1=$old=$2")
  fi
}
raise_sysctl net.core.rmem_max 16777216
raise_sysctl net.core.wmem_max 16777216
raise_sysctl net.core.rmem_default 4194304
raise_sysctl net.core.wmem_default 1048576
echo "load: udp buffers: rmem_max=$(sysctl -n net.core.rmem_max 2>/dev/null || echo ?)" \
  "rmem_default=$(sysctl -n net.core.rmem_default 2>/dev/null || echo ?)" \
  "(${#sysctl_saved[@]} raised for this run)"

# ---- build -------------------------------------------------------------------
if [[ -n $REV ]]; then
  code="$(git rev-parse --short "$REV^{commit}") (clean git archive)"
  mkdir "$work/src"
  git archive "$REV" | tar -x -C "$work/src"
  echo "load: go build ./cmd/acd of $code"
  (cd "$work/src" && go build -o "$work/acd" ./cmd/acd)
else
  changed=$(git status --porcelain -- '*.go' go.mod go.sum 2>/dev/null | wc -l)
  code="$(git rev-parse --short HEAD 2>/dev/null || echo '?') + working tree ($changed changed or new Go/module files)"
  echo "load: go build ./cmd/acd of $code"
  go build -o "$work/acd" ./cmd/acd
fi

read -r sip_port http_port reg_port caller_port rest < <(py ports $((4 + UAS)))
read -r -a uas_ports <<<"$rest"
# sipp binds an RTP port pair (-mp) even when it sends no media: one each.
read -r reg_mp caller_mp rest < <(py mediaports $((2 + UAS)))
read -r -a uas_mp <<<"$rest"

# ---- RTP discard sink: hold audio goes here, nothing answers it --------------
python3 "$tool" sink "$work/sink.port" "$work/sink.count" &
sink_pid=$!
pids+=("$sink_pid")
for _ in $(seq 50); do [[ -s $work/sink.port ]] && break; sleep 0.1; done
sink_port=$(cat "$work/sink.port")

# ---- config ------------------------------------------------------------------
cfg=$work/load.yaml
{
  cat <<EOF
node_id: load-1
sip:
  listen_udp: "127.0.0.1:$sip_port"
  listen_tcp: "127.0.0.1:$sip_port"
  advertise: "127.0.0.1"
  digest_algorithms: [MD5]
  trusted_trunks: ["127.0.0.1"]
  max_misses: 0
  login_on_register: true
  shutdown_grace: 5s
rtp:
  port_min: 20000
  port_max: 29999
  silence_timeout: 0   # signalling only: nobody sends RTP, never end a call for it
http:
  listen: "127.0.0.1:$http_port"
events:
  path: "$work/events.jsonl"
  fsync: "$FSYNC"
queues:
  - name: load
    number: "100"
    strategy: $STRATEGY
    ring_timeout: 15s
    wrap_up: 0s
    max_wait: 0
    max_length: 0
agents:
EOF
  for ((i = 1; i <= AGENTS; i++)); do
    printf '  - {id: "a%04d", username: "a%04d", password: "pw%04d", queues: [load]}\n' "$i" "$i" "$i"
  done
} >"$cfg"
{
  echo SEQUENTIAL
  for ((i = 1; i <= AGENTS; i++)); do
    printf 'a%04d;[authentication username=a%04d password=pw%04d];%s\n' "$i" "$i" "$i" "${uas_ports[$(((i - 1) % UAS))]}"
  done
} >"$work/agents.csv"
"$work/acd" check-config "$cfg" >/dev/null

# ---- acd ---------------------------------------------------------------------
ulimit -n 65536 2>/dev/null || true
"$work/acd" run -config "$cfg" -log-level "$LOG_LEVEL" >"$work/acd.out" 2>"$work/acd.log" &
acd_pid=$!
pids+=("$acd_pid")
for _ in $(seq 100); do
  grep -q '^acd: ready' "$work/acd.out" 2>/dev/null && break
  kill -0 "$acd_pid" 2>/dev/null || { echo "load: acd exited:" >&2; cat "$work/acd.log" >&2; exit 2; }
  sleep 0.1
done
grep -q '^acd: ready' "$work/acd.out" || { echo "load: acd not ready" >&2; exit 2; }
echo "load: acd pid $acd_pid on udp 127.0.0.1:$sip_port, $AGENTS agents, queue strategy $STRATEGY, events.fsync $FSYNC"

sipp_common=(-i 127.0.0.1 -nostdin -buff_size 4194304 -max_recv_loops 10000 -max_sched_loops 10000 -fd 1 -trace_stat -trace_err)

# ---- agents' phones: UAS processes, then one REGISTER per agent ---------------
uas_pids=()
for ((u = 0; u < UAS; u++)); do
  sipp -sf testdata/sipp/load_agent_answer.xml "${sipp_common[@]}" -p "${uas_ports[u]}" -mp "${uas_mp[u]}" \
    -d "$RING_MS" -key rtp_port "$sink_port" -stf "$work/uas$u.csv" -error_file "$work/uas$u.err" \
    >"$work/uas$u.screen" 2>&1 &
  uas_pids+=($!)
  pids+=($!)
done
sleep 0.5
for p in "${uas_pids[@]}"; do
  kill -0 "$p" 2>/dev/null || { echo "load: sipp UAS exited:" >&2; tail -5 "$work"/uas*.screen >&2; exit 2; }
done

echo "load: registering $AGENTS agents"
if ! sipp -sf testdata/sipp/load_agent_register.xml "${sipp_common[@]}" -p "$reg_port" -mp "$reg_mp" \
  -inf "$work/agents.csv" -m "$AGENTS" -r 500 -l 200 -timeout 120s -timeout_error \
  -stf "$work/register.csv" -error_file "$work/register.err" \
  "127.0.0.1:$sip_port" >"$work/register.screen" 2>&1; then
  echo "load: registration failed:" >&2
  py sippstat "$work/register.csv" | grep -E 'SuccessfulCall_C|FailedCall_C' >&2 || true
  tail -20 "$work/register.err" >&2 2>/dev/null || true
  exit 2
fi
available=0
for _ in $(seq 100); do
  available=$(python3 -c '
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1]))
print(sum(1 for a in d["agents"] if a["state"] == "available" and a.get("contacts", 0) > 0))' \
    "http://127.0.0.1:$http_port/api/agents" 2>/dev/null || echo 0)
  ((available == AGENTS)) && break
  sleep 0.2
done
((available == AGENTS)) || { echo "load: only $available of $AGENTS agents available" >&2; exit 2; }
echo "load: $available agents registered and available"

# ---- the run -----------------------------------------------------------------
# Other processes on the machine skew every figure: say how busy it was.
read -r ib0 it0 < <(py machine)
sleep 1
read -r ib1 it1 < <(py machine)
idle_busy=$(((ib1 - ib0) * 100 / (it1 - it0 > 0 ? it1 - it0 : 1)))
echo "load: machine CPU busy in the second before the run: ${idle_busy} %"
((idle_busy < 30)) || echo "load: WARNING: the machine is not idle; figures include interference"
read -r rcv0 inerr0 snd0 < <(py snmp)
read -r cpu0 ucpu0 scpu0 < <(py cpu "$acd_pid" split)
tc0=$(date +%s.%N)
read -r mbusy0 mtotal0 < <(py machine)
sippcpu0=0
for p in "${uas_pids[@]}"; do sippcpu0=$((sippcpu0 + $(py cpu "$p"))); done
timeout_s=$((CALLS / RATE + TALK_MS / 1000 + 60))
caller_cmd=(sipp -sf testdata/sipp/caller.xml "${sipp_common[@]}" -p "$caller_port" -mp "$caller_mp"
  -s 100 -key rtp_port "$sink_port" -d "$TALK_MS" -r "$RATE" -m "$CALLS" -l "$CALLS"
  -timeout "${timeout_s}s" -timeout_error -stf "$work/caller.csv" -error_file "$work/caller.err"
  "127.0.0.1:$sip_port")
echo "load: ${caller_cmd[*]/#$work/\$work}"
echo "load: $CALLS calls at $RATE calls/s, talk ${TALK_MS} ms, agents ring ${RING_MS} ms"
t0=$(date +%s.%N)
set +e
"${caller_cmd[@]}" >"$work/caller.screen" 2>&1 &
caller_pid=$!
pids+=("$caller_pid")
# Sample the caller's CPU and socket drops while it runs (gone once it exits).
callercpu=0 callerdrops=0
while kill -0 "$caller_pid" 2>/dev/null; do
  c=$(py cpu "$caller_pid" 2>/dev/null) && callercpu=$c
  d=$(py drops "caller=$caller_port" 2>/dev/null) && [[ $d != *closed ]] && callerdrops=${d#caller=}
  sleep 0.5
done
wait "$caller_pid"
caller_rc=$?
set -e
t1=$(date +%s.%N)

# Let the agent side finish (the ACD's BYE to each agent follows the
# caller's BYE) before measuring the ACD.
for _ in $(seq 50); do
  busy=0
  for ((u = 0; u < UAS; u++)); do
    cur=$(py sippstat "$work/uas$u.csv" | sed -n 's/^CurrentCall=//p')
    busy=$((busy + ${cur:-0}))
  done
  ((busy == 0)) && break
  sleep 0.2
done
sleep 1.1 # one more -fd 1 stats row from the UAS processes
read -r cpu1 ucpu1 scpu1 < <(py cpu "$acd_pid" split)
tc1=$(date +%s.%N)
hwm=$(py status "$acd_pid" VmHWM)
rss=$(py status "$acd_pid" VmRSS)
threads=$(py status "$acd_pid" Threads)
read -r mbusy1 mtotal1 < <(py machine)
read -r rcv1 inerr1 snd1 < <(py snmp)
sippcpu1=0
for p in "${uas_pids[@]}"; do sippcpu1=$((sippcpu1 + $(py cpu "$p"))); done
drops_named=("acd=$sip_port" "sink=$sink_port")
for ((u = 0; u < UAS; u++)); do drops_named+=("uas$u=${uas_ports[u]}"); done
sockdrops=$(py drops "${drops_named[@]}")

# ---- stop everything, then read the results ----------------------------------
kill -TERM "$acd_pid"
wait "$acd_pid" || true
for p in "${uas_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
kill -TERM "$sink_pid" 2>/dev/null || true
wait "$sink_pid" 2>/dev/null || true
read -r sink_pkts _ <"$work/sink.count" 2>/dev/null || sink_pkts=?

eval "$(py sippstat "$work/caller.csv" | grep -E '^(TotalCallCreated|SuccessfulCall_C|FailedCall_C|CallRate_C|OutgoingCall_C|FailedMaxUDPRetrans_C|FailedUnexpectedMessage_C|Retransmissions_C|ElapsedTime_C)=' | sed 's/=\(.*\)/="\1"/')"
attempted=$TotalCallCreated
ok=$SuccessfulCall_C
failed=$FailedCall_C
agent_ok=0 agent_failed=0 agent_calls=0
for ((u = 0; u < UAS; u++)); do
  eval "$(py sippstat "$work/uas$u.csv" | grep -E '^(TotalCallCreated|SuccessfulCall_C|FailedCall_C)=' | sed 's/^/u_/; s/=\(.*\)/="\1"/')"
  agent_calls=$((agent_calls + u_TotalCallCreated))
  agent_ok=$((agent_ok + u_SuccessfulCall_C))
  agent_failed=$((agent_failed + u_FailedCall_C))
done
eval "$(py events "$work/events.jsonl")"
warnings=$(grep -cE 'level=(WARN|ERROR)' "$work/acd.log" || true)

cpu_ms=$((cpu1 - cpu0))
read -r wall per_call acd_cores mach_busy cpu_span < <(python3 -c '
import sys
t0, t1, tc0, tc1, cpu, ok, mb0, mt0, mb1, mt1 = map(float, sys.argv[1:])
print("%.2f %.3f %.2f %.0f %.1f" % (t1 - t0, cpu / ok if ok else 0, cpu / 1000 / (tc1 - tc0), 100 * (mb1 - mb0) / max(1, mt1 - mt0), tc1 - tc0))' \
  "$t0" "$t1" "$tc0" "$tc1" "$cpu_ms" "$ok" "$mbusy0" "$mtotal0" "$mbusy1" "$mtotal1")

cat <<EOF

=== acd load: $RATE calls/s x $CALLS calls, talk $TALK_MS ms, ring $RING_MS ms, $AGENTS agents, $UAS agent UAS ===
code:                       $code, events.fsync $FSYNC
calls attempted:            $attempted
calls successful:           $ok
calls failed:               $failed   (max UDP retrans $FailedMaxUDPRetrans_C, unexpected msg $FailedUnexpectedMessage_C; sipp exit $caller_rc)
caller retransmissions:     $Retransmissions_C
agent side (sipp UAS):      $agent_calls calls, $agent_ok successful, $agent_failed failed
sipp call rate:             $CallRate_C calls/s (calls created / elapsed ${ElapsedTime_C}, ramp-down included)
completed through queue:    $ev_rate calls/s (event log: first to last completed, ${ev_span} s)
caller run wall time:       $wall s
queue wait (connected):     $ev_wait
acd CPU:                    $cpu_ms ms (user $((ucpu1 - ucpu0)), sys $((scpu1 - scpu0))) for $ok calls = $per_call ms CPU per call ($acd_cores cores on average over the $cpu_span s measured)
acd peak RSS (VmHWM):       $hwm kB (VmRSS at end $rss kB, $threads threads)
load generators CPU:        caller sipp ~$callercpu ms, agent sipp $((sippcpu1 - sippcpu0)) ms
machine CPU busy:           $mach_busy % of $(nproc) cores during the run (${idle_busy} % in the second before)
events:                     $ev_counts
completed events:           $ev_completed (reasons: $ev_reasons)
acd log warnings/errors:    $warnings
hold RTP to discard sink:   $sink_pkts packets
UDP RcvbufErrors:           before $rcv0, after $rcv1 (InErrors $inerr0 -> $inerr1)
UDP socket drops:           $sockdrops caller=$callerdrops
EOF

status=0
if ((caller_rc != 0 || failed != 0 || ok != CALLS)); then
  echo "FAIL: $failed caller calls failed ($ok of $CALLS successful, sipp exit $caller_rc)"
  tail -5 "$work/caller.err" 2>/dev/null | sed 's/^/  caller.err: /' || true
  status=1
fi
if ((agent_failed != 0)); then
  echo "FAIL: $agent_failed agent-side calls failed"
  status=1
fi
if ((ev_completed != ok)); then
  echo "FAIL: $ev_completed completed events for $ok successful calls (sipp counts a call the ACD" \
    "recorded as abandoned, i.e. hung up before an agent answered, as successful)"
  status=1
fi
((status == 0)) && echo "PASS: zero failed calls, completed events = successful calls"
exit "$status"

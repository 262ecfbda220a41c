#!/usr/bin/env bash
# Cluster load test, signalling only: calls/s through one ACD node against
# two nodes sharing one Redis. For each run in RUNS it builds nothing new
# (one acd binary for all runs), starts a fresh redis-server (unix socket,
# no persistence) when the store is redis, starts the nodes, registers
# AGENTS agents' phones spread over the nodes (sipp UAS processes answer for
# them), and drives CALLS calls at RATE calls/s in total, split evenly over
# the nodes, each node with its own sipp caller. It prints per run the calls
# answered, the achieved completed calls/s (from the nodes' event logs), and
# the CPU the nodes and Redis used per call.
#
# Not part of scripts/test.sh or `go test`. scripts/load.sh is the one-node
# load test with more detail; this script compares node counts.
#
#   bash scripts/load-cluster.sh                        # RUNS="memory:1 redis:1 redis:2"
#   RATE=300 CALLS=3000 RUNS="redis:1 redis:2" bash scripts/load-cluster.sh
#
# Settings (environment):
#   RUNS     runs as STORE:NODES                    default "memory:1 redis:1 redis:2"
#   RATE     calls/s in total over the nodes        default 200, max 2000
#   CALLS    calls in total                         default 10 s worth, max 50000
#   TALK_MS  talk time after the ACD answers        default 1000
#   RING_MS  agent phone rings this long            default 100
#   AGENTS   agents (one phone each)                default enough for RATE, at least 40
#   LEASE    store.lease of the nodes               default 10s
#   KEEP=1   keep the work directory and print it
#
# Exit status: 0 when every call of every run was answered by the ACD and
# completed by an agent; 1 otherwise; 2 on bad usage or a setup failure.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-"memory:1 redis:1 redis:2"}
RATE=${RATE:-200}
CALLS=${CALLS:-$((RATE * 10))}
TALK_MS=${TALK_MS:-1000}
RING_MS=${RING_MS:-100}
LEASE=${LEASE:-10s}
KEEP=${KEEP:-0}
for v in RATE CALLS TALK_MS RING_MS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "load-cluster: $v must be a whole number, got '${!v}'" >&2; exit 2; }
done
if [[ -z ${AGENTS:-} ]]; then
  AGENTS=$(((RATE * (RING_MS + TALK_MS + 300) * 5 / 4 + 999) / 1000))
  ((AGENTS >= 40)) || AGENTS=40
fi
[[ $AGENTS =~ ^[0-9]+$ ]] || { echo "load-cluster: AGENTS must be a whole number" >&2; exit 2; }
((RATE >= 1 && RATE <= 2000 && CALLS >= 1 && CALLS <= 50000 && AGENTS <= 5000)) ||
  { echo "load-cluster: RATE 1..2000, CALLS 1..50000, AGENTS ..5000" >&2; exit 2; }
for r in $RUNS; do
  [[ $r =~ ^(memory:1|redis:[1-4])$ ]] || { echo "load-cluster: run '$r': want memory:1 or redis:1..4" >&2; exit 2; }
done
for t in go sipp python3; do
  command -v "$t" >/dev/null || { echo "load-cluster: $t not found" >&2; exit 2; }
done
[[ $RUNS != *redis* ]] || command -v redis-server >/dev/null || { echo "load-cluster: redis-server not found" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/acd-lcl.XXXXXX")
pids=() # processes of the current run, stopped by pid
stop_all() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  if [[ $KEEP == 1 ]]; then echo "load-cluster: work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tool=$work/tool.py
cat >"$tool" <<'PY'
import json, os, signal, socket, sys, urllib.request

def ports(n):
    held, out = [], []
    while len(out) < n:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
        p = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try: t.bind(("127.0.0.1", p))
        except OSError: u.close(); t.close(); continue
        held += [u, t]; out.append(p)
    for s in held: s.close()
    print(" ".join(map(str, out)))

def sink(portfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(portfile + ".tmp", "w") as f: f.write(str(s.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    while True: s.recv(4096)

def cpu(*pidlist):
    tot = 0
    for pid in pidlist:
        with open("/proc/%s/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tot += (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")
    print(tot)

def available(url):
    try:
        d = json.load(urllib.request.urlopen(url, timeout=2))
        print(sum(1 for a in d["agents"] if a["state"] == "available" and a.get("contacts", 0) > 0))
    except Exception:
        print(0)

def stat(path, key):
    with open(path) as f:
        rows = [l.rstrip("\n").split(";") for l in f if l.strip()]
    print(dict(zip(rows[0], rows[-1])).get(key, "0").strip())

def completed(*paths):
    import datetime
    def ts(s):
        date, frac = s.rstrip("Z"), "0"
        if "." in date: date, frac = date.split(".")
        off = 0
        for sign in "+-":
            if sign in frac:
                frac, o = frac.split(sign); h, m = o.split(":"); off = (int(h) * 60 + int(m)) * 60 * (1 if sign == "+" else -1)
        return datetime.datetime.strptime(date, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp() + float("0." + frac) - off
    times = []
    for p in paths:
        with open(p) as f:
            times += [ts(e["time"]) for e in map(json.loads, f) if e["type"] == "completed"]
    times.sort()
    span = times[-1] - times[0] if len(times) > 1 else 0
    print(len(times), "%.1f" % ((len(times) - 1) / span if span > 0 else 0))

cmd, args = sys.argv[1], sys.argv[2:]
{"ports": lambda: ports(int(args[0])), "sink": lambda: sink(args[0]), "cpu": lambda: cpu(*args),
 "available": lambda: available(args[0]), "stat": lambda: stat(*args), "completed": lambda: completed(*args)}[cmd]()
PY
py() { python3 "$tool" "$@"; }

echo "load-cluster: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(go env GOVERSION), $(redis-server --version 2>/dev/null | grep -o 'v=[0-9.]*' || echo 'no redis'), RATE=$RATE CALLS=$CALLS TALK_MS=$TALK_MS RING_MS=$RING_MS AGENTS=$AGENTS LEASE=$LEASE"
changed=$(git status --porcelain -- '*.go' go.mod go.sum 2>/dev/null | wc -l)
echo "load-cluster: go build ./cmd/acd of $(git rev-parse --short HEAD 2>/dev/null || echo '?') + working tree ($changed changed or new Go/module files)"
go build -o "$work/acd" ./cmd/acd
ulimit -n 65536 2>/dev/null || true
sipp_common=(-i 127.0.0.1 -nostdin -buff_size 4194304 -max_recv_loops 10000 -max_sched_loops 10000 -fd 1 -trace_stat)
const_uas=2

status=0
results=()
run_one() { # store nodes
  local store=$1 n=$2 dir=$work/$1-$2 i
  mkdir -p "$dir"
  local redis_pid=""
  if [[ $store == redis ]]; then
    redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 --save "" --appendonly no \
      --dir "$dir" --daemonize no --loglevel warning >"$dir/redis.log" 2>&1 &
    redis_pid=$!
    pids+=("$redis_pid")
    for _ in $(seq 100); do [[ -S $dir/redis.sock ]] && break; sleep 0.05; done
  fi
  python3 "$tool" sink "$dir/sink.port" &
  pids+=($!)
  for _ in $(seq 50); do [[ -s $dir/sink.port ]] && break; sleep 0.1; done
  local sink_port
  sink_port=$(cat "$dir/sink.port")

  local -a sip http reg caller uasp
  read -r -a all < <(py ports $((4 * n + const_uas)))
  for ((i = 0; i < n; i++)); do
    sip[i]=${all[4 * i]}; http[i]=${all[4 * i + 1]}; reg[i]=${all[4 * i + 2]}; caller[i]=${all[4 * i + 3]}
  done
  for ((i = 0; i < const_uas; i++)); do uasp[i]=${all[4 * n + i]}; done

  local -a node_pids
  for ((i = 0; i < n; i++)); do
    {
      cat <<EOF
node_id: load-$((i + 1))
sip:
  listen_udp: "127.0.0.1:${sip[i]}"
  listen_tcp: "127.0.0.1:${sip[i]}"
  advertise: "127.0.0.1"
  digest_algorithms: [MD5]
  trusted_trunks: ["127.0.0.1"]
  max_misses: 0
  login_on_register: true
  shutdown_grace: 5s
rtp:
  port_min: $((20000 + i * 10000))
  port_max: $((29998 + i * 10000))
  silence_timeout: 0
http:
  listen: "127.0.0.1:${http[i]}"
events:
  path: "$dir/events-$i.jsonl"
  fsync: every-event
EOF
      if [[ $store == redis ]]; then
        printf 'store:\n  kind: redis\n  redis: {address: "unix:%s", prefix: "load:"}\n  lease: %s\n' "$dir/redis.sock" "$LEASE"
      fi
      printf 'queues:\n  - {name: load, number: "100", strategy: longest-idle, ring_timeout: 15s, wrap_up: 0s}\nagents:\n'
      for ((a = 1; a <= AGENTS; a++)); do
        printf '  - {id: "a%04d", password: "pw%04d", queues: [load]}\n' "$a" "$a"
      done
    } >"$dir/node$i.yaml"
    # Agents register on node (a-1) % n, answered by UAS (a-1) % UAS.
    {
      echo SEQUENTIAL
      for ((a = 1; a <= AGENTS; a++)); do
        if (((a - 1) % n == i)); then
          printf 'a%04d;[authentication username=a%04d password=pw%04d];%s\n' "$a" "$a" "$a" "${uasp[$(((a - 1) % const_uas))]}"
        fi
      done
    } >"$dir/agents$i.csv"
    "$work/acd" run -config "$dir/node$i.yaml" >"$dir/node$i.out" 2>"$dir/node$i.log" &
    node_pids[i]=$!
    pids+=($!)
  done
  for ((i = 0; i < n; i++)); do
    for _ in $(seq 100); do grep -q '^acd: ready' "$dir/node$i.out" 2>/dev/null && break; sleep 0.1; done
    grep -q '^acd: ready' "$dir/node$i.out" || { echo "load-cluster: node $i not ready:" >&2; tail "$dir/node$i.log" >&2; exit 2; }
  done
  for ((u = 0; u < const_uas; u++)); do
    sipp -sf testdata/sipp/load_agent_answer.xml "${sipp_common[@]}" -p "${uasp[u]}" -d "$RING_MS" \
      -key rtp_port "$sink_port" -stf "$dir/uas$u.csv" >"$dir/uas$u.screen" 2>&1 &
    pids+=($!)
  done
  sleep 0.5
  for ((i = 0; i < n; i++)); do
    local m
    m=$(($(wc -l <"$dir/agents$i.csv") - 1))
    sipp -sf testdata/sipp/load_agent_register.xml "${sipp_common[@]}" -p "${reg[i]}" -inf "$dir/agents$i.csv" \
      -m "$m" -r 500 -l 200 -timeout 120s -timeout_error -stf "$dir/register$i.csv" \
      "127.0.0.1:${sip[i]}" >"$dir/register$i.screen" 2>&1 ||
      { echo "load-cluster: registration on node $i failed" >&2; exit 2; }
  done
  local avail=0
  for _ in $(seq 100); do
    avail=$(py available "http://127.0.0.1:${http[0]}/api/agents")
    ((avail == AGENTS)) && break
    sleep 0.2
  done
  ((avail == AGENTS)) || { echo "load-cluster: only $avail of $AGENTS agents available" >&2; exit 2; }

  local cpu0 rcpu0=0 began ended
  cpu0=$(py cpu "${node_pids[@]}")
  [[ -z $redis_pid ]] || rcpu0=$(py cpu "$redis_pid")
  began=$(date +%s.%N)
  local -a callers_pids
  for ((i = 0; i < n; i++)); do
    local calls=$((CALLS / n + (i < CALLS % n ? 1 : 0)))
    sipp -sf testdata/sipp/caller.xml "${sipp_common[@]}" -p "${caller[i]}" -s 100 -key rtp_port "$sink_port" \
      -d "$TALK_MS" -m "$calls" -r "$((RATE / n))" -rp 1000 -timeout 600s -timeout_error \
      -stf "$dir/caller$i.csv" "127.0.0.1:${sip[i]}" >"$dir/caller$i.screen" 2>&1 &
    callers_pids[i]=$!
  done
  for p in "${callers_pids[@]}"; do wait "$p" || true; done
  ended=$(date +%s.%N)
  local cpu1 rcpu1=0
  cpu1=$(py cpu "${node_pids[@]}")
  [[ -z $redis_pid ]] || rcpu1=$(py cpu "$redis_pid")
  sleep 1 # the last completed events
  local ok=0 failed=0
  for ((i = 0; i < n; i++)); do
    ok=$((ok + $(py stat "$dir/caller$i.csv" "SuccessfulCall(C)")))
    failed=$((failed + $(py stat "$dir/caller$i.csv" "FailedCall(C)")))
  done
  local files=() done rate
  for ((i = 0; i < n; i++)); do files+=("$dir/events-$i.jsonl"); done
  read -r done rate < <(py completed "${files[@]}")
  local line
  line=$(printf '%-6s x%d  %5d/%d calls answered (%d failed), %5d completed  %7.1f completed calls/s  nodes CPU %6.2f ms/call  redis CPU %5.2f ms/call  wall %.1f s' \
    "$store" "$n" "$ok" "$CALLS" "$failed" "$done" "$rate" \
    "$(echo "($cpu1 - $cpu0) / $CALLS" | bc -l)" "$(echo "($rcpu1 - $rcpu0) / $CALLS" | bc -l)" "$(echo "$ended - $began" | bc -l)")
  echo "load-cluster: $line"
  results+=("$line")
  ((ok == CALLS && done == CALLS)) || status=1
  stop_all
}

for r in $RUNS; do run_one "${r%:*}" "${r#*:}"; done
echo "load-cluster: summary (RATE=$RATE CALLS=$CALLS TALK_MS=$TALK_MS AGENTS=$AGENTS, $(nproc) CPUs shared by the nodes, Redis and sipp)"
printf '  %s\n' "${results[@]}"
exit $status

#!/usr/bin/env bash
# The cluster benchmark (issue 19): one FerryMQ build on Liberty in three configurations,
# alternating over several rounds so that the shared machine's noise falls on all alike:
#   single     one server, clustering off (the default deployment);
#   clustered1 one server, clustering on, the only member (what clustering costs one node);
#   cross      two members; publishers on node 1, subscribers on node 2 (every message crosses).
# Prints every RESULT line, then per scenario and configuration the medians: msg/s and its
# ratio to single, broker CPU per message (both nodes summed for cross), p50/p99 latency, lost.
#
#   bench/cluster.sh ROUNDS [generator options...]
#
# Builds nothing. Uses the Liberty installation WLP (default src/server/target-bench/liberty/wlp,
# with the server ferrymq) as built from the repository's root by
#   mvn -B -o -Dprovision.skip=true -Dbuild.dir=target-bench -DskipTests package liberty:create liberty:install-feature liberty:deploy
# and bench/target-bench/ferrymq-bench.jar (BUILD_DIR=target-... for another build directory).
# Each node is a copy of that server in a user directory of its own (WLP_USER_DIR) under the
# output folder, on free ports. Generator options default to `--scenarios fanin,fanout,latency
# --qos 0,1 --fanout-qos 1 --duration 8 --warmup 3`. PERSISTENCE sets mqtt.persistence
# (default none), CONFIGS the configurations (default "single clustered1 cross"), JFR=1 records
# a profile of every server run, OUT the output folder. Exits 1 when a scenario FAILED (lost an
# acknowledged message) or a configuration did not start in 3 attempts. Docs: performance.md,
# "Cluster: cross-node against single node".
set -u
[ $# -ge 1 ] || { sed -n 2,22p "$0" >&2; exit 2; }
ROUNDS=$1; shift
OPTIONS=("$@")
[ ${#OPTIONS[@]} -gt 0 ] || OPTIONS=(--scenarios fanin,fanout,latency --qos 0,1 --fanout-qos 1
  --duration 8 --warmup 3)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-target-bench}
WLP=${WLP:-$ROOT/src/server/$BUILD/liberty/wlp}
JAR=$ROOT/bench/$BUILD/ferrymq-bench.jar
PERSISTENCE=${PERSISTENCE:-none}
CONFIGS=(${CONFIGS:-single clustered1 cross})
[ -f "$JAR" ] || { echo "missing $JAR (build the bench module first)" >&2; exit 1; }
[ -x "$WLP/bin/server" ] || { echo "missing $WLP/bin/server (build the server first)" >&2; exit 1; }
OUT=${OUT:-$(mktemp -d /tmp/ferrymq-cluster.XXXXXX)}
RESULTS=$OUT/results.txt
SERVER=ferrymq
CLUSTER_NAME=bench-$$
CLUSTER_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
# What Hazelcast asks for on Java 17 (docs/cluster.md); given to clustered servers only, through
# JVM_ARGS, so that the single server runs exactly as deployed. One line of name=value options:
# Liberty's bin/server evals JVM_ARGS.
HAZELCAST_JVM="--add-modules=java.se --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"
HAZELCAST_JVM="$HAZELCAST_JVM --add-opens=java.base/java.lang=ALL-UNNAMED"
HAZELCAST_JVM="$HAZELCAST_JVM --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
HAZELCAST_JVM="$HAZELCAST_JVM --add-opens=java.management/sun.management=ALL-UNNAMED"
HAZELCAST_JVM="$HAZELCAST_JVM --add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED"
START_TIMEOUT=${START_TIMEOUT:-180}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A user directory per node with a copy of the configured server (not its logs or workarea).
for n in 1 2; do
  dir=$OUT/node$n/servers/$SERVER
  mkdir -p "$dir"
  for f in server.xml profile-secure.xml bootstrap.properties jvm.options server.env \
      configDropins dropins apps lib resources; do
    [ -e "$WLP/usr/servers/$SERVER/$f" ] && cp -r "$WLP/usr/servers/$SERVER/$f" "$dir/"
  done
done

declare -A MQTT HTTP CLUSTER
pick_ports() {
  for n in 1 2; do
    MQTT[$n]=$(free_port); HTTP[$n]=$(free_port); CLUSTER[$n]=$(free_port)
  done
}

start_node() { # node, clustered (true/false), members
  local n=$1 clustered=$2 members=$3 jvm=""
  [ "$clustered" = true ] && jvm=$HAZELCAST_JVM
  [ "${JFR:-0}" = 1 ] && jvm="$jvm -XX:StartFlightRecording=filename=$OUT/$config-$round-node$n.jfr,settings=profile"
  env WLP_USER_DIR="$OUT/node$n" MQTT_PERSISTENCE="$PERSISTENCE" MQTT_HOST=127.0.0.1 \
    MQTT_PORT="${MQTT[$n]}" MQTTS_PORT="$(free_port)" MQTT_WS_PORT="$(free_port)" \
    MQTT_WSS_PORT="$(free_port)" HTTP_PORT="${HTTP[$n]}" HTTPS_PORT="$(free_port)" \
    MQTT_CLUSTER_ENABLED="$clustered" MQTT_CLUSTER_NAME="$CLUSTER_NAME" \
    MQTT_CLUSTER_HOST=127.0.0.1 MQTT_CLUSTER_PORT="${CLUSTER[$n]}" \
    MQTT_CLUSTER_MEMBERS="$members" MQTT_CLUSTER_SECRET="$CLUSTER_SECRET" JVM_ARGS="$jvm" \
    "$WLP/bin/server" start "$SERVER" >>"$OUT/server.log" 2>&1
}

# Waits until the node's /health/ready is UP and, clustered, it sees `members` members. Gives up
# at once when the broker could not bind a port: a free port picked here was taken meanwhile
# by another process on this shared machine (the caller then retries on other ports).
await_ready() { # node, members (0: not clustered)
  local n=$1 members=$2 body log=$OUT/node$1/servers/$SERVER/logs/messages.log
  for _ in $(seq 1 $((START_TIMEOUT * 2))); do
    if grep -q "Cannot bind" "$log" 2>/dev/null; then
      echo "node $n: $(grep -m1 -o 'Cannot bind[^:]*:[^:]*' "$log")" >&2
      return 1
    fi
    body=$(curl -s -m 2 "http://localhost:${HTTP[$n]}/health/ready")
    if python3 - "$members" "$body" <<'PY' 2>/dev/null; then return 0; fi
import json, sys
want, health = int(sys.argv[1]), json.loads(sys.argv[2])
data = {k: v for c in health["checks"] for k, v in c.get("data", {}).items()}
ok = health["status"] == "UP" and (want == 0 or data.get("cluster.members") == want)
sys.exit(0 if ok else 1)
PY
    sleep 0.5
  done
  echo "node $n not ready with $members members after ${START_TIMEOUT}s: $body" >&2
  return 1
}

pid_of() {
  cat "$OUT/node$1/servers/.pid/$SERVER.pid"
}

# --force: without the 30 s quiesce that a stop takes after a flow; the next start is fresh.
stop_nodes() {
  for n in "$@"; do
    WLP_USER_DIR="$OUT/node$n" "$WLP/bin/server" stop "$SERVER" --force >>"$OUT/server.log" 2>&1
    rm -rf "$OUT/node$n/servers/$SERVER/ferrymq-data"
  done
}

start_config() { # sets nodes and sub; 0 when every node is ready
  local members ready=0
  nodes=(1); sub=()
  pick_ports
  case $config in
    single) start_node 1 false "" && await_ready 1 0 || ready=1 ;;
    clustered1)
      start_node 1 true "127.0.0.1:${CLUSTER[1]}" && await_ready 1 1 || ready=1 ;;
    cross)
      nodes=(1 2)
      members="127.0.0.1:${CLUSTER[1]},127.0.0.1:${CLUSTER[2]}"
      start_node 1 true "$members" & local first=$!
      start_node 2 true "$members" || ready=1
      wait $first || ready=1
      [ $ready -eq 0 ] && await_ready 1 2 && await_ready 2 2 || ready=1
      sub=(--sub-host 127.0.0.1 --sub-port "${MQTT[2]}") ;;
  esac
  return $ready
}

run_config() { # config
  local nodes sub pids attempt
  for attempt in 1 2 3; do
    start_config && break
    stop_nodes "${nodes[@]}"
    if [ $attempt -eq 3 ]; then
      echo "SKIPPED config=$config round=$round: not ready (logs in $OUT/node*/servers/$SERVER/logs)" \
        | tee -a "$OUT/skipped.txt"
      return
    fi
    echo "config=$config round=$round: start attempt $attempt failed, again on other ports" >&2
  done
  pids=$(for n in "${nodes[@]}"; do pid_of "$n"; done | paste -sd,)
  timeout 600 java -jar "$JAR" --host 127.0.0.1 --port "${MQTT[1]}" "${sub[@]}" \
    --broker "$config" --broker-pid "$pids" "${OPTIONS[@]}" 2>&1 \
    | grep '^RESULT ' \
    | sed "s/\$/ round=$round persistence=$PERSISTENCE load=$(cut -d' ' -f1 /proc/loadavg)/" \
    | tee -a "$RESULTS"
  # the forwarding counters since start (warm-up and probes included): messages per batch.
  # /metrics counters follow the broker's counts once a second (CounterBridge): wait one sync.
  if [ "$config" != single ]; then
    sleep 1.5
    for n in "${nodes[@]}"; do
      curl -s -m 5 "http://localhost:${HTTP[$n]}/metrics" | grep '^ferrymq_cluster_' \
        | sed "s/^/config=$config round=$round node=$n /" >>"$OUT/cluster-metrics.txt"
    done
  fi
  stop_nodes "${nodes[@]}"
}

echo "load before: $(uptime)" | tee "$OUT/load.txt"
for round in $(seq 1 "$ROUNDS"); do
  # each round starts with another configuration, so none is always first after a quiet pause
  for i in "${!CONFIGS[@]}"; do
    config=${CONFIGS[$(( (i + round - 1) % ${#CONFIGS[@]} ))]}
    run_config
  done
done
echo "load after: $(uptime)" | tee -a "$OUT/load.txt"

touch "$RESULTS"
python3 - "$RESULTS" <<'PY'
import re, statistics, sys
runs, failed = {}, []
for line in open(sys.argv[1]):
    f = dict(re.findall(r'(\w+)=(\S+)', line))
    if 'msgs_per_s' not in f:
        failed.append(line.strip())
        continue
    rate = float(f['msgs_per_s'])
    cpu = float(f.get('broker_cpu_pct', 'nan')) * 1e4 / rate if rate else float('nan')
    if f.get('status') == 'FAILED':
        failed.append(line.strip())
    runs.setdefault((f['scenario'], f.get('qos', ''), f['broker']), []).append(dict(
        rate=rate, cpu=cpu, lost=int(f.get('lost', 0)), status=f.get('status', '?'),
        p50=float(f.get('p50_us', 'nan')), p99=float(f.get('p99_us', 'nan')),
        visible=float(f.get('sub_visible_ms', 'nan'))))
order = {'single': 0, 'clustered1': 1, 'cross': 2}
med = lambda rs, k: statistics.median(r[k] for r in rs)
print('scenario qos config rounds median_msg_s x_single median_cpu_us_per_msg '
      'p50_us p99_us lost_max failed_rounds visible_ms')
for (scenario, qos, config), rs in sorted(runs.items(),
                                          key=lambda e: (e[0][0], e[0][1], order.get(e[0][2], 9))):
    single = runs.get((scenario, qos, 'single'))
    ratio = '%.2f' % (med(rs, 'rate') / med(single, 'rate')) if single and med(single, 'rate') else '-'
    lat = ('%.0f %.0f' % (med(rs, 'p50'), med(rs, 'p99'))) if scenario == 'latency' else '- -'
    print(scenario, qos, config, len(rs), round(med(rs, 'rate')), ratio,
          '%.2f' % med(rs, 'cpu'), lat, max(r['lost'] for r in rs),
          sum(r['status'] != 'ok' for r in rs), '%.0f' % med(rs, 'visible'))
for line in failed:
    print('FAILED or no result:', line)
sys.exit(1 if failed else 0)
PY
status=$?
[ -s "$OUT/cluster-metrics.txt" ] && python3 - "$OUT/cluster-metrics.txt" <<'PY'
import re, sys
counters = {}
for line in open(sys.argv[1]):
    m = re.match(r'config=(\S+) round=(\S+) node=(\S+) (ferrymq_cluster_\w+)\S* (\S+)', line)
    if m:
        counters.setdefault(m.groups()[:3], {})[m.group(4)] = float(m.group(5))
for (config, rnd, node), c in sorted(counters.items()):
    sent = c.get('ferrymq_cluster_messages_forwarded_total', 0)
    batches = c.get('ferrymq_cluster_batches_sent_total', 0)
    if sent:
        print('forwarding config=%s round=%s node=%s messages=%d batches=%d per_batch=%.1f'
              % (config, rnd, node, sent, batches, sent / batches if batches else 0))
PY
[ -s "$OUT/skipped.txt" ] && { cat "$OUT/skipped.txt"; status=1; }
echo "results in $RESULTS"
exit $status

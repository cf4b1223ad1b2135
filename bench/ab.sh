#!/usr/bin/env bash
# A/B of two FerryMQ builds on Liberty with the same load generator: starts each server in turn,
# alternating over several rounds, so that the shared machine's noise falls on both alike.
# Prints every RESULT line, then per scenario and build the median msg/s and the median broker
# CPU per message (microseconds of CPU per delivered message; steadier than msg/s under load).
#
#   bench/ab.sh ROUNDS WLP_A WLP_B [generator options...]
#
# WLP_A and WLP_B are Liberty installations with a server named ferrymq, as built by
#   mvn -B -Dbuild.dir=target-bench -DskipTests package liberty:create liberty:install-feature liberty:deploy
# (src/server/target-bench/liberty/wlp; for an older commit, build it in a clone). Generator
# options default to `--scenarios fanin,fanout,qos2 --qos 1 --fanout-qos 1 --duration 8
# --warmup 3`. JFR=1 records a profile of every server run into the output folder.
set -u
[ $# -ge 3 ] || { sed -n 2,13p "$0" >&2; exit 2; }
ROUNDS=$1; WLP_A=$2; WLP_B=$3; shift 3
OPTIONS=("$@")
[ ${#OPTIONS[@]} -gt 0 ] || OPTIONS=(--scenarios fanin,fanout,qos2 --qos 1 --fanout-qos 1
  --duration 8 --warmup 3)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/bench/${BUILD_DIR:-target-bench}/ferrymq-bench.jar
[ -f "$JAR" ] || { echo "missing $JAR (build the bench module first)" >&2; exit 1; }
OUT=${OUT:-$(mktemp -d /tmp/ferrymq-ab.XXXXXX)}
RESULTS=$OUT/results.txt
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

run_side() { # label, wlp
  local label=$1 wlp=$2 ports=() jvm=""
  for _ in 1 2 3 4 5 6; do ports+=("$(free_port)"); done
  [ "${JFR:-0}" = 1 ] && jvm="-XX:StartFlightRecording=filename=$OUT/$label-$round.jfr,settings=profile"
  env MQTT_PERSISTENCE=none MQTT_HOST=127.0.0.1 MQTT_PORT="${ports[0]}" MQTTS_PORT="${ports[1]}" \
    MQTT_WS_PORT="${ports[2]}" MQTT_WSS_PORT="${ports[3]}" HTTP_PORT="${ports[4]}" \
    HTTPS_PORT="${ports[5]}" JVM_ARGS="$jvm" "$wlp/bin/server" start ferrymq >>"$OUT/server.log" 2>&1
  for _ in $(seq 1 180); do
    (exec 3<>/dev/tcp/127.0.0.1/"${ports[0]}") 2>/dev/null && break
    sleep 0.5
  done
  timeout 600 java -jar "$JAR" --host 127.0.0.1 --port "${ports[0]}" --broker "$label" \
    --broker-pid "$(cat "$wlp/usr/servers/.pid/ferrymq.pid")" "${OPTIONS[@]}" 2>&1 \
    | grep '^RESULT ' | sed "s/\$/ round=$round load=$(cut -d' ' -f1 /proc/loadavg)/" \
    | tee -a "$RESULTS"
  "$wlp/bin/server" stop ferrymq >>"$OUT/server.log" 2>&1
  rm -rf "$wlp/usr/servers/ferrymq/ferrymq-data"
}

for round in $(seq 1 "$ROUNDS"); do
  run_side A "$WLP_A"
  run_side B "$WLP_B"
done

python3 - "$RESULTS" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r'(\w+)=(\S+)', line))
    rate = float(f['msgs_per_s'])
    cpu = float(f['broker_cpu_pct']) * 1e4 / rate if rate else float('nan')
    runs.setdefault((f['scenario'], f.get('qos', ''), f['broker']), []).append(
        (rate, cpu, int(f.get('lost', 0))))
print('scenario qos build rounds median_msg_s median_cpu_us_per_msg lost_max')
for (scenario, qos, build), rs in sorted(runs.items()):
    print(scenario, qos, build, len(rs), round(statistics.median(r[0] for r in rs)),
          '%.2f' % statistics.median(r[1] for r in rs), max(r[2] for r in rs))
PY
echo "results in $RESULTS"

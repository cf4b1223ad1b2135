#!/usr/bin/env bash
# Runs the FerryMQ load generator against Mosquitto, an embedded HiveMQ CE and FerryMQ on
# Liberty, one broker at a time, interleaved over several rounds, and prints the median of every
# result per broker with the ratios FerryMQ/Mosquitto and FerryMQ/HiveMQ. See docs/performance.md.
#
#   bench/compare.sh [--rounds 3] [--duration 10] [--connections 10000] [--brokers LIST]
#                    [--transports tcp,ws,wss] [--persistence-modes queued,persistent]
#                    [--loss-publishers 10] [--subscriber-read-pause-us 100]
#                    [--skip-build] [--out DIR]
#
# Every QoS 1/2 run checks that each subscriber received every message the broker acknowledged
# (issue 13); besides the closed-loop flows, fan-in QoS 1 also runs with publishers paced only by
# their PUBACKs (100 in flight each) towards a subscriber that reads in batches, slower than they
# publish. The summary marks a broker's scenario FAILED when it lost acknowledged messages, and
# this script then exits with 1, after printing every table.
#
# Everything listens on 127.0.0.1 only; every generator run is bounded by `timeout`.
# BUILD_DIR (default target) is the Maven build directory of the FerryMQ build (-Dbuild.dir): the
# generator is bench/$BUILD_DIR/ferrymq-bench.jar, the Liberty server src/server/$BUILD_DIR/liberty.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
ROUNDS=3
DURATION=10
WARMUP=2
CONNECTIONS=10000
BROKERS=mosquitto,hivemq,ferrymq
TRANSPORTS=tcp,ws
PERSISTENCE_MODES=queued,persistent
LOSS_PUBLISHERS=10
READ_PAUSE_US=100
SKIP_BUILD=0
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --brokers) BROKERS=$2; shift 2 ;;
    --transports) TRANSPORTS=$2; shift 2 ;;
    --persistence-modes) PERSISTENCE_MODES=$2; shift 2 ;;
    --loss-publishers) LOSS_PUBLISHERS=$2; shift 2 ;;
    --subscriber-read-pause-us) READ_PAUSE_US=$2; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

OUT=${OUT:-$ROOT/bench/$BUILD_DIR/bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: > "$RESULTS"
log() { echo "[compare $(date +%H:%M:%S)] $*" | tee -a "$OUT/compare.log" >&2; }

# Idle connections need descriptors on both sides; brokers started below inherit the limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ulimit -n 1048576 2>/dev/null || true
log "open files limit $(ulimit -n); $(nproc) cores; $(free -g | awk '/Mem:/ {print $2}') GiB;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------ tools and peers
if ! command -v mosquitto >/dev/null; then
  log "installing mosquitto"
  apt-get install -y mosquitto >"$OUT/apt.log" 2>&1 \
    || { apt-get update >>"$OUT/apt.log" 2>&1 && apt-get install -y mosquitto >>"$OUT/apt.log" 2>&1; }
fi
command -v python3 >/dev/null || apt-get install -y python3 >>"$OUT/apt.log" 2>&1

# HiveMQ CE 2025.x needs Java 21 or later; use the newest JDK installed.
HIVEMQ_JAVA=${HIVEMQ_JAVA:-}
if [ -z "$HIVEMQ_JAVA" ]; then
  for j in $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -V -r) "$(command -v java)"; do
    v=$("$j" -version 2>&1 | awk -F'"' '/version/ {print $2}' | cut -d. -f1)
    if [ "${v:-0}" -ge 21 ]; then HIVEMQ_JAVA=$j; break; fi
  done
fi

if [ "$SKIP_BUILD" = 0 ]; then
  # Every module, then the Liberty goals, which act on src/server only (the others skip them).
  log "building FerryMQ (Liberty server, bench jar) into $BUILD_DIR"
  (cd "$ROOT" && mvn -q -B -Dbuild.dir="$BUILD_DIR" -DskipTests package liberty:create \
      liberty:install-feature liberty:deploy) >"$OUT/build.log" 2>&1
  log "building the HiveMQ CE launcher"
  (cd "$ROOT/bench/hivemq" && mvn -q -B package) >"$OUT/build-hivemq.log" 2>&1
fi
BENCH_JAR=$ROOT/bench/$BUILD_DIR/ferrymq-bench.jar
WLP=$ROOT/src/server/$BUILD_DIR/liberty/wlp
[ -f "$BENCH_JAR" ] || { echo "missing $BENCH_JAR (build first)" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() { # port seconds
  local end=$((SECONDS + $2))
  while [ $SECONDS -lt $end ]; do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  return 1
}

# ------------------------------------------------------------------ broker control
# Each start_* sets PID, TCP_PORT, WS_PORT, WSS_PORT (empty when not offered), WS_PATH; FerryMQ
# also TLS_PORT (MQTT over TLS; the peers have none configured) and LIBERTY_WS_PORT and
# LIBERTY_WSS_PORT, its WebSocket endpoint on Liberty's HTTP(S) ports.
TLS_PORT=""; LIBERTY_WS_PORT=""; LIBERTY_WSS_PORT=""
BROKER_DIR=$OUT/brokers
mkdir -p "$BROKER_DIR"

start_mosquitto() {
  local d=$BROKER_DIR/mosquitto
  rm -rf "$d"; mkdir -p "$d"
  TCP_PORT=$(free_port); WS_PORT=$(free_port); WSS_PORT=""; TLS_PORT=""; WS_PATH=/mqtt
  # Equivalent settings: no persistence, anonymous, 100 in flight and 1000 queued per client
  # (FerryMQ's defaults), TCP_NODELAY as Netty sets it for the two Java brokers.
  cat >"$d/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous true
persistence false
max_inflight_messages 100
max_queued_messages 1000
set_tcp_nodelay true
log_dest file $d/mosquitto.log
log_type error
log_type warning
listener $TCP_PORT 127.0.0.1
protocol mqtt
listener $WS_PORT 127.0.0.1
protocol websockets
CONF
  chmod -R a+rwx "$d"
  mosquitto -c "$d/mosquitto.conf" >"$d/stdout.log" 2>&1 &
  PID=$!
  wait_port "$TCP_PORT" 20
}

stop_mosquitto() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }

start_hivemq() {
  local d=$BROKER_DIR/hivemq
  rm -rf "$d"; mkdir -p "$d/conf" "$d/data" "$d/extensions"
  TCP_PORT=$(free_port); WS_PORT=$(free_port); WSS_PORT=""; TLS_PORT=""; WS_PATH=/mqtt
  cat >"$d/conf/config.xml" <<CONF
<?xml version="1.0"?>
<hivemq>
  <listeners>
    <tcp-listener>
      <port>$TCP_PORT</port>
      <bind-address>127.0.0.1</bind-address>
    </tcp-listener>
    <websocket-listener>
      <port>$WS_PORT</port>
      <bind-address>127.0.0.1</bind-address>
      <path>/mqtt</path>
      <subprotocols>
        <subprotocol>mqtt</subprotocol>
        <subprotocol>mqttv3.1</subprotocol>
      </subprotocols>
      <allow-extensions>false</allow-extensions>
    </websocket-listener>
  </listeners>
  <mqtt>
    <queued-messages>
      <max-queue-size>1000</max-queue-size>
      <strategy>discard-oldest</strategy>
    </queued-messages>
    <receive-maximum>
      <server-receive-maximum>100</server-receive-maximum>
    </receive-maximum>
  </mqtt>
  <!-- like Mosquitto's persistence false and FerryMQ's default mqtt.persistence=none -->
  <persistence>
    <mode>in-memory</mode>
  </persistence>
  <anonymous-usage-statistics>
    <enabled>false</enabled>
  </anonymous-usage-statistics>
</hivemq>
CONF
  "$HIVEMQ_JAVA" -cp "$ROOT/bench/hivemq/target/classes:$ROOT/bench/hivemq/target/lib/*" \
    org.ferrymq.bench.hivemq.HiveMqLauncher "$d/conf" "$d/data" "$d/extensions" \
    >"$d/stdout.log" 2>&1 &
  PID=$!
  wait_port "$TCP_PORT" 90
}

stop_hivemq() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }

# Like Mosquitto's persistence false and HiveMQ's in-memory mode; the persistent-session scenario
# is repeated below for each durable mode.
FERRY_DEFAULT_ENV=(MQTT_PERSISTENCE=none)
FERRY_ENV=("${FERRY_DEFAULT_ENV[@]}")
start_ferrymq() {
  # ws/wss: the resource adapter's own listeners; LIBERTY_*: the endpoint on Liberty's ports.
  TCP_PORT=$(free_port); WS_PORT=$(free_port); WSS_PORT=$(free_port); WS_PATH=/mqtt
  LIBERTY_WS_PORT=$(free_port); LIBERTY_WSS_PORT=$(free_port)
  TLS_PORT=$(free_port)
  env "${FERRY_ENV[@]}" MQTT_PORT="$TCP_PORT" MQTTS_PORT="$TLS_PORT" MQTT_WS_PORT="$WS_PORT" \
    MQTT_WSS_PORT="$WSS_PORT" HTTP_PORT="$LIBERTY_WS_PORT" HTTPS_PORT="$LIBERTY_WSS_PORT" \
    MQTT_HOST=127.0.0.1 "$WLP/bin/server" start ferrymq >"$BROKER_DIR/ferrymq-start.log" 2>&1
  PID=$(cat "$WLP/usr/servers/.pid/ferrymq.pid")
  wait_port "$TCP_PORT" 90 && wait_port "$WS_PORT" 30 && wait_port "$LIBERTY_WS_PORT" 30
}

stop_ferrymq() {
  "$WLP/bin/server" stop ferrymq >>"$BROKER_DIR/ferrymq-start.log" 2>&1 || kill "$PID" || true
  rm -rf "$WLP/usr/servers/ferrymq/ferrymq-data"
}

# ------------------------------------------------------------------ one generator run
bench() { # broker label, transport, port, extra generator options...
  local label=$1 transport=$2 port=$3; shift 3
  local budget=$(( (DURATION + WARMUP + 25) * 8 + 120 ))
  timeout "$budget" java -jar "$BENCH_JAR" --host 127.0.0.1 --port "$port" \
    --transport "$transport" --path "$WS_PATH" --broker "$label" --broker-pid "$PID" \
    --duration "$DURATION" --warmup "$WARMUP" "$@" >"$OUT/run.tmp" 2>&1 || true
  cat "$OUT/run.tmp" >>"$OUT/generator.log"
  grep '^RESULT ' "$OUT/run.tmp" | sed "s/\$/ round=$ROUND load=$(cut -d' ' -f1 /proc/loadavg)/" \
    | tee -a "$RESULTS" >&2 || true
}

# Fan-in QoS 1 as issue 13 describes it: publishers paced only by the broker's PUBACKs (100 in
# flight each, no wait for the subscriber), one subscriber that sleeps between socket reads and
# so falls behind. A broker must slow the publishers rather than drop what it acknowledged.
bench_loss() { # broker label, transport, port
  bench "$1" "$2" "$3" --scenarios fanin --qos 1 --publishers "$LOSS_PUBLISHERS" --window 100 \
    --open-loop true --subscriber-read-pause-us "$READ_PAUSE_US"
}

run_broker() { # name
  local b=$1
  log "round $ROUND: starting $b"
  if ! "start_$b"; then
    log "$b did not start; see $BROKER_DIR"; "stop_$b"; return
  fi
  # Fresh broker first: idle memory per connection, before message flows grow the heap.
  bench "$b" tcp "$TCP_PORT" --scenarios connections --connections "$CONNECTIONS"
  sleep 2
  bench "$b" tcp "$TCP_PORT" --scenarios fanin,fanout,latency,qos2,persistent --fanout-qos 0,1
  bench_loss "$b" tcp "$TCP_PORT"
  for t in ${TRANSPORTS//,/ }; do
    case "$t" in
      tls) if [ -n "$TLS_PORT" ]; then
             bench "$b" tls "$TLS_PORT" --scenarios fanin,latency
             bench_loss "$b" tls "$TLS_PORT"
           fi ;;
      ws) bench "$b" ws "$WS_PORT" --scenarios fanin,latency
          bench_loss "$b" ws "$WS_PORT" ;;
      wss) if [ -n "$WSS_PORT" ]; then
             bench "$b" wss "$WSS_PORT" --scenarios fanin,latency
             bench_loss "$b" wss "$WSS_PORT"
           fi ;;
    esac
    # FerryMQ's second WebSocket path, Liberty's own container, as broker "ferrymq-liberty".
    if [ "$b" = ferrymq ]; then
      case "$t" in
        ws) bench ferrymq-liberty ws "$LIBERTY_WS_PORT" --scenarios fanin,latency
            bench_loss ferrymq-liberty ws "$LIBERTY_WS_PORT" ;;
        wss) bench ferrymq-liberty wss "$LIBERTY_WSS_PORT" --scenarios fanin,latency
             bench_loss ferrymq-liberty wss "$LIBERTY_WSS_PORT" ;;
      esac
    fi
  done
  "stop_$b"
  log "round $ROUND: stopped $b"
}

for ROUND in $(seq 1 "$ROUNDS"); do
  # Rotate the order every round so that no broker always runs first or last.
  IFS=, read -r -a list <<<"$BROKERS"
  n=${#list[@]}
  for i in $(seq 0 $((n - 1))); do
    run_broker "${list[$(( (i + ROUND - 1) % n ))]}"
  done
  if [[ ",$BROKERS," == *,ferrymq,* ]]; then
    for mode in ${PERSISTENCE_MODES//,/ }; do
      FERRY_ENV=(MQTT_PERSISTENCE="$mode")
      if start_ferrymq; then
        bench "ferrymq-$mode" tcp "$TCP_PORT" --scenarios persistent
      fi
      stop_ferrymq
      FERRY_ENV=("${FERRY_DEFAULT_ENV[@]}")
    done
  fi
done
bench_routing() {
  timeout 600 java -jar "$BENCH_JAR" --broker in-process --scenarios routing \
    >"$OUT/routing.txt" 2>&1 || true
  grep '^RESULT ' "$OUT/routing.txt" | sed 's/$/ round=1/' >>"$RESULTS" || true
}
log "routing scale (in-process)"
bench_routing

log "results in $RESULTS"
# summarize.py exits with 1 when a broker lost acknowledged messages (FAILED rows), after
# printing every table; so does this script.
status=0
python3 "$ROOT/bench/summarize.py" "$RESULTS" | tee "$OUT/summary.txt" || status=$?
[ "$status" -eq 0 ] || log "FAILED: acknowledged messages were lost (see the summary); exit $status"
exit "$status"

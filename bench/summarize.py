#!/usr/bin/env python3
"""Summarises RESULT lines from bench/compare.sh: medians per broker over the rounds, the ratios
FerryMQ/Mosquitto and FerryMQ/HiveMQ, and the targets of issue 8.

A QoS 1/2 scenario in which a broker lost acknowledged messages in any round (lost > 0), or
delivered a QoS 2 message twice (duplicates > 0), is FAILED for that broker (issue 13): its
throughput is shown as FAILED, not as a number, it counts for no target, and the script exits
with 1 after printing everything."""
import statistics
import sys
from collections import defaultdict

KEY_FIELDS = ("scenario", "qos", "transport", "variant", "subscriptions", "depth")
METRICS = {  # metric: True when higher is better
    "msgs_per_s": True, "lost": False, "duplicates": False, "p50_us": False, "p99_us": False,
    "p999_us": False,
    "connects_per_s": True, "kib_per_conn": False, "clients": True, "ns_per_match": False,
    "gen_cpu_pct": None, "broker_cpu_pct": None, "msgs_per_cpu_s": True,
}
# Shown as FAILED instead of a number when the broker lost acknowledged messages.
RESULTS_ONLY_IF_NOTHING_LOST = ("msgs_per_s", "msgs_per_cpu_s", "p50_us", "p99_us", "p999_us")
WORST_ROUND = ("lost", "duplicates")
SHOWN = {
    "fanin": ["msgs_per_s", "lost", "msgs_per_cpu_s", "gen_cpu_pct", "broker_cpu_pct"],
    "fanout": ["msgs_per_s", "lost", "msgs_per_cpu_s", "gen_cpu_pct", "broker_cpu_pct"],
    "qos2": ["msgs_per_s", "lost", "duplicates", "msgs_per_cpu_s", "gen_cpu_pct",
             "broker_cpu_pct"],
    "persistent": ["msgs_per_s", "lost", "msgs_per_cpu_s", "gen_cpu_pct", "broker_cpu_pct"],
    "latency": ["p50_us", "p99_us", "p999_us", "lost", "gen_cpu_pct"],
    "connections": ["clients", "connects_per_s", "kib_per_conn"],
    "routing": ["ns_per_match"],
}


def failed(r):
    """A QoS 1/2 result that lost acknowledged messages or duplicated a QoS 2 message."""
    def count(name):
        try:
            return float(r.get(name, "0"))
        except ValueError:
            return 0
    qos = r.get("qos")
    return qos in ("1", "2") and (count("lost") > 0 or qos == "2" and count("duplicates") > 0)


def parse(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("RESULT "):
                rows.append(dict(kv.split("=", 1) for kv in line.split()[1:]
                                 if "=" in kv))
    for r in rows:
        # Messages per second of broker CPU: the broker's efficiency, even when the generator
        # or other load on the machine limited the rate.
        if "msgs_per_s" in r and float(r.get("broker_cpu_pct", "0")) > 0:
            r["msgs_per_cpu_s"] = "%.0f" % (float(r["msgs_per_s"]) * 100
                                            / float(r["broker_cpu_pct"]))
    return rows


def main(path):
    rows = parse(path)
    values = defaultdict(list)  # (key, broker, metric) -> values
    failures = defaultdict(list)  # (key, broker) -> rows that failed
    loads = []
    for r in rows:
        key = tuple(r.get(k, "") for k in KEY_FIELDS)
        if failed(r):
            failures[(key, r["broker"])].append(r)
        for m in METRICS:
            if m in r:
                try:
                    values[(key, r["broker"], m)].append(float(r[m]))
                except ValueError:
                    pass
        if "load" in r:
            loads.append(float(r["load"]))
    keys = sorted({k for (k, _, _) in values}, key=lambda k: (k[0], k[2], k[3], k[1], k[4], k[5]))
    brokers = sorted({b for (_, b, _) in values}, key=lambda b: (not b.startswith("mosq"),
                                                                  not b.startswith("hive"), b))
    # lost and duplicates: the worst round, so that a FAILED cell never sits beside a 0
    med = {k: max(v) if k[2] in WORST_ROUND else statistics.median(v)
           for k, v in values.items()}
    print("Medians over rounds (n = rounds; lost and duplicates: the largest); ratio = ferrymq "
          "/ peer (for times and memory, lower is better)")
    if loads:
        print("load average during the runs: min %.1f median %.1f max %.1f"
              % (min(loads), statistics.median(loads), max(loads)))
    head = "%-12s %-3s %-4s %-26s %-8s %-15s" % ("scenario", "qos", "tr", "variant", "subs/dep",
                                                  "metric")
    head += "".join("%16s" % b for b in brokers) + "%12s%12s" % ("x mosq", "x hivemq")
    print(head)
    for key in keys:
        scenario, qos, transport, variant, subs, depth = key
        for m in SHOWN.get(scenario, ["msgs_per_s"]):
            cells = [med.get((key, b, m)) for b in brokers]
            if all(c is None for c in cells):
                continue
            n = max((len(values.get((key, b, m), [])) for b in brokers), default=0)
            line = "%-12s %-3s %-4s %-26s %-8s %-15s" % (
                scenario, qos, transport, variant or "-", (subs + "/" + depth).strip("/"), m)
            hidden = {b for b in brokers
                      if m in RESULTS_ONLY_IF_NOTHING_LOST and (key, b) in failures}
            line += "".join("%16s" % ("-" if c is None else "FAILED" if b in hidden
                                      else "%.1f" % c) for b, c in zip(brokers, cells))
            f = None if "ferrymq" in hidden else med.get((key, "ferrymq", m))
            for peer in ("mosquitto", "hivemq"):
                p = None if peer in hidden else med.get((key, peer, m))
                line += "%12s" % ("%.2f" % (f / p) if f is not None and p else "-")
            print(line + "   (n=%d)" % n)
    print()
    targets(med, failures)
    print()
    return report_failures(failures)


def report_failures(failures):
    """Prints every round that lost acknowledged messages; returns the exit status."""
    if not failures:
        print("Lost acknowledged messages: none (every QoS 1/2 scenario of every broker)")
        return 0
    print("FAILED: %d scenario(s) lost acknowledged messages or duplicated QoS 2 ones; their "
          "throughput is not a result" % len(failures))
    for (key, broker), rows in sorted(failures.items()):
        scenario, qos, transport, variant = key[:4]
        print("  %-16s %s QoS %s %s%s: %s" % (
            broker, scenario, qos, transport, " " + variant if variant else "",
            "; ".join("round %s acked %s lost %s duplicates %s" % (
                r.get("round", "?"), r.get("acked", "?"), r.get("lost", "?"),
                r.get("duplicates", "?")) for r in rows)))
    return 1


def targets(med, failures):
    def get(scenario, qos, transport, broker, metric):
        key = (scenario, qos, transport, "", "", "")
        if (key, broker) in failures:
            return None
        return med.get((key, broker, metric))

    def lost(scenario, qos, transport, broker):
        return ((scenario, qos, transport, "", "", ""), broker) in failures

    print("Targets (issue 8; a broker that lost acknowledged messages counts for none)")
    for scenario, qos in (("fanin", "0"), ("fanin", "1"), ("fanout", "0")):
        if lost(scenario, qos, "tcp", "ferrymq"):
            print("  %s QoS %s: FAILED (FerryMQ lost acknowledged messages)" % (scenario, qos))
            continue
        f = get(scenario, qos, "tcp", "ferrymq", "msgs_per_s")
        peers = [x for x in (get(scenario, qos, "tcp", "mosquitto", "msgs_per_s"),
                             get(scenario, qos, "tcp", "hivemq", "msgs_per_s")) if x]
        excluded = [p for p in ("mosquitto", "hivemq") if lost(scenario, qos, "tcp", p)]
        if f and peers:
            ratio = f / max(peers)
            print("  %s QoS %s: %.2fx the better peer (target >= 1.10): %s%s"
                  % (scenario, qos, ratio, "met" if ratio >= 1.10 else "MISSED",
                     " (%s left out: lost acknowledged messages)" % ", ".join(excluded)
                     if excluded else ""))
        elif f and excluded:
            print("  %s QoS %s: no peer to compare with (%s lost acknowledged messages)"
                  % (scenario, qos, ", ".join(excluded)))
    f, m = get("latency", "1", "tcp", "ferrymq", "p99_us"), get("latency", "1", "tcp",
                                                                  "mosquitto", "p99_us")
    if lost("latency", "1", "tcp", "ferrymq"):
        print("  latency p99: FAILED (FerryMQ lost acknowledged messages)")
    elif f and m:
        print("  latency p99: %.2fx Mosquitto (target <= 2.0): %s"
              % (f / m, "met" if f / m <= 2.0 else "MISSED"))
    k = get("connections", "", "tcp", "ferrymq", "kib_per_conn")
    if k is not None:
        print("  idle memory: %.2f KiB per connection (target <= 4): %s"
              % (k, "met" if k <= 4 else "MISSED"))
    # ferrymq: the resource adapter's ws/wss listeners; ferrymq-liberty: Liberty's endpoint.
    for path in ("ferrymq", "ferrymq-liberty"):
        for transport in ("ws", "wss"):
            for qos in ("0", "1"):
                w, t = (get("fanin", qos, transport, path, "msgs_per_s"),
                        get("fanin", qos, "tcp", "ferrymq", "msgs_per_s"))
                if lost("fanin", qos, transport, path):
                    print("  %s %s fan-in QoS %s: FAILED (lost acknowledged messages)"
                          % (path, transport, qos))
                elif w and t:
                    print("  %s %s fan-in QoS %s: %.0f%% of TCP (target >= 70%%): %s"
                          % (path, transport, qos, 100 * w / t,
                             "met" if w / t >= 0.7 else "MISSED"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

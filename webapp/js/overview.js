/*
 * The broker overview, fed by the retained $SYS/broker/... topics the broker republishes every
 * mqtt.sys-interval seconds. Counters become rates from the difference between two updates;
 * each card keeps the last SAMPLES values for its sparkline.
 */
import { formatBytes } from './payload.js';

export const SYS_FILTER = '$SYS/broker/#';
const PREFIX = '$SYS/broker/';
const SAMPLES = 60;
const MIN_SAMPLES = 12;
const SVG_NS = 'http://www.w3.org/2000/svg';
const PLAIN_COUNTS = {
  'subscriptions/count': 'stat-subscriptions',
  'retained messages/count': 'stat-retained',
  'messages/queued': 'stat-queued',
};

function formatCount(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

function formatRate(n) {
  if (n >= 1e6) {
    return `${(n / 1e6).toFixed(1)}M/s`;
  }
  if (n >= 1e4) {
    return `${(n / 1e3).toFixed(1)}k/s`;
  }
  return `${n >= 10 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1)}/s`;
}

function formatUptime(seconds) {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) {
    return `${days}d ${hours}h ${minutes}m`;
  }
  if (hours > 0) {
    return `${hours}h ${minutes}m`;
  }
  return minutes > 0 ? `${minutes}m ${seconds % 60}s` : `${seconds}s`;
}

/** Draws a sparkline of the values into an SVG element with viewBox 0 0 120 32. */
function drawSparkline(svg, values) {
  const width = 120;
  const height = 32;
  if (values.length < 2) {
    svg.replaceChildren();
    return;
  }
  const max = Math.max(...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  // Until MIN_SAMPLES values exist the line spans the card; then it scrolls in from the right.
  const step = width / (Math.min(SAMPLES, Math.max(values.length, MIN_SAMPLES)) - 1);
  const offset = width - step * (values.length - 1);
  const points = values.map((v, i) => [offset + i * step, height - 2 - ((v - min) / span) * (height - 4)]);
  const line = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const polyline = document.createElementNS(SVG_NS, 'polyline');
  polyline.setAttribute('points', line);
  const area = document.createElementNS(SVG_NS, 'path');
  area.setAttribute('d', `M${points[0][0].toFixed(1)},${height} L${line.replaceAll(' ', ' L')} `
      + `L${points[points.length - 1][0].toFixed(1)},${height} Z`);
  svg.replaceChildren(area, polyline);
}

/** A card with a value, a sparkline and a note: elements stat-<name>, spark-<name>, stat-<name>-sub. */
class Series {
  constructor(name, format) {
    this.value = document.getElementById(`stat-${name}`);
    this.spark = document.getElementById(`spark-${name}`);
    this.sub = document.getElementById(`stat-${name}-sub`);
    this.format = format;
    this.samples = [];
  }

  push(value, subText) {
    this.samples.push(value);
    if (this.samples.length > SAMPLES) {
      this.samples.shift();
    }
    this.value.textContent = this.format(value);
    if (subText !== undefined) {
      this.sub.textContent = subText;
    }
    drawSparkline(this.spark, this.samples);
  }
}

/** A cumulative counter whose rate is shown. */
class RateSeries extends Series {
  constructor(name, format, totalFormat) {
    super(name, format);
    this.totalFormat = totalFormat;
    this.previous = null;
  }

  count(total, at) {
    if (this.previous !== null && total >= this.previous.total && at > this.previous.at) {
      const rate = ((total - this.previous.total) * 1000) / (at - this.previous.at);
      this.push(rate, `${this.totalFormat(total)} total`);
    } else {
      this.sub.textContent = `${this.totalFormat(total)} total`;
    }
    this.previous = { total, at };
  }
}

export class Overview {
  constructor() {
    this.note = document.getElementById('overview-note');
    this.version = document.getElementById('broker-version');
    this.clients = new Series('clients', formatCount);
    const bytes = (n) => `${formatBytes(n)}/s`;
    this.counters = {
      'messages/received': new RateSeries('msg-in', formatRate, formatCount),
      'messages/sent': new RateSeries('msg-out', formatRate, formatCount),
      'bytes/received': new RateSeries('bytes-in', bytes, formatBytes),
      'bytes/sent': new RateSeries('bytes-out', bytes, formatBytes),
    };
    this.sessions = null;
    this.brokerTime = null;
    this.lastDropped = null;
  }

  /** @returns {boolean} whether the topic belongs to the overview */
  accepts(topic) {
    return topic.startsWith(PREFIX);
  }

  /** Takes one $SYS/broker message. */
  update(topic, text) {
    const key = topic.slice(PREFIX.length);
    const number = Number.parseInt(text, 10);
    const now = Date.now();
    this.note.textContent = `Live from $SYS/broker · updated ${new Date(now).toLocaleTimeString()}`;
    switch (key) {
      case 'version':
        this.version.textContent = text;
        break;
      case 'uptime':
        // Rates use the broker's clock: the retained values that arrive on subscribe are as old
        // as the last update, not as old as their arrival.
        this.brokerTime = number * 1000;
        document.getElementById('stat-uptime').textContent = formatUptime(number);
        break;
      case 'clients/connected':
        this.clients.push(number, this.sessions === null ? undefined : `${formatCount(this.sessions)} sessions`);
        break;
      case 'clients/total':
        this.sessions = number;
        this.clients.sub.textContent = `${formatCount(number)} sessions`;
        break;
      case 'messages/dropped':
        this.dropped(number);
        break;
      case 'cluster/members':
        // only a clustered broker publishes $SYS/broker/cluster/...: the card shows up then
        document.getElementById('card-cluster').hidden = false;
        document.getElementById('stat-cluster').textContent = formatCount(number);
        break;
      case 'cluster/clients/connected':
        document.getElementById('stat-cluster-sub').textContent = `${formatCount(number)} clients over the cluster`;
        break;
      default:
        if (key in this.counters) {
          this.counters[key].count(number, this.brokerTime ?? now);
        } else if (key in PLAIN_COUNTS) {
          document.getElementById(PLAIN_COUNTS[key]).textContent = formatCount(number);
        }
        break;
    }
  }

  dropped(number) {
    document.getElementById('stat-dropped').textContent = formatCount(number);
    const card = document.querySelector('[data-stat="dropped"]');
    card.dataset.alert = String(this.lastDropped !== null && number > this.lastDropped);
    this.lastDropped = number;
  }
}

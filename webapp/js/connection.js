/*
 * The dashboard's MQTT connection: Paho JavaScript (MQTT 3.1.1) over WebSocket to /mqtt on the
 * host and port the page came from, wss when the page is https. It keeps the wanted
 * subscriptions across reconnects, reconnects with exponential backoff and tells the page when
 * the broker wants credentials (CONNACK return code 4 or 5).
 */

const PATH = '/mqtt';
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;
const CONNACK_BAD_CREDENTIALS = 4;
const CONNACK_NOT_AUTHORIZED = 5;
const PAHO_BAD_CONNACK = 6;

/** @returns {string} ws(s)://host:port/mqtt for the page's own origin */
export function brokerUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${PATH}`;
}

function randomClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `ferrymq-dashboard-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

// Paho reports a refused CONNECT as error 6 with the return code in the message text.
function connackReturnCode(error) {
  if (error.errorCode !== PAHO_BAD_CONNACK) {
    return null;
  }
  const found = /return code:\s*(\d+)/.exec(error.errorMessage ?? '');
  return found ? Number(found[1]) : null;
}

export class BrokerConnection {
  /**
   * @param {object} handlers
   * @param {(state: string, detail: string) => void} handlers.onState connecting, connected,
   *     reconnecting, auth or disconnected, with a human-readable detail
   * @param {(message: object) => void} handlers.onMessage every PUBLISH received
   * @param {(returnCode: number, hadCredentials: boolean) => void} handlers.onAuthRequired the
   *     broker refused the CONNECT for its credentials; nothing is retried until new ones come
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.url = brokerUrl();
    this.clientId = null;
    this.credentials = null;
    this.subscriptions = new Map();
    this.pending = new Map();
    this.attempt = 0;
    this.retryTimer = null;
    this.countdownTimer = null;
    this.client = null;
  }

  /** Connects now, with the current credentials. */
  start() {
    this.cancelRetry();
    this.disposeClient();
    this.state('connecting', this.url);
    // A fresh client id per attempt: an abandoned attempt that still succeeds can never take
    // over the session of the current one.
    this.clientId = randomClientId();
    const client = new Paho.Client(this.url, this.clientId);
    client.onMessageArrived = (message) => {
      if (client === this.client) {
        this.handlers.onMessage(message);
      }
    };
    client.onMessageDelivered = (message) => this.settle(message, null);
    client.onConnectionLost = (error) => {
      if (client !== this.client) {
        return;
      }
      this.failPending(`connection lost: ${error.errorMessage}`);
      this.scheduleRetry(error.errorMessage);
    };
    this.client = client;
    const options = {
      timeout: 10,
      keepAliveInterval: 30,
      cleanSession: true,
      mqttVersion: 4,
      onSuccess: () => {
        if (client === this.client) {
          this.connected();
        } else {
          client.disconnect();
        }
      },
      onFailure: (error) => {
        if (client === this.client) {
          this.refused(error);
        }
      },
    };
    if (this.credentials) {
      options.userName = this.credentials.username;
      options.password = this.credentials.password;
    }
    client.connect(options);
  }

  /**
   * Uses new credentials (or none) and connects again right away.
   *
   * @param {{username: string, password: string}|null} credentials
   */
  useCredentials(credentials) {
    this.credentials = credentials;
    this.attempt = 0;
    this.start();
  }

  /** @returns {boolean} whether the client has an accepted CONNECT */
  isConnected() {
    return this.client !== null && this.client.isConnected();
  }

  /**
   * Subscribes now if connected, and again after every reconnect.
   *
   * @returns {Promise<number>} the granted QoS
   */
  subscribe(filter, qos) {
    this.subscriptions.set(filter, qos);
    return this.isConnected() ? this.sendSubscribe(filter, qos) : Promise.resolve(qos);
  }

  /** Stops a subscription and forgets it for reconnects. */
  unsubscribe(filter) {
    this.subscriptions.delete(filter);
    if (!this.isConnected()) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.client.unsubscribe(filter, {
        timeout: 10,
        onSuccess: () => resolve(),
        onFailure: (error) => reject(new Error(error.errorMessage)),
      });
    });
  }

  /**
   * Publishes a message.
   *
   * @returns {Promise<void>} settles when the message was sent (QoS 0) or acknowledged (QoS 1/2)
   */
  publish(topic, payload, qos, retained) {
    if (!this.isConnected()) {
      return Promise.reject(new Error('not connected to the broker'));
    }
    const message = new Paho.Message(payload);
    message.destinationName = topic;
    message.qos = qos;
    message.retained = retained;
    return new Promise((resolve, reject) => {
      this.pending.set(message, { resolve, reject });
      try {
        this.client.send(message);
      } catch (error) {
        this.settle(message, error);
      }
    });
  }

  connected() {
    this.attempt = 0;
    this.state('connected', this.credentials ? `as ${this.credentials.username}` : '');
    for (const [filter, qos] of this.subscriptions) {
      this.sendSubscribe(filter, qos).catch(() => {});
    }
  }

  refused(error) {
    const code = connackReturnCode(error);
    if (code === CONNACK_BAD_CREDENTIALS || code === CONNACK_NOT_AUTHORIZED) {
      this.disposeClient();
      this.state('auth', code === CONNACK_BAD_CREDENTIALS
          ? 'wrong user name or password' : 'sign-in required');
      this.handlers.onAuthRequired(code, this.credentials !== null);
      return;
    }
    this.scheduleRetry(error.errorMessage);
  }

  sendSubscribe(filter, qos) {
    return new Promise((resolve, reject) => {
      this.client.subscribe(filter, {
        qos,
        timeout: 10,
        onSuccess: (result) => {
          const granted = Array.isArray(result.grantedQos) ? result.grantedQos[0] : result.grantedQos;
          if (granted >= 0x80) {
            reject(new Error(`the broker refused the subscription to '${filter}'`));
          } else {
            resolve(granted);
          }
        },
        onFailure: (error) => reject(new Error(error.errorMessage ?? 'subscription failed')),
      });
    });
  }

  scheduleRetry(reason) {
    this.disposeClient();
    const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt++;
    const due = Date.now() + delay;
    const tick = () => {
      const seconds = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      this.state('reconnecting', `retry in ${seconds} s${reason ? ` (${reason})` : ''}`);
    };
    tick();
    this.countdownTimer = setInterval(tick, 1000);
    this.retryTimer = setTimeout(() => this.start(), delay);
  }

  cancelRetry() {
    clearTimeout(this.retryTimer);
    clearInterval(this.countdownTimer);
    this.retryTimer = null;
    this.countdownTimer = null;
  }

  disposeClient() {
    const client = this.client;
    this.client = null;
    if (client !== null && client.isConnected()) {
      client.disconnect();
    }
  }

  settle(message, error) {
    const waiter = this.pending.get(message);
    if (waiter) {
      this.pending.delete(message);
      if (error) {
        waiter.reject(error);
      } else {
        waiter.resolve();
      }
    }
  }

  failPending(reason) {
    for (const waiter of this.pending.values()) {
      waiter.reject(new Error(reason));
    }
    this.pending.clear();
  }

  state(name, detail) {
    this.handlers.onState(name, detail);
  }
}

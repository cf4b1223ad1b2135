/*
 * The FerryMQ dashboard: wires the MQTT connection, the topic tree, the message view, the
 * publish form, the $SYS overview, the clients view and the sign-in dialog together.
 */
import { BrokerConnection, brokerUrl } from './connection.js';
import { TopicTree } from './topic-tree.js';
import { Overview, SYS_FILTER } from './overview.js';
import { ClientsView, whoAmI } from './admin.js';
import { ClientDetailView } from './client-detail.js';
import { RetainedView } from './retained.js';
import { BansView } from './bans.js';
import { NodesView } from './nodes.js';
import { asText, formatBytes, formatPayload } from './payload.js';
import { isValidFilter, isValidTopicName, topicMatches } from './topic-match.js';

const $ = (id) => document.getElementById(id);
const MESSAGES_SHOWN = 50;

let credentials = null;
let explorerFilter = null;
let explorerQos = 2;

const overview = new Overview();
const clientDetail = new ClientDetailView(() => credentials, () => clients.refresh());
const nodes = new NodesView();
const clients = new ClientsView(() => credentials, () => connection.clientId,
  (clientId) => clientDetail.show(clientId), (cluster) => nodes.render(cluster));
const retained = new RetainedView(() => credentials);
const bans = new BansView(() => credentials);

const tree = new TopicTree($('tree'), $('tree-empty'), {
  onSelect: (node) => showMessages(node),
  onSelectedChanged: (node) => showMessages(node),
  onStats: (topics, messages, capped) => {
    $('explorer-stats').textContent = `${topics.toLocaleString('en-US')} topics · `
        + `${messages.toLocaleString('en-US')} messages${capped ? ' · topic limit reached' : ''}`;
  },
});

const connection = new BrokerConnection({
  onState: showConnectionState,
  onMessage: (message) => {
    const topic = message.destinationName;
    if (overview.accepts(topic)) {
      overview.update(topic, asText(message.payloadBytes) ?? '');
    }
    if (explorerFilter !== null && topicMatches(explorerFilter, topic)) {
      tree.add(topic, message.payloadBytes, message.qos, message.retained);
    }
  },
  onAuthRequired: (returnCode, hadCredentials) => {
    if (returnCode === 4) {
      openLogin('Wrong user name or password.', true);
    } else if (hadCredentials) {
      openLogin('The broker refused the connection for this user (not authorized).', true);
    } else {
      openLogin('This broker requires a user name and password.', false);
    }
  },
});

const STATE_LABELS = {
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  auth: 'Sign-in required',
  disconnected: 'Disconnected',
};

function showConnectionState(state, detail) {
  $('connection').dataset.state = state;
  $('connection-state').textContent = STATE_LABELS[state] ?? state;
  $('connection-detail').textContent = detail;
  $('publish-button').disabled = state !== 'connected';
}

// ---- Message view ----

function showMessages(node) {
  const hasNode = node !== null && node !== undefined;
  $('detail-empty').hidden = hasNode;
  $('detail').hidden = !hasNode;
  if (!hasNode) {
    $('detail-count').textContent = '';
    return;
  }
  $('detail-topic').textContent = node.topic;
  $('detail-count').textContent = `${node.count.toLocaleString('en-US')} received · last `
      + `${Math.min(node.history.length, MESSAGES_SHOWN)} shown`;
  const items = [];
  for (let i = node.history.length - 1; i >= 0 && items.length < MESSAGES_SHOWN; i--) {
    items.push(messageItem(node.history[i]));
  }
  $('messages').replaceChildren(...items);
}

function tag(text, className) {
  const span = document.createElement('span');
  span.className = className ? `tag ${className}` : 'tag';
  span.textContent = text;
  return span;
}

function messageItem(entry) {
  const li = document.createElement('li');
  li.className = 'message';
  const header = document.createElement('header');
  const time = document.createElement('time');
  const when = new Date(entry.time);
  time.dateTime = when.toISOString();
  time.textContent = `${when.toLocaleTimeString('en-GB')}.${String(when.getMilliseconds()).padStart(3, '0')}`;
  const formatted = formatPayload(entry.bytes);
  header.append(time, tag(`QoS ${entry.qos}`), tag(formatted.kind.toUpperCase()));
  if (entry.retained) {
    header.append(tag('RETAINED', 'retained'));
  }
  const size = document.createElement('span');
  size.textContent = formatBytes(entry.size) + (entry.size > entry.bytes.length ? ' (truncated)' : '');
  header.append(size);
  const pre = document.createElement('pre');
  pre.textContent = formatted.text;
  li.append(header, pre);
  return li;
}

// ---- Topic explorer ----

async function subscribeExplorer(filter, qos) {
  const previous = explorerFilter;
  $('filter-error').hidden = true;
  if (previous !== null && previous !== filter) {
    await connection.unsubscribe(previous).catch(() => {});
  }
  explorerFilter = filter;
  explorerQos = qos;
  if (previous !== null && previous !== filter) {
    tree.prune(filter);
  }
  $('filter-active').replaceChildren('Subscribed to ', Object.assign(document.createElement('code'),
      { textContent: filter }), ` at QoS ${qos}`);
  try {
    await connection.subscribe(filter, qos);
  } catch (error) {
    showFilterError(error.message);
  }
}

function showFilterError(text) {
  $('filter-error').textContent = text;
  $('filter-error').hidden = false;
}

$('filter-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const filter = $('filter').value;
  if (!isValidFilter(filter)) {
    showFilterError(`'${filter}' is not a valid topic filter: '+' and '#' must fill a whole level, `
        + `and '#' must be the last one.`);
    return;
  }
  subscribeExplorer(filter, Number($('filter-qos').value));
});
$('expand-all').addEventListener('click', () => tree.setAllExpanded(true));
$('collapse-all').addEventListener('click', () => tree.setAllExpanded(false));
$('clear-tree').addEventListener('click', () => tree.clear());

// ---- Publish ----

$('publish-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const topic = form.topic.value;
  const qos = Number(form.qos.value);
  const retain = form.retain.checked;
  const status = $('publish-status');
  if (!isValidTopicName(topic)) {
    status.dataset.kind = 'error';
    status.textContent = 'A topic name must not be empty or contain + or #.';
    return;
  }
  status.dataset.kind = '';
  status.textContent = `Publishing to ${topic}…`;
  try {
    await connection.publish(topic, form.payload.value, qos, retain);
    status.dataset.kind = 'ok';
    const ack = qos === 0 ? 'sent' : 'acknowledged by the broker';
    status.textContent = `Published to ${topic} at QoS ${qos}${retain ? ', retained' : ''}: ${ack} `
        + `at ${new Date().toLocaleTimeString('en-GB')}.`;
  } catch (error) {
    status.dataset.kind = 'error';
    status.textContent = `Not published: ${error.message}.`;
  }
});

// ---- Sign-in ----

const dialog = $('login');

function openLogin(reason, isError) {
  $('login-reason').textContent = isError
    ? 'Enter the user name and password the broker knows you by.'
    : reason;
  $('login-error').textContent = reason;
  $('login-error').hidden = !isError;
  $('login-user').value = credentials?.username ?? $('login-user').value;
  $('login-password').value = '';
  if (!dialog.open) {
    dialog.showModal();
  }
  ($('login-user').value ? $('login-password') : $('login-user')).focus();
}

// The same credentials serve MQTT and the admin API. A broker that allows anonymous clients
// accepts any password, so the server's user registry (through /api/me) is asked as well.
async function signIn(username, password) {
  const previous = credentials;
  credentials = { username, password };
  connection.useCredentials(credentials);
  if (!await refreshAccount()) {
    credentials = previous;
    connection.useCredentials(previous);
    await refreshAccount();
    openLogin('Wrong user name or password.', true);
  }
}

/** @returns {Promise<boolean>} false when the registry did not accept the credentials */
async function refreshAccount() {
  let me = { user: credentials?.username, roles: [] };
  try {
    me = await whoAmI(credentials);
  } catch (error) {
    clients.showError(`Could not reach the admin API (${error.message}).`);
  }
  if (credentials !== null && !me.user) {
    return false;
  }
  const admin = me.roles.includes('administrator');
  $('account-user').hidden = credentials === null;
  $('account-user').textContent = credentials === null ? ''
    : `${credentials.username}${admin ? ' · administrator' : ''}`;
  $('sign-in').hidden = credentials !== null;
  $('sign-out').hidden = credentials === null;
  clients.setAdmin(admin, me.user);
  $('clients-hint').hidden = !admin;
  if (!admin) {
    clientDetail.close();
  }
  retained.setAdmin(admin);
  bans.setAdmin(admin);
  return true;
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const username = $('login-user').value;
  const password = $('login-password').value;
  dialog.close();
  signIn(username, password);
});
$('login-cancel').addEventListener('click', () => dialog.close());
$('sign-in').addEventListener('click', () => openLogin(
    'Your user name and password are used for MQTT and for the admin API.', false));
$('clients-sign-in').addEventListener('click', () => openLogin(
    'Sign in as an administrator to see and disconnect the broker\u2019s clients.', false));
$('sign-out').addEventListener('click', () => {
  credentials = null;
  connection.useCredentials(null);
  refreshAccount();
});

// ---- Start ----

$('ws-url').textContent = brokerUrl();
connection.subscribe(SYS_FILTER, 0);
subscribeExplorer($('filter').value, explorerQos);
connection.start();
refreshAccount();

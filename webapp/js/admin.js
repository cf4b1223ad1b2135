/*
 * The admin REST API (/api, org.ferrymq.web.admin): who the user is, the broker's clients and
 * sessions, its retained messages and its bans.
 * Requests carry HTTP basic credentials explicitly; /api/me never answers 401, so the browser
 * never shows its own login dialog.
 */

function authorization(credentials) {
  if (!credentials) {
    return {};
  }
  const bytes = new TextEncoder().encode(`${credentials.username}:${credentials.password}`);
  let binary = '';
  for (const b of bytes) {
    binary += String.fromCharCode(b);
  }
  return { Authorization: `Basic ${btoa(binary)}` };
}

async function request(method, path, credentials, body) {
  const headers = { Accept: 'application/json', ...authorization(credentials) };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) {
    // refused admin calls answer {status, error} naming the problem
    const problem = await response.json().catch(() => null);
    const error = new Error(problem?.error ?? `${method} ${path}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

/** @returns {Promise<{user: string|null, roles: string[]}>} the caller as the server sees it */
export function whoAmI(credentials) {
  return request('GET', 'api/me', credentials);
}

/** @returns {Promise<object[]>} every session the broker knows */
export function listClients(credentials) {
  return request('GET', 'api/clients', credentials);
}

/** Disconnects a client; rejects with status 404 when it is not connected. */
/** @returns {Promise<object>} the cluster's members, or {clustered: false} */
export function clusterOverview(credentials) {
  return request('GET', 'api/cluster', credentials);
}

/** @returns {Promise<{clients: object[], unanswered: string[]}>} every member's clients */
export function listClusterClients(credentials) {
  return request('GET', 'api/cluster/clients', credentials);
}

export function disconnectClient(credentials, clientId) {
  return request('POST', `api/clients/${encodeURIComponent(clientId)}/disconnect`, credentials);
}

/** @returns {Promise<object>} one session with its subscriptions; rejects with 404 if unknown */
export function clientDetail(credentials, clientId) {
  return request('GET', `api/clients/${encodeURIComponent(clientId)}`, credentials);
}

/** Disconnects the client if connected and deletes its session. */
export function deleteSession(credentials, clientId) {
  return request('DELETE', `api/sessions/${encodeURIComponent(clientId)}`, credentials);
}

/** @returns {Promise<{messages: object[], more: boolean}>} retained messages matching a filter */
export function listRetained(credentials, filter, limit) {
  const query = new URLSearchParams({ filter, limit: String(limit) });
  return request('GET', `api/retained?${query}`, credentials);
}

/** Deletes the retained message of a topic; rejects with 404 when it has none. */
export function deleteRetained(credentials, topic) {
  return request('DELETE', `api/retained?${new URLSearchParams({ topic })}`, credentials);
}

/** @returns {Promise<object[]>} the bans in force: {kind, value, reason, createdAt} */
export function listBans(credentials) {
  return request('GET', 'api/bans', credentials);
}

/**
 * Bans a client id, user name or address (or CIDR range); the broker disconnects the clients it
 * matches. Rejects with status 400 and the server's explanation for an invalid value.
 */
export function addBan(credentials, kind, value, reason) {
  return request('POST', 'api/bans', credentials, { kind, value, reason });
}

/** Lifts a ban; rejects with status 404 when there is none. A CIDR range keeps its '/'. */
export function liftBan(credentials, kind, value) {
  const path = value.split('/').map(encodeURIComponent).join('/');
  return request('DELETE', `api/bans/${encodeURIComponent(kind)}/${path}`, credentials);
}

/**
 * A panel for administrators only, found by its id prefix: {id} itself, {id}-form, {id}-body
 * (a table body), {id}-summary and {id}-error. Subclasses load the body in refresh() and act on
 * the form in submitted().
 */
export class AdminPanel {
  /**
   * @param {() => {username: string, password: string}|null} credentials the signed-in user
   * @param {string} id the panel's element id
   */
  constructor(credentials, id) {
    this.credentials = credentials;
    this.panel = document.getElementById(id);
    this.form = document.getElementById(`${id}-form`);
    this.body = document.getElementById(`${id}-body`);
    this.summary = document.getElementById(`${id}-summary`);
    this.error = document.getElementById(`${id}-error`);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submitted();
    });
  }

  setAdmin(admin) {
    this.panel.hidden = !admin;
    if (admin) {
      this.refresh();
    } else {
      this.body.replaceChildren();
    }
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }
}

/** @returns {HTMLTableCellElement} a cell with that text and optional class */
export function tableCell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  return td;
}

export function relativeTime(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) {
    return `${seconds}s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m ago`;
  }
  if (seconds < 86400) {
    return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m ago`;
  }
  return new Date(iso).toLocaleString();
}

export const TRANSPORTS = { tcp: 'TCP', tls: 'TLS', ws: 'WebSocket', wss: 'WebSocket TLS', local: 'In-process' };
const REFRESH_MS = 5000;

/** The clients and sessions table, visible to administrators only. */
export class ClientsView {
  /**
   * @param {() => {username: string, password: string}|null} credentials the signed-in user
   * @param {() => string|null} ownClientId the dashboard's own MQTT client id
   * @param {(clientId: string) => void} onSelect called when a client's row is clicked
   * @param {(cluster: object|null) => void} onCluster receives the cluster overview at each
   *     refresh (null when it could not be read)
   */
  constructor(credentials, ownClientId, onSelect, onCluster = () => {}) {
    this.credentials = credentials;
    this.ownClientId = ownClientId;
    this.onSelect = onSelect;
    this.onCluster = onCluster;
    this.nodeColumn = document.getElementById('clients-node-col');
    this.clustered = false;
    this.locked = document.getElementById('clients-locked');
    this.error = document.getElementById('clients-error');
    this.wrap = document.getElementById('clients-table-wrap');
    this.body = document.getElementById('clients-body');
    this.updated = document.getElementById('clients-updated');
    this.refreshButton = document.getElementById('clients-refresh');
    this.refreshButton.addEventListener('click', () => this.refresh());
    this.timer = null;
    this.admin = false;
  }

  /** Shows the table and refreshes it periodically, or locks the view. */
  setAdmin(admin, who) {
    this.admin = admin;
    clearInterval(this.timer);
    this.timer = null;
    this.locked.hidden = admin;
    this.wrap.hidden = !admin;
    this.refreshButton.hidden = !admin;
    this.error.hidden = true;
    this.updated.textContent = '';
    if (!admin) {
      this.body.replaceChildren();
      this.onCluster(null);
      this.nodeColumn.hidden = true;
      this.locked.firstChild.textContent = who
        ? `Signed in as ${who}, who is not an administrator: the broker's clients are hidden. `
        : 'Only administrators can see the broker\u2019s clients. ';
      return;
    }
    this.refresh();
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  async refresh() {
    if (!this.admin) {
      return;
    }
    try {
      const cluster = await clusterOverview(this.credentials()).catch(() => null);
      this.onCluster(cluster);
      this.clustered = cluster?.clustered === true;
      this.nodeColumn.hidden = !this.clustered;
      let clients;
      let missing = '';
      if (this.clustered) {
        const answer = await listClusterClients(this.credentials());
        clients = answer.clients;
        if (answer.unanswered.length > 0) {
          missing = ` · no answer from ${answer.unanswered.join(', ')}`;
        }
      } else {
        clients = await listClients(this.credentials());
      }
      this.render(clients);
      const where = this.clustered ? ` on ${cluster.nodes.length} nodes` : '';
      this.updated.textContent = `${clients.length} sessions${where}${missing} · updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      this.showError(`Could not load clients (${error.message}).`);
    }
  }

  render(clients) {
    const rows = clients.map((client) => this.row(client));
    this.body.replaceChildren(...rows);
  }

  row(client) {
    const tr = document.createElement('tr');
    tr.dataset.clientId = client.clientId;
    // a client on another node is shown, but its session is opened and acted on from that node
    const here = !this.clustered || client.local;
    tr.className = `${client.connected ? 'online' : 'offline'}${here ? ' selectable' : ''}`;
    tr.title = here ? 'Show this session'
      : `On node ${client.nodeAddress}: open that node's dashboard to see or disconnect it`;
    if (here) {
      tr.addEventListener('click', (event) => {
        if (!event.target.closest('button')) {
          this.onSelect(client.clientId);
        }
      });
    }
    const id = document.createElement('td');
    id.className = 'client-id';
    id.title = client.clientId;
    const dot = document.createElement('span');
    dot.className = client.connected ? 'status-dot on' : 'status-dot';
    dot.title = client.connected ? 'connected' : 'offline';
    id.append(dot, client.clientId);
    const self = client.clientId === this.ownClientId();
    if (self) {
      const tag = document.createElement('span');
      tag.className = 'self-tag';
      tag.textContent = ' (this dashboard)';
      id.append(tag);
    }
    const cells = [
      id,
      this.cell(client.username ?? '–'),
      this.cell(client.connected ? TRANSPORTS[client.transport] ?? client.transport : 'offline'),
      this.cell(`MQTT ${client.protocol}`),
      this.cell(client.connectedSince ? relativeTime(client.connectedSince) : '–'),
      this.cell(String(client.subscriptions), 'num'),
      this.cell(String(client.queued), 'num'),
    ];
    cells[4].title = client.connectedSince ?? '';
    if (this.clustered) {
      const node = this.cell(client.local ? `${client.nodeAddress} (this node)` : client.nodeAddress, 'node');
      node.dataset.node = client.node;
      cells.push(node);
    }
    const actions = this.cell('', 'actions');
    if (client.connected && !self && here) {
      actions.append(this.disconnectButton(client.clientId));
    }
    tr.append(...cells, actions);
    return tr;
  }

  cell(text, className) {
    return tableCell(text, className);
  }

  // Two clicks: the first arms the button for a few seconds, the second disconnects.
  disconnectButton(clientId) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button danger';
    button.textContent = 'Disconnect';
    button.setAttribute('aria-label', `Disconnect ${clientId}`);
    let disarm = null;
    button.addEventListener('click', async () => {
      if (!button.classList.contains('confirm')) {
        button.classList.add('confirm');
        button.textContent = 'Confirm';
        disarm = setTimeout(() => {
          button.classList.remove('confirm');
          button.textContent = 'Disconnect';
        }, 4000);
        return;
      }
      clearTimeout(disarm);
      button.disabled = true;
      this.error.hidden = true;
      try {
        await disconnectClient(this.credentials(), clientId);
      } catch (error) {
        this.showError(error.status === 404
          ? `${clientId} was no longer connected.`
          : `Could not disconnect ${clientId} (${error.message}).`);
      }
      await this.refresh();
    });
    return button;
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }
}

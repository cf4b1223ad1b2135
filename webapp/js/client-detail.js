/*
 * One session in detail (GET /api/clients/{id}): connection, identity, session expiry, queued and
 * in-flight messages and its subscriptions with their options; and deleting the session.
 */
import {
  TRANSPORTS, clientDetail, deleteSession, relativeTime, tableCell,
} from './admin.js';

const NEVER_EXPIRES = 4294967295;
const RETAIN_HANDLING = ['send on subscribe', 'send if new', 'never send'];

function expiry(seconds) {
  if (seconds === 0) {
    return 'ends with the connection';
  }
  return seconds === NEVER_EXPIRES ? 'never expires' : `${seconds} s after disconnect`;
}

function options(sub) {
  const parts = [];
  if (sub.noLocal) {
    parts.push('no local');
  }
  if (sub.retainAsPublished) {
    parts.push('retain as published');
  }
  parts.push(`retained: ${RETAIN_HANDLING[sub.retainHandling] ?? sub.retainHandling}`);
  if (sub.subscriptionIdentifier) {
    parts.push(`id ${sub.subscriptionIdentifier}`);
  }
  return parts.join(' · ');
}

/** The session panel under the clients table; opened by clicking a client. */
export class ClientDetailView {
  /**
   * @param {() => {username: string, password: string}|null} credentials the signed-in user
   * @param {() => void} onChanged called after the session was deleted
   */
  constructor(credentials, onChanged) {
    this.credentials = credentials;
    this.onChanged = onChanged;
    this.panel = document.getElementById('client-detail');
    this.title = document.getElementById('client-detail-title');
    this.facts = document.getElementById('client-detail-facts');
    this.subscriptions = document.getElementById('client-detail-subscriptions');
    this.error = document.getElementById('client-detail-error');
    this.deleteButton = document.getElementById('client-detail-delete');
    document.getElementById('client-detail-close').addEventListener('click', () => this.close());
    this.deleteButton.addEventListener('click', () => this.deleteSession());
    this.clientId = null;
  }

  async show(clientId) {
    this.clientId = clientId;
    this.error.hidden = true;
    this.deleteButton.classList.remove('confirm');
    this.deleteButton.textContent = 'Delete session';
    this.deleteButton.disabled = false;
    try {
      this.render(await clientDetail(this.credentials(), clientId));
      this.panel.hidden = false;
      this.panel.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      this.panel.hidden = false;
      this.facts.replaceChildren();
      this.subscriptions.replaceChildren();
      this.showError(error.status === 404 ? `${clientId} has no session any more.`
        : `Could not load ${clientId} (${error.message}).`);
    }
  }

  close() {
    this.panel.hidden = true;
    this.clientId = null;
  }

  render(d) {
    this.title.textContent = d.clientId;
    const facts = [
      ['State', d.connected ? 'connected' : 'offline'],
      ['Listener', d.connected ? TRANSPORTS[d.transport] ?? d.transport : '–'],
      ['Address', d.remoteAddress ?? '–'],
      ['Protocol', `MQTT ${d.protocol}`],
      ['User', d.username ?? 'anonymous'],
      ['Connected', d.connectedSince ? relativeTime(d.connectedSince) : '–'],
      ['Session expiry', expiry(d.sessionExpirySeconds)],
      ['Queued', String(d.queued)],
      ['In flight', String(d.inFlight)],
    ];
    this.facts.replaceChildren(...facts.flatMap(([name, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value;
      return [dt, dd];
    }));
    const rows = d.subscriptions.map((sub) => {
      const tr = document.createElement('tr');
      const cells = [sub.filter, sub.sharedGroup ?? '–', String(sub.qos), options(sub)];
      tr.append(...cells.map((text, i) => tableCell(text, i === 0 ? 'client-id' : null)));
      return tr;
    });
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = 4;
      td.className = 'muted';
      td.textContent = 'No subscriptions';
      tr.append(td);
      rows.push(tr);
    }
    this.subscriptions.replaceChildren(...rows);
  }

  // Two clicks, as for a disconnect: the first arms the button, the second deletes.
  async deleteSession() {
    if (!this.deleteButton.classList.contains('confirm')) {
      this.deleteButton.classList.add('confirm');
      this.deleteButton.textContent = 'Confirm delete';
      return;
    }
    this.deleteButton.disabled = true;
    try {
      await deleteSession(this.credentials(), this.clientId);
      this.close();
    } catch (error) {
      this.showError(`Could not delete the session (${error.message}).`);
    }
    this.onChanged();
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }
}

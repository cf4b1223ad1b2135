/*
 * The retained messages (GET/DELETE /api/retained): a filtered, bounded list, each message with
 * its payload as text or base64, QoS and size, and a delete button.
 */
import { deleteRetained, listRetained, tableCell } from './admin.js';
import { formatBytes } from './payload.js';
import { isValidFilter } from './topic-match.js';

const LIMIT = 200;

/** The retained-messages panel, visible to administrators only. */
export class RetainedView {
  /** @param {() => {username: string, password: string}|null} credentials the signed-in user */
  constructor(credentials) {
    this.credentials = credentials;
    this.panel = document.getElementById('retained');
    this.form = document.getElementById('retained-form');
    this.filter = document.getElementById('retained-filter');
    this.body = document.getElementById('retained-body');
    this.error = document.getElementById('retained-error');
    this.summary = document.getElementById('retained-summary');
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.refresh();
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

  async refresh() {
    const filter = this.filter.value.trim() || '#';
    this.error.hidden = true;
    if (!isValidFilter(filter)) {
      this.showError(`"${filter}" is not a valid topic filter.`);
      return;
    }
    try {
      const page = await listRetained(this.credentials(), filter, LIMIT);
      this.body.replaceChildren(...page.messages.map((m) => this.row(m)));
      this.summary.textContent = page.more
        ? `first ${page.messages.length} matching messages`
        : `${page.messages.length} messages`;
    } catch (error) {
      this.showError(`Could not load retained messages (${error.message}).`);
    }
  }

  row(m) {
    const tr = document.createElement('tr');
    tr.dataset.topic = m.topic;
    const topic = this.cell(m.topic, 'client-id');
    topic.title = m.topic;
    const payload = this.cell(m.payload, 'payload');
    payload.title = m.encoding === 'base64' ? 'binary payload, shown as base64' : m.payload;
    const remove = this.cell('', 'actions');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button danger';
    button.textContent = 'Delete';
    button.setAttribute('aria-label', `Delete the retained message on ${m.topic}`);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await deleteRetained(this.credentials(), m.topic);
      } catch (error) {
        this.showError(`Could not delete ${m.topic} (${error.message}).`);
      }
      await this.refresh();
    });
    remove.append(button);
    tr.append(topic, payload, this.cell(m.encoding), this.cell(String(m.qos), 'num'),
      this.cell(formatBytes(m.size), 'num'), remove);
    return tr;
  }

  cell(text, className) {
    return tableCell(text, className);
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }
}

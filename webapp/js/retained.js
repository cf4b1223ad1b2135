/*
 * The retained messages (GET/DELETE /api/retained): a filtered, bounded list, each message with
 * its payload as text or base64, QoS and size, and a delete button.
 */
import {
  AdminPanel, deleteRetained, listRetained, tableCell,
} from './admin.js';
import { formatBytes } from './payload.js';
import { isValidFilter } from './topic-match.js';

const LIMIT = 200;

/** The retained-messages panel, visible to administrators only. */
export class RetainedView extends AdminPanel {
  /** @param {() => {username: string, password: string}|null} credentials the signed-in user */
  constructor(credentials) {
    super(credentials, 'retained');
    this.filter = document.getElementById('retained-filter');
  }

  submitted() {
    this.refresh();
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
    const topic = tableCell(m.topic, 'client-id');
    topic.title = m.topic;
    const payload = tableCell(m.payload, 'payload');
    payload.title = m.encoding === 'base64' ? 'binary payload, shown as base64' : m.payload;
    const remove = tableCell('', 'actions');
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
    tr.append(topic, payload, tableCell(m.encoding), tableCell(String(m.qos), 'num'),
      tableCell(formatBytes(m.size), 'num'), remove);
    return tr;
  }
}

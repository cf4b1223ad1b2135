/*
 * Bans (GET/POST/DELETE /api/bans): the client ids, user names and addresses the broker refuses
 * at CONNECT (0x8A Banned), a form to add one and a button to lift each.
 */
import {
  AdminPanel, addBan, liftBan, listBans, relativeTime, tableCell,
} from './admin.js';

const KIND_LABELS = { clientId: 'Client id', username: 'User name', address: 'Address' };

/** The bans panel, visible to administrators only. */
export class BansView extends AdminPanel {
  /** @param {() => {username: string, password: string}|null} credentials the signed-in user */
  constructor(credentials) {
    super(credentials, 'bans');
    this.kind = document.getElementById('ban-kind');
    this.value = document.getElementById('ban-value');
    this.reason = document.getElementById('ban-reason');
  }

  submitted() {
    this.add();
  }

  async add() {
    const value = this.value.value.trim();
    this.error.hidden = true;
    if (!value) {
      this.showError('Name the client id, user name or address to ban.');
      return;
    }
    try {
      await addBan(this.credentials(), this.kind.value, value, this.reason.value.trim());
      this.value.value = '';
      this.reason.value = '';
    } catch (error) {
      // 400 names the invalid field, e.g. an address that is neither IPv4, IPv6 nor CIDR
      this.showError(`Could not ban ${value} (${error.message}).`);
      return;
    }
    await this.refresh();
  }

  async refresh() {
    try {
      const bans = await listBans(this.credentials());
      this.body.replaceChildren(...bans.map((b) => this.row(b)));
      this.summary.textContent = bans.length === 1 ? '1 ban' : `${bans.length} bans`;
    } catch (error) {
      this.showError(`Could not load the bans (${error.message}).`);
    }
  }

  row(b) {
    const tr = document.createElement('tr');
    tr.dataset.kind = b.kind;
    tr.dataset.value = b.value;
    const value = tableCell(b.value, 'client-id');
    value.title = b.value;
    const since = tableCell(relativeTime(b.createdAt));
    since.title = b.createdAt;
    const actions = tableCell('', 'actions');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button';
    button.textContent = 'Lift';
    button.setAttribute('aria-label', `Lift the ban on ${KIND_LABELS[b.kind] ?? b.kind} ${b.value}`);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await liftBan(this.credentials(), b.kind, b.value);
      } catch (error) {
        this.showError(`Could not lift the ban on ${b.value} (${error.message}).`);
      }
      await this.refresh();
    });
    actions.append(button);
    tr.append(tableCell(KIND_LABELS[b.kind] ?? b.kind), value, tableCell(b.reason ?? ''), since,
      actions);
    return tr;
  }
}

// The cluster's nodes for administrators: shown only when the broker is a member of a cluster.
import { tableCell } from './admin.js';

export class NodesView {
  constructor() {
    this.panel = document.getElementById('nodes');
    this.body = document.getElementById('nodes-body');
    this.summary = document.getElementById('nodes-summary');
  }

  /** @param {object|null} cluster the overview from api/cluster; null or unclustered hides it */
  render(cluster) {
    if (!cluster?.clustered) {
      this.hide();
      return;
    }
    this.panel.hidden = false;
    this.summary.textContent = `cluster ${cluster.name} · ${cluster.nodes.length} members`
      + (cluster.quorum ? '' : ` · fewer than ${cluster.minMembers}: cluster-wide changes refused`);
    this.body.replaceChildren(...cluster.nodes.map((node) => this.row(node)));
  }

  hide() {
    this.panel.hidden = true;
    this.body.replaceChildren();
  }

  row(node) {
    const tr = document.createElement('tr');
    tr.dataset.node = node.node;
    const name = tableCell(node.self ? `${node.address} (this node)` : node.address, 'client-id');
    name.title = node.node;
    const figure = (value) => tableCell(node.reported ? value.toLocaleString() : '–', 'num');
    tr.append(name, figure(node.clientsConnected), figure(node.connectionsOpen),
      figure(node.messagesReceived), figure(node.messagesSent));
    return tr;
  }
}

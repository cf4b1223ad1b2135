/*
 * The live topic tree: a model of every topic seen (last message, QoS, retained flag, message
 * rate, capped history) and its DOM view. Messages only change the model and mark nodes dirty;
 * one requestAnimationFrame callback per frame writes the dirty rows, so thousands of messages
 * per second cost one DOM pass per frame. Rows exist only for expanded branches.
 */
import { previewPayload } from './payload.js';
import { topicMatches } from './topic-match.js';

const HISTORY_PER_TOPIC = 100;
const HISTORY_TOTAL = 5000;
const MAX_TOPICS = 20000;
const MAX_STORED_PAYLOAD = 64 * 1024;
const PREVIEW_CHARS = 120;
const AUTO_EXPAND_DEPTH = 2;
const CARET = '<svg viewBox="0 0 10 10" aria-hidden="true"><path d="M3 1l4 4-4 4" fill="none" '
    + 'stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>';

/** A fixed-size FIFO of history entries, so the total history cap costs O(1) per message. */
class Ring {
  constructor(capacity) {
    this.items = new Array(capacity);
    this.head = 0;
    this.size = 0;
  }

  push(item) {
    this.items[(this.head + this.size) % this.items.length] = item;
    this.size++;
  }

  shift() {
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.size--;
    return item;
  }

  clear() {
    this.items.fill(undefined);
    this.head = 0;
    this.size = 0;
  }
}

class TopicNode {
  constructor(name, parent) {
    this.name = name;
    this.parent = parent;
    this.depth = parent ? parent.depth + 1 : -1;
    this.topic = parent === null ? null
        : (parent.parent === null ? name : `${parent.topic}/${name}`);
    this.children = new Map();
    this.order = [];
    this.topicsBelow = 0;
    this.last = null;
    this.count = 0;
    this.windowCount = 0;
    this.rate = 0;
    this.history = [];
    this.expanded = this.depth < AUTO_EXPAND_DEPTH;
    this.dom = null;
  }

  hasMessages() {
    return this.last !== null;
  }
}

function formatRate(rate) {
  if (rate < 0.05) {
    return '–';
  }
  if (rate >= 1000) {
    return `${(rate / 1000).toFixed(1)}k/s`;
  }
  return rate >= 10 ? `${Math.round(rate)}/s` : `${rate.toFixed(1)}/s`;
}

export class TopicTree {
  /**
   * @param {HTMLElement} container the tree element
   * @param {HTMLElement} emptyNote shown while the tree is empty
   * @param {object} handlers
   * @param {(node: TopicNode|null) => void} handlers.onSelect a topic was selected or cleared
   * @param {(node: TopicNode) => void} handlers.onSelectedChanged the selected topic got messages
   * @param {(topics: number, messages: number, capped: boolean) => void} handlers.onStats
   */
  constructor(container, emptyNote, handlers) {
    this.container = container;
    this.emptyNote = emptyNote;
    this.handlers = handlers;
    this.root = new TopicNode('', null);
    this.root.expanded = true;
    this.rootList = document.createElement('ul');
    this.rootList.setAttribute('role', 'group');
    container.append(this.rootList);
    this.byTopic = new Map();
    this.history = new Ring(HISTORY_TOTAL);
    this.messages = 0;
    this.capped = false;
    this.dirtyRows = new Set();
    this.newChildren = new Set();
    this.active = new Set();
    this.selected = null;
    this.selectedChanged = false;
    this.statsChanged = true;
    this.frameRequested = false;
    this.lastTick = performance.now();
    setInterval(() => this.tick(), 1000);
  }

  /**
   * Records one message; the view catches up on the next animation frame.
   *
   * @param {string} topic the topic name
   * @param {Uint8Array} bytes the payload
   * @param {number} qos the QoS it was delivered with
   * @param {boolean} retained whether it came from the retained store
   */
  add(topic, bytes, qos, retained) {
    const node = this.nodeFor(topic);
    if (node === null) {
      this.capped = true;
      this.statsChanged = true;
      this.requestFrame();
      return;
    }
    const stored = bytes.length > MAX_STORED_PAYLOAD ? bytes.slice(0, MAX_STORED_PAYLOAD) : bytes.slice();
    const entry = { node, bytes: stored, size: bytes.length, qos, retained, time: Date.now() };
    node.last = entry;
    node.count++;
    node.windowCount++;
    node.history.push(entry);
    if (node.history.length > HISTORY_PER_TOPIC) {
      node.history.shift();
    }
    this.remember(entry);
    this.messages++;
    this.active.add(node);
    this.dirtyRows.add(node);
    if (node === this.selected) {
      this.selectedChanged = true;
    }
    this.statsChanged = true;
    this.requestFrame();
  }

  // Keeps at most HISTORY_TOTAL entries over all topics: the oldest one overall goes first,
  // unless its topic's own cap dropped it already.
  remember(entry) {
    if (this.history.size === HISTORY_TOTAL) {
      const oldest = this.history.shift();
      if (oldest.node.history[0] === oldest) {
        oldest.node.history.shift();
      }
    }
    this.history.push(entry);
  }

  nodeFor(topic) {
    const known = this.byTopic.get(topic);
    if (known) {
      return known;
    }
    if (this.byTopic.size >= MAX_TOPICS) {
      return null;
    }
    let node = this.root;
    for (const level of topic.split('/')) {
      let child = node.children.get(level);
      if (!child) {
        child = new TopicNode(level, node);
        node.children.set(level, child);
        node.order.splice(this.insertionIndex(node.order, level), 0, level);
        this.newChildren.add(node);
      }
      node = child;
    }
    this.byTopic.set(topic, node);
    for (let up = node.parent; up !== null; up = up.parent) {
      up.topicsBelow++;
      this.dirtyRows.add(up);
    }
    return node;
  }

  insertionIndex(order, name) {
    let low = 0;
    let high = order.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (order[mid] < name) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** @returns {number} topics known */
  topicCount() {
    return this.byTopic.size;
  }

  /** @returns {TopicNode|undefined} the node of a topic name */
  find(topic) {
    return this.byTopic.get(topic);
  }

  /** Forgets every topic. */
  clear() {
    this.keepOnly(() => false);
  }

  /** Forgets the topics a new subscription filter does not match. */
  prune(filter) {
    this.keepOnly((topic) => topicMatches(filter, topic));
  }

  keepOnly(keep) {
    const kept = [];
    const entries = [];
    for (const [topic, node] of this.byTopic) {
      if (keep(topic)) {
        kept.push({ topic, node });
      }
    }
    const selectedTopic = this.selected && keep(this.selected.topic) ? this.selected.topic : null;
    const expanded = new Set();
    for (const node of this.allNodes()) {
      if (node.expanded) {
        expanded.add(node.topic);
      }
    }
    this.root = new TopicNode('', null);
    this.root.expanded = true;
    this.byTopic = new Map();
    this.history.clear();
    this.active.clear();
    this.dirtyRows.clear();
    this.newChildren.clear();
    this.messages = 0;
    this.capped = false;
    for (const { topic, node: old } of kept) {
      const node = this.nodeFor(topic);
      node.last = old.last;
      node.count = old.count;
      node.rate = old.rate;
      this.messages += old.count;
      for (const entry of old.history) {
        entry.node = node;
        entries.push(entry);
      }
    }
    entries.sort((a, b) => a.time - b.time);
    for (const entry of entries) {
      entry.node.history.push(entry);
      this.remember(entry);
    }
    for (const node of this.allNodes()) {
      node.expanded = expanded.has(node.topic) || node.depth < AUTO_EXPAND_DEPTH;
    }
    this.rootList.replaceChildren();
    this.newChildren.add(this.root);
    this.selected = selectedTopic ? this.byTopic.get(selectedTopic) : null;
    this.handlers.onSelect(this.selected);
    this.statsChanged = true;
    this.requestFrame();
  }

  *allNodes(from = this.root) {
    for (const child of from.children.values()) {
      yield child;
      yield* this.allNodes(child);
    }
  }

  /** Expands or collapses every branch. */
  setAllExpanded(expanded) {
    for (const node of this.allNodes()) {
      node.expanded = expanded;
    }
    this.rootList.replaceChildren();
    for (const node of this.allNodes()) {
      node.dom = null;
    }
    this.newChildren.add(this.root);
    this.requestFrame();
  }

  /** Selects a topic by name, expanding its ancestors. */
  select(topic) {
    const node = this.byTopic.get(topic);
    if (!node) {
      return;
    }
    for (let up = node.parent; up !== this.root; up = up.parent) {
      if (!up.expanded) {
        this.toggle(up);
      }
    }
    this.setSelected(node);
  }

  setSelected(node) {
    if (this.selected?.dom) {
      this.selected.dom.row.setAttribute('aria-selected', 'false');
    }
    this.selected = node;
    if (node?.dom) {
      node.dom.row.setAttribute('aria-selected', 'true');
    }
    this.handlers.onSelect(node);
  }

  toggle(node) {
    node.expanded = !node.expanded;
    if (!node.dom) {
      return;
    }
    node.dom.caret.setAttribute('aria-expanded', String(node.expanded));
    node.dom.row.setAttribute('aria-expanded', String(node.expanded));
    if (node.expanded) {
      this.newChildren.add(node);
      this.requestFrame();
    } else {
      this.unrender(node);
    }
  }

  unrender(node) {
    for (const child of node.children.values()) {
      if (child.dom) {
        this.unrender(child);
        child.dom = null;
      }
    }
    node.dom?.list.replaceChildren();
  }

  requestFrame() {
    if (!this.frameRequested) {
      this.frameRequested = true;
      requestAnimationFrame(() => this.frame());
    }
  }

  frame() {
    this.frameRequested = false;
    for (const parent of this.newChildren) {
      this.renderChildren(parent);
    }
    this.newChildren.clear();
    for (const node of this.dirtyRows) {
      if (node.dom) {
        this.updateRow(node);
      }
    }
    this.dirtyRows.clear();
    if (this.selectedChanged && this.selected) {
      this.selectedChanged = false;
      this.handlers.onSelectedChanged(this.selected);
    }
    if (this.statsChanged) {
      this.statsChanged = false;
      this.emptyNote.hidden = this.byTopic.size > 0;
      this.handlers.onStats(this.byTopic.size, this.messages, this.capped);
    }
  }

  // Adds the rows of children not yet in the DOM, in sorted order, for rendered expanded nodes.
  renderChildren(parent) {
    const list = parent === this.root ? this.rootList : parent.dom?.list;
    if (!list || !parent.expanded) {
      return;
    }
    let next = null;
    for (let i = parent.order.length - 1; i >= 0; i--) {
      const child = parent.children.get(parent.order[i]);
      if (!child.dom) {
        this.createRow(child);
        list.insertBefore(child.dom.item, next);
        if (child.expanded) {
          this.renderChildren(child);
        }
      }
      next = child.dom.item;
    }
  }

  createRow(node) {
    const item = document.createElement('li');
    const row = document.createElement('div');
    row.className = 'row';
    row.setAttribute('role', 'treeitem');
    row.setAttribute('aria-level', String(node.depth + 1));
    row.setAttribute('aria-selected', String(node === this.selected));
    row.tabIndex = 0;
    row.dataset.topic = node.topic;
    const name = document.createElement('span');
    name.className = 'name';
    name.style.paddingLeft = `${node.depth * 16}px`;
    const caret = document.createElement('button');
    caret.type = 'button';
    caret.className = 'caret';
    caret.innerHTML = CARET;
    caret.setAttribute('aria-label', `Expand or collapse ${node.topic}`);
    caret.setAttribute('aria-expanded', String(node.expanded));
    const label = document.createElement('span');
    label.className = node.name === '' ? 'label empty-level' : 'label';
    label.textContent = node.name === '' ? '(empty)' : node.name;
    label.title = node.topic;
    const count = document.createElement('span');
    count.className = 'count';
    name.append(caret, label, count);
    const value = document.createElement('span');
    value.className = 'value';
    const qos = document.createElement('span');
    qos.className = 'qos';
    const rate = document.createElement('span');
    rate.className = 'rate';
    row.append(name, value, qos, rate);
    const list = document.createElement('ul');
    list.setAttribute('role', 'group');
    item.append(row, list);
    caret.addEventListener('click', (event) => {
      event.stopPropagation();
      this.toggle(node);
    });
    row.addEventListener('click', () => this.activate(node));
    row.addEventListener('keydown', (event) => this.onKey(event, node));
    node.dom = { item, row, caret, count, value, qos, rate, list };
    this.updateRow(node);
  }

  activate(node) {
    if (node.hasMessages()) {
      this.setSelected(node);
    } else {
      this.toggle(node);
    }
  }

  onKey(event, node) {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.activate(node);
    } else if (event.key === 'ArrowRight' && node.children.size > 0 && !node.expanded) {
      this.toggle(node);
    } else if (event.key === 'ArrowLeft' && node.expanded && node.children.size > 0) {
      this.toggle(node);
    }
  }

  updateRow(node) {
    const dom = node.dom;
    const branch = node.children.size > 0;
    dom.caret.classList.toggle('leaf', !branch);
    if (branch) {
      dom.row.setAttribute('aria-expanded', String(node.expanded));
    } else {
      dom.row.removeAttribute('aria-expanded');
    }
    dom.count.hidden = !branch;
    dom.count.textContent = String(node.topicsBelow);
    dom.count.title = `${node.topicsBelow} topics below`;
    if (node.last) {
      const preview = previewPayload(node.last.bytes, PREVIEW_CHARS);
      dom.value.replaceChildren();
      if (node.last.retained) {
        const tag = document.createElement('span');
        tag.className = 'retained';
        tag.textContent = 'R';
        tag.title = 'retained';
        dom.value.append(tag);
      }
      dom.value.append(preview === '' ? '(empty)' : preview);
      dom.value.title = preview;
      dom.qos.textContent = String(node.last.qos);
    }
    dom.rate.textContent = node.last ? formatRate(node.rate) : '';
  }

  // Once a second: message rates per topic, over the last second, lightly smoothed.
  tick() {
    const now = performance.now();
    const seconds = (now - this.lastTick) / 1000;
    this.lastTick = now;
    for (const node of this.active) {
      const current = node.windowCount / seconds;
      node.windowCount = 0;
      node.rate = node.rate === 0 ? current : 0.6 * current + 0.4 * node.rate;
      if (node.rate < 0.05) {
        node.rate = 0;
        this.active.delete(node);
      }
      this.dirtyRows.add(node);
    }
    if (this.dirtyRows.size > 0) {
      this.requestFrame();
    }
  }
}

// End-to-end test of the dashboard in headless Chromium against a running FerryMQ server.
// DashboardIT (src/test/java/it) runs it during `mvn verify`; by hand:
//   NODE_PATH=node_modules HTTP_PORT=9080 MQTT_PORT=1883 ADMIN_PASSWORD=... node src/test/js/dashboard-e2e.js
// It prints one line per step and "DASHBOARD E2E PASSED" at the end; any failure exits non-zero.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const HTTP_PORT = Number(process.env.HTTP_PORT ?? 9080);
const MQTT_PORT = Number(process.env.MQTT_PORT ?? 1883);
const ADMIN_USER = process.env.ADMIN_USER ?? 'admin';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD;
const SCREENSHOT = process.env.SCREENSHOT ?? 'docs/images/dashboard.png';
const SCREENSHOT_TABLET = process.env.SCREENSHOT_TABLET ?? 'docs/images/dashboard-tablet.png';
const SCREENSHOT_SESSION = process.env.SCREENSHOT_SESSION ?? 'docs/images/dashboard-session.png';
const SCREENSHOT_RETAINED = process.env.SCREENSHOT_RETAINED ?? 'docs/images/dashboard-retained.png';
const SCREENSHOT_BANS = process.env.SCREENSHOT_BANS ?? 'docs/images/dashboard-bans.png';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const BASE = `http://localhost:${HTTP_PORT}/`;
const TIMEOUT = 30_000;

assert.ok(ADMIN_PASSWORD, 'ADMIN_PASSWORD must name the password of the server\'s administrator');

function step(text) {
  console.log(`[e2e] ${text}`);
}

// ---- TCP clients: mosquitto_pub / mosquitto_sub, and a raw socket for the disconnect test ----

function run(command, args, input) {
  return new Promise((resolve, reject) => {
    // stdin is a pipe only for input the child reads: an unread pipe broke the test with EPIPE
    // whenever mosquitto_pub exited before Node wrote to it.
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`))));
    if (input !== undefined) {
      child.stdin.on('error', reject);
      child.stdin.end(input);
    }
  });
}

function publishTcp(topic, payload, { qos = 0, retain = false, file = null } = {}) {
  const args = ['-h', 'localhost', '-p', String(MQTT_PORT), '-t', topic, '-q', String(qos)];
  if (retain) {
    args.push('-r');
  }
  args.push(...(file ? ['-f', file] : ['-m', payload]));
  return run('mosquitto_pub', args);
}

function subscribeTcp(clientId, filter) {
  const child = spawn('mosquitto_sub', ['-h', 'localhost', '-p', String(MQTT_PORT), '-i', clientId,
    '-t', filter, '-q', '1', '-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let buffer = '';
  child.stdout.on('data', (data) => {
    buffer += data;
    const parts = buffer.split('\n');
    buffer = parts.pop();
    lines.push(...parts);
  });
  return { child, lines };
}

async function waitFor(condition, what, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await condition()) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function mqttString(text) {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

/** A bare MQTT 3.1.1 client on a socket: CONNECT, then only watches for the socket closing. */
function rawTcpClient(clientId) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(MQTT_PORT, 'localhost');
    const closed = new Promise((r) => socket.on('close', r));
    socket.on('error', () => {});
    socket.once('connect', () => {
      const body = Buffer.concat([
        mqttString('MQTT'),
        Buffer.from([0x04, 0x02, 0x00, 0x3c]), // level 4, clean session, keep alive 60 s
        mqttString(clientId),
      ]);
      socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
    });
    socket.once('data', (data) => {
      if (data[0] === 0x20 && data[3] === 0x00) {
        resolve({ socket, closed });
      } else {
        reject(new Error(`CONNACK refused: ${data.toString('hex')}`));
      }
    });
  });
}

// ---- A scripted broker for the sign-in flow, behind Playwright's WebSocket routing ----

function remainingLength(bytes) {
  let value = 0;
  let multiplier = 1;
  let i = 1;
  let digit;
  do {
    digit = bytes[i++];
    value += (digit & 0x7f) * multiplier;
    multiplier *= 128;
  } while (digit & 0x80);
  return { value, start: i };
}

function readString(bytes, at) {
  const length = (bytes[at] << 8) | bytes[at + 1];
  return { text: bytes.subarray(at + 2, at + 2 + length).toString('utf8'), next: at + 2 + length };
}

/** Parses CONNECT far enough to get the user name and password. */
function parseConnect(bytes) {
  const { start } = remainingLength(bytes);
  const protocol = readString(bytes, start);
  const flags = bytes[protocol.next + 1];
  let at = readString(bytes, protocol.next + 4).next; // level, flags, keep alive; client id
  if (flags & 0x04) {
    at = readString(bytes, readString(bytes, at).next).next; // will topic and message
  }
  let username = null;
  let password = null;
  if (flags & 0x80) {
    ({ text: username, next: at } = readString(bytes, at));
  }
  if (flags & 0x40) {
    ({ text: password, next: at } = readString(bytes, at));
  }
  return { username, password };
}

/** Accepts only operator / correct-horse: CONNACK 5 without credentials, 4 with wrong ones. */
function scriptedBroker(ws) {
  ws.onMessage((message) => {
    const bytes = Buffer.from(message);
    const type = bytes[0] >> 4;
    if (type === 1) {
      const { username, password } = parseConnect(bytes);
      let code = 0;
      if (username === null) {
        code = 5;
      } else if (username !== 'operator' || password !== 'correct-horse') {
        code = 4;
      }
      ws.send(Buffer.from([0x20, 0x02, 0x00, code]));
    } else if (type === 8) {
      const { value, start } = remainingLength(bytes);
      const granted = [];
      for (let at = start + 2; at < start + value;) {
        at = readString(bytes, at).next;
        granted.push(bytes[at++] & 0x03);
      }
      ws.send(Buffer.from([0x90, 2 + granted.length, bytes[start], bytes[start + 1], ...granted]));
    } else if (type === 12) {
      ws.send(Buffer.from([0xd0, 0x00]));
    }
  });
}

// ---- The test ----

const userDataDir = mkdtempSync(join(tmpdir(), 'ferrymq-dashboard-e2e-'));
const consoleErrors = [];
const children = [];
let context;

function watchConsole(page, name) {
  page.on('console', (message) => {
    if (message.type() === 'error') {
      consoleErrors.push(`${name}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(`${name}: ${error.message}`));
}

async function signIn(page, username, password) {
  await page.click('#sign-in');
  await page.fill('#login-user', username);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
}

async function dashboardAgainstServer() {
  // Retained before the page subscribes, so they arrive flagged retained (MQTT 3.1.1 clears the
  // flag on messages forwarded to existing subscriptions).
  await publishTcp('e2e/plant/line-1/temperature', '{"celsius": 21.5, "sensor": "t-17", "ok": true}', { qos: 1, retain: true });
  await publishTcp('e2e/plant/line-2/status', 'running', { qos: 1, retain: true });

  const page = context.pages()[0] ?? await context.newPage();
  watchConsole(page, 'dashboard');
  await page.goto(BASE);
  await page.waitForSelector('#connection[data-state="connected"]', { timeout: TIMEOUT });
  step('page loaded and connected over WebSocket');

  const subscriber = subscribeTcp('dash-e2e-subscriber', 'e2e/commands/#');
  children.push(subscriber.child);

  const binary = join(userDataDir, 'vibration.bin');
  writeFileSync(binary, Buffer.from([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x10, 0x20, 0x42]));
  await publishTcp('e2e/plant/line-1/humidity', '48.2');
  await publishTcp('e2e/plant/line-2/vibration', null, { file: binary });
  await publishTcp('e2e/fleet/truck-7/position', '{"lat": 52.3731, "lon": 4.8922, "speed_kmh": 61}', { qos: 1 });

  const line1 = page.locator('.row[data-topic="e2e/plant/line-1"]');
  await line1.waitFor({ timeout: TIMEOUT });
  await line1.click();
  const temperature = page.locator('.row[data-topic="e2e/plant/line-1/temperature"]');
  await temperature.waitFor({ timeout: TIMEOUT });
  assert.match(await temperature.locator('.value').textContent(), /"celsius": 21\.5/);
  assert.equal(await temperature.locator('.qos').textContent(), '1');
  assert.equal(await temperature.locator('.value .retained').count(), 1, 'retained flag shown');
  const humidity = page.locator('.row[data-topic="e2e/plant/line-1/humidity"]');
  await humidity.waitFor({ timeout: TIMEOUT });
  assert.equal(await humidity.locator('.value').textContent(), '48.2');
  assert.equal(await humidity.locator('.qos').textContent(), '0');
  step('messages published by a TCP client appeared in the topic tree (retained at QoS 1, live at QoS 0)');

  await temperature.click();
  await page.waitForSelector('#messages .message pre', { timeout: TIMEOUT });
  const detail = await page.locator('#messages .message pre').first().textContent();
  assert.equal(detail, '{\n  "celsius": 21.5,\n  "sensor": "t-17",\n  "ok": true\n}');
  step('selected topic shows its message pretty-printed as JSON');

  await page.locator('.row[data-topic="e2e/plant/line-2"]').click();
  await page.locator('.row[data-topic="e2e/plant/line-2/vibration"]').click();
  await page.waitForFunction(() => document.querySelector('#detail-topic')?.textContent === 'e2e/plant/line-2/vibration');
  const hex = await page.locator('#messages .message pre').first().textContent();
  assert.match(hex, /^000000 {2}00 01 7f 80 fe ff 10 20 42/);
  step('binary payload shown as a hex dump');

  // Thousands of messages: the page must keep painting frames, count them all, and cap history.
  await page.evaluate(() => {
    window.e2eFrames = { last: performance.now(), maxGap: 0, running: true };
    const loop = (now) => {
      const f = window.e2eFrames;
      f.maxGap = Math.max(f.maxGap, now - f.last);
      f.last = now;
      if (f.running) {
        requestAnimationFrame(loop);
      }
    };
    requestAnimationFrame(loop);
  });
  const burst = 5000;
  const started = Date.now();
  await run('mosquitto_pub', ['-h', 'localhost', '-p', String(MQTT_PORT), '-t', 'e2e/load/counter', '-l'],
      Array.from({ length: burst }, (_, i) => `{"n": ${i + 1}}`).join('\n') + '\n');
  const counter = page.locator('.row[data-topic="e2e/load/counter"]');
  await counter.waitFor({ timeout: TIMEOUT });
  await counter.click();
  await page.waitForFunction((n) => document.querySelector('#detail-count').textContent.startsWith(`${n.toLocaleString('en-US')} received`), burst, { timeout: TIMEOUT });
  const elapsed = Date.now() - started;
  const maxGap = await page.evaluate(() => {
    window.e2eFrames.running = false;
    return window.e2eFrames.maxGap;
  });
  assert.equal(await page.locator('#messages .message').count(), 50, 'message list capped');
  assert.match(await page.locator('#messages .message pre').first().textContent(), /"n": 5000/);
  assert.ok(maxGap < 1500, `longest gap between frames during the burst was ${Math.round(maxGap)} ms`);
  step(`${burst} messages in ${elapsed} ms reached the tree; longest frame gap ${Math.round(maxGap)} ms; list capped at 50`);

  await page.fill('#publish-topic', 'e2e/commands/lamp-3');
  await page.fill('#publish-payload', '{"on": true, "level": 80}');
  await page.check('input[name="qos"][value="1"]');
  await page.click('#publish-button');
  await page.waitForFunction(() => /acknowledged by the broker/.test(document.querySelector('#publish-status').textContent), null, { timeout: TIMEOUT });
  await waitFor(() => subscriber.lines.includes('e2e/commands/lamp-3 {"on": true, "level": 80}'),
      'the TCP subscriber to receive the message published from the form');
  step('message published from the form (QoS 1) reached the TCP subscriber');

  await page.waitForFunction(() => document.querySelector('#spark-msg-in polyline')
      && document.querySelector('#stat-uptime').textContent !== '–'
      && Number(document.querySelector('#stat-clients').textContent) >= 2, null, { timeout: TIMEOUT });
  step(`overview from $SYS: uptime ${await page.locator('#stat-uptime').textContent()}, `
      + `${await page.locator('#stat-clients').textContent()} clients, messages in ${await page.locator('#stat-msg-in').textContent()}`);
  assert.equal(await page.locator('#card-cluster').isVisible(), false, 'no cluster card on a single node');

  assert.equal(await page.locator('#clients-table-wrap').isVisible(), false, 'clients hidden before sign-in');
  await signIn(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.locator('tr[data-client-id="dash-e2e-subscriber"]').waitFor({ timeout: TIMEOUT });
  await page.waitForSelector('#connection[data-state="connected"]', { timeout: TIMEOUT });
  step('administrator signed in: clients table lists the TCP subscriber');
  assert.equal(await page.locator('#nodes').isVisible(), false, 'no node list on a single node');
  assert.equal(await page.locator('#clients-node-col').isVisible(), false, 'no node column on a single node');

  const victim = await rawTcpClient('dash-e2e-victim');
  await page.click('#clients-refresh');
  const victimRow = page.locator('tr[data-client-id="dash-e2e-victim"]');
  await victimRow.waitFor({ timeout: TIMEOUT });
  assert.match(await victimRow.textContent(), /TCP/);
  await victimRow.getByRole('button', { name: 'Disconnect dash-e2e-victim' }).click();
  await victimRow.getByRole('button', { name: 'Disconnect dash-e2e-victim' }).click();
  await Promise.race([victim.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('victim still connected')), 10_000))]);
  step('Disconnect button closed the TCP client\'s connection');

  await temperature.click();
  await page.waitForFunction(() => !document.querySelector('tr[data-client-id="dash-e2e-victim"] .status-dot.on'));
  await page.mouse.move(0, 0);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  step(`screenshot saved to ${SCREENSHOT}`);

  await page.setViewportSize({ width: 820, height: 1180 });
  await page.waitForTimeout(300);
  const overflowing = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (e) => e.parentElement !== null && e.parentElement !== document.body
        && (['auto', 'scroll', 'hidden'].includes(getComputedStyle(e.parentElement).overflowX) || scrolls(e.parentElement));
    const wide = [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 1 && !scrolls(e))
        .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`).slice(0, 5);
    return document.documentElement.scrollWidth > width ? [`document ${document.documentElement.scrollWidth}px`, ...wide] : wide;
  });
  assert.deepEqual(overflowing, [], 'elements wider than a tablet screen');
  await page.screenshot({ path: SCREENSHOT_TABLET });
  step(`tablet width (820 px) fits without horizontal scrolling; screenshot ${SCREENSHOT_TABLET}`);
  await page.setViewportSize({ width: 1440, height: 900 });

  await sessionAndRetainedViews(page);
  await bansView(page);

  await page.click('#sign-out');
  await signIn(page, ADMIN_USER, `${ADMIN_PASSWORD}-wrong`);
  await page.waitForSelector('#login[open] #login-error:not([hidden])', { timeout: TIMEOUT });
  assert.equal(await page.locator('#login-error').textContent(), 'Wrong user name or password.');
  assert.equal(await page.locator('#clients-table-wrap').isVisible(), false);
  step('wrong password for the server\'s registry: the dialog says so and clients stay hidden');
  await page.click('#login-cancel');
  await page.close();
}

// The administrator's session detail (click a client) and retained-message views, over the API.
async function sessionAndRetainedViews(page) {
  await page.click('#clients-refresh');
  const subscriberRow = page.locator('tr[data-client-id="dash-e2e-subscriber"]');
  await subscriberRow.locator('td.client-id').click();
  const detail = page.locator('#client-detail');
  await detail.waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.equal(await page.locator('#client-detail-title').textContent(), 'dash-e2e-subscriber');
  await page.locator('#client-detail-subscriptions td', { hasText: 'e2e/commands/#' })
      .waitFor({ timeout: TIMEOUT });
  assert.match(await page.locator('#client-detail-facts').textContent(), /TCP.*:\d+.*MQTT 3\.1\.1/s);
  await page.mouse.move(0, 0);
  await detail.screenshot({ path: SCREENSHOT_SESSION });
  step(`session detail shows the TCP subscriber's subscription; screenshot ${SCREENSHOT_SESSION}`);

  const doomed = await rawTcpClient('dash-e2e-doomed');
  await page.click('#clients-refresh');
  await page.locator('tr[data-client-id="dash-e2e-doomed"] td.client-id').click();
  await page.locator('#client-detail-title', { hasText: 'dash-e2e-doomed' }).waitFor({ timeout: TIMEOUT });
  await page.click('#client-detail-delete');
  await page.click('#client-detail-delete');
  await Promise.race([doomed.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('doomed client still connected')), 10_000))]);
  await page.locator('tr[data-client-id="dash-e2e-doomed"]').waitFor({ state: 'detached', timeout: TIMEOUT });
  assert.equal(await detail.isVisible(), false, 'the panel closes with the deleted session');
  step('Delete session closed the client\'s connection and removed it from the clients table');

  await page.fill('#retained-filter', 'e2e/plant/#');
  await page.click('#retained-apply');
  const status = page.locator('#retained-body tr[data-topic="e2e/plant/line-2/status"]');
  await status.waitFor({ timeout: TIMEOUT });
  const temperature = page.locator('#retained-body tr[data-topic="e2e/plant/line-1/temperature"]');
  assert.match(await temperature.textContent(), /"celsius": 21\.5.*text/);
  await page.mouse.move(0, 0);
  await page.locator('#retained').screenshot({ path: SCREENSHOT_RETAINED });
  step(`retained view lists the retained plant topics; screenshot ${SCREENSHOT_RETAINED}`);
  await status.getByRole('button', { name: 'Delete the retained message on e2e/plant/line-2/status' }).click();
  await status.waitFor({ state: 'detached', timeout: TIMEOUT });
  assert.equal(await temperature.count(), 1, 'the other retained message stays');
  step('Delete removed one retained message');
}

// Bans: adding one disconnects the client it names and refuses its next CONNECT; lifting it
// lets the client back; an invalid address gets the API's explanation.
async function bansView(page) {
  const banned = await rawTcpClient('dash-e2e-banned');
  await page.selectOption('#ban-kind', 'clientId');
  await page.fill('#ban-value', 'dash-e2e-banned');
  await page.fill('#ban-reason', 'e2e: misbehaving sensor');
  await page.click('#ban-add');
  const row = page.locator('#bans-body tr[data-kind="clientId"][data-value="dash-e2e-banned"]');
  await row.waitFor({ timeout: TIMEOUT });
  assert.match(await row.textContent(), /Client id.*dash-e2e-banned.*misbehaving sensor/);
  await Promise.race([banned.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('banned client still connected')), 10_000))]);
  // MQTT 3.1.1 has no Banned code: return code 5, not authorized
  await assert.rejects(rawTcpClient('dash-e2e-banned'), /CONNACK refused: 20020005/);
  step('Ban on a client id disconnected the client and refuses its CONNECT with return code 5');

  await page.selectOption('#ban-kind', 'address');
  await page.fill('#ban-value', '203.0.113.0/24');
  await page.click('#ban-add');
  await page.locator('#bans-body tr[data-value="203.0.113.0/24"]').waitFor({ timeout: TIMEOUT });
  const errorsBefore = consoleErrors.length;
  await page.fill('#ban-value', '300.1.2.3');
  await page.click('#ban-add');
  await page.locator('#bans-error:not([hidden])').waitFor({ timeout: TIMEOUT });
  assert.match(await page.locator('#bans-error').textContent(), /Could not ban 300\.1\.2\.3 \(.+\)/);
  // The browser logs the refused request itself; that one error is expected, nothing else
  const logged = consoleErrors.splice(errorsBefore);
  assert.deepEqual(logged.map((e) => /status of 400/.test(e)), [true], `console: ${logged}`);
  await page.mouse.move(0, 0);
  await page.locator('#bans').screenshot({ path: SCREENSHOT_BANS });
  step(`a CIDR range is banned, an invalid address explained; screenshot ${SCREENSHOT_BANS}`);

  await row.getByRole('button', { name: 'Lift the ban on Client id dash-e2e-banned' }).click();
  await row.waitFor({ state: 'detached', timeout: TIMEOUT });
  const back = await rawTcpClient('dash-e2e-banned');
  back.socket.destroy();
  const range = page.locator('#bans-body tr[data-value="203.0.113.0/24"]');
  await range.getByRole('button', { name: 'Lift the ban on Address 203.0.113.0/24' }).click();
  await range.waitFor({ state: 'detached', timeout: TIMEOUT });
  step('Lift removed both bans and the client connects again');
}

async function signInFlowAgainstBrokerThatRequiresAuthentication() {
  const page = await context.newPage();
  watchConsole(page, 'auth');
  await page.routeWebSocket(/\/mqtt$/, scriptedBroker);
  await page.route('**/api/me', (route) => {
    const header = route.request().headers().authorization;
    const user = header ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] : null;
    return route.fulfill({ json: user ? { user, roles: [] } : { roles: [] } });
  });
  await page.goto(BASE);
  await page.waitForSelector('#login[open]', { timeout: TIMEOUT });
  assert.equal(await page.locator('#connection').getAttribute('data-state'), 'auth');
  assert.equal(await page.locator('#login-reason').textContent(), 'This broker requires a user name and password.');
  step('CONNACK 5 (not authorized) opens the sign-in prompt');

  await page.fill('#login-user', 'operator');
  await page.fill('#login-password', 'wrong-horse');
  await page.click('#login-submit');
  await page.waitForSelector('#login[open] #login-error:not([hidden])', { timeout: TIMEOUT });
  assert.equal(await page.locator('#login-error').textContent(), 'Wrong user name or password.');
  assert.equal(await page.locator('#connection-state').textContent(), 'Sign-in required');
  step('CONNACK 4 (bad user name or password) shows the failure message');

  await page.fill('#login-password', 'correct-horse');
  await page.click('#login-submit');
  await page.waitForSelector('#connection[data-state="connected"]', { timeout: TIMEOUT });
  assert.equal(await page.locator('#login').evaluate((d) => d.open), false);
  assert.match(await page.locator('#account-user').textContent(), /^operator/);
  step('right credentials connect; the page shows the signed-in user');
  await page.close();
}

try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await dashboardAgainstServer();
  await signInFlowAgainstBrokerThatRequiresAuthentication();
  assert.deepEqual(consoleErrors, [], 'console errors');
  step('no console errors');
  console.log('DASHBOARD E2E PASSED');
} catch (error) {
  console.error(`DASHBOARD E2E FAILED: ${error.stack ?? error}`);
  if (consoleErrors.length > 0) {
    console.error(`console errors: ${consoleErrors.join(' | ')}`);
  }
  process.exitCode = 1;
} finally {
  children.forEach((child) => child.kill());
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

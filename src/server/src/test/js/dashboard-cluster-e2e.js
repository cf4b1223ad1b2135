// The dashboard's node view in headless Chromium against one node of a running FerryMQ cluster.
// ClusterIT (src/test/java/it) runs it; by hand, against a node whose HTTP port is 9080:
//   NODE_PATH=node_modules HTTP_PORT=9080 ADMIN_PASSWORD=... EXPECT_NODES=3 \
//   EXPECT_CLIENT=some-client EXPECT_CLIENT_NODE=127.0.0.1:5702 node src/test/js/dashboard-cluster-e2e.js
// It checks that an administrator sees every member in "Cluster nodes" and a client connected to
// another node in the clients table, with that node's address; it prints
// "DASHBOARD CLUSTER E2E PASSED" at the end and exits non-zero on any failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const HTTP_PORT = Number(process.env.HTTP_PORT ?? 9080);
const ADMIN_USER = process.env.ADMIN_USER ?? 'admin';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD;
const EXPECT_NODES = Number(process.env.EXPECT_NODES ?? 3);
const EXPECT_CLIENT = process.env.EXPECT_CLIENT;
const EXPECT_CLIENT_NODE = process.env.EXPECT_CLIENT_NODE;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = process.env.SCREENSHOT;
const TIMEOUT = 30_000;

assert.ok(ADMIN_PASSWORD, 'ADMIN_PASSWORD must name the password of the server\'s administrator');
assert.ok(EXPECT_CLIENT && EXPECT_CLIENT_NODE, 'EXPECT_CLIENT and EXPECT_CLIENT_NODE are required');

function step(text) {
  console.log(`[cluster-e2e] ${text}`);
}

const userDataDir = mkdtempSync(join(tmpdir(), 'ferrymq-cluster-e2e-'));
// as dashboard-e2e.js launches Debian's Chromium
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1440, height: 1100 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://localhost:${HTTP_PORT}/`);
  await page.waitForSelector('#connection[data-state="connected"]', { timeout: TIMEOUT });
  assert.equal(await page.locator('#nodes').isVisible(), false, 'the node list is for administrators');

  await page.click('#sign-in');
  await page.fill('#login-user', ADMIN_USER);
  await page.fill('#login-password', ADMIN_PASSWORD);
  await page.click('#login-submit');

  await page.waitForFunction((n) => document.querySelectorAll('#nodes-body tr').length === n,
    EXPECT_NODES, { timeout: TIMEOUT });
  const nodes = await page.locator('#nodes-body tr td.client-id').allTextContents();
  assert.equal(nodes.filter((text) => text.endsWith('(this node)')).length, 1, `one node is this one: ${nodes}`);
  assert.ok(nodes.some((text) => text.startsWith(EXPECT_CLIENT_NODE)), `${EXPECT_CLIENT_NODE} listed: ${nodes}`);
  step(`signed in: ${nodes.length} nodes listed (${nodes.join(', ')})`);

  assert.equal(await page.locator('#clients-node-col').isVisible(), true, 'node column shown in a cluster');
  const row = page.locator(`tr[data-client-id="${EXPECT_CLIENT}"]`);
  await row.waitFor({ timeout: TIMEOUT });
  assert.equal(await row.locator('td.node').textContent(), EXPECT_CLIENT_NODE,
    'the client is shown on the node it is connected to');
  assert.equal(await row.locator('button').count(), 0, 'a client of another node has no disconnect button here');
  assert.match(await row.getAttribute('title'), /open that node's dashboard/);
  step(`client ${EXPECT_CLIENT} shown on node ${EXPECT_CLIENT_NODE}`);

  if (SCREENSHOT) {
    await page.locator('#nodes').scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }
  assert.deepEqual(errors, [], 'no script errors on the page');
  console.log('DASHBOARD CLUSTER E2E PASSED');
} catch (error) {
  console.error(`DASHBOARD CLUSTER E2E FAILED: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

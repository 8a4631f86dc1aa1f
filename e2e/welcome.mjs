// The welcome flow as a Teams user sees it, in the Microsoft 365 Agents Playground (headless Chromium).
//
// 1. Open the playground and its Personal Chat with Rakel.
// 2. Type "hei": the bot answers with its welcome card ("Hei, jeg er Rakel 👋" + suggestion buttons).
//    Check the card's text and buttons are visible; screenshot -> out/welcome.png.
// 3. Click the card button "Mine saker" (Action.Submit with msteams imBack: Teams sends its value as
//    the user's message) and check the bot answers (its ticket list "Sakene dine", or "... kommer
//    snart ..." before that skill landed); -> out/after-click.png.
// 4. If that answer is a card with an Action.Execute button ("Oppdater"), click it: the playground sends
//    an adaptiveCard/action invoke, which the bot must answer with 200; -> out/after-refresh.png.
// Finally every activity in the playground's Log Panel must have a success status; its warnings are printed.
//
// Run by e2e/run.sh inside the loopback-only network namespace, with the bot and playground up.
// Environment: PLAYGROUND_URL (default http://127.0.0.1:56150), OUT_DIR (default e2e/out),
// E2E_STRICT_IMBACK=1 to fail instead of emulating an imBack the playground drops (see below).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PLAYGROUND_URL = process.env.PLAYGROUND_URL || 'http://127.0.0.1:56150';
const OUT_DIR = process.env.OUT_DIR || path.join(HERE, 'out');
const STRICT_IMBACK = process.env.E2E_STRICT_IMBACK === '1';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const WELCOME_HEADING = 'Hei, jeg er Rakel 👋';
const WELCOME_TEXTS = ['Jeg er IT-assistenten til ROR-IKT', 'Lage en sak', 'Skriv spørsmålet ditt med egne ord'];
const WELCOME_BUTTONS = ['Lag en sak', 'Mine saker'];
const CLICKED_BUTTON = 'Mine saker';
// Rakel's answer to "Mine saker": the ticket list card ("Sakene dine"), or, before that skill
// landed, "Mine saker kommer snart i Rakel ...".
const EXPECTED_ANSWERS = ['Sakene dine', 'kommer snart'];
const TIMEOUT_MS = 20_000;

mkdirSync(OUT_DIR, { recursive: true });
const log = (message) => console.log(`[welcome] ${message}`);

class CheckFailed extends Error {}
const check = (condition, message) => {
  if (!condition) throw new CheckFailed(message);
  log(`ok: ${message}`);
};

// What the playground reports on its two WebSocket streams: the Log Panel entries (each activity with
// the bot's status code, and the panel's warnings) and the messages as it received them (card JSON).
const logEntries = [];
const botMessages = [];
const pageErrors = [];

function onFrame(url, payload) {
  let data;
  try {
    data = JSON.parse(String(payload));
  } catch {
    return;
  }
  if (url.includes('/_ws/log/') && data.logAction === 'appendLog' && data.log) logEntries.push(data.log);
  if (url.includes('/_ws_conversation/') && data.action === 'createMessage' && data.message) botMessages.push(data.message);
}

/** Log Panel lines worth a human's attention: warnings/errors, and activities the bot answered with >= 400. */
function logPanelProblems() {
  const problems = [];
  for (const entry of logEntries) {
    const status = entry.response?.statusCode;
    if (entry.level && entry.level !== 'Info') problems.push(`${entry.level}: ${entry.displayText}`);
    else if (typeof status === 'number' && status >= 400) {
      problems.push(`${entry.from} -> ${entry.to} ${entry.activityName} ${status} ${JSON.stringify(entry.response?.body ?? '').slice(0, 200)}`);
    }
  }
  return problems;
}

/** The Log Panel as the user sees it, one line per entry. */
async function logPanelLines(page) {
  const text = await page.evaluate(() => document.body.innerText);
  const at = text.lastIndexOf('Log Panel');
  if (at < 0) return [];
  return text
    .slice(at + 'Log Panel'.length)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('Click on a log item'));
}

const SUSPICIOUS = /not supported|unknown|invalid|error|warning|fail|\b[45]\d\d\b/i;

/** The chat as rows, in order: {author: 'Rakel' | null (the user), text}. */
async function chatRows(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[aria-label="Message header"]')].map((header) => {
      const row = header.parentElement.parentElement;
      const author = row.querySelector('[aria-label="Message author"]');
      return { author: author ? author.innerText.trim() : null, text: row.innerText };
    }),
  );
}

/** Wait until, after row index `from`, the user said `said` and Rakel then answered with text containing `answer`. */
async function waitForExchange(page, from, said, answer, timeoutMs = TIMEOUT_MS) {
  const handle = await page.waitForFunction(
    ({ from, said, answer }) => {
      const rows = [...document.querySelectorAll('[aria-label="Message header"]')].map((header) => {
        const row = header.parentElement.parentElement;
        return { element: row, bot: !!row.querySelector('[aria-label="Message author"]'), text: row.innerText };
      });
      const asked = rows.findIndex((row, i) => i >= from && !row.bot && row.text.split('\n').some((line) => line.trim() === said));
      if (asked < 0) return null;
      const answers = Array.isArray(answer) ? answer : [answer];
      const answered = rows.findIndex((row, i) => i > asked && row.bot && answers.some((a) => row.text.includes(a)));
      if (answered < 0) return null;
      const element = rows[answered].element;
      element.setAttribute('data-e2e-answer', `${said}`);
      return true;
    },
    { from, said, answer },
    { timeout: timeoutMs, polling: 250 },
  );
  await handle.dispose();
  return page.locator(`[data-e2e-answer="${said}"]`).last();
}

/** Wait until the chat has not changed for `quietMs` (the install greeting has arrived, say). */
async function settle(page, quietMs = 1500, maxMs = 10_000) {
  const started = Date.now();
  let last = JSON.stringify(await chatRows(page));
  let since = Date.now();
  while (Date.now() - started < maxMs) {
    await page.waitForTimeout(250);
    const now = JSON.stringify(await chatRows(page));
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

async function send(page, text) {
  const compose = page.locator('[data-lexical-editor="true"]');
  await compose.click();
  await compose.pressSequentially(text);
  await compose.press('Enter');
}

/** The JSON of the card action titled `title` in the newest bot message that has it, as the playground got it. */
function cardAction(title) {
  for (const message of [...botMessages].reverse()) {
    for (const attachment of message.attachments ?? []) {
      const action = (attachment.content?.actions ?? []).find((a) => a.title === title);
      if (action) return action;
    }
  }
  return undefined;
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-default-apps',
    '--disable-domain-reliability',
    '--disable-sync',
    '--metrics-recording-only',
    '--no-first-run',
    '--no-pings',
  ],
});
let page;
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'nb-NO' });
  page = await context.newPage();
  page.on('websocket', (ws) => ws.on('framereceived', (frame) => onFrame(ws.url(), frame.payload)));
  page.on('pageerror', (error) => {
    pageErrors.push(String(error));
    log(`page error: ${String(error).slice(0, 300)}`);
  });

  // 1. The playground and the Personal Chat.
  log(`opening ${PLAYGROUND_URL}`);
  await page.goto(PLAYGROUND_URL, { waitUntil: 'domcontentloaded' });
  const personalChat = page.getByRole('treeitem', { name: 'Personal Chat' });
  await personalChat.waitFor({ timeout: TIMEOUT_MS });
  await personalChat.click();
  const compose = page.locator('[data-lexical-editor="true"]');
  await compose.waitFor({ timeout: TIMEOUT_MS });
  check(await compose.isVisible(), 'the Personal Chat is open and its compose box is visible');
  await settle(page); // the playground installs the app on load; Rakel may greet first

  // 2. "hei" -> the welcome card.
  const before = (await chatRows(page)).length;
  log('typing "hei"');
  await send(page, 'hei');
  const welcome = await waitForExchange(page, before, 'hei', WELCOME_HEADING);
  const card = welcome.locator('.ac-adaptiveCard').first();
  await card.waitFor({ timeout: TIMEOUT_MS });
  check(await card.isVisible(), 'Rakel answered "hei" with an Adaptive Card');
  check(await card.getByText(WELCOME_HEADING, { exact: true }).isVisible(), `the card's heading "${WELCOME_HEADING}" is visible`);
  const cardText = await card.innerText();
  for (const text of WELCOME_TEXTS) check(cardText.includes(text), `the card says "${text}"`);
  check(!cardText.includes('**'), 'the card shows its Markdown as formatting (no literal "**")');
  for (const title of WELCOME_BUTTONS) {
    check(await card.getByRole('button', { name: title, exact: true }).isVisible(), `the card button "${title}" is visible`);
  }
  await welcome.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUT_DIR, 'welcome.png') });
  log(`screenshot ${path.join(OUT_DIR, 'welcome.png')}`);

  // 3. Click "Mine saker" -> Rakel answers.
  const action = cardAction(CLICKED_BUTTON);
  check(action !== undefined, `the card JSON the playground received has an action "${CLICKED_BUTTON}"`);
  const imBackValue = action.type === 'Action.Submit' && action.data?.msteams?.type === 'imBack' ? action.data.msteams.value : undefined;
  const expectedText = imBackValue ?? CLICKED_BUTTON;
  const beforeClick = (await chatRows(page)).length;
  const errorsBeforeClick = pageErrors.length;
  log(`clicking the card button "${CLICKED_BUTTON}" (${action.type}${imBackValue ? `, imBack "${imBackValue}"` : ''})`);
  await card.getByRole('button', { name: CLICKED_BUTTON, exact: true }).click();
  let answer;
  try {
    answer = await waitForExchange(page, beforeClick, expectedText, EXPECTED_ANSWERS, 8_000);
    log('the click itself sent the message');
  } catch (error) {
    const dropped = pageErrors.slice(errorsBeforeClick).find((e) => e.includes('not extensible'));
    if (!(imBackValue && dropped)) throw error;
    // Known defect of @microsoft/m365agentsplayground 0.2.28: clicking an Action.Submit whose data has
    // "msteams" throws in the page ("Cannot add property msTeams, object is not extensible") and
    // sends nothing; with that fixed it would still send {value: {msteams: ...}} and no text, where
    // Teams sends the imBack value as the user's message. So do what Teams does for this click.
    const note = `the playground dropped the imBack click (page error: ${dropped.slice(0, 120)})`;
    if (STRICT_IMBACK) throw new CheckFailed(`${note}; E2E_STRICT_IMBACK=1`);
    log(`WORKAROUND: ${note}; sending "${imBackValue}" as the user's message, as Teams does for an imBack`);
    await send(page, imBackValue);
    answer = await waitForExchange(page, beforeClick, imBackValue, EXPECTED_ANSWERS);
  }
  const answerText = await answer.innerText();
  const answerLine = answerText.split('\n').find((line) => EXPECTED_ANSWERS.some((a) => line.includes(a)));
  check(await answer.isVisible(), `Rakel answered "${expectedText}": "${answerLine}"`);
  await answer.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUT_DIR, 'after-click.png') });
  log(`screenshot ${path.join(OUT_DIR, 'after-click.png')}`);

  // 4. An Action.Execute button on the answer card ("Oppdater"): an adaptiveCard/action invoke.
  const answerButtons = (await answer.locator('.ac-adaptiveCard').getByRole('button').allInnerTexts()).map((t) => t.trim());
  const executeTitle = answerButtons.find((title) => cardAction(title)?.type === 'Action.Execute');
  if (executeTitle) {
    const isInvoke = (entry) => entry.to === 'User Application' && /invoke|adaptiveCard/i.test(entry.activityName ?? '');
    const invokesBefore = logEntries.filter(isInvoke).length;
    log(`clicking the card button "${executeTitle}" (Action.Execute, verb "${cardAction(executeTitle).verb}")`);
    await answer.locator('.ac-adaptiveCard').getByRole('button', { name: executeTitle, exact: true }).click();
    const deadline = Date.now() + TIMEOUT_MS;
    while (logEntries.filter(isInvoke).length <= invokesBefore && Date.now() < deadline) await page.waitForTimeout(250);
    const invoke = logEntries.filter(isInvoke)[invokesBefore];
    check(invoke !== undefined, `the click sent an invoke to the bot`);
    const status = invoke.response?.statusCode;
    const invokeName = invoke.request?.body?.name ?? invoke.activityName;
    check(status === 200, `the bot answered the ${invokeName} invoke with ${status}`);
    log(`invoke response body: ${JSON.stringify(invoke.response?.body ?? null).slice(0, 400)}`);
    await page.waitForTimeout(1500); // the card is updated in place
    const afterRefresh = await answer.innerText();
    check(EXPECTED_ANSWERS.some((a) => afterRefresh.includes(a)), 'the card still shows the answer after the refresh');
    await answer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(OUT_DIR, 'after-refresh.png') });
    log(`screenshot ${path.join(OUT_DIR, 'after-refresh.png')}`);
  } else {
    log(`the answer has no Action.Execute button (buttons: ${JSON.stringify(answerButtons)}); no invoke to check`);
  }

  // The Log Panel: every activity reached the bot and got a success status.
  const panel = await logPanelLines(page);
  log('Log Panel:');
  for (const line of panel) console.log(`    ${line}`);
  const problems = [...logPanelProblems(), ...panel.filter((line) => SUSPICIOUS.test(line)).map((line) => `panel: ${line}`)];
  const botFailures = logEntries.filter((e) => e.to === 'User Application' && (e.response?.statusCode ?? 200) >= 400);
  for (const problem of problems) log(`WARNING from the Log Panel: ${problem}`);
  check(botFailures.length === 0, `the bot answered every activity with a success status (${logEntries.filter((e) => e.response).length} in the Log Panel)`);
} catch (error) {
  failed = true;
  console.error(`\n[welcome] FAILED: ${error instanceof CheckFailed ? error.message : error.stack || error}`);
  if (page) {
    try {
      await page.screenshot({ path: path.join(OUT_DIR, 'failure.png') });
      console.error(`[welcome] screenshot of the failure: ${path.join(OUT_DIR, 'failure.png')}`);
      console.error('\n[welcome] ---- visible page text (document.body.innerText) ----');
      console.error(await page.evaluate(() => document.body.innerText));
    } catch (inner) {
      console.error(`[welcome] (could not read the page: ${inner})`);
    }
  }
  for (const problem of logPanelProblems()) console.error(`[welcome] Log Panel: ${problem}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

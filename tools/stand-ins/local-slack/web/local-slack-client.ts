// The local Slack page: live channel and thread from the server's view, the message box, buttons, user picker.
import type { ActionResult, ChannelView, PageConfig, ViewMessage } from './view-types.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

const userPicker = $<HTMLSelectElement>('as-user');
const channelList = $('channel-messages');
const threadList = $('thread-messages');
const threadPane = document.querySelector<HTMLElement>('[data-pane="thread"]')!;
const composer = $<HTMLTextAreaElement>('composer');
const status = $('composer-status');
const dialog = $<HTMLDialogElement>('confirm-dialog');

let config: PageConfig;
let view: ChannelView = { user: '', parents: [], threads: {} };
let openThread: string | null = null;
let threadClosedByUser = false;
let source: EventSource | null = null;

const nameOf = (id: string): string => config.users.find((u) => u.id === id)?.name ?? id;

function say(text: string, failed = false): void {
  status.textContent = text;
  status.classList.toggle('failed', failed);
}

function describe(what: string, r: ActionResult): string {
  if (r.error) return `${what}: ${r.error}`;
  return `${what} — the bot answered ${r.status ?? '?'} in ${r.ms === null ? '?' : Math.round(r.ms)} ms`;
}

async function post(path: string, body: unknown): Promise<ActionResult> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as ActionResult;
}

/** One message as Slack lays it out: avatar, name, APP badge, time, body, "only visible to you", replies. */
function messageElement(m: ViewMessage, replies: ViewMessage[] | null): HTMLElement {
  const el = document.createElement('div');
  el.className = `msg${m.ephemeral ? ' ephemeral' : ''}`;
  el.dataset.ts = m.ts;
  const avatar = document.createElement('div');
  avatar.className = `avatar${m.bot ? ' bot' : ''}`;
  avatar.textContent = m.bot ? 'ka' : m.author.slice(0, 1);
  const main = document.createElement('div');
  main.className = 'msg-main';
  const meta = document.createElement('div');
  meta.className = 'msg-meta';
  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = m.author;
  meta.append(author);
  if (m.bot)
    meta.append(
      Object.assign(document.createElement('span'), { className: 'app-badge', textContent: 'APP' }),
    );
  meta.append(
    Object.assign(document.createElement('span'), { className: 'time', textContent: `${m.time} UTC` }),
  );
  if (m.edited)
    meta.append(
      Object.assign(document.createElement('span'), { className: 'edited', textContent: '(edited)' }),
    );
  const body = document.createElement('div');
  body.className = 'msg-body';
  // Built on the server by escaping every piece of text (render-blocks.ts, render-mrkdwn.ts).
  body.innerHTML = m.html;
  main.append(meta, body);
  if (m.ephemeral)
    main.append(
      Object.assign(document.createElement('div'), {
        className: 'ephemeral-note',
        textContent: 'Only visible to you',
      }),
    );
  if (replies && replies.length > 0) {
    const link = document.createElement('button');
    link.type = 'button';
    link.className = 'reply-count';
    link.dataset.thread = m.ts;
    link.textContent = `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`;
    main.append(link);
  }
  el.append(avatar, main);
  return el;
}

/** Replaces a list's children, keeping each unchanged message element (and the scroll position). */
function renderList(
  list: HTMLElement,
  messages: Array<{ m: ViewMessage; replies: ViewMessage[] | null }>,
): void {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const old = new Map([...list.querySelectorAll<HTMLElement>('.msg')].map((e) => [e.dataset.ts, e]));
  const next = messages.map(({ m, replies }) => {
    const key = JSON.stringify([m, replies?.length ?? 0]);
    const existing = old.get(m.ts);
    if (existing && existing.dataset.key === key) return existing;
    const el = messageElement(m, replies);
    el.dataset.key = key;
    return el;
  });
  list.replaceChildren(...next);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function render(): void {
  renderList(
    channelList,
    view.parents.map((m) => ({ m, replies: view.threads[m.ts] ?? [] })),
  );
  if (!openThread && !threadClosedByUser)
    openThread = [...view.parents].reverse().find((p) => (view.threads[p.ts] ?? []).length > 0)?.ts ?? null;
  const parent = view.parents.find((p) => p.ts === openThread);
  threadPane.hidden = !parent;
  if (!parent) return;
  renderList(threadList, [
    { m: parent, replies: null },
    ...(view.threads[parent.ts] ?? []).map((m) => ({ m, replies: null })),
  ]);
}

function connect(): void {
  source?.close();
  view = { user: userPicker.value, parents: [], threads: {} };
  channelList.replaceChildren();
  threadList.replaceChildren();
  source = new EventSource(`/local/events?user=${encodeURIComponent(userPicker.value)}`);
  source.onmessage = (e: MessageEvent<string>) => {
    view = JSON.parse(e.data) as ChannelView;
    render();
    // Tells a driver (and a curious reader) whose view is on screen.
    document.body.dataset.user = view.user;
  };
}

async function send(): Promise<void> {
  const text = composer.value.trim();
  if (!text) return;
  const who = nameOf(userPicker.value);
  say(`Sending as ${who}: ${text}`);
  const r = await post('/local/command', { user: userPicker.value, text });
  say(describe(`${who}: ${text}`, r), r.error !== null);
  if (!r.error) composer.value = '';
}

function confirmFirst(button: HTMLButtonElement): Promise<boolean> {
  const spec = button.dataset.confirm;
  if (!spec) return Promise.resolve(true);
  const c = JSON.parse(spec) as { title: string; text: string; confirm: string; deny: string };
  dialog.querySelector('.confirm-title')!.textContent = c.title;
  dialog.querySelector('.confirm-text')!.textContent = c.text;
  dialog.querySelector('.confirm-ok')!.textContent = c.confirm;
  dialog.querySelector('.confirm-deny')!.textContent = c.deny;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.showModal();
  });
}

async function clickButton(button: HTMLButtonElement): Promise<void> {
  const message = button.closest<HTMLElement>('.msg');
  if (!message?.dataset.ts || !(await confirmFirst(button))) return;
  const label = button.textContent ?? '';
  const who = nameOf(userPicker.value);
  button.disabled = true;
  say(`${who} clicked ${label}…`);
  const r = await post('/local/click', {
    user: userPicker.value,
    messageTs: message.dataset.ts,
    actionId: button.dataset.actionId ?? '',
    blockId: button.dataset.blockId ?? '',
    value: button.dataset.value ?? '',
    buttonText: label,
  }).finally(() => (button.disabled = false));
  say(describe(`${who} clicked ${label}`, r), r.error !== null);
}

document.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const button = target.closest<HTMLButtonElement>('button.bk-btn[data-action-id]');
  if (button) void clickButton(button);
  const replies = target.closest<HTMLElement>('button.reply-count');
  if (replies?.dataset.thread) {
    openThread = replies.dataset.thread;
    render();
  }
});
$('close-thread').addEventListener('click', () => {
  openThread = null;
  threadClosedByUser = true;
  render();
});
$('composer-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void send();
});
composer.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    void send();
  }
});
userPicker.addEventListener('change', connect);

async function start(): Promise<void> {
  config = (await (await fetch('/local/config')).json()) as PageConfig;
  for (const id of ['workspace-name', 'workspace-title']) $(id).textContent = config.workspace;
  for (const id of ['channel-name', 'sidebar-channel', 'thread-channel'])
    $(id).textContent = config.channel.name;
  $('sidebar-bot').textContent = config.botName;
  composer.placeholder = `Message #${config.channel.name} — try /autofix deployment/web -n shop`;
  for (const u of config.users) userPicker.append(new Option(`${u.name} (${u.role})`, u.id));
  const query = new URLSearchParams(location.search);
  openThread = query.get('thread');
  const wanted = query.get('as');
  if (wanted && config.users.some((u) => u.id === wanted)) userPicker.value = wanted;
  connect();
}

void start();

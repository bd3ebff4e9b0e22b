// Block Kit → escaped HTML as Slack lays it out: header, section (text, fields, accessory), context, divider, actions.
import { SafeHtml, markup, joinHtml } from './html.js';
import { renderMrkdwn, type MrkdwnOptions } from './render-mrkdwn.js';
import { plainWithEmoji } from './slack-emoji.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A text object: mrkdwn rendered, plain_text escaped (with emoji codes replaced). */
export function renderTextObject(t: unknown, opts: MrkdwnOptions): SafeHtml {
  if (!isObject(t)) return new SafeHtml('');
  if (t.type === 'mrkdwn') return renderMrkdwn(str(t.text), opts);
  return t.emoji === false ? markup`${str(t.text)}` : plainWithEmoji(str(t.text));
}

/** The confirm dialog a button asks first, as data the page reads (title, text, confirm, deny). */
function confirmAttr(confirm: unknown): string | null {
  if (!isObject(confirm)) return null;
  const plain = (v: unknown): string => (isObject(v) ? str(v.text) : '');
  return JSON.stringify({
    title: plain(confirm.title),
    text: plain(confirm.text),
    confirm: plain(confirm.confirm) || 'Yes',
    deny: plain(confirm.deny) || 'Cancel',
  });
}

function renderButton(el: Json, blockId: string, opts: MrkdwnOptions): SafeHtml {
  const style = el.style === 'primary' || el.style === 'danger' ? el.style : 'default';
  const label = renderTextObject(el.text, opts);
  const url = str(el.url);
  if (/^https?:/i.test(url))
    return markup`<a class="bk-btn ${style}" href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>`;
  const data = markup`data-action-id="${str(el.action_id)}" data-block-id="${blockId}" data-value="${str(el.value)}"`;
  const confirm = confirmAttr(el.confirm) ?? '';
  return markup`<button type="button" class="bk-btn ${style}" ${data} data-confirm="${confirm}">${label}</button>`;
}

function renderElement(el: unknown, blockId: string, opts: MrkdwnOptions): SafeHtml {
  if (!isObject(el)) return new SafeHtml('');
  if (el.type === 'button') return renderButton(el, blockId, opts);
  if (el.type === 'image')
    return markup`<span class="bk-image" title="${str(el.image_url)}">[${str(el.alt_text)}]</span>`;
  if (el.type === 'mrkdwn' || el.type === 'plain_text') return renderTextObject(el, opts);
  return markup`<span class="bk-unsupported">[${str(el.type)} not shown by the local Slack]</span>`;
}

function renderSection(b: Json, opts: MrkdwnOptions): SafeHtml {
  const text =
    b.text === undefined ? null : markup`<div class="bk-text">${renderTextObject(b.text, opts)}</div>`;
  const fields = Array.isArray(b.fields)
    ? markup`<div class="bk-fields">${b.fields.map((f) => markup`<div class="bk-field">${renderTextObject(f, opts)}</div>`)}</div>`
    : null;
  const accessory = isObject(b.accessory)
    ? markup`<div class="bk-accessory">${renderElement(b.accessory, str(b.block_id), opts)}</div>`
    : null;
  return markup`<div class="bk-section"><div class="bk-section-body">${text}${fields}</div>${accessory}</div>`;
}

function renderBlock(b: unknown, opts: MrkdwnOptions): SafeHtml {
  if (!isObject(b)) return new SafeHtml('');
  const blockId = str(b.block_id);
  const elements = Array.isArray(b.elements) ? b.elements : [];
  switch (b.type) {
    case 'header':
      return markup`<div class="bk-header">${renderTextObject(b.text, opts)}</div>`;
    case 'section':
      return renderSection(b, opts);
    case 'context':
      return markup`<div class="bk-context">${elements.map((e) => markup`<span class="bk-context-el">${renderElement(e, blockId, opts)}</span>`)}</div>`;
    case 'divider':
      return markup`<hr class="bk-divider">`;
    case 'actions':
      return markup`<div class="bk-actions" data-block-id="${blockId}">${elements.map((e) => renderElement(e, blockId, opts))}</div>`;
    case 'markdown':
      return markup`<div class="bk-text">${renderMrkdwn(str(b.text), opts)}</div>`;
    case 'image':
      return markup`<div class="bk-image">[image: ${str(b.alt_text)}]</div>`;
    default:
      return markup`<div class="bk-unsupported">[${str(b.type)} block not shown by the local Slack]</div>`;
  }
}

/** A message body: its blocks, or (without blocks) its text as mrkdwn, as Slack shows it. */
export function renderMessageBody(
  m: { text: string; blocks: unknown[] },
  opts: MrkdwnOptions = {},
): SafeHtml {
  if (m.blocks.length === 0) return markup`<div class="bk-text">${renderMrkdwn(m.text, opts)}</div>`;
  return joinHtml(m.blocks.map((b) => renderBlock(b, opts)));
}

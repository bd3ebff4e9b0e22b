// Slack's Block Kit limits as the Web API enforces them, written independently of src/slack so tests cross-check.

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const TEXT_TYPES = new Set(['plain_text', 'mrkdwn']);
const KNOWN = new Set([
  'section',
  'header',
  'context',
  'actions',
  'divider',
  'image',
  'rich_text',
  'markdown',
  'input',
]);

function textProblems(text: unknown, at: string, max: number, plainOnly = false): string[] {
  if (!isObject(text) || typeof text.type !== 'string' || !TEXT_TYPES.has(text.type)) {
    return [`must be a text object [json-pointer:${at}]`];
  }
  if (plainOnly && text.type !== 'plain_text') return [`must be plain_text [json-pointer:${at}/type]`];
  if (typeof text.text !== 'string' || text.text.length === 0) {
    return [`must be more than 0 characters [json-pointer:${at}/text]`];
  }
  if (text.text.length > max) return [`must be less than ${max + 1} characters [json-pointer:${at}/text]`];
  return [];
}

function buttonProblems(el: Json, at: string, actionIds: Set<string>): string[] {
  const problems = textProblems(el.text, `${at}/text`, 75, true);
  if (typeof el.action_id === 'string') {
    if (el.action_id.length > 255)
      problems.push(`must be less than 256 characters [json-pointer:${at}/action_id]`);
    if (actionIds.has(el.action_id)) problems.push(`action_id already exists [json-pointer:${at}/action_id]`);
    actionIds.add(el.action_id);
  }
  if (el.value !== undefined && (typeof el.value !== 'string' || el.value.length > 2000)) {
    problems.push(`must be less than 2001 characters [json-pointer:${at}/value]`);
  }
  if (el.url !== undefined && (typeof el.url !== 'string' || el.url.length > 3000)) {
    problems.push(`must be less than 3001 characters [json-pointer:${at}/url]`);
  }
  if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
    problems.push(`must be one of primary, danger [json-pointer:${at}/style]`);
  }
  return problems;
}

function sectionProblems(b: Json, at: string): string[] {
  if (b.text === undefined && b.fields === undefined)
    return [`must provide text or fields [json-pointer:${at}]`];
  const problems = b.text === undefined ? [] : textProblems(b.text, `${at}/text`, 3000);
  if (b.fields !== undefined) {
    if (!Array.isArray(b.fields) || b.fields.length > 10)
      problems.push(`must be less than 11 items [json-pointer:${at}/fields]`);
    else b.fields.forEach((f, i) => problems.push(...textProblems(f, `${at}/fields/${i}`, 2000)));
  }
  return problems;
}

function contextProblems(b: Json, at: string): string[] {
  if (!Array.isArray(b.elements) || b.elements.length === 0)
    return [`must have elements [json-pointer:${at}/elements]`];
  if (b.elements.length > 10) return [`must be less than 11 items [json-pointer:${at}/elements]`];
  return b.elements.flatMap((e: unknown, i) =>
    isObject(e) && e.type === 'image' ? [] : textProblems(e, `${at}/elements/${i}`, 3000),
  );
}

/** action_ids must be unique within their block. */
function actionsProblems(b: Json, at: string): string[] {
  const actionIds = new Set<string>();
  if (!Array.isArray(b.elements) || b.elements.length === 0)
    return [`must have elements [json-pointer:${at}/elements]`];
  if (b.elements.length > 25) return [`must be less than 26 items [json-pointer:${at}/elements]`];
  return b.elements.flatMap((e: unknown, i) => {
    const where = `${at}/elements/${i}`;
    if (!isObject(e)) return [`must be an object [json-pointer:${where}]`];
    return e.type === 'button' ? buttonProblems(e, where, actionIds) : [];
  });
}

function blockProblems(b: unknown, at: string, ids: Set<string>): string[] {
  if (!isObject(b) || typeof b.type !== 'string')
    return [`must be an object with a type [json-pointer:${at}]`];
  if (!KNOWN.has(b.type)) return [`unsupported type: ${b.type} [json-pointer:${at}/type]`];
  const problems: string[] = [];
  if (b.block_id !== undefined) {
    if (typeof b.block_id !== 'string' || b.block_id.length > 255) {
      problems.push(`must be less than 256 characters [json-pointer:${at}/block_id]`);
    } else if (ids.has(b.block_id)) problems.push(`block_id already exists [json-pointer:${at}/block_id]`);
    else ids.add(b.block_id);
  }
  if (b.type === 'section') problems.push(...sectionProblems(b, at));
  if (b.type === 'header') problems.push(...textProblems(b.text, `${at}/text`, 150, true));
  if (b.type === 'context') problems.push(...contextProblems(b, at));
  if (b.type === 'actions') problems.push(...actionsProblems(b, at));
  return problems;
}

/** Problems Slack would report as `invalid_blocks`; empty when the blocks are acceptable. */
export function slackBlockProblems(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ['must be an array [json-pointer:/blocks]'];
  if (blocks.length > 50) return ['must be less than 51 items [json-pointer:/blocks]'];
  const ids = new Set<string>();
  return blocks.flatMap((b, i) => blockProblems(b, `/blocks/${i}`, ids));
}

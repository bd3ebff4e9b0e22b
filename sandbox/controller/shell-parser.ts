// Parses `sh -c` scripts into a small AST: lists, and-or chains, pipelines, loops, if/for, redirections.

export type Part = { quote: 'none' | 'single' | 'double'; text: string };
type Token = { kind: 'word'; parts: Part[]; line: number } | { kind: 'op'; op: string; line: number };
export interface Simple {
  kind: 'simple';
  words: Part[][];
  line: number;
  stdout: 'keep' | 'drop' | 'stderr';
  stderr: 'keep' | 'drop';
}
export type Command =
  | Simple
  | { kind: 'loop'; until: boolean; cond: AndOr[]; body: AndOr[] }
  | { kind: 'for'; name: string; items: Part[][]; body: AndOr[] }
  | { kind: 'if'; branches: { cond: AndOr[]; body: AndOr[] }[]; otherwise: AndOr[] }
  | { kind: 'group'; body: AndOr[] };
export interface AndOr {
  first: Command[];
  rest: { op: '&&' | '||'; pipeline: Command[] }[];
  background: boolean;
}

const RESERVED = new Set(['do', 'done', 'then', 'else', 'elif', 'fi', '}']);

function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < script.length) {
    const c = script[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\\' && script[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (c === '#') {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    if (c === '\n') {
      tokens.push({ kind: 'op', op: ';', line });
      line++;
      i++;
      continue;
    }
    const op = /^(&&|\|\||2>&1|[12]?>>?&?[12]?|&>|<|;;|[;|&()])/.exec(script.slice(i))?.[0];
    if (op !== undefined) {
      tokens.push({ kind: 'op', op, line });
      i += op.length;
      continue;
    }
    const parts: Part[] = [];
    while (i < script.length && !/[\s;&|()<>]/.test(script[i]!)) {
      const ch = script[i]!;
      if (ch === "'") {
        const end = script.indexOf("'", i + 1);
        parts.push({ quote: 'single', text: script.slice(i + 1, end < 0 ? undefined : end) });
        i = end < 0 ? script.length : end + 1;
      } else if (ch === '"') {
        let text = '';
        for (i++; i < script.length && script[i] !== '"'; i++)
          text += script[i] === '\\' && /["\\$`]/.test(script[i + 1] ?? '') ? script[++i] : script[i];
        parts.push({ quote: 'double', text });
        i++;
      } else {
        const text = ch === '\\' ? (script[++i] ?? '') : ch;
        const last = parts.at(-1);
        if (last?.quote === 'none') last.text += text;
        else parts.push({ quote: 'none', text });
        i++;
      }
    }
    tokens.push({ kind: 'word', parts, line });
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}
  private peekWord(): string | undefined {
    const t = this.tokens[this.pos];
    return t?.kind === 'word' && t.parts.length === 1 && t.parts[0]!.quote === 'none'
      ? t.parts[0]!.text
      : undefined;
  }
  private isOp(op: string): boolean {
    const t = this.tokens[this.pos];
    return t?.kind === 'op' && t.op === op;
  }
  private expectWord(word: string): void {
    if (this.peekWord() === word) this.pos++;
  }
  list(stop: Set<string>): AndOr[] {
    const items: AndOr[] = [];
    while (this.pos < this.tokens.length) {
      if (this.isOp(';') || this.isOp(';;')) {
        this.pos++;
        continue;
      }
      if (this.isOp(')')) break;
      const word = this.peekWord();
      if (word !== undefined && stop.has(word)) break;
      const item: AndOr = { first: this.pipeline(), rest: [], background: false };
      while (this.isOp('&&') || this.isOp('||')) {
        const op = (this.tokens[this.pos++] as { op: '&&' | '||' }).op;
        while (this.isOp(';')) this.pos++;
        item.rest.push({ op, pipeline: this.pipeline() });
      }
      if (this.isOp('&')) {
        item.background = true;
        this.pos++;
      }
      items.push(item);
    }
    return items;
  }
  private pipeline(): Command[] {
    const cmds = [this.command()];
    while (this.isOp('|')) {
      this.pos++;
      cmds.push(this.command());
    }
    return cmds;
  }
  private command(): Command {
    const word = this.peekWord();
    if (word === 'while' || word === 'until') {
      this.pos++;
      const cond = this.list(new Set(['do']));
      this.expectWord('do');
      const body = this.list(new Set(['done']));
      this.expectWord('done');
      return { kind: 'loop', until: word === 'until', cond, body };
    }
    if (word === 'for') {
      this.pos++;
      const name = this.peekWord() ?? '_';
      this.pos++;
      const items: Part[][] = [];
      if (this.peekWord() === 'in')
        for (this.pos++; this.tokens[this.pos]?.kind === 'word'; this.pos++)
          items.push((this.tokens[this.pos] as { parts: Part[] }).parts);
      while (this.isOp(';')) this.pos++;
      this.expectWord('do');
      const body = this.list(new Set(['done']));
      this.expectWord('done');
      return { kind: 'for', name, items, body };
    }
    if (word === 'if') {
      const branches: { cond: AndOr[]; body: AndOr[] }[] = [];
      let otherwise: AndOr[] = [];
      while (this.peekWord() === 'if' || this.peekWord() === 'elif') {
        this.pos++;
        const cond = this.list(new Set(['then']));
        this.expectWord('then');
        branches.push({ cond, body: this.list(new Set(['elif', 'else', 'fi'])) });
      }
      if (this.peekWord() === 'else') {
        this.pos++;
        otherwise = this.list(new Set(['fi']));
      }
      this.expectWord('fi');
      return { kind: 'if', branches, otherwise };
    }
    if (word === '{') {
      this.pos++;
      const body = this.list(new Set(['}']));
      this.expectWord('}');
      return { kind: 'group', body };
    }
    if (this.isOp('(')) {
      this.pos++;
      const body = this.list(new Set());
      if (this.isOp(')')) this.pos++;
      return { kind: 'group', body };
    }
    const simple: Simple = {
      kind: 'simple',
      words: [],
      line: this.tokens[this.pos]?.line ?? 1,
      stdout: 'keep',
      stderr: 'keep',
    };
    for (;;) {
      const t = this.tokens[this.pos];
      if (t === undefined) break;
      if (t.kind === 'op') {
        if (!/[<>]/.test(t.op)) break;
        this.pos++;
        if (t.op === '2>&1' || t.op === '<') {
          if (t.op === '<') this.pos++;
          continue;
        }
        if (/^1?>&2$/.test(t.op)) {
          simple.stdout = 'stderr';
          continue;
        }
        this.pos++; // the redirection target
        if (t.op.startsWith('2')) simple.stderr = 'drop';
        else simple.stdout = 'drop';
        if (t.op === '&>') simple.stderr = 'drop';
        continue;
      }
      if (simple.words.length === 0 && RESERVED.has(this.peekWord() ?? '')) break;
      simple.words.push(t.parts);
      this.pos++;
    }
    return simple;
  }
}

/** The script as a list of and-or chains. */
export function parseScript(script: string): AndOr[] {
  return new Parser(tokenize(script)).list(new Set());
}

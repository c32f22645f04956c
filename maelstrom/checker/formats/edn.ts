// A minimal EDN reader: enough for Jepsen/knossos histories. Whitespace includes commas; `;`
// starts a comment to the end of the line; lists (...) and vectors [...] both become arrays;
// maps {...}; sets #{...}; keywords :k; symbols (nil/true/false are literals); strings with the
// usual escapes; integers and decimals. Tagged literals and other reader macros are rejected.

export class EdnKeyword {
  constructor(readonly name: string) {}
}
export class EdnSymbol {
  constructor(readonly name: string) {}
}
export class EdnMap {
  constructor(readonly entries: ReadonlyArray<readonly [EdnValue, EdnValue]>) {}
  /** The value under keyword `:name`, undefined when absent. */
  get(keywordName: string): EdnValue | undefined {
    for (const [k, v] of this.entries) if (k instanceof EdnKeyword && k.name === keywordName) return v;
    return undefined;
  }
}
export class EdnSet {
  constructor(readonly items: readonly EdnValue[]) {}
}
export type EdnValue = null | boolean | number | string | EdnKeyword | EdnSymbol | EdnMap | EdnSet | EdnValue[];

export class EdnError extends Error {}

const DELIMITERS = new Set(['(', ')', '[', ']', '{', '}', '"', ';']);

/** Reads every top-level form of `text`. */
export function readAllEdn(text: string): EdnValue[] {
  const reader = new EdnReader(text);
  const forms: EdnValue[] = [];
  for (;;) {
    reader.skipSpace();
    if (reader.atEnd()) return forms;
    forms.push(reader.readForm());
  }
}

class EdnReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === ';') {
        while (this.pos < text.length && text[this.pos] !== '\n') this.pos++;
      } else if (c === ',' || /\s/.test(c)) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  readForm(): EdnValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) throw this.error('unexpected end of input');
    switch (c) {
      case '(':
        this.pos++;
        return this.readSequence(')');
      case '[':
        this.pos++;
        return this.readSequence(']');
      case '{': {
        this.pos++;
        const items = this.readSequence('}');
        if (items.length % 2 !== 0) throw this.error('a map needs an even number of forms');
        const entries: [EdnValue, EdnValue][] = [];
        for (let i = 0; i < items.length; i += 2) entries.push([items[i]!, items[i + 1]!]);
        return new EdnMap(entries);
      }
      case '#':
        if (this.text[this.pos + 1] === '{') {
          this.pos += 2;
          return new EdnSet(this.readSequence('}'));
        }
        throw this.error('tagged literals and reader macros are not supported');
      case '"':
        return this.readString();
      case ')':
      case ']':
      case '}':
        throw this.error(`unexpected '${c}'`);
      default:
        return this.readAtom();
    }
  }

  private readSequence(close: string): EdnValue[] {
    const items: EdnValue[] = [];
    for (;;) {
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === undefined) throw this.error(`missing '${close}'`);
      if (c === close) {
        this.pos++;
        return items;
      }
      items.push(this.readForm());
    }
  }

  private readString(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) {
        this.pos = start;
        throw this.error('unterminated string');
      }
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const escaped = this.text[this.pos++];
      switch (escaped) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case 'u': {
          const hex = this.text.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.error('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          throw this.error(`unknown escape \\${escaped ?? ''}`);
      }
    }
  }

  private readAtom(): EdnValue {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === ',' || /\s/.test(c) || DELIMITERS.has(c)) break;
      this.pos++;
    }
    const token = this.text.slice(start, this.pos);
    if (token.startsWith(':')) {
      if (token.length === 1) throw this.error('empty keyword');
      return new EdnKeyword(token.slice(1));
    }
    if (/^[+-]?\d+N?$/.test(token)) return Number(token.replace(/N$/, ''));
    if (/^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?M?$/.test(token)) return Number(token.replace(/M$/, ''));
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    return new EdnSymbol(token);
  }

  private error(message: string): EdnError {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    return new EdnError(`EDN: ${message} at line ${line}, column ${column}`);
  }
}

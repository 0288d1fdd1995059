/**
 * The parser of Go's text/template: actions, pipelines, variables, `if`/`else if`/`else`, `range`
 * (with `break` and `continue`), `with`/`else with`. Like Go it checks at parse time that every
 * function exists and every variable is declared. `define`, `template` and `block` are refused.
 */
import type { Arg, Command, Node, Pipe, Span } from './ast.ts';
import { templateError } from './errors.ts';
import { type Token, type TokenType, tokenize } from './lexer.ts';
import { parseNumberLiteral, unquoteString } from './literals.ts';

/** What the parser needs to know about functions. */
export interface FunctionCatalog {
  has(name: string): boolean;
  /** Why a name that is not a function is refused, with the error code to use. */
  refusal(name: string): { message: string; code: 'INVALID_MANIFEST' | 'UNSUPPORTED' };
}

type Marker = { kind: 'end' } | { kind: 'else'; pos: number };

/** Nesting deeper than this (parentheses, control structures) is refused rather than recursed into. */
const MAX_DEPTH = 100;

const OPERAND_START = new Set<TokenType>([
  'bool',
  'charConstant',
  'dot',
  'field',
  'identifier',
  'number',
  'rawString',
  'string',
  'variable',
  'leftParen',
]);

export function parseTemplate(source: string, name: string, functions: FunctionCatalog): Node[] {
  return new Parser(source, name, functions).parse();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly name: string,
    private readonly functions: FunctionCatalog,
  ) {
    this.tokens = tokenize(source);
  }

  parse(): Node[] {
    const nodes: Node[] = [];
    while (this.peek().type !== 'eof') {
      const n = this.textOrAction();
      if (n === undefined) continue;
      if ('kind' in n && (n.kind === 'end' || n.kind === 'else')) {
        this.fail(this.peek().pos, `unexpected {{${n.kind}}}`);
      }
      nodes.push(n as Node);
    }
    return nodes;
  }

  private fail(pos: number, message: string): never {
    throw templateError(this.name, this.source, pos, message);
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  /** The next token; a lexing error is reported once the parser reaches it. */
  private peek(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
    if (t.type === 'error') this.fail(t.pos, t.value);
    return t;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }

  /** Skips spaces without consuming the token after them. */
  private skipSpace(): void {
    while (this.peek().type === 'space') this.next();
  }

  private unexpected(t: Token, context: string): never {
    const shown =
      t.type === 'eof' ? 'EOF' : JSON.stringify(t.value.length > 10 ? `${t.value.slice(0, 10)}...` : t.value);
    this.fail(t.pos, `unexpected ${shown} in ${context}`);
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_DEPTH) this.fail(pos, `nesting deeper than ${MAX_DEPTH} levels`);
  }

  private textOrAction(): Node | Marker | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text':
        return { kind: 'text', text: t.value };
      case 'comment':
        return undefined;
      case 'leftDelim':
        return this.action();
      default:
        return this.unexpected(t, 'input');
    }
  }

  private action(): Node | Marker {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.value) {
        case 'if':
        case 'with':
        case 'range':
          return this.control(t.value, t.pos);
        case 'else':
          return this.elseControl(t.pos);
        case 'end':
          this.expectRightDelim('end');
          return { kind: 'end' };
        case 'break':
        case 'continue':
          this.expectRightDelim(`{{${t.value}}}`);
          if (this.rangeDepth === 0) this.fail(t.pos, `{{${t.value}}} outside {{range}}`);
          return { kind: t.value, span: { start: t.pos, end: t.pos + t.value.length } };
        case 'define':
        case 'template':
        case 'block':
          throw templateError(
            this.name,
            this.source,
            t.pos,
            `{{${t.value}}} is not supported by Impulse: a template here is a single text, with no named templates`,
            'UNSUPPORTED',
          );
      }
    }
    this.i--;
    const start = this.peekNonSpace().pos;
    const pipe = this.pipeline('command', 'rightDelim');
    return { kind: 'action', span: { start, end: pipe.span.end }, pipe };
  }

  private expectRightDelim(context: string): void {
    const t = this.nextNonSpace();
    if (t.type !== 'rightDelim') this.unexpected(t, context);
  }

  private elseControl(pos: number): Marker {
    const peek = this.peekNonSpace();
    // `else if` and `else with` leave the keyword for the enclosing control to read.
    if (peek.type === 'keyword' && (peek.value === 'if' || peek.value === 'with')) {
      this.skipSpace();
      return { kind: 'else', pos };
    }
    this.expectRightDelim('else');
    return { kind: 'else', pos };
  }

  private control(context: 'if' | 'with' | 'range', pos: number): Node {
    this.enter(pos);
    const mark = this.vars.length;
    const pipe = this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (context === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (next.kind === 'else') {
      const peek = this.peek();
      if ((context === 'if' || context === 'with') && peek.type === 'keyword' && peek.value === context) {
        const nested = this.next();
        elseList = [this.control(context, nested.pos)];
      } else {
        const [list2, end] = this.itemList();
        if (end.kind !== 'end') this.fail(end.pos, 'expected end; found {{else}}');
        elseList = list2;
      }
    }
    this.vars.length = mark;
    this.depth--;
    const span: Span = { start: pos, end: pipe.span.end };
    return { kind: context, span, pipe, list, ...(elseList ? { elseList } : {}) };
  }

  private itemList(): [Node[], Marker] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n === undefined) continue;
      if (n.kind === 'end' || n.kind === 'else') return [list, n as Marker];
      list.push(n as Node);
    }
    return this.fail(this.source.length, 'unexpected EOF');
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipe {
    const start = this.peekNonSpace().pos;
    const pipe: Pipe = { span: { start, end: start }, decl: [], isAssign: false, cmds: [] };
    for (;;) {
      const save = this.i;
      const v = this.nextNonSpace();
      if (v.type !== 'variable') {
        this.i = save;
        break;
      }
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        // Go finds an assignment to an undeclared variable only when it runs; here it is found now.
        if (pipe.isAssign && !this.vars.includes(v.value))
          this.fail(v.pos, `undefined variable "${v.value}"`);
        this.nextNonSpace();
        pipe.decl.push(v.value);
        if (!pipe.isAssign) this.vars.push(v.value);
        break;
      }
      if (next.type === 'char' && next.value === ',') {
        this.nextNonSpace();
        pipe.decl.push(v.value);
        this.vars.push(v.value);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === 'variable' || after === 'rightDelim' || after === 'rightParen') continue;
          this.fail(v.pos, 'range can only initialize variables');
        }
        this.fail(v.pos, `too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        pipe.span.end = t.pos;
        this.checkPipeline(pipe, context, t.pos);
        return pipe;
      }
      if (OPERAND_START.has(t.type) || (t.type === 'keyword' && t.value === 'nil')) {
        this.i--;
        pipe.cmds.push(this.command());
        continue;
      }
      this.unexpected(t, context);
    }
  }

  private checkPipeline(pipe: Pipe, context: string, pos: number): void {
    if (pipe.cmds.length === 0) this.fail(pos, `missing value for ${context}`);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      const first = cmd.args[0]!;
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(first.kind)) {
        this.fail(first.span.start, `non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): Command {
    const args: Arg[] = [];
    const start = this.peekNonSpace().pos;
    for (;;) {
      this.skipSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.i--;
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (args.length === 0) this.fail(start, 'empty command');
    return { span: { start, end: args[args.length - 1]!.span.end }, args };
  }

  private operand(): Arg | undefined {
    const node = this.term();
    if (!node || this.peek().type !== 'field') return node;
    const fields: string[] = [];
    let end = node.span.end;
    while (this.peek().type === 'field') {
      const f = this.next();
      fields.push(f.value.slice(1));
      end = f.pos + f.value.length;
    }
    const span = { start: node.span.start, end };
    switch (node.kind) {
      case 'field':
        return { kind: 'field', span, names: [...node.names, ...fields] };
      case 'variable':
        return { kind: 'variable', span, name: node.name, fields: [...node.fields, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.fail(
          node.span.start,
          `unexpected . after term "${this.source.slice(node.span.start, node.span.end)}"`,
        );
      default:
        return { kind: 'chain', span, node, fields };
    }
  }

  private term(): Arg | undefined {
    const t = this.nextNonSpace();
    const span = { start: t.pos, end: t.pos + t.value.length };
    switch (t.type) {
      case 'identifier':
        if (!this.functions.has(t.value)) {
          const { message, code } = this.functions.refusal(t.value);
          throw templateError(this.name, this.source, t.pos, message, code, { function: t.value });
        }
        return { kind: 'identifier', span, name: t.value };
      case 'dot':
        return { kind: 'dot', span };
      case 'keyword':
        if (t.value === 'nil') return { kind: 'nil', span };
        break;
      case 'variable':
        if (!this.vars.includes(t.value)) this.fail(t.pos, `undefined variable "${t.value}"`);
        return { kind: 'variable', span, name: t.value, fields: [] };
      case 'field':
        return { kind: 'field', span, names: [t.value.slice(1)] };
      case 'bool':
        return { kind: 'bool', span, value: t.value === 'true' };
      case 'number':
      case 'charConstant': {
        const number = parseNumberLiteral(t.value);
        if (typeof number === 'string') this.fail(t.pos, number);
        return { kind: 'number', span, number };
      }
      case 'leftParen': {
        this.enter(t.pos);
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.depth--;
        return { kind: 'pipe', span: { start: t.pos, end: pipe.span.end + 1 }, pipe };
      }
      case 'string':
      case 'rawString': {
        const value = unquoteString(t.value);
        if (value === undefined) this.fail(t.pos, `invalid syntax in string ${t.value}`);
        return { kind: 'string', span, value };
      }
    }
    this.i--;
    return undefined;
  }
}

/** The parse tree of a Go text/template, as the parser builds it and the evaluator walks it. */

/** Where a node came from in the source, for error messages: offsets [start, end). */
export interface Span {
  start: number;
  end: number;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; span: Span; pipe: Pipe }
  | { kind: 'if' | 'with'; span: Span; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { kind: 'range'; span: Span; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { kind: 'break' | 'continue'; span: Span };

/** A pipeline, with the variables it declares (`$x :=`) or assigns (`$x =`). */
export interface Pipe {
  span: Span;
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

/** One stage of a pipeline: a function and its arguments, or a single operand. */
export interface Command {
  span: Span;
  args: Arg[];
}

/** A number literal with every type it can be read as, as Go's parser works them out. */
export interface NumberLiteral {
  text: string;
  isInt: boolean;
  int: bigint;
  isFloat: boolean;
  float: number;
}

export type Arg =
  | { kind: 'field'; span: Span; names: string[] }
  | { kind: 'variable'; span: Span; name: string; fields: string[] }
  | { kind: 'dot'; span: Span }
  | { kind: 'nil'; span: Span }
  | { kind: 'bool'; span: Span; value: boolean }
  | { kind: 'number'; span: Span; number: NumberLiteral }
  | { kind: 'string'; span: Span; value: string }
  | { kind: 'identifier'; span: Span; name: string }
  | { kind: 'pipe'; span: Span; pipe: Pipe }
  | { kind: 'chain'; span: Span; node: Arg; fields: string[] };

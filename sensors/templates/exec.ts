/**
 * The evaluator: walks a parsed template over data the way Go's text/template executes it. Missing
 * map keys are "no value"; arguments are checked against each function's Go parameter types; a
 * value printed by an action is formatted as `fmt.Fprint` would. Every node walked and every
 * function result counts against a step budget, and the output against a size limit, so no template
 * can run for long or grow without bound.
 */
import { ImpulseError } from '../../core/errors.ts';
import { ArgTypeError, GO_TYPE, idealConstant, literalArg, validateType } from './arg-types.ts';
import type { Arg, Command, Node, NumberLiteral, Pipe, Span } from './ast.ts';
import { GoFuncError, lineAndColumn } from './errors.ts';
import { formatValue } from './format.ts';
import { FUNCTIONS, type FuncDef, type ParamType } from './functions.ts';
import { TIME_METHODS } from './time-methods.ts';
import { GoInt, GoTime, isMap, isTrue, mapGet, sortedKeys, typeName } from './values.ts';

export interface Limits {
  /** The most characters the output (and any single string a function builds) may have. */
  maxOutput: number;
  /** The most evaluation steps one render may take. */
  maxSteps: number;
}

/** No value came into a command from the previous stage of the pipeline. */
const NO_FINAL = Symbol('no final');

enum Flow {
  Normal,
  Break,
  Continue,
}

export class Execution {
  private out = '';
  private steps = 0;
  private readonly vars: Array<{ name: string; value: unknown }> = [];

  constructor(
    private readonly source: string,
    private readonly name: string,
    private readonly limits: Limits,
  ) {}

  run(nodes: Node[], data: unknown): string {
    this.vars.push({ name: '$', value: data });
    this.walk(data, nodes);
    return this.out;
  }

  private fail(span: Span, message: string): never {
    const { line, column } = lineAndColumn(this.source, span.start);
    let context = this.source.slice(span.start, span.end);
    if (context.length > 20) context = `${context.slice(0, 20)}...`;
    throw new ImpulseError(
      'INVALID_INPUT',
      `template: ${this.name}:${line}:${column}: executing "${this.name}" at <${context}>: ${message}`,
      { details: { line, column } },
    );
  }

  private charge(span: Span, n = 1): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) {
      this.fail(span, `the template took more than ${this.limits.maxSteps} steps`);
    }
  }

  private write(span: Span, text: string): void {
    this.out += text;
    if (this.out.length > this.limits.maxOutput) {
      this.fail(span, `the output is larger than the limit of ${this.limits.maxOutput} characters`);
    }
  }

  private walk(dot: unknown, nodes: Node[]): Flow {
    for (const node of nodes) {
      if (node.kind === 'text') {
        this.steps++;
        this.write({ start: 0, end: 0 }, node.text);
        continue;
      }
      this.charge(node.span);
      switch (node.kind) {
        case 'action': {
          const value = this.evalPipeline(dot, node.pipe);
          if (node.pipe.decl.length === 0)
            this.write(node.span, value === undefined ? '<no value>' : formatValue(value));
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const value = this.evalPipeline(dot, node.pipe);
          let flow = Flow.Normal;
          if (isTrue(value)) flow = this.walk(node.kind === 'with' ? value : dot, node.list);
          else if (node.elseList) flow = this.walk(dot, node.elseList);
          this.vars.length = mark;
          if (flow !== Flow.Normal) return flow;
          break;
        }
        case 'range': {
          const mark = this.vars.length;
          this.walkRange(dot, node);
          this.vars.length = mark;
          break;
        }
        case 'break':
          return Flow.Break;
        case 'continue':
          return Flow.Continue;
      }
    }
    return Flow.Normal;
  }

  private walkRange(dot: unknown, node: Extract<Node, { kind: 'range' }>): void {
    const value = this.evalPipeline(dot, node.pipe);
    const mark = this.vars.length;
    const { decl, isAssign } = node.pipe;
    const iterate = (index: unknown, elem: unknown): Flow => {
      this.charge(node.span);
      if (decl.length > 0) {
        if (isAssign) this.setVar(node.span, decl[decl.length > 1 ? 1 : 0]!, elem);
        else this.vars[this.vars.length - 1]!.value = elem;
      }
      if (decl.length > 1) {
        if (isAssign) this.setVar(node.span, decl[0]!, index);
        else this.vars[this.vars.length - 2]!.value = index;
      }
      const flow = this.walk(elem, node.list);
      this.vars.length = mark;
      return flow;
    };
    let ran = false;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        ran = true;
        if (iterate(GoInt.of(i), value[i]) === Flow.Break) break;
      }
    } else if (isMap(value)) {
      for (const key of sortedKeys(value)) {
        ran = true;
        if (iterate(key, value[key]) === Flow.Break) break;
      }
    } else if (value instanceof GoInt) {
      if (decl.length > 1)
        this.fail(node.span, `can't use ${formatValue(value)} to iterate over more than one variable`);
      for (let i = 0n; i < value.value; i++) {
        ran = true;
        if (iterate(undefined, new GoInt(i, value.type)) === Flow.Break) break;
      }
    } else if (value !== undefined) {
      this.fail(node.span, `range can't iterate over ${formatValue(value)}`);
    }
    if (!ran && node.elseList) this.walk(dot, node.elseList);
  }

  private setVar(span: Span, name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(span, `undefined variable: ${name}`);
  }

  private varValue(span: Span, name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    return this.fail(span, `undefined variable: ${name}`);
  }

  private evalPipeline(dot: unknown, pipe: Pipe): unknown {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface value is "no value" from here on, as Go's evaluator unwraps it.
      if (value === null) value = undefined;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(pipe.span, name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(cmd: Command, final: unknown): void {
    if (cmd.args.length > 1 || final !== NO_FINAL) {
      const first = cmd.args[0]!;
      this.fail(
        first.span,
        `can't give argument to non-function ${this.source.slice(first.span.start, first.span.end)}`,
      );
    }
  }

  private evalCommand(dot: unknown, cmd: Command, final: unknown): unknown {
    this.charge(cmd.span);
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        return this.evalFieldChain(dot, dot, first.span, first.names, cmd.args, final);
      case 'chain':
        return this.evalFieldChain(
          dot,
          this.evalArg(dot, undefined, first.node),
          first.span,
          first.fields,
          cmd.args,
          final,
        );
      case 'identifier':
        return this.evalCall(dot, first.name, cmd.span, cmd.args.slice(1), final);
      case 'pipe':
        this.notAFunction(cmd, final);
        return this.evalPipeline(dot, first.pipe);
      case 'variable': {
        const value = this.varValue(first.span, first.name);
        if (first.fields.length === 0) {
          this.notAFunction(cmd, final);
          return value;
        }
        return this.evalFieldChain(dot, value, first.span, first.fields, cmd.args, final);
      }
    }
    this.notAFunction(cmd, final);
    switch (first.kind) {
      case 'bool':
      case 'string':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.fail(first.span, 'nil is not a command');
      case 'number':
        return this.idealConstant(first.span, first.number);
    }
  }

  private idealConstant(span: Span, n: NumberLiteral): unknown {
    try {
      return idealConstant(n);
    } catch (err) {
      if (err instanceof ArgTypeError) return this.fail(span, err.message);
      throw err;
    }
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    span: Span,
    names: string[],
    args: Arg[],
    final: unknown,
  ): unknown {
    let value = receiver;
    for (let i = 0; i < names.length - 1; i++)
      value = this.evalField(dot, names[i]!, span, [], NO_FINAL, value);
    return this.evalField(dot, names[names.length - 1]!, span, args.slice(1), final, value);
  }

  private evalField(
    dot: unknown,
    name: string,
    span: Span,
    args: Arg[],
    final: unknown,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined) return undefined;
    const hasArgs = args.length > 0 || final !== NO_FINAL;
    if (isMap(receiver)) {
      if (hasArgs) this.fail(span, `${name} is not a method but has arguments`);
      return mapGet(receiver, name);
    }
    if (receiver instanceof GoTime && TIME_METHODS[name]) {
      const method = TIME_METHODS[name];
      const argv = this.buildArgs(dot, `${name}`, method, span, args, final);
      return method.call(argv.length > 0 ? [receiver, ...argv] : [receiver], {
        maxOutput: this.limits.maxOutput,
      });
    }
    if (receiver === null) return this.fail(span, `nil pointer evaluating interface {}.${name}`);
    return this.fail(span, `can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalCall(dot: unknown, name: string, span: Span, args: Arg[], final: unknown): unknown {
    const fn = FUNCTIONS.get(name)!;
    if (fn.lazy) {
      this.checkArgCount(name, fn, span, args.length + (final === NO_FINAL ? 0 : 1));
      let v: unknown;
      for (const arg of args) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v) === (fn.lazy === 'or')) return v;
      }
      return final === NO_FINAL ? v : this.validateType(span, final, 'value');
    }
    const argv = this.buildArgs(dot, name, fn, span, args, final);
    let result: unknown;
    try {
      result = fn.call(argv, { maxOutput: this.limits.maxOutput });
    } catch (err) {
      if (err instanceof ImpulseError) throw err;
      const message = err instanceof GoFuncError ? err.message : `runtime error: ${(err as Error).message}`;
      return this.fail(span, `error calling ${name}: ${message}`);
    }
    if (typeof result === 'string') {
      if (result.length > this.limits.maxOutput) {
        this.fail(
          span,
          `error calling ${name}: the result is larger than the limit of ${this.limits.maxOutput} characters`,
        );
      }
      this.charge(span, result.length >> 8);
    } else if (Array.isArray(result)) this.charge(span, result.length >> 4);
    return result;
  }

  private checkArgCount(name: string, fn: FuncDef, span: Span, count: number): void {
    if (fn.variadic !== undefined) {
      if (count < fn.params.length) {
        this.fail(span, `wrong number of args for ${name}: want at least ${fn.params.length} got ${count}`);
      }
    } else if (count !== fn.params.length) {
      this.fail(span, `wrong number of args for ${name}: want ${fn.params.length} got ${count}`);
    }
  }

  private buildArgs(
    dot: unknown,
    name: string,
    fn: FuncDef,
    span: Span,
    args: Arg[],
    final: unknown,
  ): unknown[] {
    const count = args.length + (final === NO_FINAL ? 0 : 1);
    this.checkArgCount(name, fn, span, count);
    const typeAt = (i: number) => (i < fn.params.length ? fn.params[i]! : fn.variadic!);
    const argv = args.map((arg, i) => this.evalArg(dot, typeAt(i), arg));
    if (final !== NO_FINAL) argv.push(this.validateType(span, final, typeAt(args.length)));
    return argv;
  }

  private validateType(span: Span, value: unknown, type: ParamType): unknown {
    try {
      return validateType(value, type);
    } catch (err) {
      if (err instanceof ArgTypeError) return this.fail(span, err.message);
      throw err;
    }
  }

  /** Evaluates an argument for a parameter of the given type (none: the receiver of a chain). */
  private evalArg(dot: unknown, type: ParamType | undefined, arg: Arg): unknown {
    this.charge(arg.span);
    switch (arg.kind) {
      case 'dot':
        return type ? this.validateType(arg.span, dot, type) : dot;
      case 'field':
      case 'variable':
      case 'chain':
      case 'identifier':
      case 'pipe': {
        const cmd: Command = { span: arg.span, args: [arg] };
        const value =
          arg.kind === 'pipe' ? this.evalPipeline(dot, arg.pipe) : this.evalCommand(dot, cmd, NO_FINAL);
        return type ? this.validateType(arg.span, value, type) : value;
      }
      case 'nil':
        if (type === undefined || type === 'any' || type === 'map') return null;
        if (type === 'value') return undefined;
        return this.fail(arg.span, `cannot assign nil to ${GO_TYPE[type]}`);
    }
    try {
      return literalArg(arg, type, this.source.slice(arg.span.start, arg.span.end));
    } catch (err) {
      if (err instanceof ArgTypeError) return this.fail(arg.span, err.message);
      throw err;
    }
  }
}

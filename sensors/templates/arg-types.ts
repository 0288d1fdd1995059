/** How Go checks a value passed to a function parameter: assignable, or an error; nothing converts. */
import type { Arg, NumberLiteral } from './ast.ts';
import type { ParamType } from './functions.ts';
import { elemType, GoInt, GoTime, isMap, typeName } from './values.ts';

/** A value that cannot be passed as the parameter's type; the evaluator adds where. */
export class ArgTypeError extends Error {}

/** The Go spelling of each parameter type, for error messages. */
export const GO_TYPE: Record<ParamType, string> = {
  string: 'string',
  int: 'int',
  float64: 'float64',
  bool: 'bool',
  any: 'interface {}',
  value: 'reflect.Value',
  map: 'map[string]interface {}',
  time: 'time.Time',
};

/**
 * Go's validateType: `interface{}` takes anything (a missing value as nil); `reflect.Value` (the
 * built-ins) takes anything as it is; other types need a value of exactly that type.
 */
export function validateType(value: unknown, type: ParamType): unknown {
  if (type === 'any') return value === undefined ? null : value;
  if (type === 'value') return value === null ? undefined : value;
  if (value === undefined || value === null) {
    if (type === 'map') return null;
    throw new ArgTypeError(`invalid value; expected ${GO_TYPE[type]}`);
  }
  const ok =
    (type === 'string' && typeof value === 'string') ||
    (type === 'bool' && typeof value === 'boolean') ||
    (type === 'float64' && typeof value === 'number') ||
    (type === 'int' && value instanceof GoInt && value.type === 'int') ||
    (type === 'time' && value instanceof GoTime) ||
    (type === 'map' && isMap(value) && elemType(value) === 'interface {}');
  if (!ok) throw new ArgTypeError(`wrong type for value; expected ${GO_TYPE[type]}; got ${typeName(value)}`);
  return value;
}

/**
 * Go's idealConstant: a number literal with no type to go by is a float64 when written as one
 * (`1.0`, `1e3`), else an int; a char constant (`'a'`) is an int.
 */
export function idealConstant(n: NumberLiteral): unknown {
  const isHex = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
  if (n.isFloat && !isHex && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return n.float;
  if (n.isInt) return new GoInt(n.int, 'int');
  throw new ArgTypeError(`${n.text} overflows int`);
}

/** A literal argument for a parameter of the given type (none: any type), as Go's evalArg reads it. */
export function literalArg(
  arg: Extract<Arg, { kind: 'bool' | 'number' | 'string' }>,
  type: ParamType | undefined,
  shown: string,
): unknown {
  switch (type) {
    case undefined:
    case 'any':
    case 'value':
      return arg.kind === 'number' ? idealConstant(arg.number) : arg.value;
    case 'string':
      if (arg.kind === 'string') return arg.value;
      throw new ArgTypeError(`expected string; found ${shown}`);
    case 'bool':
      if (arg.kind === 'bool') return arg.value;
      throw new ArgTypeError(`expected bool; found ${shown}`);
    case 'int':
      if (arg.kind === 'number' && arg.number.isInt) return new GoInt(arg.number.int, 'int');
      throw new ArgTypeError(`expected integer; found ${shown}`);
    case 'float64':
      if (arg.kind === 'number' && arg.number.isFloat) return arg.number.float;
      throw new ArgTypeError(`expected float; found ${shown}`);
    default:
      throw new ArgTypeError(`can't handle ${shown} for arg of type ${GO_TYPE[type]}`);
  }
}

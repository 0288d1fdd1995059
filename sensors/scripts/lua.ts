/**
 * Lua for `script` filters and `script` transforms, on fengari (Lua 5.3 written in JavaScript).
 * Each run gets a fresh state with only the base, string, table, math, utf8 and coroutine
 * libraries: no `io`, `os`, `package`, `require`, `load`, `loadstring`, `dofile`, `loadfile` or
 * `debug`, and `print` does nothing. A count hook stops the script once it has executed its
 * instruction budget. Event data goes in and results come out as Argo Events converts them (its
 * Lua is gopher-lua, Lua 5.1): numbers with no fraction are pushed as integers, so they print as
 * `3`, not `3.0`, and Lua 5.1's `unpack`, `table.getn` and `math.pow` are there.
 */
import { createRequire } from 'node:module';
import type * as Fengari from 'fengari';
import type { LuaState } from 'fengari';

// fengari (about 12 MB resident) is loaded on first use, not with the module: every process loads
// the validation code that checks Lua syntax, and most never see a Lua script.
const load = createRequire(import.meta.url);
let fengari: typeof Fengari | undefined;
function vm(): typeof Fengari {
  fengari ??= load('fengari') as typeof Fengari;
  return fengari;
}

/** How often (in Lua instructions) the hook checks the budget. */
const HOOK_EVERY = 1000;

/** Lua 5.1 names that Argo Events' scripts may use, defined in terms of Lua 5.3. */
const LUA51_COMPAT = `
unpack = table.unpack
table.getn = function(t) return #t end
math.pow = function(a, b) return a ^ b end
string.gfind = string.gmatch
`;

const REMOVED_GLOBALS = ['dofile', 'loadfile', 'load', 'loadstring', 'require', 'collectgarbage'];

export class LuaError extends Error {
  override readonly name = 'LuaError';
}

function errorText(L: LuaState): string {
  return vm().to_jsstring(vm().lauxlib.luaL_tolstring(L, -1));
}

/** The syntax error of a Lua chunk, or undefined when it parses. Nothing is executed. */
export function luaSyntaxError(source: string): string | undefined {
  const L = vm().lauxlib.luaL_newstate();
  const status = vm().lauxlib.luaL_loadbuffer(
    L,
    vm().to_luastring(source),
    null,
    vm().to_luastring('=script'),
  );
  return status === vm().lua.LUA_OK ? undefined : errorText(L);
}

function openSandbox(L: LuaState): void {
  const libs: Array<[string, (L: LuaState) => number]> = [
    ['_G', vm().lualib.luaopen_base],
    ['string', vm().lualib.luaopen_string],
    ['table', vm().lualib.luaopen_table],
    ['math', vm().lualib.luaopen_math],
    ['utf8', vm().lualib.luaopen_utf8],
    ['coroutine', vm().lualib.luaopen_coroutine],
  ];
  for (const [name, open] of libs) {
    vm().lauxlib.luaL_requiref(L, vm().to_luastring(name), open, 1);
    vm().lua.lua_pop(L, 1);
  }
  for (const name of REMOVED_GLOBALS) {
    vm().lua.lua_pushnil(L);
    vm().lua.lua_setglobal(L, vm().to_luastring(name));
  }
  vm().lua.lua_pushjsfunction(L, () => 0);
  vm().lua.lua_setglobal(L, vm().to_luastring('print'));
  vm().lua.lua_getglobal(L, vm().to_luastring('string'));
  vm().lua.lua_pushnil(L);
  vm().lua.lua_setfield(L, -2, vm().to_luastring('dump'));
  vm().lua.lua_pop(L, 1);
  if (
    vm().lauxlib.luaL_loadbuffer(L, vm().to_luastring(LUA51_COMPAT), null, vm().to_luastring('=compat')) !==
    vm().lua.LUA_OK
  ) {
    throw new LuaError(errorText(L));
  }
  vm().lua.lua_pcall(L, 0, 0, 0);
}

function pushNumber(L: LuaState, n: number): void {
  if (Number.isSafeInteger(n)) vm().lua.lua_pushinteger(L, n);
  else vm().lua.lua_pushnumber(L, n);
}

/**
 * Pushes a JSON object as Argo Events' `mapToTable` builds it: numbers, strings, booleans, objects
 * and arrays; nulls are left out, and inside arrays only objects, numbers, strings and booleans are
 * kept (so a nested array or a null does not take a slot).
 */
function pushObject(L: LuaState, m: Record<string, unknown>): void {
  vm().lua.lua_createtable(L, 0, 0);
  for (const [key, value] of Object.entries(m)) {
    if (pushValue(L, value, false)) vm().lua.lua_setfield(L, -2, vm().to_luastring(key));
  }
}

function pushValue(L: LuaState, value: unknown, inArray: boolean): boolean {
  switch (typeof value) {
    case 'number':
      pushNumber(L, value);
      return true;
    case 'string':
      vm().lua.lua_pushstring(L, vm().to_luastring(value));
      return true;
    case 'boolean':
      vm().lua.lua_pushboolean(L, value);
      return true;
  }
  if (Array.isArray(value)) {
    if (inArray) return false;
    vm().lua.lua_createtable(L, value.length, 0);
    let n = 0;
    for (const item of value) if (pushValue(L, item, true)) vm().lua.lua_rawseti(L, -2, ++n);
    return true;
  }
  if (value !== null && typeof value === 'object') {
    pushObject(L, value as Record<string, unknown>);
    return true;
  }
  return false;
}

/**
 * The JSON form of the Lua value at `index`, as Argo Events' `toGoValue` makes it: a table with a
 * sequence (or with `__is_array = true` in its metatable) is an array, any other table an object
 * with string keys.
 */
function toJson(L: LuaState, index: number, depth = 0): unknown {
  if (depth > 100) throw new LuaError('the result is nested more than 100 tables deep');
  switch (vm().lua.lua_type(L, index)) {
    case vm().lua.LUA_TBOOLEAN:
      return vm().lua.lua_toboolean(L, index);
    case vm().lua.LUA_TNUMBER:
      return vm().lua.lua_tonumber(L, index);
    case vm().lua.LUA_TSTRING:
      return vm().to_jsstring(vm().lua.lua_tolstring(L, index)!);
    case vm().lua.LUA_TTABLE:
      return tableToJson(L, index < 0 ? vm().lua.lua_gettop(L) + index + 1 : index, depth);
    default:
      return null;
  }
}

function tableToJson(L: LuaState, index: number, depth: number): unknown {
  const length = vm().lua.lua_rawlen(L, index);
  let forceArray = false;
  if (vm().lua.lua_getmetatable(L, index)) {
    vm().lua.lua_getfield(L, -1, vm().to_luastring('__is_array'));
    forceArray = vm().lua.lua_type(L, -1) === vm().lua.LUA_TBOOLEAN && vm().lua.lua_toboolean(L, -1);
    vm().lua.lua_pop(L, 2);
  }
  if (forceArray || length > 0) {
    const out: unknown[] = [];
    for (let i = 1; i <= length; i++) {
      vm().lua.lua_rawgeti(L, index, i);
      out.push(toJson(L, -1, depth + 1));
      vm().lua.lua_pop(L, 1);
    }
    return out;
  }
  const out: Record<string, unknown> = Object.create(null);
  vm().lua.lua_pushnil(L);
  while (vm().lua.lua_next(L, index)) {
    vm().lua.lua_pushvalue(L, -2);
    const key = vm().to_jsstring(vm().lauxlib.luaL_tolstring(L, -1));
    vm().lua.lua_pop(L, 2);
    out[key] = toJson(L, -1, depth + 1);
    vm().lua.lua_pop(L, 1);
  }
  return out;
}

export interface LuaRun {
  /** The last value the script returned, as JSON (undefined when it returned nothing). */
  result: unknown;
  /** Whether that value is Lua's `true` (what a filter needs). */
  isTrue: boolean;
}

/**
 * Runs a script with `event` set to the event data (a JSON object), and returns its last return
 * value. Throws {@link LuaError} for a syntax or runtime error, or when the budget runs out.
 */
export function runLua(source: string, event: Record<string, unknown>, instructionBudget: number): LuaRun {
  const L = vm().lauxlib.luaL_newstate();
  openSandbox(L);
  pushObject(L, event);
  vm().lua.lua_setglobal(L, vm().to_luastring('event'));
  // A JavaScript error inside the VM (a capped allocation, a stack overflow) becomes a Lua error;
  // its message is kept here, as the value fengari leaves on the stack for it is not reliable.
  let nativeError: string | undefined;
  vm().lua.lua_atnativeerror(L, (state) => {
    const err = vm().lua.lua_touserdata(state, 1);
    nativeError = err instanceof Error ? err.message : String(err);
    vm().lua.lua_pushstring(state, vm().to_luastring(nativeError));
    return 1;
  });
  let executed = 0;
  vm().lua.lua_sethook(
    L,
    (state) => {
      executed += HOOK_EVERY;
      if (executed > instructionBudget) {
        vm().lauxlib.luaL_error(
          state,
          vm().to_luastring(`the script ran more than ${instructionBudget} instructions`),
        );
      }
    },
    vm().lua.LUA_MASKCOUNT,
    HOOK_EVERY,
  );
  if (
    vm().lauxlib.luaL_loadbuffer(L, vm().to_luastring(source), null, vm().to_luastring('=script')) !==
    vm().lua.LUA_OK
  ) {
    throw new LuaError(errorText(L));
  }
  const base = vm().lua.lua_gettop(L) - 1;
  const status = vm().lua.lua_pcall(L, 0, -1, 0);
  // -1: a JavaScript error that fengari could not turn into a Lua error (an allocation refused
  // in the middle of an instruction); the stack then holds no message.
  if (status === -1)
    throw new LuaError(nativeError ?? 'the script stopped inside the Lua runtime: it ran out of memory');
  if (status !== vm().lua.LUA_OK) throw new LuaError(nativeError ?? errorText(L));
  if (vm().lua.lua_gettop(L) === base) return { result: undefined, isTrue: false };
  const isTrue = vm().lua.lua_type(L, -1) === vm().lua.LUA_TBOOLEAN && vm().lua.lua_toboolean(L, -1);
  return { result: toJson(L, -1), isTrue };
}

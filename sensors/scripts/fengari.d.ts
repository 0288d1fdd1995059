/** The part of fengari's API (Lua 5.3 in JavaScript) that Impulse uses. fengari ships no types. */
declare module 'fengari' {
  /** A Lua state, opaque to JavaScript. */
  export interface LuaState {
    readonly __luaState: unique symbol;
  }
  type L = LuaState;
  type LuaString = Uint8Array;

  export const lua: {
    LUA_OK: number;
    LUA_TNIL: number;
    LUA_TBOOLEAN: number;
    LUA_TNUMBER: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    LUA_MASKCOUNT: number;
    lua_sethook(L: L, hook: ((L: L) => void) | null, mask: number, count: number): void;
    lua_pcall(L: L, nargs: number, nresults: number, msgh: number): number;
    lua_gettop(L: L): number;
    lua_settop(L: L, index: number): void;
    lua_pop(L: L, n: number): void;
    lua_type(L: L, index: number): number;
    lua_toboolean(L: L, index: number): boolean;
    lua_tonumber(L: L, index: number): number;
    lua_isinteger(L: L, index: number): boolean;
    lua_tolstring(L: L, index: number): LuaString | null;
    lua_pushnil(L: L): void;
    lua_pushboolean(L: L, b: boolean): void;
    lua_pushnumber(L: L, n: number): void;
    lua_pushinteger(L: L, n: number): void;
    lua_pushstring(L: L, s: LuaString): void;
    lua_pushvalue(L: L, index: number): void;
    lua_pushjsfunction(L: L, f: (L: L) => number): void;
    lua_createtable(L: L, narr: number, nrec: number): void;
    lua_setfield(L: L, index: number, key: LuaString): void;
    lua_getfield(L: L, index: number, key: LuaString): number;
    lua_rawseti(L: L, index: number, n: number): void;
    lua_rawgeti(L: L, index: number, n: number): number;
    lua_rawlen(L: L, index: number): number;
    lua_setglobal(L: L, name: LuaString): void;
    lua_getglobal(L: L, name: LuaString): number;
    lua_next(L: L, index: number): number;
    lua_getmetatable(L: L, index: number): number;
    lua_atnativeerror(L: L, handler: (L: L) => number): void;
    lua_touserdata(L: L, index: number): unknown;
  };

  export const lauxlib: {
    luaL_newstate(): L;
    luaL_loadbuffer(L: L, buffer: LuaString, name: LuaString | null, chunkname: LuaString): number;
    luaL_error(L: L, message: LuaString): never;
    luaL_requiref(L: L, name: LuaString, open: (L: L) => number, global: number): void;
    luaL_tolstring(L: L, index: number): LuaString;
  };

  export const lualib: {
    luaopen_base(L: L): number;
    luaopen_string(L: L): number;
    luaopen_table(L: L): number;
    luaopen_math(L: L): number;
    luaopen_utf8(L: L): number;
    luaopen_coroutine(L: L): number;
  };

  export function to_luastring(s: string, cache?: boolean): LuaString;
  export function to_jsstring(s: LuaString): string;
}

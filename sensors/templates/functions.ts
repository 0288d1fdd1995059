/**
 * The functions a template can call: Go's built-ins and the Sprig functions Impulse has, each with
 * its Go parameter types, which decide how arguments are checked and converted exactly as Go's
 * reflection-based calls do (`upper 3` is an error; `add 1 2` is an int64).
 */
import { BUILTINS } from './builtins.ts';
import type { FunctionCatalog } from './parser.ts';
import { SPRIG_DATA } from './sprig-data.ts';
import { SPRIG_MISC } from './sprig-misc.ts';
import { SPRIG_NUMBERS } from './sprig-numbers.ts';
import { SPRIG_STRINGS } from './sprig-strings.ts';

/**
 * A Go parameter type. `any` is `interface{}` (a missing value arrives as nil); `value` is the
 * `reflect.Value` of Go's built-ins (a missing value arrives as such); `map` is
 * `map[string]interface{}`; `time` is `time.Time`.
 */
export type ParamType = 'string' | 'int' | 'float64' | 'bool' | 'any' | 'value' | 'map' | 'time';

/** Limits a function must respect while it builds its result. */
export interface FuncContext {
  /** The most characters a string result may have. */
  maxOutput: number;
}

export interface FuncDef {
  params: readonly ParamType[];
  /** The element type of a final `...` parameter. */
  variadic?: ParamType;
  /** `and` and `or` evaluate their arguments one at a time and stop early. */
  lazy?: 'and' | 'or';
  call(args: unknown[], ctx: FuncContext): unknown;
}

/** Every function a template may call. Sprig's names win over Go's, as in Argo Events. */
export const FUNCTIONS: ReadonlyMap<string, FuncDef> = new Map(
  Object.entries({ ...BUILTINS, ...SPRIG_STRINGS, ...SPRIG_NUMBERS, ...SPRIG_DATA, ...SPRIG_MISC }),
);

/** Sprig v3's functions that Impulse leaves out, so a manifest using one gets a clear refusal. */
const SPRIG_LEFT_OUT = new Set(
  (
    'abbrev abbrevboth add1f addf adler32sum ago all any append b32dec bcrypt biggest buildCustomCert ' +
    'camelcase chunk compact concat date_in_zone date_modify dateModify decryptAES deepCopy deepEqual ' +
    'derivePassword dig divf duration durationRound encryptAES env expandenv fail genCA genCAWithKey ' +
    'genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey ' +
    'getHostByName hello htpasswd initial initials isAbs kebabcase kindIs kindOf maxf merge ' +
    'mergeOverwrite minf mulf mustAppend mustChunk mustCompact mustDateModify mustDeepCopy mustFirst ' +
    'mustHas mustInitial mustLast mustMerge mustMergeOverwrite mustPrepend mustPush mustRegexFind ' +
    'mustRegexFindAll mustRegexMatch mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit ' +
    'mustRest mustReverse mustSlice mustToDate mustToPrettyJson mustToRawJson mustUniq mustWithout ' +
    'must_date_modify osBase osClean osDir osExt osIsAbs prepend push randAlpha randAlphaNum randAscii ' +
    'randBytes randInt randNumeric regexQuoteMeta rest reverse semver semverCompare seq set shuffle ' +
    'slice snakecase splitn subf swapcase toDate toDecimal tuple typeIs typeIsLike typeOf unset ' +
    'untilStep urlJoin urlParse uuidv4 without wrap wrapWith base clean dir ext call'
  ).split(' '),
);

const WHY_NOT: Record<string, string> = {
  env: 'it would expose the environment of the sensor process',
  expandenv: 'it would expose the environment of the sensor process',
  getHostByName: 'a template must not reach the network',
  set: 'it changes the event data in place',
  unset: 'it changes the event data in place',
  call: 'template data holds no functions',
};

/** What the parser asks when it meets an identifier. */
export const FUNCTION_CATALOG: FunctionCatalog = {
  has: (name) => FUNCTIONS.has(name),
  refusal(name) {
    if (SPRIG_LEFT_OUT.has(name)) {
      const why = WHY_NOT[name];
      return {
        code: 'UNSUPPORTED',
        message: `function "${name}" is not supported by Impulse${why ? ` (${why})` : ''}; see the README for the functions it has`,
      };
    }
    return { code: 'INVALID_MANIFEST', message: `function "${name}" not defined` };
  },
};

import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../sensors/templates/index.ts';

const data = {
  Input: {
    name: ' Jane  Doe ',
    message: 'hello world',
    sha: '2c065a0123456789abcdef',
    count: 3,
    list: ['a', 1, null],
    nums: [1, 2],
    map: { b: 1, a: 'x' },
    html: '<a&b>',
  },
};

/** Expected outputs from Sprig v3's documentation and source (the version Argo Events links). */
const SPRIG: Array<[template: string, expected: string]> = [
  // Strings.
  [
    '{{ "hello world" | title }} {{ "don\'t stop" | title }} {{ "HELLO" | untitle }}',
    "Hello World Don'T Stop hELLO",
  ],
  ['{{ upper "abc" }} {{ lower "ÀBC" }}', 'ABC àbc'],
  [
    '[{{ trim .Input.name }}] [{{ trimAll "$" "$5.00$" }}] [{{ trimPrefix "he" "hello" }}] [{{ trimSuffix "lo" "hello" }}]',
    '[Jane  Doe] [5.00] [llo] [hel]',
  ],
  [
    '{{ replace " " "-" .Input.message }} {{ contains "wor" .Input.message }} {{ hasPrefix "he" "hello" }} {{ hasSuffix "x" "hello" }}',
    'hello-world true true false',
  ],
  ['{{ .Input.name | nospace | lower }}', 'janedoe'],
  ['{{ repeat 3 "ab" }}', 'ababab'],
  [
    '{{ .Input.sha | substr 0 7 }} {{ substr 6 -1 "hello world" }} {{ substr -1 3 "hello" }} {{ substr 3 20 "hello" }}',
    '2c065a0 world hel lo',
  ],
  ['{{ trunc 5 "hello world" }} {{ trunc -5 "hello world" }} {{ trunc 50 "hi" }}', 'hello world hi'],
  ['{{ indent 2 "a\\nb" }}|{{ nindent 2 "c" }}', '  a\n  b|\n  c'],
  [
    '{{ quote "a" 1 nil "b\\"c" }} {{ squote "a" 2 }} {{ cat "a" 1 nil "b" }}',
    '"a" "1" "b\\"c" \'a\' \'2\' a 1 b',
  ],
  [
    '{{ toString .Input.count }} {{ toString 1.5 }} {{ toString .Input.nums }} {{ toString "s" }}',
    '3 1.5 [1 2] s',
  ],
  ['{{ plural "one" "many" 1 }} {{ plural "one" "many" 2 }}', 'one many'],
  // Defaults and flow.
  [
    '{{ default "d" "" }} {{ default "d" 0 }} {{ default "d" false }} {{ "x" | default "d" }} {{ .Input.missing | default "d" }}',
    'd d d x d',
  ],
  [
    '{{ empty "" }} {{ empty 0 }} {{ empty .Input.nums }} {{ empty (list) }} {{ empty .Input.missing }} {{ empty .Input.map }}',
    'true true false true true false',
  ],
  ['{{ coalesce "" 0 "c" }} {{ coalesce .Input.missing "" }}', 'c <no value>'],
  ['{{ ternary "yes" "no" true }} {{ ternary "yes" "no" false }}', 'yes no'],
  // JSON, as Go's encoding/json writes it.
  [
    '{{ toJson .Input.map }} {{ toJson .Input.list }} {{ toJson .Input.html }} {{ toJson 1e21 }} {{ toJson nil }}',
    '{"a":"x","b":1} ["a",1,null] "\\u003ca\\u0026b\\u003e" 1e+21 null',
  ],
  ['{{ toRawJson .Input.html }} {{ dict "z" 1 "a" (list 1 "b") | toJson }}', '"<a&b>" {"a":[1,"b"],"z":1}'],
  ['{{ toPrettyJson .Input.map }}', '{\n  "a": "x",\n  "b": 1\n}'],
  ['{{ (fromJson "{\\"a\\":{\\"b\\":[1,2]}}").a.b }} {{ fromJson "not json" }}', '[1 2] <no value>'],
  // Dicts and lists.
  [
    '{{ list 1 "a" }} {{ dict "a" 1 "b" }} {{ get (dict "a" 1) "a" }}|{{ get (dict "a" 1) "zz" }}|',
    '[1 a] map[a:1 b:] 1||',
  ],
  [
    '{{ hasKey .Input.map "a" }} {{ hasKey .Input.map "z" }} {{ keys .Input.map }} {{ keys (dict "y" 1) .Input.map }}',
    'true false [a b] [y a b]',
  ],
  ['{{ join "," .Input.list }} {{ join "-" .Input.nums }} {{ join "," "single" }}', 'a,1 1-2 single'],
  [
    '{{ split "/" "a/b/c" }} {{ (split "/" "a/b")._1 }} {{ splitList "," "a,b" }} {{ len (splitList "," "") }}',
    'map[_0:a _1:b _2:c] b [a b] 1',
  ],
  // has and uniq compare as reflect.DeepEqual: the int 2 is not the float64 2 of JSON data.
  [
    '{{ first .Input.nums }} {{ last .Input.nums }} {{ has "a" .Input.list }} {{ has 2 .Input.nums }} {{ sortAlpha (list "b" "a" 1) }} {{ uniq (list 1 1 2) }}',
    '1 2 true false [1 a b] [1 2]',
  ],
  ['{{ pick .Input.map "a" }} {{ omit .Input.map "a" }} {{ values .Input.map }}', 'map[a:x] map[b:1] [x 1]'],
  // Numbers: spf13/cast conversions and int64 arithmetic.
  ['{{ atoi "42" }} {{ atoi "x" }} {{ atoi "4.2" }}', '42 0 0'],
  [
    '{{ int "12.7" }} {{ int 12.7 }} {{ int "0x10" }} {{ int "010" }} {{ int true }} {{ int nil }} {{ int64 "-3" }}',
    '12 12 16 8 1 0 -3',
  ],
  ['{{ float64 "1.5" }} {{ float64 "x" }} {{ float64 2 }}', '1.5 0 2'],
  [
    '{{ add 1 2 3 }} {{ add "1" 2.9 }} {{ sub 5 7 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ div -7 2 }} {{ mod -7 3 }}',
    '6 3 -2 24 3 -3 -1',
  ],
  [
    '{{ add1 .Input.count }} {{ max 1 5 3 }} {{ min 4 2 9 }} {{ floor 1.5 }} {{ ceil 1.2 }} {{ round 2.345 2 }}',
    '4 5 2 1 2 2.35',
  ],
  ['{{ len (until 3) }} {{ until 3 }}', '3 [0 1 2]'],
  // Encodings and hashes.
  [
    '{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b64dec "!!" }} {{ b32enc "hi" }}',
    'aGVsbG8= hello illegal base64 data at input byte 0 NBUQ====',
  ],
  ['{{ sha256sum "hello" }}', '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
  ['{{ sha1sum "hello" }}', 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d'],
  // Regular expressions (RE2, Go's Expand for $1 and ${1}).
  [
    '{{ regexMatch "^h.*d$" .Input.message }} {{ regexMatch "[" "x" }} {{ regexFind "[0-9]+" "ab12cd34" }} {{ regexFindAll "[0-9]+" "ab12cd34" -1 }}',
    'true false 12 [12 34]',
  ],
  // "${1}" below is Go's replacement syntax, not a JavaScript placeholder.
  [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${1}
    '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }} {{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${1}
    '-W-xxW- --- -${1}-${1}-',
  ],
  [
    '{{ regexReplaceAll "a*" "baaac" "-" }} {{ regexReplaceAll "(?P<word>\\\\w+)@" "me@x" "<$word>" }}',
    '-b-c- <me>x',
  ],
  ['{{ regexSplit "," "a,b,,c" -1 }} {{ regexSplit "," "a,b,c" 2 }}', '[a b  c] [a b,c]'],
  // Dates, in UTC; an int is seconds since the epoch.
  [
    '{{ date "2006-01-02T15:04:05Z07:00" 1700000000 }} {{ date "Mon Jan _2 3:04PM MST 2006" 1700000000 }}',
    '2023-11-14T22:13:20Z Tue Nov 14 10:13PM UTC 2023',
  ],
  [
    '{{ date "02/01/06 15:04:05.000 -0700" 0 }} {{ htmlDate 86400 }} {{ date "2006" .Input.count }}',
    `01/01/70 00:00:00.000 +0000 1970-01-02 ${new Date().getUTCFullYear()}`,
  ],
  [
    '{{ now | date "2006" }} {{ now.Year }} {{ (now).Format "2006" }} {{ gt now.Unix 1700000000 }}',
    `${new Date().getUTCFullYear()} ${new Date().getUTCFullYear()} ${new Date().getUTCFullYear()} true`,
  ],
];

describe('Sprig functions', () => {
  it.each(SPRIG)('%s', (template, expected) => {
    expect(compileTemplate(template).render(data)).toBe(expected);
  });

  it('prints now as time.Time does, with the monotonic reading', () => {
    expect(compileTemplate('{{ now }}').render({})).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}$/,
    );
    expect(compileTemplate('{{ toJson now }}').render({})).toMatch(
      /^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"$/,
    );
  });
});

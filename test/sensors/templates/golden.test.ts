import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../sensors/templates/index.ts';

/**
 * Golden outputs written from Go's documentation of text/template and fmt (and checked against
 * what Go prints for the same data): JSON numbers are float64 and print as `%v` (`1.234567e+06`),
 * a missing key prints `<no value>`, maps print with sorted keys.
 */
const data = {
  Input: {
    body: {
      message: 'hello world',
      count: 3,
      big: 1234567,
      ratio: 0.5,
      tiny: 0.00001,
      neg: -2.5,
      flag: true,
      none: null,
      empty: '',
      list: [1, 'two', null, { x: 1 }, [3]],
      map: { b: 2, a: 'x', c: [1, 2] },
      nested: { inner: { deep: 'yes' } },
    },
  },
};

const GOLDEN: Array<[template: string, expected: string]> = [
  // Text, actions, comments and trim markers.
  ['plain text', 'plain text'],
  ['{{/* a comment */}}x', 'x'],
  ['a {{- " b " -}} c', 'a b c'],
  ['a\n  {{- /* trimmed */ -}}\n  b', 'ab'],
  ['{{ "quoted" }} {{ `raw\\n` }}', 'quoted raw\\n'],
  ['{{ "tab\\there" }}', 'tab\there'],
  // Fields and printing.
  ['{{ .Input.body.message }}', 'hello world'],
  ['{{ .Input.body.missing }}', '<no value>'],
  ['{{ .Input.body.none }}', '<no value>'],
  ['{{ .Input.missing.deeper }}', '<no value>'],
  ['{{ .Input.body.count }}', '3'],
  ['{{ .Input.body.big }}', '1.234567e+06'],
  ['{{ .Input.body.ratio }} {{ .Input.body.tiny }} {{ .Input.body.neg }}', '0.5 1e-05 -2.5'],
  ['{{ .Input.body.flag }}', 'true'],
  ['{{ .Input.body.list }}', '[1 two <nil> map[x:1] [3]]'],
  ['{{ .Input.body.map }}', 'map[a:x b:2 c:[1 2]]'],
  ['{{ .Input.body.nested.inner.deep }}', 'yes'],
  ['{{ $.Input.body.count }}', '3'],
  ["{{ 42 }} {{ 3.0 }} {{ 1e6 }} {{ 0x1F }} {{ -7 }} {{ 'a' }}", '42 3 1e+06 31 -7 97'],
  ['{{ true }} {{ false }}', 'true false'],
  // Pipelines, parentheses, variables.
  ['{{ .Input.body.message | printf "%s!" }}', 'hello world!'],
  ['{{ $x := .Input.body.message }}{{ $x }}', 'hello world'],
  ['{{ $x := 1 }}{{ $x = 2 }}{{ $x }}', '2'],
  ['{{ (print "a" "b") | printf "%s-%s" "z" }}', 'z-ab'],
  ['{{ (.Input.body.nested).inner.deep }}', 'yes'],
  // if / else if / else, with, and, or, not.
  ['{{ if .Input.body.flag }}yes{{ else }}no{{ end }}', 'yes'],
  ['{{ if .Input.body.empty }}a{{ else if .Input.body.count }}b{{ else }}c{{ end }}', 'b'],
  ['{{ if .Input.body.missing }}a{{ else }}b{{ end }}', 'b'],
  ['{{ if $v := .Input.body.message }}{{ $v }}{{ end }}', 'hello world'],
  ['{{ with .Input.body.nested.inner }}{{ .deep }}{{ end }}', 'yes'],
  ['{{ with .Input.body.missing }}x{{ else with .Input.body.count }}{{ . }}{{ end }}', '3'],
  ['{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 "" }} {{ or 0 "x" }}', '0 2  x'],
  ['{{ not .Input.body.empty }} {{ not 1 }}', 'true false'],
  ['{{ if and .Input.body.flag (not .Input.body.missing) }}ok{{ end }}', 'ok'],
  // range over lists, maps and integers, with else, break and continue.
  ['{{ range .Input.body.map.c }}[{{ . }}]{{ end }}', '[1][2]'],
  ['{{ range $i, $v := .Input.body.map.c }}{{ $i }}={{ $v }} {{ end }}', '0=1 1=2 '],
  ['{{ range $k, $v := .Input.body.map }}{{ $k }}:{{ $v }};{{ end }}', 'a:x;b:2;c:[1 2];'],
  ['{{ range .Input.body.missing }}x{{ else }}none{{ end }}', 'none'],
  ['{{ range 3 }}{{ . }}{{ end }}', '012'],
  ['{{ range .Input.body.list }}{{ if eq (printf "%T" .) "string" }}{{ break }}{{ end }}.{{ end }}', '.'],
  ['{{ range $i, $e := .Input.body.map.c }}{{ if eq $i 0 }}{{ continue }}{{ end }}{{ $e }}{{ end }}', '2'],
  ['{{ range $x := .Input.body.map.c }}{{ $x }}{{ end }}', '12'],
  // Comparison built-ins: Go's types must match (float64 vs int is an error, tested elsewhere).
  ['{{ eq .Input.body.message "hello world" }} {{ eq 1 2 3 1 }} {{ ne "a" "b" }}', 'true true true'],
  ['{{ eq .Input.body.count 3.0 }} {{ lt .Input.body.count 4.5 }} {{ ge "b" "a" }}', 'true true true'],
  ['{{ eq .Input.body.missing "x" }} {{ eq .Input.body.missing .Input.body.none }}', 'false true'],
  ['{{ len .Input.body.list }} {{ len .Input.body.map }} {{ len "héllo" }}', '5 3 6'],
  [
    '{{ index .Input.body.list 1 }} {{ index .Input.body.map "b" }} {{ index .Input.body.map "zz" }}',
    'two 2 <no value>',
  ],
  ['{{ index .Input.body.list 3 "x" }} {{ index "abc" 0 }}', '1 97'],
  // print, println, printf as fmt formats.
  ['{{ print 1 2 }} {{ print "a" 1 2 "b" }} {{ print nil }}', '1 2 a1 2b <nil>'],
  ['{{ println "a" 1 }}', 'a 1\n'],
  [
    '{{ printf "%d %5.2f %-4s| %q %v %x %t %%" 42 3.14159 "ab" "q\\"" .Input.body.map 255 true }}',
    '42  3.14 ab  | "q\\"" map[a:x b:2 c:[1 2]] ff true %',
  ],
  [
    '{{ printf "%s" .Input.body.count }} {{ printf "%d" "x" }} {{ printf "%d" }}',
    '%!s(float64=3) %!d(string=x) %!d(MISSING)',
  ],
  [
    '{{ printf "%v %T %T %T" .Input.body.none .Input.body.count 1 .Input.body.list }}',
    '<nil> float64 int []interface {}',
  ],
  ['{{ printf "%e %g %.3g %06.1f" 1234.5678 0.000012 3.14159 -2.5 }}', '1.234568e+03 1.2e-05 3.14 -002.5'],
  ['{{ printf "a" 1 }}', 'a%!(EXTRA int=1)'],
  [
    '{{ html "<a href=\'x\'>&</a>" }} {{ urlquery "a b&c=d/é" }} {{ js "it\'s <b>" }}',
    "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt; a+b%26c%3Dd%2F%C3%A9 it\\'s \\u003Cb\\u003E",
  ],
];

describe('Go text/template golden outputs', () => {
  it.each(GOLDEN)('%s', (template, expected) => {
    expect(compileTemplate(template).render(data)).toBe(expected);
  });
});

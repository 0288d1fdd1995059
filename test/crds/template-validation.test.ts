import { describe, expect, it } from 'vitest';
import { parseManifestText, validateDocument } from '../../crds/index.ts';

/** `path: message` for each error of a manifest. */
function errors(text: string): string[] {
  const { documents, issues } = parseManifestText('test.yaml', text);
  expect(issues).toEqual([]);
  return validateDocument(documents[0]!).errors.map((e) => `${e.path}: ${e.message}`);
}

const sensor = (dependency: string, trigger: string) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: s
spec:
  dependencies:
    - name: dep
      eventSourceName: webhook
      eventName: example
${dependency}
  triggers:
    - template:
        name: t
${trigger}
`;

const httpTrigger = (src: string) => `        http:
          url: http://example.test/
          payload:
            - src:
                dependencyName: dep
${src}
              dest: a
          parameters:
            - src:
                dependencyName: dep
                contextTemplate: "{{ .Input.type | upper }}"
              dest: url`;

describe('template and script validation at load', () => {
  it('accepts templates that parse and call only functions Impulse has', () => {
    expect(
      errors(
        sensor(
          '',
          httpTrigger('                dataTemplate: "{{ .Input.body.x | default \\"d\\" | quote }}"'),
        ),
      ),
    ).toEqual([]);
  });

  it('names the field and the function for a function that does not exist or is left out', () => {
    expect(
      errors(sensor('', httpTrigger('                dataTemplate: "{{ .Input.body | frobnicate }}"'))),
    ).toEqual([
      'spec.triggers[0].template.http.payload[0].src.dataTemplate: template: param:1: function "frobnicate" not defined',
    ]);
    expect(
      errors(sensor('', httpTrigger('                dataTemplate: "{{ env \\"SECRET\\" }}"')))[0],
    ).toContain(
      'spec.triggers[0].template.http.payload[0].src.dataTemplate: template: param:1: function "env" is not supported by Impulse',
    );
  });

  it('reports syntax errors in trigger-level parameters, dlqTrigger and data filter templates', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: s
spec:
  dependencies:
    - name: dep
      eventSourceName: webhook
      eventName: example
      filters:
        data:
          - path: body.ref
            type: string
            value: [main]
            template: "{{ .Input | trimPrefix }"
  triggers:
    - template:
        name: t
        log: {}
      parameters:
        - src:
            dependencyName: dep
            contextTemplate: "{{ if .Input.type }}x"
          dest: name
      dlqTrigger:
        template:
          name: dlq
          log: {}
        parameters:
          - src:
              dependencyName: dep
              dataTemplate: "{{ $nope }}"
            dest: name
`;
    expect(errors(text)).toEqual([
      'spec.dependencies[0].filters.data[0].template: template: param:1: unexpected "}" in operand',
      'spec.triggers[0].parameters[0].src.contextTemplate: template: param:1: unexpected EOF',
      'spec.triggers[0].dlqTrigger.parameters[0].src.dataTemplate: template: param:1: undefined variable "$nope"',
    ]);
  });

  it('checks Lua syntax of script filters and transforms, and refuses jq and script together', () => {
    const deps = `      filters:
        script: "if event.a then return true"
      transform:
        jq: ".body"
        script: "return event"`;
    expect(errors(sensor(deps, '        log: {}'))).toEqual([
      "spec.dependencies[0].filters.script: Lua syntax error: script:1: 'end' expected near <eof>",
      'spec.dependencies[0].transform: sets both jq and script; set one (Argo Events would silently ignore the script)',
    ]);
  });
});

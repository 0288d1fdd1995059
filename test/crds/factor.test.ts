import { describe, expect, it } from 'vitest';
import { createAjv } from '../../crds/ajv.ts';
import { factorSchema } from '../../crds/factor.ts';
import { Sensor } from '../../crds/index.ts';

describe('factorSchema', () => {
  it('moves repeated subschemas into $defs and keeps the rest', () => {
    const secret = {
      type: 'object',
      properties: { name: { type: 'string' }, key: { type: 'string' } },
      required: ['name', 'key'],
    };
    const schema = {
      type: 'object',
      properties: { a: secret, b: { type: 'array', items: secret }, c: { type: 'string' } },
    };
    const factored = factorSchema(schema, 30);
    expect(factored).toEqual({
      type: 'object',
      properties: {
        a: { $ref: '#/$defs/s0' },
        b: { type: 'array', items: { $ref: '#/$defs/s0' } },
        c: { type: 'string' },
      },
      $defs: { s0: secret },
    });
  });

  it('gives the Sensor schema the same verdicts, in far less code', () => {
    const plain = createAjv().compile(Sensor);
    const factored = createAjv({ inlineRefs: false }).compile(factorSchema(Sensor));
    const valid = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Sensor',
      metadata: { name: 's' },
      spec: {
        dependencies: [{ name: 'a', eventSourceName: 'e', eventName: 'x' }],
        triggers: [
          {
            template: { name: 't', log: {} },
            dlqTrigger: { template: { name: 'd', http: { url: 'http://x' } } },
          },
        ],
      },
    };
    const invalid = structuredClone(valid) as {
      spec: { triggers: Array<{ dlqTrigger: { template: Record<string, unknown> } }> };
    };
    invalid.spec.triggers[0]!.dlqTrigger.template.colour = 'blue';
    for (const validate of [plain, factored]) {
      expect(validate(valid)).toBe(true);
      expect(validate(invalid)).toBe(false);
      expect(validate.errors?.[0]).toMatchObject({
        instancePath: '/spec/triggers/0/dlqTrigger/template',
        params: { additionalProperty: 'colour' },
      });
    }
    expect(factored.toString().length * 5).toBeLessThan(plain.toString().length);
  });
});

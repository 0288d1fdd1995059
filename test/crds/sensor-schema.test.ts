import { readdirSync, readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createAjv } from '../../crds/ajv.ts';
import { Sensor, TRIGGER_TYPES, TriggerTemplate, UNSUPPORTED_TRIGGER_TYPES } from '../../crds/sensor.ts';

const compat = new URL('../../../shared/compat/argo-events/sensors/', import.meta.url);
const validate = createAjv().compile(Sensor);

/** Files the closed schema must reject, and the unknown field it must name. */
const MISPLACED_FIELDS: Record<string, { instancePath: string; field: string }> = {
  'trigger-with-policy.yaml': { instancePath: '/spec/triggers/0/template', field: 'policy' },
  'trigger-with-atleast-once-semantics.yaml': {
    instancePath: '/spec/triggers/0/template',
    field: 'atLeastOnce',
  },
};

function errorsOf(document: unknown): ErrorObject[] {
  return validate(document) ? [] : [...(validate.errors ?? [])];
}

function unknownFields(errors: ErrorObject[]) {
  return errors
    .filter((e) => e.keyword === 'additionalProperties')
    .map((e) => ({
      instancePath: e.instancePath,
      field: (e.params as { additionalProperty: string }).additionalProperty,
    }));
}

/** Trigger type keys a manifest uses that Impulse does not support, with where they sit. */
function unsupportedTypesIn(document: { spec?: { triggers?: { template?: object }[] } }) {
  return (document.spec?.triggers ?? []).flatMap((trigger, i) =>
    Object.keys(trigger.template ?? {})
      .filter((key) => (UNSUPPORTED_TRIGGER_TYPES as readonly string[]).includes(key))
      .map((field) => ({ instancePath: `/spec/triggers/${i}/template`, field })),
  );
}

const files = readdirSync(compat)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

function load(name: string) {
  return parse(readFileSync(new URL(name, compat), 'utf8')) as {
    spec?: { triggers?: { template?: object }[] };
  };
}

/** A small valid sensor to vary in the negative tests. */
function sensor() {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Sensor',
    metadata: { name: 'example' },
    spec: {
      dependencies: [
        {
          name: 'dep',
          eventSourceName: 'webhook',
          eventName: 'example',
          filters: { data: [{ path: 'body.action', type: 'string', value: ['opened'] }] } as Record<
            string,
            unknown
          >,
        },
      ],
      triggers: [{ template: { name: 'log', log: {} } } as Record<string, unknown>],
    },
  };
}

describe('Sensor schema against the Argo Events examples', () => {
  it('finds the examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const name of Object.keys(MISPLACED_FIELDS)) expect(files).toContain(name);
  });

  const valid = files.filter(
    (name) => !(name in MISPLACED_FIELDS) && unsupportedTypesIn(load(name)).length === 0,
  );

  it.each(valid)('accepts %s', (name) => {
    expect(errorsOf(load(name))).toEqual([]);
  });

  it.each(Object.entries(MISPLACED_FIELDS))(
    'rejects %s: %o is not a field of the template',
    (name, expected) => {
      const errors = errorsOf(load(name));
      expect(errors.length).toBeGreaterThan(0);
      expect(unknownFields(errors)).toContainEqual(expected);
    },
  );

  it('rejects every example that uses an unsupported trigger type, naming the type', () => {
    for (const name of files.filter((n) => unsupportedTypesIn(load(n)).length > 0)) {
      const document = load(name);
      const fields = unknownFields(errorsOf(document));
      for (const expected of unsupportedTypesIn(document)) expect(fields, name).toContainEqual(expected);
    }
  });
});

describe('trigger types', () => {
  const templateKeys = Object.keys(TriggerTemplate.properties);

  it('has one optional template property per supported type', () => {
    expect([...TRIGGER_TYPES].sort()).toEqual([
      'argoWorkflow',
      'argocd',
      'gitops',
      'http',
      'k8s',
      'log',
      'nats',
    ]);
    expect(
      templateKeys.filter((key) => !['name', 'conditions', 'conditionsReset'].includes(key)).sort(),
    ).toEqual([...TRIGGER_TYPES].sort());
    expect(TriggerTemplate.required).toEqual(['name']);
  });

  it("covers every trigger key of Argo Events' TriggerTemplate exactly once", () => {
    const argo = [
      'k8s',
      'argoWorkflow',
      'http',
      'awsLambda',
      'custom',
      'kafka',
      'nats',
      'slack',
      'openWhisk',
      'log',
      'azureEventHubs',
      'pulsar',
      'azureServiceBus',
      'email',
    ];
    // gitops and argocd are Impulse's own trigger types.
    const impulseOnly = ['argocd', 'gitops'];
    expect(
      [...TRIGGER_TYPES, ...UNSUPPORTED_TRIGGER_TYPES].filter((t) => !impulseOnly.includes(t)).sort(),
    ).toEqual(argo.sort());
  });

  it('rejects an unsupported trigger type as an unknown field of the template', () => {
    const document = sensor();
    document.spec.triggers[0] = {
      template: { name: 'k', kafka: { url: 'kafka:9092', topic: 't', payload: [] } },
    };
    expect(unknownFields(errorsOf(document))).toContainEqual({
      instancePath: '/spec/triggers/0/template',
      field: 'kafka',
    });
  });
});

describe('Sensor schema rejects mistakes', () => {
  it('accepts the base sensor used below', () => {
    expect(errorsOf(sensor())).toEqual([]);
  });

  it('rejects a comparator of the wrong type', () => {
    const document = sensor();
    document.spec.dependencies[0]!.filters = {
      data: [{ path: 'body.n', type: 'number', value: ['1'], comparator: 5 }],
    };
    const errors = errorsOf(document);
    expect(errors).toContainEqual(
      expect.objectContaining({
        instancePath: '/spec/dependencies/0/filters/data/0/comparator',
        keyword: 'type',
      }),
    );
  });

  it('rejects a comparator that is not one of the known ones', () => {
    const document = sensor();
    document.spec.dependencies[0]!.filters = {
      data: [{ path: 'body.n', type: 'number', value: ['1'], comparator: '==' }],
    };
    expect(errorsOf(document)).toContainEqual(
      expect.objectContaining({
        instancePath: '/spec/dependencies/0/filters/data/0/comparator',
        keyword: 'enum',
      }),
    );
  });

  it('rejects an unknown field in a data filter', () => {
    const document = sensor();
    document.spec.dependencies[0]!.filters = {
      data: [{ path: 'body.action', type: 'string', value: ['opened'], values: ['closed'] }],
    };
    expect(unknownFields(errorsOf(document))).toEqual([
      { instancePath: '/spec/dependencies/0/filters/data/0', field: 'values' },
    ]);
  });

  it('rejects a parameter value that is not a string', () => {
    const document = sensor();
    document.spec.triggers[0]!.parameters = [
      { src: { dependencyName: 'dep', value: 3 }, dest: 'log.intervalSeconds' },
    ];
    expect(errorsOf(document)).toContainEqual(
      expect.objectContaining({ instancePath: '/spec/triggers/0/parameters/0/src/value', keyword: 'type' }),
    );
  });

  it('reads retryStrategy.duration as an integer or a string', () => {
    for (const duration of [1000000000, '3s']) {
      const document = sensor();
      document.spec.triggers[0]!.retryStrategy = { steps: 3, duration, factor: 1.5, jitter: 0.1 };
      expect(errorsOf(document)).toEqual([]);
    }
    const document = sensor();
    document.spec.triggers[0]!.retryStrategy = { duration: true };
    expect(errorsOf(document).length).toBeGreaterThan(0);
  });

  it('accepts an HTTP payload entry without dest but requires dest on other parameters', () => {
    const document = sensor();
    document.spec.triggers[0] = {
      template: {
        name: 'http',
        http: { url: 'http://example', payload: [{ src: { dependencyName: 'dep' } }], timeout: 10 },
      },
      parameters: [{ src: { dependencyName: 'dep' } }],
    };
    expect(errorsOf(document)).toContainEqual(
      expect.objectContaining({
        instancePath: '/spec/triggers/0/parameters/0',
        keyword: 'required',
        params: { missingProperty: 'dest' },
      }),
    );
    expect(errorsOf(document)).toHaveLength(1);
  });

  it('rejects an HTTP timeout given as a duration string', () => {
    const document = sensor();
    document.spec.triggers[0] = {
      template: { name: 'http', http: { url: 'http://example', timeout: '10s' } },
    };
    expect(errorsOf(document)).toContainEqual(
      expect.objectContaining({ instancePath: '/spec/triggers/0/template/http/timeout', keyword: 'type' }),
    );
  });
});

describe('dlqTrigger', () => {
  const dlq = {
    template: { name: 'dead-letters', http: { url: 'http://dlq.example/events' } },
    atLeastOnce: true,
  };

  it('accepts a dead-letter trigger with the fields of a trigger', () => {
    const document = sensor();
    Object.assign(document.spec.triggers[0]!, {
      atLeastOnce: true,
      dlqTrigger: { ...dlq, retryStrategy: { steps: 2 }, rateLimit: { unit: 'Minute', requestsPerUnit: 10 } },
    });
    expect(errorsOf(document)).toEqual([]);
  });

  it('rejects a dead-letter trigger that has a dead-letter trigger of its own', () => {
    const document = sensor();
    Object.assign(document.spec.triggers[0]!, { atLeastOnce: true, dlqTrigger: { ...dlq, dlqTrigger: dlq } });
    expect(unknownFields(errorsOf(document))).toEqual([
      { instancePath: '/spec/triggers/0/dlqTrigger', field: 'dlqTrigger' },
    ]);
  });

  it('rejects a misplaced field inside the dead-letter trigger template', () => {
    const document = sensor();
    Object.assign(document.spec.triggers[0]!, {
      atLeastOnce: true,
      dlqTrigger: { template: { ...dlq.template, atLeastOnce: true } },
    });
    expect(unknownFields(errorsOf(document))).toEqual([
      { instancePath: '/spec/triggers/0/dlqTrigger/template', field: 'atLeastOnce' },
    ]);
  });

  it('rejects a dead-letter trigger without a template', () => {
    const document = sensor();
    Object.assign(document.spec.triggers[0]!, { atLeastOnce: true, dlqTrigger: { atLeastOnce: true } });
    expect(errorsOf(document)).toContainEqual(
      expect.objectContaining({
        instancePath: '/spec/triggers/0/dlqTrigger',
        keyword: 'required',
        params: { missingProperty: 'template' },
      }),
    );
  });
});

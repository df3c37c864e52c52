import fc from 'fast-check';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/** A JSON Schema (draft 2020-12) as the OpenAPI document writes it, `$ref`s already resolved. */
export type JsonSchema = Record<string, unknown>;

/** One validator set for a whole run: draft 2020-12, unicode-aware lengths, OpenAPI's extra keywords ignored. */
export function schemaValidator(): (schema: JsonSchema) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const compiled = new Map<JsonSchema, ValidateFunction>();
  return (schema) => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    return validate;
  };
}

/** Replaces every local `$ref` (`#/components/…`) by what it points at, so each schema stands alone. */
export function resolveRefs<T>(value: T, document: unknown): T {
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, document)) as T;
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key.replaceAll('~1', '/').replaceAll('~0', '~')], document);
    return resolveRefs(target as T, document);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveRefs(item, document)])) as T;
}

const stringRule = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f]*$/;

const characters = (schema: JsonSchema) => ({
  // Whole code points (never a lone surrogate half), any plane: what a JSON string can carry.
  unit: 'binary' as const,
  minLength: (schema.minLength as number | undefined) ?? 0,
  maxLength: Math.min((schema.maxLength as number | undefined) ?? 40, 40),
});

function typed(type: string, schema: JsonSchema): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string': {
      // The document's info x-string-rule (one rule for every request string, which JSON Schema cannot attach to
      // each string without clashing with its own pattern): valid inputs follow it too.
      const free = fc.string(characters(schema)).filter((value) => stringRule.test(value));
      return typeof schema.pattern === 'string' ? fc.oneof(fc.stringMatching(new RegExp(schema.pattern), { maxLength: 40 }).filter((value) => stringRule.test(value)), free) : free;
    }
    case 'integer':
      return fc.integer({ min: (schema.minimum as number | undefined) ?? -(2 ** 31), max: (schema.maximum as number | undefined) ?? 2 ** 31 });
    case 'number':
      return fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(candidates((schema.items as JsonSchema | undefined) ?? {}), { maxLength: 3 });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const requiredKeys = ((schema.required ?? []) as string[]).filter((key) => key in properties);
      return fc.record(Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, candidates(property)])), { requiredKeys });
    }
    default:
      throw new Error(`no generator for JSON Schema type ${type}`);
  }
}

/** Values shaped by the schema's keywords; most satisfy it, and `validFor` keeps only those that do. */
function candidates(schema: JsonSchema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.length > 0 ? fc.constantFrom(...(schema.enum as unknown[])) : fc.constant(undefined);
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map(candidates));
  if (Array.isArray(schema.type)) return fc.oneof(...(schema.type as string[]).map((type) => typed(type, schema)));
  if (typeof schema.type === 'string') return typed(schema.type, schema);
  return fc.jsonValue();
}

/**
 * Values valid per `schema`, by the schema alone: generated from its keywords, then filtered through ajv, so
 * what comes out is valid per the document whatever the generator got wrong. Undefined when nothing is
 * (an empty enum, `not: {}`).
 */
export function validFor(schema: JsonSchema, validator: ValidateFunction): fc.Arbitrary<unknown> | undefined {
  if ((Array.isArray(schema.enum) && schema.enum.length === 0) || (schema.not && Object.keys(schema.not).length === 0)) return undefined;
  return candidates(schema).filter((value) => validator(value));
}

/** Values clients get wrong: wrong types, bounds and their neighbours, blank text, numbers written loosely. */
export function hostileValues(schema: JsonSchema): unknown[] {
  const longest = typeof schema.maxLength === 'number' ? ['x'.repeat(schema.maxLength + 1), '😀'.repeat(schema.maxLength + 1)] : [];
  const bounds = [schema.minimum, schema.maximum].filter((bound): bound is number => typeof bound === 'number');
  return [
    null,
    true,
    {},
    [],
    1.5,
    -1,
    0,
    2 ** 31,
    '',
    ' ',
    '\u3000\t',
    '0',
    '0.0',
    '1e3',
    '02357883647',
    '-1',
    'x',
    ...longest,
    ...bounds.flatMap((bound) => [bound - 1, bound + 1, String(bound - 1), String(bound + 1)]),
  ];
}

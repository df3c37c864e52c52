import type { z } from 'zod';
import { textRule } from '../../src/http/fields.ts';
import type { AnyRoute } from '../../src/http/routes.ts';

interface Def {
  type: string;
  checks?: unknown[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  options?: z.ZodType[];
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

// Types that cannot hold a string of the request (or only a fixed one: a literal, an enum member).
const stringless = new Set(['literal', 'enum', 'number', 'int', 'boolean', 'null', 'undefined', 'void', 'never', 'nan', 'bigint', 'date', 'transform']);

/**
 * Where an input schema lets a string through without the shared string rule (src/http/fields.ts `text()`):
 * a `z.string()` built without it, or an unknown/any value (a loose object's extra keys, say). A schema type
 * this walk does not know fails loudly, so that a new kind of schema cannot slip past it.
 */
export function unguardedStrings(schema: z.ZodType, at = ''): string[] {
  const def = defOf(schema);
  const here = at || '(the whole input)';
  const walk = (child: z.ZodType | null | undefined, path = at) => (child ? unguardedStrings(child, path) : []);
  switch (def.type) {
    case 'string':
      return def.checks?.includes(textRule) ? [] : [`${here}: z.string() without the string rule`];
    case 'unknown':
    case 'any':
      return [`${here}: ${def.type} lets any string through`];
    case 'object':
      return [
        ...Object.entries(def.shape ?? {}).flatMap(([key, value]) => walk(value, at ? `${at}.${key}` : key)),
        ...walk(def.catchall, `${at ? `${at}.` : ''}(other keys)`),
      ];
    case 'union':
      return (def.options ?? []).flatMap((option) => walk(option));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return walk(def.innerType);
    case 'pipe':
      return [...walk(def.in), ...walk(def.out)];
    case 'array':
      return walk(def.element, `${at}[]`);
    case 'record':
      return [...walk(def.keyType, `${at}(keys)`), ...walk(def.valueType, `${at}[*]`)];
    case 'tuple':
      return [...(def.items ?? []).flatMap((item, index) => walk(item, `${at}[${index}]`)), ...walk(def.rest, `${at}[…]`)];
    case 'intersection':
      return [...walk(def.left), ...walk(def.right)];
    case 'lazy':
      return walk(def.getter?.());
    default:
      if (stringless.has(def.type)) return [];
      throw new Error(`${here}: a zod "${def.type}" schema, which test/helpers/schema-strings.ts does not know how to walk`);
  }
}

/** Every string a route reads from its request (query, body, path parameters, cookies) that skips the rule. */
export function unguardedStringsOfRoute(spec: AnyRoute): string[] {
  const label = `${spec.method.toUpperCase()} ${spec.path}`;
  const found = (['query', 'body', 'params', 'cookies'] as const).flatMap((part) => {
    const schema = spec[part];
    return schema ? unguardedStrings(schema).map((problem) => `${label} ${part} ${problem}`) : [];
  });
  const pathParameters = [...spec.path.matchAll(/[:*](\w+)/g)].map(([, name]) => name!);
  if (pathParameters.length > 0) {
    const shape = spec.params && defOf(spec.params).shape;
    for (const name of pathParameters) if (!shape?.[name]) found.push(`${label}: path parameter ${name} is not in its params schema`);
  }
  return found;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { lenientInt, requiredText, text } from '../../src/http/fields.ts';
import { route } from '../../src/http/routes.ts';
import { unguardedStrings, unguardedStringsOfRoute } from '../helpers/schema-strings.ts';

const refused = (value: string) => !text().safeParse(value).success;
const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

describe('The shared string rule (src/http/fields.ts)', () => {
  it('When a string holds a C0 control other than TAB, LF or CR, then the rule refuses it and says which and where', () => {
    const allowed = [0x09, 0x0a, 0x0d];
    for (let code = 0; code < 0x20; code += 1) {
      const result = text().safeParse(`ab${String.fromCharCode(code)}c`);
      assert.equal(result.success, allowed.includes(code), hex(code));
      if (!result.success) assert.equal(result.error.issues[0]?.message, `must not contain control characters (${hex(code)} at 2)`);
    }
  });

  it('When a string holds a lone surrogate (high, low, or a pair in the wrong order), then the rule refuses it; a real pair passes', () => {
    for (let code = 0xd800; code <= 0xdfff; code += 1) assert.ok(refused(`x${String.fromCharCode(code)}y`), hex(code));
    assert.ok(refused('\udc00\ud800'));
    assert.match(text().safeParse('\ud800').error?.issues[0]?.message ?? '', /lone UTF-16 surrogate/);
    assert.ok(!refused('😀𝕏𠜎'));
  });

  it('When a string is text of any script, with DEL, C1 controls, a BOM, bidi marks or combining marks, then the rule lets it through', () => {
    for (const value of ['안녕하세요', 'שלום عربي', 'e\u0301\u0327', '\ufeffbom', '\u202eevil\u202c', 'del\u007f c1\u0085\u009f', 'tab\tlf\ncr\r', '']) {
      assert.ok(!refused(value), JSON.stringify(value));
    }
  });

  it("When the rule refuses a string, then the field's own checks add nothing: one problem per field", () => {
    const slug = text().max(3).regex(/^[a-z]+$/, 'slug');
    assert.deepEqual(slug.safeParse('abcdef\u0000').error?.issues.map((issue) => issue.message), ['must not contain control characters (U+0000 at 6)']);
    assert.equal(requiredText(10).safeParse('\u0000').error?.issues.length, 1);
    assert.equal(lenientInt({ min: 1, max: 9 }).safeParse('5\u0000').success, false);
  });
});

describe('Every route input is built with the string rule', () => {
  it('When a schema holds a plain z.string() (however deep), an unknown value or a loose object, then the walk names it', () => {
    const schema = z.object({
      ok: text(),
      plain: z.string(),
      deep: z.array(z.union([z.null(), z.object({ inner: z.string().min(1).optional() })])),
      loose: z.looseObject({ fine: text() }),
      anything: z.unknown(),
      number: lenientInt({ min: 1, max: 2 }),
    });
    assert.deepEqual(unguardedStrings(schema), [
      'plain: z.string() without the string rule',
      'deep[].inner: z.string() without the string rule',
      'loose.(other keys): unknown lets any string through',
      'anything: unknown lets any string through',
    ]);
  });

  it('When a route has a path parameter without a params schema, then the walk names it', () => {
    const spec = route({ method: 'get', path: '/x/:id', tag: 't', summary: 's', responses: {}, handle: () => undefined });
    assert.deepEqual(unguardedStringsOfRoute(spec), ['GET /x/:id: path parameter id is not in its params schema']);
  });
});

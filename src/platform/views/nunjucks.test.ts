import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createViews } from './nunjucks.ts';

const env = createViews();
const render = (template: string, context: object = {}) => env.renderString(template, context);

test('trim strips white space at both ends and keeps escaping as Nunjucks does', () => {
  const cases: [string, object, string][] = [
    ['{{ "  a b  " | trim }}', {}, 'a b'],
    ['{{ x | trim }}', { x: '\n\t <p>hi</p> \r\n' }, '&lt;p&gt;hi&lt;/p&gt;'],
    ['{{ x | safe | trim }}', { x: '\n <p>hi</p> \n' }, '<p>hi</p>'],
    // A captured block is a plain string to Nunjucks, so it is escaped, as with its own trim.
    ['{% set b %}\n  <b>x</b>\n{% endset %}{{ b | trim }}', {}, '&lt;b&gt;x&lt;/b&gt;'],
    ['{% set b %}\n  <b>x</b>\n{% endset %}{{ b | safe | trim }}', {}, '<b>x</b>'],
    ['{{ x | trim }}', { x: '' }, ''],
    ['{{ x | trim }}', { x: 42 }, '42'],
    ['{{ x | trim }}', {}, ''],
  ];
  for (const [template, context, expected] of cases)
    assert.equal(render(template, context), expected, template);
});

test('trim gives what the regular expression Nunjucks ships with gives, for any text', () => {
  fc.assert(
    fc.property(
      fc.string({
        unit: fc.constantFrom(' ', '\n', '\t', '\r', '\u00a0', '\ufeff', 'a', 'b', '<'),
      }),
      (s) => {
        const expected = s.replace(/^\s*|\s*$/g, '');
        assert.equal(render('{{ x | safe | trim }}', { x: s }), expected);
      },
    ),
  );
});

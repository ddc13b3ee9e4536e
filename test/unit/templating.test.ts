import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/recording/input-error';
import { parseRecording } from '../../src/recording/parse-recording';
import { applyTemplate, missingColumns, templateVariables } from '../../src/recording/templating';
import type { ChangeStep, CustomStep, UserFlow } from '../../src/recording/types';

const fixture = parseRecording(readFileSync(join(__dirname, 'fixtures', 'all-step-types.json'), 'utf8'));
const flowOf = (...steps: UserFlow['steps']): UserFlow => ({ title: 't', steps });

describe('templateVariables', () => {
  it('finds variables in every kind of string, unique and in first-seen order', () => {
    expect(templateVariables(fixture)).toEqual([
      { name: 'baseUrl', hasDefault: true },
      { name: 'email', hasDefault: false },
      { name: 'name', hasDefault: false },
      { name: 'title', hasDefault: true },
      { name: 'tag', hasDefault: true },
    ]);
  });

  it('finds variables in nested selectors, keys, targets, asserted events and the title', () => {
    const flow: UserFlow = {
      title: 'Run for {{user}}',
      steps: [
        { type: 'hover', selectors: ['#{{a}}', ['#host', 'aria/{{b}}']], target: '{{c}}' },
        { type: 'keyDown', key: '{{d}}', assertedEvents: [{ type: 'navigation', url: '{{e}}', title: '{{f}}' }] },
      ],
    };
    expect(templateVariables(flow).map((v) => v.name)).toEqual(['user', 'a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('counts a variable as defaulted only if every use has an inline default', () => {
    const flow = flowOf({ type: 'navigate', url: '{{x|1}}/{{y|2}}' }, { type: 'change', selectors: ['#a'], value: '{{x}}{{ y | 3 }}' });
    expect(templateVariables(flow)).toEqual([
      { name: 'x', hasDefault: false },
      { name: 'y', hasDefault: true },
    ]);
  });

  it('ignores empty braces and non-placeholders', () => {
    const flow = flowOf({ type: 'waitForExpression', expression: '{{ }} {x} {{}} {{a{b}}' });
    expect(templateVariables(flow)).toEqual([]);
  });
});

describe('missingColumns', () => {
  it('lists variables without inline default that are neither headers nor job defaults', () => {
    expect(missingColumns(fixture, ['baseUrl'])).toEqual(['email', 'name']);
    expect(missingColumns(fixture, ['email'], { name: 'Ann' })).toEqual([]);
    expect(missingColumns(fixture, ['Email', 'name'])).toEqual(['email']); // header match is exact
  });

  it('does not treat Object.prototype members as defaults', () => {
    const flow = flowOf({ type: 'navigate', url: '{{constructor}}' });
    expect(missingColumns(flow, [], {})).toEqual(['constructor']);
  });
});

describe('applyTemplate', () => {
  it('replaces placeholders everywhere and leaves the input untouched', () => {
    const before = JSON.stringify(fixture);
    const out = applyTemplate(fixture, { email: 'a@b.c', name: 'Ann', tag: 'vip' });
    expect(JSON.stringify(fixture)).toBe(before);
    expect(out.steps[1]).toMatchObject({ type: 'navigate', url: 'http://localhost:3000/login' });
    expect((out.steps[3] as ChangeStep).value).toBe('a@b.c');
    expect(out.steps[10]).toMatchObject({ properties: { textContent: 'Welcome Ann' } });
    expect(out.steps[11]).toMatchObject({ expression: "document.title === 'Home'" });
    expect((out.steps[13] as CustomStep).parameters).toEqual({ message: 'hello Ann', tags: ['vip'] });
    expect(out.steps[0]).toEqual(fixture.steps[0]);
    expect(out.steps[0]).not.toBe(fixture.steps[0]);
  });

  it('replaces inside nested selector paths', () => {
    const flow = flowOf({ type: 'hover', selectors: [['#host', 'aria/{{label}}'], '#row-{{ id }}'] });
    expect(applyTemplate(flow, { label: 'Save', id: '7' }).steps[0]).toEqual({
      type: 'hover',
      selectors: [['#host', 'aria/Save'], '#row-7'],
    });
  });

  it('prefers the row value, then the job default, then the inline default', () => {
    const text = '{{a|inline}} {{b|inline}} {{c|inline}} {{d|}}';
    expect(applyTemplate(text, { a: 'row' }, { a: 'job', b: 'job' })).toBe('row job inline ');
  });

  it('uses an empty cell as an empty value rather than falling back to a default', () => {
    expect(applyTemplate('[{{a|inline}}]', { a: '' }, { a: 'job' })).toBe('[]');
  });

  it('keeps default text with spaces and trims around it', () => {
    expect(applyTemplate('{{ greeting | hello there }}!', {})).toBe('hello there!');
  });

  it('inserts values literally: no re-expansion, no $-pattern interpretation', () => {
    expect(applyTemplate('{{a}}', { a: '{{b}}', b: 'x' })).toBe('{{b}}');
    expect(applyTemplate('{{a}}', { a: "$& $1 $$ $'" })).toBe("$& $1 $$ $'");
  });

  it('throws an InputError listing every unresolved variable with its location', () => {
    const flow = flowOf({ type: 'navigate', url: '{{base}}/x' }, { type: 'change', selectors: [['#a', '{{sel}}']], value: '{{v|ok}}' });
    let error: InputError | undefined;
    try {
      applyTemplate(flow, {});
    } catch (err) {
      error = err as InputError;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error?.issues).toEqual([
      'steps[0].url: no value for {{base}} (not a CSV column, no job default, no inline default)',
      'steps[1].selectors[0][1]: no value for {{sel}} (not a CSV column, no job default, no inline default)',
    ]);
  });

  it('does not resolve names through the prototype chain', () => {
    expect(() => applyTemplate('{{toString}}', {})).toThrow(InputError);
  });

  it('copies non-string values as they are', () => {
    const value = { n: 1, b: true, z: null, list: [1, '{{x}}'] };
    expect(applyTemplate(value, { x: 'y' })).toEqual({ n: 1, b: true, z: null, list: [1, 'y'] });
  });
});

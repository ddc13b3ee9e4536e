import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/recording/input-error';
import { parseRecording } from '../../src/recording/parse-recording';
import { STEP_TYPES } from '../../src/recording/schema';
import type { UserFlow } from '../../src/recording/types';

const fixtureText = readFileSync(join(__dirname, 'fixtures', 'all-step-types.json'), 'utf8');
const fixture = (): UserFlow => JSON.parse(fixtureText);

/** The issues parseRecording reports for `input`, or [] if it is valid. */
function issuesOf(input: unknown): string[] {
  try {
    parseRecording(input);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/^Invalid recording/);
    return (err as InputError).issues;
  }
}
const withSteps = (...steps: unknown[]) => ({ title: 't', steps });
const click = { type: 'click', selectors: [['#a']], offsetX: 1, offsetY: 2 };

describe('parseRecording: valid input', () => {
  it('parses a recording containing every step type, from JSON text', () => {
    const flow = parseRecording(fixtureText);
    expect(new Set(flow.steps.map((s) => s.type))).toEqual(new Set(STEP_TYPES));
    expect(flow.title).toBe(fixture().title);
    expect(flow.timeout).toBe(7000);
    expect(flow.steps).toEqual(fixture().steps);
  });

  it('accepts an already-parsed object', () => {
    expect(parseRecording(fixture())).toEqual(parseRecording(fixtureText));
  });

  it('accepts and drops unknown extra properties, so newer Chrome exports still load', () => {
    const flow = parseRecording(withSteps({ ...click, someNewChromeField: { x: 1 } }));
    expect(flow.steps[0]).toEqual(click);
  });

  it('allows an empty change value, and null customStep parameters', () => {
    const flow = parseRecording(
      withSteps({ type: 'change', selectors: ['#a'], value: '' }, { type: 'customStep', name: 'n', parameters: null }),
    );
    expect(flow.steps).toHaveLength(2);
  });
});

describe('parseRecording: invalid input names the step and field', () => {
  it('reports invalid JSON with the parser message', () => {
    expect(() => parseRecording('{"title": ')).toThrow(/not valid JSON: .+/);
  });

  it('rejects a non-object and a recording without steps', () => {
    expect(issuesOf('[]')).toEqual(['(recording): Expected object, received array']);
    expect(issuesOf({ title: 't', steps: [] })).toEqual(['steps: a recording needs at least one step']);
    expect(issuesOf({ steps: [click] })).toEqual(['title: Required']);
  });

  it('lists the valid types for an unknown or missing step type', () => {
    const [unknown, missing] = issuesOf(withSteps(click, click, { type: 'foo' }, { selectors: ['#a'] }));
    expect(unknown).toMatch(/^steps\[2\]\.type: unknown step type "foo" \(expected one of "setViewport", "navigate", .*"customStep"\)$/);
    expect(missing).toMatch(/^steps\[3\]\.type: missing step type \(expected one of /);
  });

  it.each<[string, unknown, string]>([
    ['missing selectors', { type: 'hover' }, 'steps[1].selectors: Required'],
    ['empty selectors', { type: 'hover', selectors: [] }, 'steps[1].selectors: at least one selector is required'],
    ['empty selector string', { type: 'hover', selectors: [''] }, 'steps[1].selectors[0]: must not be empty'],
    ['empty string in selector path', { type: 'hover', selectors: [['#a', '']] }, 'steps[1].selectors[0][1]: must not be empty'],
    ['empty selector path', { type: 'hover', selectors: [[]] }, 'steps[1].selectors[0]: a selector path must not be empty'],
    [
      'selector of wrong type',
      { type: 'hover', selectors: [7] },
      'steps[1].selectors[0]: a selector must be a non-empty string or a non-empty array of strings',
    ],
    ['offsetY not finite', { ...click, offsetY: Number.NaN }, 'steps[1].offsetY: Expected number, received nan'],
    ['offsetX as string', { ...click, offsetX: '3' }, 'steps[1].offsetX: Expected number, received string'],
    [
      'bad button',
      { ...click, button: 'left' },
      "steps[1].button: Invalid enum value. Expected 'primary' | 'auxiliary' | 'secondary' | 'back' | 'forward', received 'left'",
    ],
    [
      'bad deviceType',
      { ...click, deviceType: 'stylus' },
      "steps[1].deviceType: Invalid enum value. Expected 'mouse' | 'pen' | 'touch', received 'stylus'",
    ],
    ['timeout too large', { ...click, timeout: 30001 }, 'steps[1].timeout: must be at most 30000 ms'],
    ['timeout zero', { ...click, timeout: 0 }, 'steps[1].timeout: must be at least 1 ms'],
    ['timeout fractional', { ...click, timeout: 1.5 }, 'steps[1].timeout: must be an integer number of milliseconds'],
    ['negative frame index', { ...click, frame: [0, -1] }, 'steps[1].frame[1]: Number must be greater than or equal to 0'],
    ['target not a string', { ...click, target: 1 }, 'steps[1].target: Expected string, received number'],
    ['negative delayMs', { ...click, delayMs: -5 }, 'steps[1].delayMs: Number must be greater than or equal to 0'],
    [
      'bad asserted event',
      { ...click, assertedEvents: [{ type: 'load' }] },
      'steps[1].assertedEvents[0].type: Invalid literal value, expected "navigation"',
    ],
    ['navigate without url', { type: 'navigate' }, 'steps[1].url: Required'],
    ['change without value', { type: 'change', selectors: ['#a'] }, 'steps[1].value: Required'],
    ['keyDown without key', { type: 'keyDown' }, 'steps[1].key: Required'],
    ['waitForExpression without expression', { type: 'waitForExpression' }, 'steps[1].expression: Required'],
    [
      'bad operator',
      { type: 'waitForElement', selectors: ['#a'], operator: '>' },
      "steps[1].operator: Invalid enum value. Expected '>=' | '==' | '<=', received '>'",
    ],
    [
      'negative count',
      { type: 'waitForElement', selectors: ['#a'], count: -1 },
      'steps[1].count: Number must be greater than or equal to 0',
    ],
    [
      'non-string attribute',
      { type: 'waitForElement', selectors: ['#a'], attributes: { n: 1 } },
      'steps[1].attributes.n: Expected string, received number',
    ],
    [
      'visible as string',
      { type: 'waitForElement', selectors: ['#a'], visible: 'yes' },
      'steps[1].visible: Expected boolean, received string',
    ],
    ['customStep without parameters', { type: 'customStep', name: 'x' }, 'steps[1].parameters: Required'],
    ['network without latency', { type: 'emulateNetworkConditions', download: 1, upload: 1 }, 'steps[1].latency: Required'],
    ['scroll x as string', { type: 'scroll', x: '1' }, 'steps[1].x: Expected number, received string'],
    ['step not an object', 'click', 'steps[1]: Expected object, received string'],
  ])('%s', (_name, step, expected) => {
    expect(issuesOf(withSteps(click, step))).toEqual([expected]);
  });

  it('checks setViewport dimensions and flags', () => {
    const viewport = { type: 'setViewport', width: 0, height: 1.5, deviceScaleFactor: 1, isMobile: 'no', hasTouch: false };
    expect(issuesOf(withSteps(viewport))).toEqual([
      'steps[0].width: Number must be greater than 0',
      'steps[0].height: Expected integer, received float',
      'steps[0].isMobile: Expected boolean, received string',
      'steps[0].isLandscape: Required',
    ]);
  });

  it('checks the flow-level timeout', () => {
    expect(issuesOf({ ...withSteps(click), timeout: 60000 })).toEqual(['timeout: must be at most 30000 ms']);
  });

  it('reports every problem at once, and the message lists them', () => {
    let error: InputError | undefined;
    try {
      parseRecording(withSteps({ type: 'navigate' }, click, { type: 'hover' }));
    } catch (err) {
      error = err as InputError;
    }
    expect(error?.issues).toEqual(['steps[0].url: Required', 'steps[2].selectors: Required']);
    expect(error?.message).toBe('Invalid recording\n  - steps[0].url: Required\n  - steps[2].selectors: Required');
  });
});

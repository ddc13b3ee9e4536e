/**
 * Recordings written the way Chrome's Recorder writes them (setViewport first, navigate with assertedEvents,
 * every selector with aria/CSS/xpath/pierce/text alternatives, Recorder-style offsets, some without), for the
 * differential conformance suite: each is replayed by @puppeteer/replay and by our engine against
 * test/fixtures/recorder, and both must end the same way. Most end with a waitForExpression that checks the
 * page saw what the steps meant (the button, the value, the frame): a runner that drops a field fails there.
 * `{{BASE}}` is the fixture server's origin, filled in before replay (the Recorder writes literal URLs).
 */

/** 'passed', or the index of the step that failed. */
export type Outcome = 'passed' | number;

export interface RecorderCase {
  name: string;
  recording: { title: string; timeout?: number; steps: Array<Record<string, unknown>> };
  /** What @puppeteer/replay gives. */
  reference: Outcome;
  /** Ours, when we differ on purpose: `difference` says why. Default: the reference's outcome. */
  ours?: Outcome;
  difference?: string;
  /** Also replayed through Temporal (one job per recording, one row) in recorder-temporal.test.ts. */
  temporal?: boolean;
  /** The failure kind ours reports, where the case is there to show one. */
  ourErrorType?: string;
}

type S = Record<string, unknown>;
export const BASE = '{{BASE}}';

const viewport = (over: S = {}): S => ({
  type: 'setViewport',
  width: 1280,
  height: 720,
  deviceScaleFactor: 1,
  isMobile: false,
  hasTouch: false,
  isLandscape: false,
  ...over,
});
const navigate = (page = 'app.html', title = 'Recorder app'): S => ({
  type: 'navigate',
  url: `${BASE}/${page}`,
  assertedEvents: [{ type: 'navigation', url: `${BASE}/${page}`, title }],
});
/** The Recorder's five alternatives for an element with an id and an accessible name / visible text. */
const sel = (id: string, name: string) => [[`aria/${name}`], [`#${id}`], [`xpath///*[@id="${id}"]`], [`pierce/#${id}`], [`text/${name}`]];
const click = (id: string, name: string, over: S = {}): S => ({
  type: 'click',
  target: 'main',
  selectors: sel(id, name),
  offsetX: 31,
  offsetY: 12,
  ...over,
});
const expr = (expression: string, over: S = {}): S => ({ type: 'waitForExpression', expression, ...over });
const saw = (event: string) => expr(`window.events.includes(${JSON.stringify(event)})`);
const key = (type: 'keyDown' | 'keyUp', k: string, over: S = {}): S => ({ type, target: 'main', key: k, ...over });
const change = (id: string, name: string, value: string, over: S = {}): S => ({
  type: 'change',
  target: 'main',
  selectors: sel(id, name),
  value,
  ...over,
});
const wait = (selectors: unknown[], over: S = {}): S => ({ type: 'waitForElement', target: 'main', selectors, ...over });

/**
 * A recording on app.html: setViewport, navigate, then `steps`. The flow timeout is generous: a step that passes
 * ends as soon as it can, and under CI load the reference took more than 3 s to see a fetch's result. A step a
 * case expects to fail carries a short timeout of its own (within()).
 */
function onApp(steps: S[], opts: { viewport?: S; page?: string; title?: string; timeout?: number } = {}) {
  return {
    title: 'recorded',
    timeout: opts.timeout ?? 10_000,
    steps: [viewport(opts.viewport), navigate(opts.page, opts.title), ...steps],
  };
}
const last = (r: { steps: unknown[] }) => r.steps.length - 1;
const pass = (name: string, steps: S[], opts: Parameters<typeof onApp>[1] & { temporal?: boolean } = {}): RecorderCase => ({
  name,
  recording: onApp(steps, opts),
  reference: 'passed',
  temporal: opts.temporal,
});
/** A step with a timeout of its own, unless it has one: the step a case expects to fail waits only that long. */
const within = (timeout: number, step: S): S => (step.timeout === undefined ? { ...step, timeout } : step);

/** Fails at its last step in both runners (a short timeout on that step keeps the suite fast). */
const failLast = (name: string, steps: S[], opts: Parameters<typeof onApp>[1] & { temporal?: boolean } = {}): RecorderCase => {
  const recording = onApp([...steps.slice(0, -1), within(400, steps[steps.length - 1])], opts);
  return { name, recording, reference: last(recording), temporal: opts.temporal };
};

/**
 * A click without offsetX/offsetY. @puppeteer/replay 3.1.3 hands puppeteer an offset of undefined and the
 * press never happens (the step times out); the format documents the centre, which we press.
 */
const noOffsets = (name: string, steps: S[], opts: Parameters<typeof onApp>[1] & { temporal?: boolean } = {}): RecorderCase => ({
  name,
  recording: onApp([within(2000, steps[0]), ...steps.slice(1)], opts),
  reference: 2,
  ours: 'passed',
  difference: 'a click without offsets: the reference times out, we press the element centre as the format documents',
  temporal: opts.temporal,
});

const MOBILE = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true, isLandscape: false };

export const RECORDER_CASES: RecorderCase[] = [
  // Pointer: every button, offsets as recorded and absent, duration, double click, hover.
  pass(
    'click primary with offsets',
    [click('pad', 'Press here'), saw('down:0'), expr('window.lastClick.x === 31 && window.lastClick.y === 12')],
    { temporal: true },
  ),
  noOffsets(
    'click without offsets presses the centre',
    [
      { type: 'click', target: 'main', selectors: sel('pad', 'Press here') },
      expr('Math.abs(window.lastClick.x - 60) <= 1 && Math.abs(window.lastClick.y - 20) <= 1'),
    ],
    { temporal: true },
  ),
  pass('click secondary', [click('pad', 'Press here', { button: 'secondary' }), saw('down:2')]),
  pass('click auxiliary', [click('pad', 'Press here', { button: 'auxiliary' }), saw('down:1')]),
  pass('click back', [click('pad', 'Press here', { button: 'back' }), saw('down:3')], { temporal: true }),
  pass('click forward', [click('pad', 'Press here', { button: 'forward' }), saw('down:4')]),
  pass('click explicit primary, mouse device', [click('pad', 'Press here', { button: 'primary', deviceType: 'mouse' }), saw('click:pad')]),
  pass('click pen device', [click('pad', 'Press here', { deviceType: 'pen' }), saw('click:pad')]),
  pass('long press (duration)', [click('pad', 'Press here', { duration: 400 }), expr('window.pressMs >= 350')], { temporal: true }),
  pass('doubleClick with offsets', [
    { type: 'doubleClick', target: 'main', selectors: sel('dbl', 'Double here'), offsetX: 50, offsetY: 10 },
    saw('dblclick'),
  ]),
  noOffsets('doubleClick without offsets', [
    { type: 'doubleClick', target: 'main', selectors: sel('dbl', 'Double here') },
    saw('dblclick'),
  ]),
  pass('hover', [{ type: 'hover', target: 'main', selectors: sel('hover-me', 'Hover here') }, saw('hover')]),
  pass(
    'click an SVG shape',
    [
      {
        type: 'click',
        target: 'main',
        selectors: [['#bar'], ['svg > path'], ['xpath///*[@id="bar"]'], ['pierce/#bar']],
        offsetX: 40,
        offsetY: 30,
      },
      saw('click:bar'),
    ],
    { temporal: true },
  ),
  noOffsets('click an SVG shape without offsets', [{ type: 'click', target: 'main', selectors: [['svg > path']] }, saw('click:bar')]),
  pass('click an element that appears late', [click('late', 'Late button'), saw('click:late')]),
  pass('click a button once it is enabled', [click('slow-enable', 'Slow button', { offsetX: 5, offsetY: 5 }), saw('click:slow')]),
  pass('click an element below the fold (scrolled into view)', [click('far', 'Far button', { offsetX: 4, offsetY: 4 }), saw('click:far')]),
  // Navigation caused by a step, with the assertedEvents the Recorder writes.
  pass(
    'click a link that navigates (assertedEvents)',
    [
      click('next-link', 'Next page', {
        offsetX: 10,
        offsetY: 6,
        assertedEvents: [{ type: 'navigation', url: `${BASE}/next.html`, title: 'Next page' }],
      }),
      wait([['aria/You arrived'], ['#arrived']]),
    ],
    { temporal: true },
  ),
  pass('click a script button that navigates (assertedEvents)', [
    click('go', 'Continue', {
      offsetX: 8,
      offsetY: 5,
      assertedEvents: [{ type: 'navigation', url: `${BASE}/next.html`, title: 'Next page' }],
    }),
    wait([['#arrived']]),
  ]),
  pass(
    'Enter submits a form (assertedEvents on the key press)',
    [
      click('name', 'Full name', { offsetX: 5, offsetY: 5 }),
      key('keyDown', 'Enter', { assertedEvents: [{ type: 'navigation', url: `${BASE}/next.html?name=`, title: 'Next page' }] }),
      key('keyUp', 'Enter'),
      wait([['#arrived']]),
    ],
    { temporal: true },
  ),
  pass('navigate twice, back to the first page', [navigate('next.html', 'Next page'), navigate()]),
  // Keyboard.
  pass('typing with keyDown/keyUp', [
    click('name', 'Full name', { offsetX: 5, offsetY: 5 }),
    key('keyDown', 'a'),
    key('keyUp', 'a'),
    key('keyDown', 'b'),
    key('keyUp', 'b'),
    expr("document.getElementById('name').value === 'ab'"),
  ]),
  pass(
    'Shift+Tab chord moves focus back',
    [
      click('name', 'Full name', { offsetX: 5, offsetY: 5 }),
      key('keyDown', 'Tab'),
      key('keyUp', 'Tab'),
      key('keyDown', 'Shift'),
      key('keyDown', 'Tab'),
      key('keyUp', 'Tab'),
      key('keyUp', 'Shift'),
      expr("document.activeElement.id === 'name'"),
    ],
    { temporal: true },
  ),
  pass('Shift+a chord types a capital', [
    click('name', 'Full name', { offsetX: 5, offsetY: 5 }),
    key('keyDown', 'Shift'),
    key('keyDown', 'A'),
    key('keyUp', 'A'),
    key('keyUp', 'Shift'),
    saw('key:Shift+A'),
  ]),
  pass('Tab moves focus forward', [
    click('name', 'Full name', { offsetX: 5, offsetY: 5 }),
    key('keyDown', 'Tab'),
    key('keyUp', 'Tab'),
    expr("document.activeElement.id === 'plan'"),
  ]),
  pass('Backspace edits a field', [
    change('name', 'Full name', 'abc'),
    key('keyDown', 'Backspace'),
    key('keyUp', 'Backspace'),
    expr("document.getElementById('name').value === 'ab'"),
  ]),
  // change on every kind of control.
  pass(
    'change a text field',
    [change('name', 'Full name', 'Ada Lovelace'), expr("document.getElementById('name').value === 'Ada Lovelace'")],
    { temporal: true },
  ),
  pass('change a text field to empty', [
    change('name', 'Full name', 'x'),
    change('name', 'Full name', ''),
    expr("document.getElementById('name').value === ''"),
  ]),
  pass('change a select', [change('plan', 'Plan', 'pro'), expr("document.getElementById('plan').value === 'pro'")], { temporal: true }),
  pass('change a colour input', [change('colour', 'Colour', '#ff8800'), expr("document.getElementById('colour').value === '#ff8800'")]),
  pass('change a date input', [change('day', 'Day', '2024-05-17'), expr("document.getElementById('day').value === '2024-05-17'")]),
  pass('change a textarea', [
    change('comment', 'Comment', 'two\nlines'),
    expr("document.getElementById('comment').value === 'two\\nlines'"),
  ]),
  pass('change a contenteditable', [
    change('notes', 'Notes', 'new notes'),
    expr("document.getElementById('notes').textContent === 'new notes'"),
  ]),
  pass('change a checkbox', [change('terms', 'Accept terms', 'on'), expr("document.getElementById('terms').checked")]),
  // scroll.
  pass('scroll the page', [{ type: 'scroll', target: 'main', x: 0, y: 900 }, expr('Math.abs(window.scrollY - 900) <= 1')]),
  pass(
    'scroll an element',
    [
      { type: 'scroll', target: 'main', selectors: [['#box'], ['xpath///*[@id="box"]'], ['pierce/#box']], x: 0, y: 300 },
      expr("document.getElementById('box').scrollTop === 300"),
    ],
    { temporal: true },
  ),
  pass('scroll with x only', [
    { type: 'scroll', target: 'main', selectors: [['#box']], x: 0 },
    expr("document.getElementById('box').scrollTop === 0"),
  ]),
  // waitForElement fields.
  pass('waitForElement default', [wait([['aria/Press here'], ['#pad']])]),
  pass('waitForElement count == 3', [wait([['.item'], ['xpath///li']], { operator: '==', count: 3 })], { temporal: true }),
  pass('waitForElement count >= 2', [wait([['.item']], { operator: '>=', count: 2 })]),
  pass('waitForElement count <= 3', [wait([['.item']], { operator: '<=', count: 3 })]),
  pass('waitForElement several matches, default operator', [wait([['.item']])]),
  pass('waitForElement visible: false (element removed)', [wait([['#gone-soon']], { visible: false })]),
  pass('waitForElement attributes', [wait([['#pad']], { attributes: { class: 'pad' } })]),
  pass('waitForElement properties', [change('name', 'Full name', 'Grace'), wait([['#name']], { properties: { value: 'Grace' } })]),
  pass('waitForElement nested properties', [wait([['#pad']], { properties: { dataset: {}, id: 'pad' } })]),
  pass('waitForExpression', [expr('document.readyState === "complete"')]),
  // Selector kinds on their own.
  pass('aria selector only', [
    { type: 'click', target: 'main', selectors: [['aria/Full name']], offsetX: 5, offsetY: 5 },
    expr("document.activeElement.id === 'name'"),
  ]),
  pass('aria selector with a role', [
    { type: 'click', target: 'main', selectors: [['aria/Fetch data[role="button"]']], offsetX: 5, offsetY: 5 },
    wait([['#net']], { properties: { textContent: 'online' } }),
  ]),
  pass('CSS selector only', [{ type: 'click', target: 'main', selectors: [['div#pad.pad']], offsetX: 5, offsetY: 5 }, saw('click:pad')]),
  pass('xpath selector only', [
    { type: 'click', target: 'main', selectors: [['xpath///*[@id="pad"]']], offsetX: 5, offsetY: 5 },
    saw('click:pad'),
  ]),
  pass('pierce selector only', [{ type: 'click', target: 'main', selectors: [['pierce/#pad']], offsetX: 5, offsetY: 5 }, saw('click:pad')]),
  pass('text selector only', [
    { type: 'click', target: 'main', selectors: [['text/Press here']], offsetX: 5, offsetY: 5 },
    saw('click:pad'),
  ]),
  pass('a stale first alternative, the next one matches', [
    { type: 'click', target: 'main', selectors: [['#renamed'], ['#pad']], offsetX: 5, offsetY: 5 },
    saw('click:pad'),
  ]),
  // Shadow DOM.
  pass(
    'shadow DOM through a selector path',
    [
      { type: 'click', target: 'main', selectors: [['aria/Inner action'], ['#card', '#inner'], ['pierce/#inner']], offsetX: 6, offsetY: 4 },
      saw('click:inner'),
    ],
    { temporal: true },
  ),
  pass('shadow DOM through pierce', [
    { type: 'click', target: 'main', selectors: [['pierce/#inner']], offsetX: 3, offsetY: 3 },
    saw('click:inner'),
  ]),
  noOffsets('shadow DOM click without offsets', [{ type: 'click', target: 'main', selectors: [['pierce/#inner']] }, saw('click:inner')]),
  // Frames.
  pass(
    'click in a frame',
    [
      { type: 'click', target: 'main', frame: [0], selectors: sel('a-btn', 'Frame A button'), offsetX: 5, offsetY: 5 },
      expr("window.events.includes('click:a')", { frame: [0] }),
    ],
    { page: 'frames.html', title: 'Frames', temporal: true },
  ),
  noOffsets(
    'click in a frame without offsets',
    [{ type: 'click', target: 'main', frame: [0], selectors: [['#a-btn']] }, expr("window.events.includes('click:a')", { frame: [0] })],
    { page: 'frames.html', title: 'Frames' },
  ),
  // Not with assertedEvents: the reference's navigation wait then rejects unhandled after its click timed out.
  noOffsets('click a late element without offsets', [
    { type: 'click', target: 'main', selectors: sel('late', 'Late button') },
    saw('click:late'),
  ]),
  pass(
    'click in a nested frame',
    [
      { type: 'click', target: 'main', frame: [0, 0], selectors: sel('b-btn', 'Frame B button'), offsetX: 5, offsetY: 5 },
      expr("window.events.includes('click:b')", { frame: [0, 0] }),
    ],
    { page: 'frames.html', title: 'Frames' },
  ),
  pass(
    'change in a frame',
    [
      { type: 'change', target: 'main', frame: [0], selectors: [['aria/Frame field'], ['#frame-field']], value: 'in frame' },
      expr("document.getElementById('frame-field').value === 'in frame'", { frame: [0] }),
    ],
    { page: 'frames.html', title: 'Frames' },
  ),
  pass('waitForElement in a nested frame', [wait([['#b-btn']], { frame: [0, 0] })], { page: 'frames.html', title: 'Frames' }),
  // Popups.
  pass(
    'a popup: act in it, then close it',
    [
      click('open-popup', 'Open popup', { offsetX: 5, offsetY: 5 }),
      { type: 'click', target: `${BASE}/popup.html`, selectors: [['aria/Popup action'], ['#popup-btn']], offsetX: 5, offsetY: 5 },
      wait([['#popup-out']], { target: `${BASE}/popup.html`, properties: { textContent: 'done' } }),
      { type: 'close', target: `${BASE}/popup.html` },
      wait([['#pad']]),
    ],
    { temporal: true },
  ),
  // The Recorder writes the key as the event had it: with Shift held, 'B'.
  (() => {
    const popup = `${BASE}/popup.html`;
    const recording = onApp([
      click('open-popup', 'Open popup', { offsetX: 5, offsetY: 5 }),
      { type: 'click', target: popup, selectors: [['aria/Popup field'], ['#popup-in']], offsetX: 5, offsetY: 5 },
      key('keyDown', 'a', { target: popup }),
      key('keyUp', 'a', { target: popup }),
      key('keyDown', 'Shift', { target: popup }),
      key('keyDown', 'B', { target: popup }),
      key('keyUp', 'B', { target: popup }),
      key('keyUp', 'Shift', { target: popup }),
      within(2000, wait([['#popup-in']], { target: popup, properties: { value: 'aB' } })),
    ]);
    return {
      name: 'keys typed into a popup, a chord with Shift included',
      recording,
      reference: last(recording),
      ours: 'passed',
      difference:
        "keys sent to a popup: puppeteer does not emulate focus on a background page, so the reference's keys never reach " +
        'the focused field; Playwright does, and the field gets them as it did in the Chrome that recorded them',
    } satisfies RecorderCase;
  })(),
  // Network conditions.
  pass(
    'offline, then online again',
    [
      { type: 'emulateNetworkConditions', download: 0, upload: 0, latency: 0 },
      click('fetch', 'Fetch data', { offsetX: 5, offsetY: 5 }),
      wait([['#net']], { properties: { textContent: 'offline' } }),
      { type: 'emulateNetworkConditions', download: -1, upload: -1, latency: 0 },
      click('fetch', 'Fetch data', { offsetX: 5, offsetY: 5 }),
      wait([['#net']], { properties: { textContent: 'online' } }),
    ],
    { temporal: true },
  ),
  pass('throttled network', [
    { type: 'emulateNetworkConditions', download: 200000, upload: 100000, latency: 40 },
    navigate('next.html', 'Next page'),
  ]),
  // Viewports.
  pass('mobile viewport', [expr('window.devicePixelRatio === 2 && window.innerWidth === 390 && navigator.maxTouchPoints > 0')], {
    viewport: MOBILE,
    temporal: true,
  }),
  pass('mobile landscape', [expr("window.innerWidth === 844 && screen.orientation.type.startsWith('landscape')")], {
    viewport: { ...MOBILE, width: 844, height: 390, isLandscape: true },
  }),
  pass('touch tap on a mobile viewport', [click('pad', 'Press here', { deviceType: 'touch' }), saw('click:pad')], { viewport: MOBILE }),
  pass('touch long press on a mobile viewport', [click('hover-me', 'Hover here', { deviceType: 'touch', duration: 200 }), expr('true')], {
    viewport: MOBILE,
  }),
  pass('a later setViewport changes the device', [
    viewport({ width: 400, height: 700, deviceScaleFactor: 3, isMobile: true, hasTouch: true }),
    expr('window.devicePixelRatio === 3 && window.innerWidth === 400'),
  ]),
  pass('a later setViewport resizes', [
    viewport({ width: 800, height: 600 }),
    expr('window.innerWidth === 800 && window.innerHeight === 600'),
  ]),
  // Failure kinds: both runners fail, at the same step.
  { ...failLast('click on a missing element', [click('missing', 'Missing thing')], { temporal: true }), ourErrorType: 'ElementNotFound' },
  failLast('click on a hidden element', [{ type: 'click', target: 'main', selectors: [['#hidden-note']], offsetX: 1, offsetY: 1 }]),
  failLast('hover on a missing element', [{ type: 'hover', target: 'main', selectors: [['#missing']] }]),
  failLast('change on a missing element', [change('missing', 'Missing', 'x')]),
  { ...failLast('waitForElement that never matches', [wait([['#never']])], { temporal: true }), ourErrorType: 'AssertionFailed' },
  failLast('waitForElement count never reached', [wait([['.item']], { operator: '==', count: 5 })]),
  failLast('waitForElement attributes never match', [wait([['#pad']], { attributes: { class: 'other' } })]),
  failLast('waitForElement visible: false on a present element', [wait([['#pad']], { visible: false })]),
  failLast('waitForExpression never true', [expr('window.neverSet === true')], { temporal: true }),
  {
    ...failLast('a frame path that does not exist', [wait([['#b-btn']], { frame: [0, 3] })], { page: 'frames.html', title: 'Frames' }),
    ourErrorType: 'InvalidStep',
  },
  failLast('a popup that never opens', [
    { type: 'click', target: `${BASE}/popup.html`, selectors: [['#popup-btn']], offsetX: 1, offsetY: 1 },
  ]),
  { ...failLast('navigate to a refused port', [{ type: 'navigate', url: 'http://127.0.0.1:9/' }]), ourErrorType: 'NavigationError' },
  {
    ...failLast('a click on a button that stays disabled', [click('never-enabled', 'Never enabled')]),
    ourErrorType: 'StepTimeout',
  },
  {
    name: 'a failure in the middle: the rest is not run',
    recording: onApp([wait([['#never']], { timeout: 400 }), click('pad', 'Press here')]),
    reference: 2,
  },
  {
    name: 'assertedEvents with a title the page does not have',
    recording: onApp([
      click('next-link', 'Next page', {
        offsetX: 10,
        offsetY: 6,
        assertedEvents: [{ type: 'navigation', url: `${BASE}/next.html`, title: 'Another title' }],
      }),
    ]),
    reference: 'passed',
    ours: 2,
    difference: "the reference only waits for a navigation; we also verify the asserted event's url and title",
  },
  {
    name: 'assertedEvents with a url the page does not reach',
    recording: onApp([
      click('next-link', 'Next page', {
        offsetX: 10,
        offsetY: 6,
        assertedEvents: [{ type: 'navigation', url: `${BASE}/elsewhere.html`, title: 'Next page' }],
      }),
    ]),
    reference: 'passed',
    ours: 2,
    difference: "the reference only waits for a navigation; we also verify the asserted event's url and title",
  },
  {
    name: 'a custom step',
    recording: onApp([{ type: 'customStep', name: 'myExtension', parameters: {} }, wait([['#pad']])]),
    reference: 'passed',
    ours: 2,
    difference: 'the reference skips custom steps; we fail them (InvalidStep) rather than report a run greener than it is',
  },
];

/**
 * The bench recording (Chrome DevTools Recorder JSON) over bench/site/index.html, and next to every step the
 * plain-Playwright call a hand-written script would make for it, so the P2 baseline does the same work.
 * Selectors are recorded the way Chrome exports them: aria, CSS, XPath and pierce alternatives.
 */
import type { Page } from 'playwright';
import type { RowValues } from '../../src/recording/types';

export interface BenchStep {
  step: Record<string, unknown>;
  /** The same action in plain Playwright, one obvious CSS selector, no alternatives. */
  plain: (page: Page, v: RowValues & { baseUrl: string }) => Promise<unknown>;
}

const sel = (id: string, aria: string) => [[`aria/${aria}`], [`#${id}`], [`xpath///*[@id="${id}"]`], [`pierce/#${id}`]];
const click = (id: string, aria: string, x = 10, y = 8): BenchStep => ({
  step: { type: 'click', target: 'main', selectors: sel(id, aria), offsetX: x, offsetY: y },
  plain: (p) => p.click(`#${id}`, { position: { x, y } }),
});
const change = (id: string, aria: string, value: string, plain: BenchStep['plain']): BenchStep => ({
  step: { type: 'change', target: 'main', selectors: sel(id, aria), value },
  plain,
});
const visible = (css: string): BenchStep => ({
  step: { type: 'waitForElement', target: 'main', selectors: [[css]], visible: true },
  plain: (p) => p.waitForSelector(css, { state: 'visible' }),
});
const expression = (js: string): BenchStep => ({
  step: { type: 'waitForExpression', target: 'main', expression: js },
  plain: (p) => p.waitForFunction(js), // a string: evaluated in the page as is
});

export const PAGE_TITLE = 'Order | Bench shop';

/** 25 distinct steps: navigate, clicks, every kind of form control, keys, waits, hover, scroll, submit. */
export const BENCH_STEPS: BenchStep[] = [
  {
    step: { type: 'navigate', url: '{{baseUrl}}/index.html', assertedEvents: [{ type: 'navigation', url: '{{baseUrl}}/index.html', title: PAGE_TITLE }] },
    plain: async (p, v) => {
      await p.goto(`${v.baseUrl}/index.html`, { waitUntil: 'load' });
      if ((await p.title()) !== PAGE_TITLE) throw new Error('wrong page');
    },
  },
  click('name', 'Full name', 20, 10),
  change('name', 'Full name', '{{name}}', (p, v) => p.fill('#name', v.name)),
  click('email', 'Email', 20, 10),
  change('email', 'Email', '{{email}}', (p, v) => p.fill('#email', v.email)),
  change('qty', 'Quantity', '{{qty}}', (p, v) => p.fill('#qty', v.qty)),
  change('plan', 'Plan', '{{plan}}', (p, v) => p.selectOption('#plan', v.plan)),
  change('newsletter', 'Send me the newsletter', 'on', (p) => p.setChecked('#newsletter', true)),
  click('contact-phone', 'By phone', 6, 6),
  change('notes', 'Notes', '{{notes}}', (p, v) => p.fill('#notes', v.notes)),
  { step: { type: 'keyDown', target: 'main', key: 'Tab' }, plain: (p) => p.keyboard.down('Tab') },
  { step: { type: 'keyUp', target: 'main', key: 'Tab' }, plain: (p) => p.keyboard.up('Tab') },
  click('add-item', 'Add item'),
  click('add-item', 'Add item'),
  {
    step: { type: 'waitForElement', target: 'main', selectors: [['#items > li']], operator: '==', count: 2 },
    plain: (p) => p.waitForFunction("document.querySelectorAll('#items > li').length === 2"),
  },
  {
    step: { type: 'doubleClick', target: 'main', selectors: sel('toggle-details', 'Show details'), offsetX: 10, offsetY: 8 },
    plain: (p) => p.dblclick('#toggle-details', { position: { x: 10, y: 8 } }),
  },
  visible('#details'),
  { step: { type: 'hover', target: 'main', selectors: sel('help', 'Help') }, plain: (p) => p.hover('#help') },
  visible('#help-text'),
  click('preview', 'Preview'),
  expression("document.querySelector('#preview-out').textContent.includes('item(s)')"),
  { step: { type: 'scroll', target: 'main', x: 0, y: 400 }, plain: (p) => p.evaluate('window.scroll(0, 400)') },
  click('submit', 'Place order'),
  visible('#result'),
  expression("document.querySelector('#result').textContent.startsWith('Thanks')"),
];

/** The first `steps` steps (1..25) as a recording. */
export function benchRecording(steps = BENCH_STEPS.length, title = `bench ${steps} steps`): { title: string; steps: Record<string, unknown>[] } {
  if (steps < 1 || steps > BENCH_STEPS.length) throw new Error(`steps must be 1..${BENCH_STEPS.length}`);
  return { title, steps: BENCH_STEPS.slice(0, steps).map((s) => s.step) };
}

/** A recording whose rows open the page and then sit in a step that never finishes (P3 memory, cancel). */
export function holdingRecording(): { title: string; steps: Record<string, unknown>[] } {
  return {
    title: 'open and hold',
    steps: [BENCH_STEPS[0].step, { type: 'waitForExpression', expression: 'new Promise(() => {})', timeout: 30_000 }],
  };
}

const PLANS = ['basic', 'pro', 'team'];

export function rowValues(i: number): RowValues {
  return { name: `Customer ${i}`, email: `customer${i}@example.test`, qty: String(1 + (i % 9)), plan: PLANS[i % 3], notes: `Leave at door ${i}` };
}

export function benchRows(n: number): RowValues[] {
  return Array.from({ length: n }, (_, i) => rowValues(i + 1));
}

export function benchCsv(n: number): string {
  const rows = benchRows(n);
  const cols = Object.keys(rows[0]);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => r[c]).join(','))].join('\n') + '\n';
}

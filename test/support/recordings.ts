/**
 * Recordings shared by the durability tests (served from examples/site).
 *
 * `slowRecording(ms)`: a row that spends `ms` inside its second step, long enough to kill, crash or stop the
 * worker holding it mid-step, then checks the page again.
 */
export function slowRecording(ms: number, title = 'slow row') {
  return {
    title,
    steps: [
      { type: 'navigate', url: '{{baseUrl}}/index.html' },
      { type: 'waitForExpression', expression: `new Promise((r) => setTimeout(() => r(true), ${ms}))`, timeout: ms + 10_000 },
      { type: 'waitForElement', selectors: [['#get-started']] },
    ],
  };
}

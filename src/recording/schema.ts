/**
 * Zod schema for Chrome DevTools Recorder exports (the @puppeteer/replay Schema).
 *
 * Known fields are checked strictly, but unknown fields are stripped rather than rejected:
 * Chrome keeps adding fields to its export format, and an old runner should still replay a
 * new recording as long as the fields it understands are well-formed.
 */
import { z } from 'zod';
import type { Step, StepType, UserFlow } from './types';

/** The upper bound keeps one wedged step from holding a browser slot for minutes. */
export const MAX_STEP_TIMEOUT_MS = 30_000;

export const STEP_TYPES = [
  'setViewport',
  'navigate',
  'click',
  'doubleClick',
  'change',
  'keyDown',
  'keyUp',
  'hover',
  'scroll',
  'waitForElement',
  'waitForExpression',
  'close',
  'emulateNetworkConditions',
  'customStep',
] as const satisfies readonly StepType[];

// JSON cannot carry NaN/Infinity, but objects passed in directly can; neither is a usable coordinate.
const num = () => z.number().finite();
const nonEmptyString = () => z.string().min(1, 'must not be empty');

const timeout = z
  .number()
  .int('must be an integer number of milliseconds')
  .min(1, 'must be at least 1 ms')
  .max(MAX_STEP_TIMEOUT_MS, `must be at most ${MAX_STEP_TIMEOUT_MS} ms`);

const selector = z.union(
  [nonEmptyString(), z.array(nonEmptyString()).min(1, 'a selector path must not be empty')],
  // The default "Invalid input" says nothing about what a selector looks like.
  { errorMap: () => ({ message: 'a selector must be a non-empty string or a non-empty array of strings' }) },
);
const selectors = z.array(selector).min(1, 'at least one selector is required');

const assertedEvent = z.object({
  type: z.literal('navigation'),
  url: z.string().optional(),
  title: z.string().optional(),
});

const base = {
  timeout: timeout.optional(),
  assertedEvents: z.array(assertedEvent).optional(),
  delayMs: num().nonnegative().optional(),
};
const withTarget = { ...base, target: nonEmptyString().optional() };
const withFrame = {
  ...withTarget,
  frame: z.array(z.number().int().nonnegative()).optional(),
};
const withSelectors = { ...withFrame, selectors };

const clickAttributes = {
  // Optional: without them a click presses the element's centre (exporters and hand edits leave them out).
  offsetX: num().optional(),
  offsetY: num().optional(),
  button: z.enum(['primary', 'auxiliary', 'secondary', 'back', 'forward']).optional(),
  deviceType: z.enum(['mouse', 'pen', 'touch']).optional(),
  duration: num().nonnegative().optional(),
};

const stepSchemas = [
  z.object({
    ...withTarget,
    type: z.literal('setViewport'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    deviceScaleFactor: num().positive(),
    isMobile: z.boolean(),
    hasTouch: z.boolean(),
    isLandscape: z.boolean(),
  }),
  z.object({ ...withTarget, type: z.literal('navigate'), url: nonEmptyString() }),
  z.object({ ...withSelectors, ...clickAttributes, type: z.literal('click') }),
  z.object({ ...withSelectors, ...clickAttributes, type: z.literal('doubleClick') }),
  // An empty value is legitimate: it is how a recording clears a field.
  z.object({ ...withSelectors, type: z.literal('change'), value: z.string() }),
  z.object({ ...withTarget, type: z.literal('keyDown'), key: nonEmptyString() }),
  z.object({ ...withTarget, type: z.literal('keyUp'), key: nonEmptyString() }),
  z.object({ ...withSelectors, type: z.literal('hover') }),
  z.object({
    ...withFrame,
    type: z.literal('scroll'),
    x: num().optional(),
    y: num().optional(),
    // Optional and possibly empty: without selectors the step scrolls the page itself.
    selectors: z.array(selector).optional(),
  }),
  z.object({
    ...withSelectors,
    type: z.literal('waitForElement'),
    operator: z.enum(['>=', '==', '<=']).optional(),
    count: z.number().int().nonnegative().optional(),
    visible: z.boolean().optional(),
    properties: z.record(z.unknown()).optional(),
    attributes: z.record(z.string()).optional(),
  }),
  z.object({ ...withFrame, type: z.literal('waitForExpression'), expression: nonEmptyString() }),
  z.object({ ...withTarget, type: z.literal('close') }),
  z.object({
    ...withTarget,
    type: z.literal('emulateNetworkConditions'),
    // Chrome uses -1 for "no throttling", so no sign constraint here.
    download: num(),
    upload: num(),
    latency: num(),
  }),
  z.object({
    ...withFrame,
    type: z.literal('customStep'),
    name: nonEmptyString(),
    // `{} | null` rather than unknown: zod infers unknown fields as optional, and the Schema
    // requires the key to be present (its value may be anything, even null).
    parameters: z.custom<{} | null>((v) => v !== undefined, { message: 'Required' }),
  }),
] as const;

const expectedTypes = STEP_TYPES.map((t) => `"${t}"`).join(', ');

export const stepSchema = z.discriminatedUnion('type', [...stepSchemas], {
  errorMap: (issue, ctx) => {
    if (issue.code !== 'invalid_union_discriminator') return { message: ctx.defaultError };
    const type = (ctx.data as { type?: unknown } | undefined)?.type;
    const what = type === undefined ? 'missing step type' : `unknown step type ${JSON.stringify(type)}`;
    return { message: `${what} (expected one of ${expectedTypes})` };
  },
});

export const userFlowSchema = z.object({
  title: z.string(),
  timeout: timeout.optional(),
  selectorAttribute: z.string().optional(),
  steps: z.array(stepSchema).min(1, 'a recording needs at least one step'),
});

export type ParsedUserFlow = z.infer<typeof userFlowSchema>;

// Compile-time proof that the schema and the hand-written types agree: if a field is added to
// one and not the other, these lines stop compiling.
type Assignable<From extends To, To> = From;
export type _StepCheck = Assignable<z.infer<typeof stepSchema>, Step>;
export type _FlowCheck = Assignable<ParsedUserFlow, UserFlow>;
// Every type in the union is listed, and nothing else.
export type _StepTypesCheck = Assignable<StepType, (typeof STEP_TYPES)[number]>;
export type _SchemaTypesCheck = Assignable<z.infer<typeof stepSchema>['type'], StepType>;

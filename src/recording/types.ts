/**
 * Chrome DevTools Recorder format, as @puppeteer/replay's Schema defines it.
 * The zod schema in ./schema.ts validates untrusted JSON into these types.
 */

/** One selector alternative: a CSS/aria/xpath/pierce/text string, or a path whose parts descend through shadow roots. */
export type Selector = string | string[];

export type FrameSelector = number[];
export type Target = string; // 'main' or the URL of a popup page

export interface NavigationEvent {
  type: 'navigation';
  url?: string;
  title?: string;
}
export type AssertedEvent = NavigationEvent;

interface BaseStep {
  timeout?: number;
  assertedEvents?: AssertedEvent[];
  /** Extension (not in the Chrome schema): think time recorded before this step, used by the `realistic` timing mode. */
  delayMs?: number;
}
interface StepWithTarget extends BaseStep {
  target?: Target;
}
interface StepWithFrame extends StepWithTarget {
  frame?: FrameSelector;
}
interface StepWithSelectors extends StepWithFrame {
  selectors: Selector[];
}

export type PointerDeviceType = 'mouse' | 'pen' | 'touch';
export type PointerButtonType = 'primary' | 'auxiliary' | 'secondary' | 'back' | 'forward';

interface ClickAttributes {
  deviceType?: PointerDeviceType;
  button?: PointerButtonType;
  /** Relative to the element's top-left corner; both absent: the element's centre. */
  offsetX?: number;
  offsetY?: number;
  /** Press duration in ms. */
  duration?: number;
}

export interface ClickStep extends StepWithSelectors, ClickAttributes {
  type: 'click';
}
export interface DoubleClickStep extends StepWithSelectors, ClickAttributes {
  type: 'doubleClick';
}
export interface HoverStep extends StepWithSelectors {
  type: 'hover';
}
export interface ChangeStep extends StepWithSelectors {
  type: 'change';
  value: string;
}
export interface EmulateNetworkConditionsStep extends StepWithTarget {
  type: 'emulateNetworkConditions';
  download: number;
  upload: number;
  latency: number;
}
export interface KeyDownStep extends StepWithTarget {
  type: 'keyDown';
  key: string;
}
export interface KeyUpStep extends StepWithTarget {
  type: 'keyUp';
  key: string;
}
export interface CloseStep extends StepWithTarget {
  type: 'close';
}
export interface SetViewportStep extends StepWithTarget {
  type: 'setViewport';
  width: number;
  height: number;
  deviceScaleFactor: number;
  isMobile: boolean;
  hasTouch: boolean;
  isLandscape: boolean;
}
/** Scrolls the page, or the element the selectors find when they are present. */
export interface ScrollStep extends StepWithFrame {
  type: 'scroll';
  x?: number;
  y?: number;
  selectors?: Selector[];
}
export interface NavigateStep extends StepWithTarget {
  type: 'navigate';
  url: string;
}
export interface CustomStep extends StepWithFrame {
  type: 'customStep';
  name: string;
  parameters: unknown;
}
export type WaitForElementOperator = '>=' | '==' | '<=';
export interface WaitForElementStep extends StepWithSelectors {
  type: 'waitForElement';
  operator?: WaitForElementOperator;
  count?: number;
  visible?: boolean;
  properties?: Record<string, unknown>;
  attributes?: Record<string, string>;
}
export interface WaitForExpressionStep extends StepWithFrame {
  type: 'waitForExpression';
  expression: string;
}

export type Step =
  | ClickStep
  | DoubleClickStep
  | HoverStep
  | ChangeStep
  | EmulateNetworkConditionsStep
  | KeyDownStep
  | KeyUpStep
  | CloseStep
  | SetViewportStep
  | ScrollStep
  | NavigateStep
  | CustomStep
  | WaitForElementStep
  | WaitForExpressionStep;

export type StepType = Step['type'];

export interface UserFlow {
  title: string;
  /** Default step timeout in ms for the whole recording. */
  timeout?: number;
  selectorAttribute?: string;
  steps: Step[];
}

/** One CSV data row: column name → value. */
export type RowValues = Record<string, string>;

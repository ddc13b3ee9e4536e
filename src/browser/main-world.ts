/**
 * Element queries in the page's main world.
 *
 * The engine holds the elements it finds as ElementHandles (locate.ts), which live in the page's main world, and
 * its page-side work (press readiness, fills, counts under filters) runs there too. A plain locator runs its query
 * in Playwright's isolated utility world and adopts the result into the main world, and Playwright previews every
 * ElementHandle it creates through the main world's copy of its injected script: so each new page compiled that
 * ~340 KB script twice, once per world, before its first step could act (~50 ms of the first click; BENCHMARKS.md,
 * "Sixth session"). A chain that ends in a selector engine registered without `contentScript` runs in the main
 * world, as Playwright's own evaluate-on-selector calls do: one compilation per page. The engine matches the
 * element it is asked under, so it changes no result, only the world.
 */
import { selectors, type Locator } from 'playwright';

const ENGINE = 'recorder-main-world';
const IDENTITY_ENGINE = '({ query(root) { return root; }, queryAll(root) { return [root]; } })';

let registered: Promise<void> | undefined;

/** Registers the engine with Playwright once per process: before a browser's first context, which takes it then. */
export function registerMainWorldEngine(): Promise<void> {
  registered ??= selectors.register(ENGINE, { content: IDENTITY_ENGINE }).catch((err: unknown) => {
    registered = undefined;
    throw err;
  });
  return registered;
}

/** The same elements, queried in the main world. */
export const inMainWorld = (locator: Locator): Locator => locator.locator(`${ENGINE}=self`);

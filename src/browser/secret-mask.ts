/**
 * What to mask in a screenshot so that no secret column's value shows: for `page.screenshot({ mask })`,
 * which paints each matching element over in one colour. Every frame of the page counts.
 *
 * Two kinds of element hold a value: text the page shows (found the way getByText finds text: a substring,
 * case-insensitive, through open shadow roots), and form fields, whose typed value is a property that no
 * selector can see (read, field by field, in the frame).
 */
import type { Frame, Locator, Page } from 'playwright';

const FIELDS = 'input, textarea, select';

async function fieldsHolding(frame: Frame, secrets: string[]): Promise<Locator[]> {
  const fields = frame.locator(FIELDS);
  const values = await fields.evaluateAll((elements) => elements.map((e) => String((e as HTMLInputElement).value ?? '')));
  return values.flatMap((value, i) => (secrets.some((s) => value.includes(s)) ? [fields.nth(i)] : []));
}

/**
 * Locators covering every element of `page` that shows one of `secretValues`. Throws when a frame cannot be read
 * (it navigated meanwhile): better no screenshot than one that may show a secret.
 */
export async function secretMaskLocators(page: Page, secretValues: readonly string[]): Promise<Locator[]> {
  const secrets = [...new Set(secretValues.filter((v) => v.trim() !== ''))];
  if (secrets.length === 0) return [];
  const frames = page.frames().filter((f) => !f.isDetached());
  const perFrame = await Promise.all(
    frames.map(async (frame) => [...secrets.map((s) => frame.getByText(s)), ...(await fieldsHolding(frame, secrets))]),
  );
  return perFrame.flat();
}

/**
 * What keeps a secret column's value out of a video's frames. A video is what Chromium paints, so the value is
 * hidden where it would be painted, in every document of the context (an init script):
 *
 * - text fields render their value as discs, as a password field does (`-webkit-text-security`);
 * - text the page shows that contains a secret (case-insensitive, as screenshots match it) is painted over in the
 *   screenshot mask colour, through the CSS Custom Highlight API: the innermost elements whose text holds it, in
 *   open shadow roots too, kept current by a MutationObserver whose callback runs before the next paint.
 *
 * Neither adds a node or an attribute to the page's DOM (a constructed style sheet and a highlight registry
 * entry), so selectors and assertions of the recording see the page as it is.
 */

/** The same colour as Playwright's screenshot mask (secret-mask.ts), so a frame and a screenshot look alike. */
const MASK_COLOUR = 'rgb(255, 0, 255)';
const HIGHLIGHT = 'recorder-secret';

/** The init script for a context whose row has these secret values; empty values are ignored. */
export function videoMaskScript(secretValues: readonly string[]): string {
  const secrets = [...new Set(secretValues.filter((v) => v.trim() !== '').map((v) => v.toLowerCase()))];
  const css =
    `input, textarea { -webkit-text-security: disc !important; } ` +
    `::highlight(${HIGHLIGHT}) { color: ${MASK_COLOUR} !important; background-color: ${MASK_COLOUR} !important; }`;
  // A string, evaluated in the page as is: no bundler helper can reach it.
  return `(() => {
  const secrets = ${JSON.stringify(secrets)};
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(${JSON.stringify(css)});
  const adopt = (root) => {
    if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  };
  adopt(document);
  if (secrets.length === 0 || typeof Highlight !== 'function' || !CSS.highlights) return;
  const highlight = new Highlight();
  CSS.highlights.set(${JSON.stringify(HIGHLIGHT)}, highlight);
  const count = (text) => {
    const lower = (text || '').toLowerCase();
    let n = 0;
    for (const s of secrets) for (let i = lower.indexOf(s); i !== -1; i = lower.indexOf(s, i + s.length)) n++;
    return n;
  };
  // Marks the innermost elements under \`node\` whose text holds a secret; an occurrence that spans several
  // children (Hun<b>ter2</b>) marks the parent.
  const mark = (node) => {
    const total = count(node.textContent);
    let inChildren = 0;
    for (const child of node.children) {
      const n = count(child.textContent);
      if (n > 0) {
        inChildren += n;
        mark(child);
      }
    }
    if (total > inChildren && (node.nodeType === 1 || node.nodeType === 11)) {
      const range = new Range();
      range.selectNodeContents(node);
      highlight.add(range);
    }
  };
  const observer = new MutationObserver(() => rescan());
  const watch = { subtree: true, childList: true, characterData: true };
  const scan = (root) => {
    const top = root.nodeType === 9 ? root.documentElement : root;
    if (count(top.textContent) > 0) mark(top);
    for (const el of root.querySelectorAll('*')) {
      if (!el.shadowRoot) continue;
      adopt(el.shadowRoot);
      observer.observe(el.shadowRoot, watch); // the document's observer does not see inside shadow trees
      scan(el.shadowRoot);
    }
  };
  const rescan = () => {
    highlight.clear();
    if (document.documentElement) scan(document);
  };
  // Observing the document itself sees the parser add every node, so text is marked before it is first painted.
  observer.observe(document, watch);
  rescan();
})();`;
}

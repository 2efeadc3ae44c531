// Finds text on a page whose colour is too close to what is behind it, by
// WCAG 2.2's contrast ratio: at least 4.5:1 for body text, 3:1 for large
// text (24 px, or 18.66 px bold). The background is the nearest ancestor's
// that is not transparent (white at the top); text over images or
// gradients is not judged, nor disabled controls, which WCAG leaves out,
// nor text that is partly transparent as a whole (mid-fade).

/** The texts on `page` (visible, not disabled) under the ratio their size needs. */
export async function lowContrast(page) {
  return page.evaluate(() => {
    const rgba = (s) => {
      const m = s.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const over = (top, under) => ({
      r: top.r * top.a + under.r * (1 - top.a),
      g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a),
      a: 1,
    });
    const lum = ({ r, g, b }) => {
      const c = [r, g, b].map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    /** The colour behind an element: its own and its ancestors' backgrounds, laid over white. */
    const behind = (el) => {
      const layers = [];
      for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
        const cs = getComputedStyle(e);
        if (cs.backgroundImage !== 'none') return null;
        const bg = rgba(cs.backgroundColor);
        if (bg && bg.a > 0) {
          layers.push(bg);
          if (bg.a === 1) break;
        }
      }
      let c = { r: 255, g: 255, b: 255, a: 1 };
      for (const l of layers.reverse()) c = over(l, c);
      return c;
    };
    const found = [];
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      const el = n.parentElement;
      if (!text || !el || seen.has(el)) continue;
      seen.add(el);
      if (el.closest('[disabled], [aria-disabled=true], [aria-hidden=true], .skip-link, script, style')) continue;
      const box = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || cs.visibility === 'hidden' || Number(cs.opacity) === 0) continue;
      const bg = behind(el);
      const fg0 = rgba(cs.color);
      if (!bg || !fg0) continue;
      // Text fading in or out (a dialog opening), or faded on purpose, is left alone.
      let opacity = 1;
      for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      if (opacity < 1) continue;
      const fg = over(fg0, bg);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const px = parseFloat(cs.fontSize);
      const large = px >= 24 || (px >= 18.66 && Number(cs.fontWeight) >= 700);
      const need = large ? 3 : 4.5;
      if (ratio < need) found.push({ text: text.slice(0, 60), ratio: Math.round(ratio * 100) / 100, need, color: cs.color });
    }
    return found;
  });
}

// Renders tenon's Mermaid diagrams with Mermaid's own renderer (mermaid-cli, in Debian's
// chromium) and checks them as a reader would see them.
//
// usage: node render_check.mjs MERMAID_CLI_DIR CHROMIUM OUTDIR FILE.mmd...
//
// For each FILE.mmd: a parse error fails; the SVG and a PNG of it at its natural size are saved
// in OUTDIR; a sequence diagram whose viewBox is wider than 1400 px fails; any text drawn
// smaller than 12 px at that size fails. FILE.expect (optional) lists strings, one a line,
// that the rendered text must contain; FILE.absent strings it must not.
// Prints "ok - ..." / "FAIL - ..." lines; exits 1 if anything failed.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [cliDir, chromium, outDir, ...files] = process.argv.slice(2);
const require = createRequire(path.join(cliDir, "node_modules", "x.js"));
const puppeteer = require("puppeteer");
const { renderMermaid } = await import(
  pathToFileURL(path.join(cliDir, "node_modules/@mermaid-js/mermaid-cli/src/index.js")).href
);

let failed = 0;
const ok = (m) => console.log(`ok - ${m}`);
const bad = (m) => {
  console.log(`FAIL - ${m}`);
  failed++;
};
const lines = (f) =>
  fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").filter((l) => l.length > 0) : [];

const browser = await puppeteer.launch({
  executablePath: chromium,
  args: ["--no-sandbox"],
  headless: true,
});
try {
  for (const file of files) {
    const name = path.basename(file, ".mmd");
    const text = fs.readFileSync(file, "utf8");
    let svg;
    try {
      const { data } = await renderMermaid(browser, text, "svg", {});
      svg = Buffer.from(data).toString("utf8");
    } catch (e) {
      bad(`${name}: Mermaid cannot render it: ${String(e.message || e).split("\n")[0]}`);
      continue;
    }
    fs.writeFileSync(path.join(outDir, `${name}.svg`), svg);
    if (/Syntax error|Parse error/i.test(svg)) {
      bad(`${name}: Mermaid drew its syntax-error picture`);
      continue;
    }
    const vb = /viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"/.exec(svg);
    if (!vb) {
      bad(`${name}: the SVG has no viewBox`);
      continue;
    }
    const width = Number(vb[3]);
    const sequence = /^\s*sequenceDiagram/m.test(text);
    if (sequence && width > 1400) bad(`${name}: ${Math.round(width)} px wide (> 1400)`);
    // At its natural size (1 SVG unit = 1 CSS px): the smallest text and the drawn text.
    const page = await browser.newPage();
    await page.setViewport({ width: Math.ceil(width) + 20, height: 900 });
    await page.setContent(`<!DOCTYPE html><html><body style="margin:0">${svg}</body></html>`);
    const seen = await page.evaluate((w) => {
      const s = document.querySelector("svg");
      s.removeAttribute("style");
      s.setAttribute("width", String(w));
      s.setAttribute("height", String(s.viewBox.baseVal.height));
      const scale = s.getBoundingClientRect().width / w;
      let min = 1e9;
      for (const el of s.querySelectorAll("text, tspan, foreignObject div, foreignObject span")) {
        if (!el.textContent.trim()) continue;
        const px = parseFloat(getComputedStyle(el).fontSize) * scale;
        if (px < min) min = px;
      }
      return { min, scale, text: s.textContent };
    }, width);
    if (seen.min < 12) bad(`${name}: text drawn at ${seen.min.toFixed(1)} px (< 12)`);
    const el = await page.$("svg");
    await el.screenshot({ path: path.join(outDir, `${name}.png`) });
    await page.close();
    // Wrapped lines are separate text elements: compare without white space.
    const flat = seen.text.replace(/\s+/g, "");
    const has = (str) => flat.includes(str.replace(/\s+/g, ""));
    const missing = lines(file.replace(/\.mmd$/, ".expect")).filter((str) => !has(str));
    const present = lines(file.replace(/\.mmd$/, ".absent")).filter(has);
    if (missing.length) bad(`${name}: missing from the picture: ${missing.join(", ")}`);
    if (present.length) bad(`${name}: should not be in the picture: ${present.join(", ")}`);
    if (!missing.length && !present.length && seen.min >= 12 && !(sequence && width > 1400))
      ok(
        `${name}: rendered, ${Math.round(width)} px wide, smallest text ${seen.min.toFixed(1)} px` +
          `, ${lines(file.replace(/\.mmd$/, ".expect")).length} expected strings present`,
      );
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

// Opens tenon's HTML report in headless chromium (puppeteer, from mermaid-cli's node_modules)
// at 1400 x 900 and checks it as a reader's browser would see it.
//
// usage: node html_check.mjs MERMAID_CLI_DIR CHROMIUM REPORT.html SCREENSHOT.png NSVG
//            [EXPECT [ABSENT [CLIP_HEIGHT]]]
//
// Fails on: a console error or page error; any network request (the report must be
// self-contained: only the file itself is loaded); fewer than NSVG inline SVGs; an SVG drawn
// scaled, or text in one under 12 px; a document.scrollWidth over 1400. EXPECT lists "TEXT<tab>N" lines: TEXT must occur at least N
// times in the secrets tables (a fingerprint once per side shown). ABSENT lists strings that
// must not occur anywhere in the file (the key log's secrets without --show-secrets).
// Saves a full-page screenshot (its top CLIP_HEIGHT px only, if given). Prints ok/FAIL lines; exits 1 if anything failed.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [cliDir, chromium, report, shot, nsvg, expectFile, absentFile, clipHeight] =
  process.argv.slice(2);
const require = createRequire(path.join(cliDir, "node_modules", "x.js"));
const puppeteer = require("puppeteer");
const name = path.basename(report);
let failed = 0;
const ok = (m) => console.log(`ok - ${name}: ${m}`);
const bad = (m) => {
  console.log(`FAIL - ${name}: ${m}`);
  failed++;
};
const lines = (f) =>
  f && fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").filter((l) => l.length) : [];

const browser = await puppeteer.launch({
  executablePath: chromium,
  args: ["--no-sandbox"],
  headless: true,
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const errors = [];
  const requests = [];
  const url = pathToFileURL(path.resolve(report)).href;
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: "load" });
  const seen = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    svgs: document.querySelectorAll("body svg").length,
    sections: document.querySelectorAll("section.conn").length,
    secrets: [...document.querySelectorAll("table.secrets")].map((t) => t.textContent).join("\n"),
    flights: document.querySelectorAll("table.flights tr").length,
    // Drawn at their own size (never scaled down), every text at 12 px or more.
    scaled: [...document.querySelectorAll("body svg")].filter(
      (v) => Math.abs(v.getBoundingClientRect().width - v.width.baseVal.value) > 0.5,
    ).length,
    minFont: Math.min(
      ...[...document.querySelectorAll("body svg text")].map((t) =>
        parseFloat(getComputedStyle(t).fontSize),
      ),
    ),
  }));
  errors.length ? bad(`console errors: ${errors.join(" | ")}`) : ok("no console error");
  requests.length ? bad(`network requests: ${requests.join(" ")}`) : ok("no network request");
  seen.svgs >= Number(nsvg) && seen.flights > 1
    ? ok(`${seen.svgs} inline SVGs, ${seen.sections} connections, flights table`)
    : bad(`${seen.svgs} inline SVGs (want ${nsvg}), ${seen.flights} flight rows`);
  !seen.scaled && seen.minFont >= 12
    ? ok(`SVGs at their own size, smallest text ${seen.minFont} px`)
    : bad(`${seen.scaled} SVGs scaled, smallest text ${seen.minFont} px`);
  seen.scrollWidth <= 1400
    ? ok(`scrollWidth ${seen.scrollWidth} <= 1400`)
    : bad(`scrollWidth ${seen.scrollWidth} > 1400`);
  const want = lines(expectFile).map((l) => l.split("\t"));
  const short = want.filter(([t, n]) => seen.secrets.split(t).length - 1 < Number(n));
  short.length
    ? bad(`secrets table lacks: ${short.map(([t, n]) => `${t} x${n}`).join(", ")}`)
    : ok(`${want.length} secrets in the secrets table, once per side shown`);
  const html = fs.readFileSync(report, "utf8");
  const leaked = lines(absentFile).filter((s) => html.includes(s));
  leaked.length
    ? bad(`${leaked.length} key-log secrets in the report`)
    : ok(`none of ${lines(absentFile).length} key-log secrets in the report`);
  await page.screenshot(
    clipHeight
      ? { path: shot, clip: { x: 0, y: 0, width: 1400, height: Number(clipHeight) } }
      : { path: shot, fullPage: true },
  );
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

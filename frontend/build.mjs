// Compiles Bridgeway's Sass into the site app's static folder and copies GOV.UK Frontend's
// fonts-free assets, so the site serves everything itself (no CDN, no third parties).
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(root, "bridgeway/site/static/build");
mkdirSync(out, { recursive: true });

const result = sass.compile(resolve(root, "frontend/bridgeway.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(resolve(out, "bridgeway.css"), result.css);
cpSync(resolve(root, "node_modules/govuk-frontend/dist/govuk/assets/images"), resolve(out, "assets/images"), { recursive: true });
cpSync(resolve(root, "node_modules/axe-core/axe.min.js"), resolve(out, "axe.min.js"));
// Urdu's Nastaliq and Panjabi's Gurmukhi faces: only the script subsets, regular and bold, as
// WOFF2 (every browser the site supports reads it); the Latin subsets are never used, since
// Latin text keeps the system typeface. The SIL Open Font Licence travels with them.
const fonts = {
  "noto-nastaliq-urdu": ["noto-nastaliq-urdu-arabic-400-normal", "noto-nastaliq-urdu-arabic-700-normal"],
  "noto-sans-gurmukhi": ["noto-sans-gurmukhi-gurmukhi-400-normal", "noto-sans-gurmukhi-gurmukhi-700-normal"],
};
mkdirSync(resolve(out, "fonts"), { recursive: true });
for (const [pkg, files] of Object.entries(fonts)) {
  const from = resolve(root, "node_modules/@fontsource", pkg);
  for (const file of files) cpSync(resolve(from, "files", `${file}.woff2`), resolve(out, "fonts", `${file}.woff2`));
  cpSync(resolve(from, "LICENSE"), resolve(out, "fonts", `${pkg}.LICENSE.txt`));
}
console.log(`built ${out}/bridgeway.css (${result.css.length} bytes)`);

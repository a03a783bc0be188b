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
console.log(`built ${out}/bridgeway.css (${result.css.length} bytes)`);

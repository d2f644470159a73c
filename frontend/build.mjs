// Builds GOV.UK Frontend for Civic Panel: `make frontend` (or `npm run build` here).
// Writes server/static/govuk/govuk-frontend.min.css (our font and colour) and copies the
// ES-module JavaScript, without its source-map comment (the map is not shipped).
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "server", "static", "govuk");
const require = createRequire(import.meta.url);
const govukDist = dirname(require.resolve("govuk-frontend/package.json"));
const { version } = JSON.parse(await readFile(join(govukDist, "package.json"), "utf8"));

const result = await sass.compileAsync(join(here, "src", "civicpanel-govuk.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(here)],
  quietDeps: true,
});
if (result.css.includes("url(")) {
  throw new Error("the built CSS refers to a file by url(): static files are served under hashed names");
}
await mkdir(out, { recursive: true });
// Sass starts compressed CSS that holds non-ASCII characters with a byte-order mark: keep it at
// the very start of the file (anywhere else it would make the first selector invalid).
const css = result.css.replace(/^\uFEFF/, "");
const mark = css.length === result.css.length ? "" : "\uFEFF";
await writeFile(join(out, "govuk-frontend.min.css"), `${mark}/* GOV.UK Frontend ${version} (MIT), Civic Panel build */\n${css}\n`);

const script = await readFile(join(govukDist, "dist", "govuk", "govuk-frontend.min.js"), "utf8");
await writeFile(join(out, "govuk-frontend.min.js"), script.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"));
console.log(`GOV.UK Frontend ${version} built into ${out}`);

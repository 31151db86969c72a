// Copies the front-end libraries the app serves into static/vendor/, with their licences,
// and compiles our build of GOV.UK Frontend's CSS. Run with `npm run vendor`; the results are
// committed so the app needs no Node.js at run time. The crown, the crest and the GOV.UK
// images are deliberately not copied: this is not a GOV.UK service.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const vendor = "static/vendor";
const MIT = (holder) => `The MIT License (MIT)

Copyright (c) ${holder}

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;
const version = (pkg) => JSON.parse(readFileSync(`node_modules/${pkg}/package.json`)).version;

rmSync(`${vendor}/govuk-frontend`, { recursive: true, force: true });
mkdirSync(`${vendor}/govuk-frontend`, { recursive: true });
const css = sass.compile("static/scss/govuk.scss", {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${vendor}/govuk-frontend/govuk-frontend.min.css`, css.css);
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${vendor}/govuk-frontend/govuk-frontend.min.js`);
// The npm package declares "license": "MIT" but ships no licence file; write the MIT text
// with the copyright holder named in the project's repository.
writeFileSync(`${vendor}/govuk-frontend/LICENSE.txt`, MIT("Crown Copyright (Government Digital Service)"));

rmSync(`${vendor}/axe-core`, { recursive: true, force: true });
mkdirSync(`${vendor}/axe-core`, { recursive: true });
cpSync("node_modules/axe-core/axe.min.js", `${vendor}/axe-core/axe.min.js`);
cpSync("node_modules/axe-core/LICENSE", `${vendor}/axe-core/LICENSE`);

// Cytoscape.js draws the interactive systems graph (ES module build, renamed .js so every
// server sends it with a JavaScript MIME type).
rmSync(`${vendor}/cytoscape`, { recursive: true, force: true });
mkdirSync(`${vendor}/cytoscape`, { recursive: true });
cpSync("node_modules/cytoscape/dist/cytoscape.esm.min.mjs", `${vendor}/cytoscape/cytoscape.esm.min.js`);
cpSync("node_modules/cytoscape/LICENSE", `${vendor}/cytoscape/LICENSE`);

writeFileSync(
  `${vendor}/VERSIONS.json`,
  JSON.stringify(
    {
      "govuk-frontend": version("govuk-frontend"),
      "axe-core": version("axe-core"),
      cytoscape: version("cytoscape"),
    },
    null,
    2,
  ) + "\n",
);

// validate_fhir.js TOOLS_NODE_MODULES FHIR_DIR
// Validates every resource of every *.ndjson file in FHIR_DIR against the
// official FHIR R4 JSON schema; prints a summary, exits 1 on any error.
'use strict';
const fs = require('fs');
const path = require('path');

const [tools, dir] = process.argv.slice(2);
let Validator;
try {
  Validator = require(path.resolve(tools, '@asymmetrik', 'fhir-json-schema-validator'));
} catch (e) {
  console.error(`cannot load @asymmetrik/fhir-json-schema-validator from ${tools}: run scripts/setup`);
  process.exit(1);
}
const v = new Validator();
let total = 0;
let bad = 0;
const counts = {};
for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ndjson')).sort()) {
  const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line) return;
    let r;
    try {
      r = JSON.parse(line);
    } catch (e) {
      bad++;
      if (bad <= 10) console.error(`${f}:${i + 1}: not JSON: ${e.message}`);
      return;
    }
    total++;
    counts[r.resourceType] = (counts[r.resourceType] || 0) + 1;
    const errors = v.validate(r);
    if (errors.length) {
      bad++;
      if (bad <= 10) console.error(`${f}:${i + 1}: ${r.resourceType}/${r.id}: ${JSON.stringify(errors.slice(0, 3))}`);
    }
  });
}
console.log(`validated ${total} resources: ${JSON.stringify(counts)}`);
if (total === 0) {
  console.error('no resources found');
  process.exit(1);
}
if (bad) {
  console.error(`${bad} invalid resources`);
  process.exit(1);
}

// validate.js - check a snapshot's datapackage.json against the Frictionless
// Data Package profile, and read the CSV resource through its table schema
// (every value must cast to its declared type). Usage: node validate.js DIR
const path = require('path');
const { Package } = require('datapackage');

(async () => {
  const dir = path.resolve(process.argv[2]);
  const dp = await Package.load(path.join(dir, 'datapackage.json'), { basePath: dir });
  if (!dp.valid) {
    console.error('datapackage.json is not a valid Data Package:');
    for (const e of dp.errors) console.error('  ' + e.message);
    process.exit(1);
  }
  const res = dp.getResource('occupations');
  if (!res || !res.tabular) {
    console.error('the occupations resource is missing or not tabular');
    process.exit(1);
  }
  const rows = await res.read({ keyed: true, cast: true });
  const codes = new Set(rows.map((r) => r.onet_code));
  console.log(`valid: ${dp.resources.length} resources, ${rows.length} rows cast, ` +
              `${codes.size} distinct onet_code`);
})().catch((e) => {
  console.error('validation failed: ' + (e.errors ? e.errors.map((x) => x.message).join('; ') : e.message));
  process.exit(1);
});

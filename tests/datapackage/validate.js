// validate.js - check a snapshot's datapackage.json against the Frictionless
// Data Package profile, and read every tabular resource through its table
// schema: every value must cast to its declared type, primary keys must be
// unique and foreign keys must resolve. Usage: node validate.js DIR
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
  let tabular = 0, cast = 0, fks = 0;
  for (const r of dp.resources) {
    if (!r.tabular) continue;
    try {
      const got = await r.read({ cast: true, relations: true });
      tabular++;
      cast += got.length;
      fks += (r.schema.foreignKeys || []).length;
    } catch (e) {
      const why = e.errors ? e.errors.map((x) => x.message).join('; ') : e.message;
      throw new Error(`${r.name}: ${why}`);
    }
  }
  console.log(`valid: ${dp.resources.length} resources, ${rows.length} rows cast, ` +
              `${codes.size} distinct onet_code`);
  console.log(`tabular: ${tabular} resources, ${cast} rows cast, ${fks} foreign keys resolved`);
})().catch((e) => {
  console.error('validation failed: ' + (e.errors ? e.errors.map((x) => x.message).join('; ') : e.message));
  process.exit(1);
});

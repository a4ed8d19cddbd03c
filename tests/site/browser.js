// browser.js - drives Debian's chromium (playwright-core, pinned in package-lock.json)
// over a site occsnap wrote: the 27-4014.00 page, the index search and sort,
// headings, contrast, no outside requests; keeps a screenshot of each.
// usage: node browser.js BASE_URL SITE_DIR SHOT_DIR MEDIAN_TEXT
// prints "ok - NAME" or "not ok - NAME: why" per check; exits 1 on any failure.
'use strict';
const path = require('path');
const { chromium } = require(path.join(__dirname, 'node_modules', 'playwright-core'));

const [base, siteDir, shots, median] = process.argv.slice(2);
let failed = 0;
function check(name, ok, why) {
  if (ok) console.log('ok - ' + name);
  else { console.log('not ok - ' + name + ': ' + why); failed++; }
}

// In the page: heading levels start at 1 and never skip one; every text
// element's colour against its effective background has contrast >= 4.5.
function audit() {
  const levels = Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1]);
  let order = levels.length > 0 && levels[0] === 1 && levels.filter(l => l === 1).length === 1;
  for (let i = 1; i < levels.length; i++) if (levels[i] > levels[i - 1] + 1) order = false;
  function rgb(s) { const m = s.match(/[\d.]+/g).map(Number); return { c: m.slice(0, 3), a: m.length > 3 ? m[3] : 1 }; }
  function lum(c) {
    const v = c.map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function bg(el) {
    for (; el; el = el.parentElement) {
      const b = rgb(getComputedStyle(el).backgroundColor);
      if (b.a > 0) return b.c;
    }
    return [255, 255, 255];
  }
  let worst = 21, where = '';
  for (const el of document.querySelectorAll('body *:not(svg):not(svg *)')) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const fg = rgb(getComputedStyle(el).color).c, b = bg(el);
    const l1 = lum(fg), l2 = lum(b);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < worst) { worst = ratio; where = el.tagName + ' "' + el.textContent.trim().slice(0, 30) + '"'; }
  }
  return { levels: levels.join(','), order, worst: Math.round(worst * 100) / 100, where };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const outside = [];
  page.on('request', r => { if (!r.url().startsWith(base) && !r.url().startsWith('file:')) outside.push(r.url()); });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));

  // the role page of 27-4014.00
  await page.goto(base + '/roles/role-27-4014-00.html');
  const h1 = await page.textContent('h1');
  check('role page: title', h1 === 'Sound Engineering Technicians', 'h1 is ' + JSON.stringify(h1));
  const body = await page.textContent('main');
  check('role page: median pay', body.includes('median ' + median), 'no "median ' + median + '"');
  const charts = await page.$$eval('figure.chart', fs => fs.map(f => ({
    id: f.id, title: (f.querySelector('svg > title') || {}).textContent || '',
    text: (f.querySelector('figcaption') || {}).textContent || '',
    w: f.querySelector('svg').getBoundingClientRect().width })));
  check('role page: four charts', charts.length === 4, charts.length + ' charts: ' + charts.map(c => c.id));
  check('role page: each chart has a title, a text equivalent and is drawn',
        charts.every(c => c.title && c.text && c.w > 200), JSON.stringify(charts));
  const bars = await page.$$eval('#chart-exposure rect.bar', r => r.length);
  check('role page: a bar per exposure percentile', bars >= 5, bars + ' bars');
  const prompts = await page.textContent('main');
  check('role page: example prompts, labelled as starting points',
        /Example prompts[^]*starting points[^]*Help me /.test(prompts), 'no prompts');
  let a = await page.evaluate(audit);
  check('role page: headings in order', a.order, 'levels ' + a.levels);
  check('role page: text contrast >= 4.5', a.worst >= 4.5, a.worst + ' at ' + a.where);
  await page.screenshot({ path: path.join(shots, 'role-27-4014-00.png'), fullPage: true });
  await page.evaluate(() => document.getElementById('chart-exposure').scrollIntoView());
  await page.screenshot({ path: path.join(shots, 'role-27-4014-00-charts.png') });

  // the index: search
  await page.goto(base + '/index.html');
  const total = await page.$$eval('#occupations tbody tr', r => r.length);
  await page.fill('#q', 'sound engineer');
  const visible = await page.$$eval('#occupations tbody tr:not([hidden]) td:nth-child(2)', t => t.map(x => x.textContent));
  check('index: "sound engineer" shows 27-4014.00', visible.includes('27-4014.00'), 'visible: ' + visible);
  const nurse = await page.$eval('#occupations tbody tr:has(a[href="roles/role-29-1141-00.html"])', r => r.hidden);
  check('index: "sound engineer" hides unrelated ones (29-1141.00 Registered Nurses)',
        nurse && visible.length < 20 && visible.length < total, visible.length + ' of ' + total + ' visible');
  check('index: the count says so', /of \d+ occupations match/.test(await page.textContent('#count')),
        await page.textContent('#count'));
  await page.evaluate(() => document.querySelector('.search').scrollIntoView());
  await page.screenshot({ path: path.join(shots, 'index-search-sound-engineer.png') });

  // the index: sort by wage, highest first
  await page.fill('#q', '');
  await page.click('button[data-sort="wage"]');
  const wages = await page.$$eval('#occupations tbody tr', r => r.map(x => x.getAttribute('data-wage')));
  const known = wages.filter(w => w !== '').map(Number);
  const first = Number(wages[0]);
  check('index: sorting by wage puts the highest first', first === Math.max(...known) &&
        known.every((w, i) => i === 0 || known[i - 1] >= w), 'first ' + wages[0] + ', max ' + Math.max(...known));
  check('index: missing wages last', wages.indexOf('') === -1 || wages.slice(wages.indexOf('')).every(w => w === ''),
        'a missing wage sorts among the known');
  a = await page.evaluate(audit);
  check('index: headings in order', a.order, 'levels ' + a.levels);
  check('index: text contrast >= 4.5', a.worst >= 4.5, a.worst + ' at ' + a.where);
  const dots = await page.$$eval('#chart-overview circle.dot', c => c.filter(x => x.querySelector('title')).length);
  check('index: overview chart, a dot with a hover title per occupation drawn', dots > 900, dots + ' dots');
  await page.evaluate(() => document.querySelector('.search').scrollIntoView());
  await page.screenshot({ path: path.join(shots, 'index-sorted-by-wage.png') });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(shots, 'index-overview.png') });

  // opened from disk: the search works without a server
  await page.goto('file://' + path.resolve(siteDir, 'index.html'));
  await page.fill('#q', 'sound engineer');
  const offline = await page.$$eval('#occupations tbody tr:not([hidden]) td:nth-child(2)', t => t.map(x => x.textContent));
  check('index from disk (file://): search works', offline.includes('27-4014.00') && offline.length < 20, offline.length + ' visible');

  check('no request left 127.0.0.1 (no CDN, no outside fonts)', outside.length === 0, outside.join(' '));
  check('no script errors', errors.length === 0, errors.join('; '));
  await browser.close();
  process.exit(failed ? 1 : 0);
})().catch(e => { console.log('not ok - browser: ' + e.message); process.exit(1); });

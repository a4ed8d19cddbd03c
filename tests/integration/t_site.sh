#!/usr/bin/env bash
# occsnap site: every role page and the index from a real snapshot, the same
# words as `occsnap show`, charts, escaping, HTML validity (tidy), offline
# assets, and the atomic replace of an earlier site.
source "$(dirname "$0")/lib.sh"
need_mirror
OUT="$TMP/out" CACHE="$TMP/cache" SITE="$TMP/site"

step "snapshot from the mirror"
run_occsnap "$OUT" "$CACHE" "$MIRROR"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
DB="$OUT/latest/occsnap.sqlite"

step "occsnap site writes every role page, the index, one stylesheet, one script and the data"
"$BIN" site "$SITE" --out "$OUT" --base-url https://example.org/occ/ >"$TMP/site.out" 2>"$TMP/site.err"
check "exit code" "$?" 0
N=$(q "$DB" "select count(*) from occupation")
check "a page per occupation" "$(ls "$SITE/roles" | grep -c '^role-[0-9][0-9]-[0-9]\{4\}-[0-9][0-9]\.html$')" "$N"
check "the reference page's name" "$(ls "$SITE/roles/role-27-4014-00.html" >/dev/null && echo yes)" yes
check "the rest" "$(cd "$SITE" && ls -A | tr '\n' ' ')" ".occsnap-site data index.html roles site.js style.css "
check "data" "$(ls "$SITE/data")" "occupations.json"
check "summary line" "$(grep -c "^occsnap: site done in [0-9.]* s: $N role pages, [0-9.]* MiB, in $SITE$" "$TMP/site.err")" 1
check "nothing left under a temporary name" "$(ls -A "$TMP" | grep -c 'site\.\(tmp\|old\)-')" 0

P="$SITE/roles/role-27-4014-00.html"
step "27-4014.00: title, canonical URL, figures, four charts, prompts"
check "h1" "$(grep -c '^<h1>Sound Engineering Technicians</h1>$' "$P")" 1
check "canonical link" "$(grep -c '<link rel="canonical" href="https://example.org/occ/roles/role-27-4014-00.html">' "$P")" 1
check "canonical URL line" "$(grep -c '<li><strong>Canonical URL:</strong> <a href="https://example.org/occ/roles/role-27-4014-00.html">' "$P")" 1
check "median pay (OEWS May 2024 row 501)" "$(grep -c 'median \$66,430; 13,050 employed' "$P")" 1
check "charts" "$(grep -o '<figure class="chart" id="chart-[a-z]*">' "$P" | tr '\n' ' ')" \
    '<figure class="chart" id="chart-exposure"> <figure class="chart" id="chart-wages"> <figure class="chart" id="chart-employment"> <figure class="chart" id="chart-aei"> '
check "every chart has a title and a text equivalent" "$(grep -c '<svg [^>]*role="img" aria-describedby="chart-[a-z]*-text">' "$P") $(grep -c '<figcaption id="chart-[a-z]*-text">' "$P")" "4 4"
check "wage percentiles, median marked" "$(grep -c 'Annual wage: 10th percentile \$[0-9,]*; 25th percentile \$[0-9,]*; median \$66,430; 75th' "$P")" 1
check "base and projected employment" "$(grep -c 'Employment: 2024 (base) 16.9k jobs; 2034 (projected) 16.6k jobs' "$P")" 1
check "Economic Index shares" "$(grep -c 'Automation: 30%; Augmentation: 0%; Filtered: 70%; Unknown: 0%' "$P")" 1
check "example prompts as starting points" "$(grep -c 'Example prompts (honest phrasings of the tasks above — starting points, not endorsed instructions):' "$P")" 1
check "first prompt" "$(grep -c '<li>Help me create musical instrument digital interface programs' "$P")" 1
check "sources and the snapshot in the footer" "$(sed -n '/<footer>/,/<\/footer>/p' "$P" | grep -c "from snapshot $(readlink "$OUT/latest")")" 1

step "every role page says what occsnap show says, in its order"
# The text of each Markdown line (markup removed) must appear in the HTML
# page's text, in the same order (the page adds the canonical URL, charts
# and prompts in between).
cat > "$TMP/same.py" <<'PY'
import html, html.parser, re, subprocess, sys
bin_, out, site, codes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.blocks, self.cur, self.skip = [], [], 0
    def handle_starttag(self, t, a):
        if t in ('svg', 'figcaption', 'nav'): self.skip += 1
        if t in ('li', 'p', 'h1', 'h2', 'footer'): self.flush()
    def handle_endtag(self, t):
        if t in ('svg', 'figcaption', 'nav'): self.skip -= 1
        if t in ('li', 'p', 'h1', 'h2'): self.flush()
    def handle_data(self, d):
        if not self.skip: self.cur.append(d)
    def flush(self):
        s = ''.join(self.cur).strip()
        if s: self.blocks.append(' '.join(s.split()))
        self.cur = []
def md_blocks(text):
    out = []
    for line in text.splitlines():
        line = re.sub(r'^(#+ |> |- |---$)', '', line).replace('**', '').replace('`', '')
        line = re.sub(r'_\((.*?)\)_', r'(\1)', line)
        line = re.sub(r'^_(.*)_$', r'\1', line).strip()
        if line: out.append(' '.join(line.split()))
    return out
bad = 0
for code in codes:
    md = subprocess.run([bin_, 'show', code, '--out', out], capture_output=True, text=True).stdout
    p = Text(); p.feed(open('%s/roles/role-%s.html' % (site, code.replace('.', '-'))).read()); p.flush()
    want, got, i = md_blocks(md), p.blocks, 0
    for w in want:
        while i < len(got) and not got[i].startswith(w): i += 1
        if i == len(got):
            print(code, 'missing or out of order:', w[:80]); bad += 1; break
        i += 1
print('same words:', len(codes) - bad, 'of', len(codes))
PY
CODES=$(q "$DB" "select onet_code from occupation where onet_code in ('27-4014.00','29-1081.00','55-3016.00','11-1011.00','29-1141.00') or rowid % 97 = 0")
check "pages checked" "$(python3 "$TMP/same.py" "$BIN" "$OUT" "$SITE" $CODES | tail -1)" "same words: $(echo $CODES | wc -w) of $(echo $CODES | wc -w)"

step "a page without data says so and draws no bar (55-3016.00, no OEWS, no projection, no Economic Index)"
P="$SITE/roles/role-55-3016-00.html"
check "no wage chart bar" "$(sed -n '/id="chart-wages"/,/<\/figure>/p' "$P" | grep -c 'class="bar')" 0
check "says so" "$(grep -c 'no OEWS wage estimate for this occupation; no chart drawn' "$P")" 1
check "no employment bars" "$(sed -n '/id="chart-employment"/,/<\/figure>/p' "$P" | grep -c 'class="bar')" 0
check "employment says so" "$(grep -c 'no BLS employment projection for this occupation; no bars drawn' "$P")" 1
check "Economic Index says so" "$(grep -c 'no Anthropic Economic Index data for this occupation; no bar drawn' "$P")" 1
check "no invented figure" "$(sed -n '/<main>/,/<\/main>/p' "$P" | grep -cE '\$[1-9]|[0-9]k jobs')" 0

step "the index: every occupation, composite, employment and wage, search titles, overview chart"
I="$SITE/index.html"
check "rows" "$(grep -c '^<tr data-titles=' "$I")" "$N"
check "27-4014.00 row" "$(grep '^<tr data-titles=' "$I" | grep -c 'Sound Engineer|.*data-pct="45.7[0-9]*" data-emp="13050" data-wage="66430"><td><a href="roles/role-27-4014-00.html">Sound Engineering Technicians</a></td><td class="code">27-4014.00</td><td class="num">45th (Moderate)</td><td class="num">13,050</td><td class="num">\$66,430</td></tr>')" 1
check "overview chart: a dot per occupation with composite and wage" "$(grep -c '<circle class="dot"' "$I")" \
    "$(q "$DB" "select count(*) from measure m join employment_wage w using (onet_code) where m.measure='ai_exposure_index_v1' and m.pct is not null and w.a_median is not null")"
check "sortable columns" "$(grep -o 'data-sort="[a-z]*"' "$I" | tr '\n' ' ')" 'data-sort="title" data-sort="pct" data-sort="emp" data-sort="wage" '
check "occupations.json" "$(python3 -c "
import json; d=json.load(open('$SITE/data/occupations.json'))
o={x['onet_code']:x for x in d['occupations']}['27-4014.00']
print(len(d['occupations']), o['title'], o['page'], o['tot_emp'], o['a_median'], o['composite_label'], 'Sound Engineer' in o['titles'])")" \
    "$N Sound Engineering Technicians roles/role-27-4014-00.html 13050.0 66430.0 Moderate True"

step "nothing needs a server or the network: no CDN, no outside fonts or scripts"
check "scripts and stylesheets are local" "$(cat "$SITE"/index.html "$SITE"/roles/*.html | grep -oE '<(script|link)[^>]*>' | grep -v 'rel="canonical"' | grep -c 'http')" 0
check "no @import or url() in the stylesheet" "$(grep -cE '@import|url\(' "$SITE/style.css")" 0
check "no fetch or network call in the script" "$(grep -cE 'fetch|XMLHttpRequest|http' "$SITE/site.js")" 0

step "HTML validity (tidy) of the index and every role page"
if ! command -v tidy >/dev/null; then
    if [ "${CI:-}" = true ]; then fail "tidy is not installed (apt-get install tidy)"; else echo "skip - tidy not installed"; fi
else
    BAD=0
    for f in "$SITE"/index.html "$SITE"/roles/*.html; do
        tidy -q -e "$f" >"$TMP/tidy.txt" 2>&1 || { BAD=$((BAD + 1)); [ "$BAD" -eq 1 ] && cp "$TMP/tidy.txt" "$TMP/tidy.first"; }
    done
    check "pages with tidy errors or warnings" "$BAD" 0
    [ "$BAD" -eq 0 ] || head -5 "$TMP/tidy.first"
fi

step "text from the data is escaped everywhere"
EVIL="$TMP/evil"
cp -r "$OUT/$(readlink "$OUT/latest")" "$EVIL" && chmod -R u+w "$EVIL"
q "$EVIL/occsnap.sqlite" "update occupation set title = 'Sound <b>Engineering</b> & \"Techs\" '' <script>' where onet_code = '27-4014.00';
  update occupation_title set title = 'Mixer <i>\"&\"</i>' where onet_code = '27-4014.00' and title = 'Music Producer';
  update task set task = 'Confer <with> producers & \"others\"' where task_id = 7720"
"$BIN" site "$TMP/evil-site" --snapshot "$EVIL" 2>"$TMP/evil.err"
check "exit code" "$?" 0
P="$TMP/evil-site/roles/role-27-4014-00.html"
check "h1 escaped" "$(grep -c '^<h1>Sound &lt;b&gt;Engineering&lt;/b&gt; &amp; &quot;Techs&quot; &#39; &lt;script&gt;</h1>$' "$P")" 1
check "document title escaped" "$(grep -c '^<title>Sound &lt;b&gt;Engineering' "$P")" 1
check "chart title escaped" "$(grep -c '<title>AI exposure percentiles of Sound &lt;b&gt;Engineering' "$P")" 1
check "alternate title escaped" "$(grep -c 'Mixer &lt;i&gt;&quot;&amp;&quot;&lt;/i&gt;' "$P")" 1
check "core task escaped" "$(grep -c '<li>Confer &lt;with&gt; producers &amp; &quot;others&quot;</li>' "$P")" 1
check "no raw markup from the data" "$(cat "$P" "$TMP/evil-site/index.html" | grep -c '<b>Engineering\|<script>\|<i>"&"\|<with>')" 0
check "index row and search titles escaped" "$(grep -c 'data-titles="[^"]*Mixer &lt;i&gt;&quot;&amp;&quot;&lt;/i&gt;[^"]*".*>Sound &lt;b&gt;Engineering&lt;/b&gt; &amp; &quot;Techs&quot;' "$TMP/evil-site/index.html")" 1
if command -v tidy >/dev/null; then
    tidy -q -e "$P" >"$TMP/tidy.txt" 2>&1
    check "still valid" "$?:$(head -3 "$TMP/tidy.txt")" "0:"
fi

step "the site is replaced whole, and only a site occsnap wrote"
INODE=$(stat -c %i "$SITE/index.html")
"$BIN" site "$SITE" --out "$OUT" 2>"$TMP/site.err"
check "second run: exit code" "$?" 0
check "a new site (renamed in, not rewritten in place)" "$([ "$(stat -c %i "$SITE/index.html")" != "$INODE" ] && echo new)" new
check "without --base-url, no canonical URL" "$(grep -c 'canonical' "$SITE/roles/role-27-4014-00.html")" 0
check "no leftovers" "$(ls -A "$TMP" | grep -c 'site\.\(tmp\|old\)-')" 0
mkdir -p "$TMP/mine" && echo keep > "$TMP/mine/notes.txt"
"$BIN" site "$TMP/mine" --out "$OUT" 2>"$TMP/mine.err"
check "a foreign directory: exit 2" "$?" 2
check "message" "$(cat "$TMP/mine.err")" "error: $TMP/mine exists and is not a site occsnap wrote (no .occsnap-site in it); not replacing it"
check "left as it was" "$(ls -A "$TMP/mine")" "notes.txt"
"$BIN" site "$SITE" --snapshot "$TMP/nowhere" 2>"$TMP/nowhere.err"
check "no snapshot: exit 7" "$?" 7
check "the earlier site is still whole" "$(ls "$SITE/roles" | wc -l)" "$N"
check "no leftovers after a failure" "$(ls -A "$TMP" | grep -c 'site\.\(tmp\|old\)-')" 0
"$BIN" site "$SITE" --out "$OUT" --base-url ftp://example.org 2>"$TMP/bad.err"
check "a bad --base-url: exit 2" "$?" 2
"$BIN" site --out "$OUT" 2>/dev/null
check "no OUT: exit 2" "$?" 2

finish

#!/usr/bin/env bash
# Regression: in event XML, an event whose start tag was damaged ("<Evnt xmlns=...") and garbage or
# NULs between events were ignored without a word: not counted as malformed, --strict exited 0.
# NULs and the elements of an event (a damaged start tag and its <System>, a stray </Event>)
# between events are a malformed record, located; other text and tags are not; the events around them
# are read as before, with any chunk size.
set -u
source "$(dirname "$0")/lib.sh"
golden="$root/tests/data/golden/sysmon_xml_event_rows"
args="--hunt sysmon --now 2024-05-31T00:00:00Z"
/usr/bin/env python3 - "$golden/input.xml" "$tmp" <<'PY'
import re, sys
text = open(sys.argv[1], encoding='utf-8').read()
events = re.findall(r'<Event[ >].*?</Event>', text, re.S)
assert len(events) >= 4, len(events)
d = sys.argv[2]
def write(name, parts):
    open(f"{d}/{name}", 'w', encoding='utf-8', newline='').write(''.join(parts))
# clean: the events, a wrapper and blanks and comments between them (nothing malformed)
write('clean.xml', ['<?xml version="1.0"?>\n<Events>\n'] + [e + '\n<!-- x -->\n' for e in events] + ['</Events>\n'])
# the second event's start tag damaged: it is no event, and it must be said
bad = events[1].replace('<Event', '<Evnt', 1)
write('bad_tag.xml', [events[0], '\n', bad, '\n'] + [e + '\n' for e in events[2:]])
write('nuls.xml', [events[0], '\n', '\0' * 64, '\n'] + [e + '\n' for e in events[1:]])
write('garbage_tail.xml', [e + '\n' for e in events] + ['<System><EventID>3</EventID></System>\n'])
# other tags between events are text (a wrapper, another program's syslog line): not malformed
write('other_tags.xml', ['<root>\n'] + [e + '\nJun 8 host NetworkManager[1]: <info>  dhcp a<b\n' for e in events] + ['</root>\n'])
PY
check clean 0 "$bin" scan $args --strict --stats "$tmp/clean.json" "$tmp/clean.xml"
expect_grep clean-none "$tmp/clean.json" "\"malformed\":0"
for f in bad_tag nuls garbage_tail; do
  check "$f" 0 "$bin" scan $args --stats "$tmp/$f.json" "$tmp/$f.xml"
  expect_grep "$f-counted" "$tmp/$f.json" "\"malformed\":1,"
  expect_grep "$f-said" "$tmp/$f.json" "bytes between events that are not an event"
  check "$f-strict" 3 "$bin" scan $args --strict "$tmp/$f.xml"
  check "$f-tiny-chunks" 0 "$bin" scan $args --threads 4 --chunk-size 1 --stats "$tmp/$f.4.json" "$tmp/$f.xml"
  expect_grep "$f-tiny-chunks-counted" "$tmp/$f.4.json" "\"malformed\":1,"
done
check other-tags 0 "$bin" scan $args --strict --input-format xml "$tmp/other_tags.xml"
# compressed, streamed block by block: the same
gzip -c "$tmp/bad_tag.xml" > "$tmp/bad_tag.xml.gz"
check gz 0 "$bin" scan $args --stats "$tmp/gz.json" "$tmp/bad_tag.xml.gz"
expect_grep gz-counted "$tmp/gz.json" "\"malformed\":1,"
# Linux Sysmon's syslog lines keep their prefixes between events: not malformed
check syslog 0 "$bin" scan --hunt sysmon --strict "$root/tests/data/real/xml/6c1f4d8a-2e5b-4c9f-a7d3-0b5e8f1c4a6d.xml"
finish

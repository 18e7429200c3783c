// Runs the npm package whatsapp-chat-parser (MIT) on each file named on the command line and prints
// one JSON object {path: [messages] | {error}}. Used only by tests/differential/test_whatsapp_text.py,
// with TZ=UTC so each Date's ISO form is the wall-clock time the export shows.
// The package is looked up in $WA_PARSER_DIR/node_modules (installed by scripts/_node_deps.sh).
"use strict";
const fs = require("fs");
const path = require("path");
const { parseString } = require(path.join(process.env.WA_PARSER_DIR, "node_modules", "whatsapp-chat-parser"));

const out = {};
for (const file of process.argv.slice(2)) {
  try {
    const text = fs.readFileSync(file, "utf8");
    out[file] = parseString(text, { parseAttachments: true }).map((m) => ({
      date: m.date instanceof Date && !isNaN(m.date) ? m.date.toISOString() : null,
      author: m.author,
      message: m.message,
      attachment: m.attachment ? m.attachment.fileName : null,
    }));
  } catch (e) {
    out[file] = { error: String(e) };
  }
}
process.stdout.write(JSON.stringify(out));

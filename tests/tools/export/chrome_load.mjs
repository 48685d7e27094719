// chrome_load.mjs — loads an `impulse export --format chrome` document with the trace
// importer of Chrome DevTools' Performance panel (its trace engine, which
// @paulirish/trace_engine publishes for node), and prints what it made of it as
// JSON: per thread the number of entries, the roots and depth of the call tree it
// built, per process its name; and the warnings it raised.
//
//   node chrome_load.mjs NODE_MODULES FILE
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const [modules, file] = process.argv.slice(2);
const engine = pathToFileURL(path.join(modules, '@paulirish/trace_engine/analyze-trace.mjs'));
const {analyzeTrace} = await import(engine.href);
const {parsedTrace} = await analyzeTrace(file);
const d = parsedTrace.data;
const out = {threads: {}, entries: d.Renderer.entryToNode.size, warnings: {}};
for (const [pid, p] of d.Renderer.processes) {
  for (const [tid, t] of p.threads) {
    out.threads[pid + ':' + tid] = {
      name: t.name ?? null,
      entries: t.entries.length,
      roots: t.tree ? t.tree.roots.size : 0,
      maxDepth: t.tree ? t.tree.maxDepth : 0,
    };
  }
}
for (const [k, v] of Object.entries(d.Warnings?.perWarning ?? {}))
  out.warnings[k] = v.length ?? v.size ?? 1;
console.log(JSON.stringify(out));

// The benchmark workloads shared by tools/bench_wasm.mjs and
// tools/bench_js_peers.mjs, cut the way native/text_workloads.cc cuts them
// for `edgepiece bench`: every line with its newline, and ~64 KB documents
// of whole lines.

/** The lines of `text`, each with its '\n' (the last one may lack it). */
export function lines(text) { return text.match(/[^\n]*\n|[^\n]+$/g) ?? []; }

/** Whole lines joined into documents of at least 64 KB (the last one shorter). */
export function documents(allLines) {
  const docs = [];
  let current = '';
  for (const line of allLines) {
    current += line;
    if (Buffer.byteLength(current) >= 65536) { docs.push(current); current = ''; }
  }
  if (current) docs.push(current);
  return docs;
}

/** CPU seconds of this process (user + system), for MB per CPU-second. */
export function cpuSeconds() { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }

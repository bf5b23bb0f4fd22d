#!/usr/bin/env node
// Guard rails the linter does not give us without native plugins:
//  1. no import cycles among our own modules;
//  2. dependencies point one way: platform never imports features; a feature imports another
//     feature only through that feature's index.ts (or its schema.ts, the shared zod schemas);
//  3. rules.ts files import no I/O or framework code.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const src = join(root, 'src');
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) files.push(p);
  }
})(src);

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/g;
const graph = new Map();
const problems = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const deps = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1];
    const typeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0].trim());
    if (!spec.startsWith('.')) {
      if (
        /\/rules\.ts$/.test(file) &&
        /^(fastify|kysely|pg|@electric-sql|node:fs|node:child_process)/.test(spec)
      ) {
        problems.push(`${relative(root, file)}: rules must not import ${spec}`);
      }
      continue;
    }
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    deps.push({ target, typeOnly });
    const from = relative(src, file).split('/');
    const to = relative(src, target).split('/');
    if (from[0] === 'platform' && to[0] === 'features') {
      problems.push(`${relative(root, file)}: platform must not import a feature (${spec})`);
    }
    if (from[0] === 'features' && to[0] === 'features' && from[1] !== to[1]) {
      const entry = to.slice(2).join('/');
      if (entry !== 'index.ts' && entry !== 'schema.ts') {
        problems.push(`${relative(root, file)}: use ${to[1]}'s index.ts, not ${entry}`);
      }
    }
    if (/\/rules\.ts$/.test(file) && /\/(store|routes)[^/]*\.ts$/.test(target)) {
      problems.push(`${relative(root, file)}: rules must not import ${spec}`);
    }
  }
  graph.set(
    file,
    deps.filter((d) => !d.typeOnly).map((d) => d.target),
  );
}

// Cycles (runtime imports only; type-only imports vanish at run time).
const state = new Map();
const stack = [];
function visit(node) {
  state.set(node, 'open');
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    if (!graph.has(next)) continue;
    if (state.get(next) === 'open') {
      const cycle = stack
        .slice(stack.indexOf(next))
        .concat(next)
        .map((f) => relative(root, f));
      problems.push(`import cycle: ${cycle.join(' → ')}`);
    } else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(node, 'done');
}
for (const file of graph.keys()) if (!state.has(file)) visit(file);

if (problems.length) {
  console.error(`Import rules broken:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`Import rules hold for ${files.length} modules (no cycles, one-way dependencies).`);

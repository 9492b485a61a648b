// Run by `npm run build` after tsc: bundles the bridge executable (dist/bridge/main.js and what it imports, npm
// packages included), the operation server and the provider host it starts into dist/bundle/. NixOps4 starts
// one bridge process per resource operation, 100 or 500 at once, and resolving and compiling ~100 separate
// modules was a third of each process's CPU before it could hand its operation over (docs/provider-host.md, "Where a bridge's CPU goes"). On a
// cold machine every bridge of a burst waits for the host's start, and loading it unbundled cost 0.66 CPU-s
// against 0.35 bundled. Dynamic imports stay separate chunks, so what only a cache miss or an error needs (Ajv's
// compiler, the codegen's schema emitter) is still loaded only then. The CLI and the state provider run once per
// deployment, so they stay unbundled.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
const common = {
  outdir,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Bundled CommonJS packages call require() for Node's own modules and read __filename (write-file-atomic, for
  // unique temporary names); an ES module has neither of its own.
  banner: {
    js: [
      'import { createRequire as __bundleRequire } from "node:module";',
      'import { fileURLToPath as __bundlePath } from "node:url";',
      "const require = __bundleRequire(import.meta.url);",
      "const __filename = __bundlePath(import.meta.url);",
    ].join(" "),
  },
  logLevel: "warning",
};
const bridge = join(root, "dist", "bridge");
await build({
  ...common,
  entryPoints: {
    host: join(bridge, "provider-host", "server", "host-main.js"),
    "operation-server": join(bridge, "operation-server", "server-main.js"),
    // What the bridge process loads only when it serves its session itself, or starts the operation server.
    "in-process": join(bridge, "in-process.js"),
    "server-start": join(bridge, "operation-server", "server-start.js"),
  },
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  // A dynamic import() of a CommonJS package comes out of a split bundle with only a default export, so the
  // bridge's lazy `const { dir } = await import("tmp-promise")` would find no `dir`: such packages stay with
  // Node's own loader.
  external: ["tmp-promise"],
});
// The bridge process itself is one file: most of the time it only relays its session to the operation server,
// and each module Node loads costs a 100-process burst; what it rarely needs stays in the entries above.
await build({
  ...common,
  // Nothing in it is CommonJS: no require() or __filename to provide.
  banner: {},
  entryPoints: { bridge: join(bridge, "main.js") },
  splitting: false,
  plugins: [
    {
      name: "entries-beside",
      setup(b) {
        b.onResolve({ filter: /^\.\/(in-process|server-start)\.js$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
});

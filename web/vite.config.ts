// Builds the playground (web/) into a static folder, dist/web, that any static
// server can host (paths are relative). `gradc playground` serves it.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: './',
  define: { __GRADC_VERSION__: JSON.stringify(pkg.version) },
  build: {
    outDir: new URL('../dist/web', import.meta.url).pathname,
    emptyOutDir: true,
    target: 'es2022',
    // One page: the compiler, the editor, KaTeX and Graphviz (WebAssembly) are all it needs.
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
    // Generated modules embed compiler/random.ts's and compiler/ops/scalar.ts's functions by their source text
    // (Function.toString()), calls between them included: names must survive.
    rolldownOptions: { output: { minify: { compress: true, mangle: false, codegen: true } } },
  },
  server: { fs: { allow: ['..'] } },
});

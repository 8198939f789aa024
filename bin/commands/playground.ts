// gradc playground [--port P]: serves the playground (web/, built by
// `npm run build:web` into dist/web) on 127.0.0.1 and prints its address.
// The page needs nothing else from the server: it is a static site.
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, UserError } from '../errors.js';

/** The built site: dist/web beside dist/bin (this file runs from dist/bin/commands). */
export const SITE = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.ttf': 'font/ttf', '.gz': 'application/gzip', '.wasm': 'application/wasm', '.csv': 'text/csv; charset=utf-8',
};

/** A static server for `root` on 127.0.0.1; resolves once it listens. */
export function serveStatic(root: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    // The service worker keeps its own copy for offline use; the browser asks again each load.
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export async function playgroundCommand(opts: { port?: string }): Promise<number> {
  const port = opts.port === undefined ? 8080 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port wants a port number (0–65535; 0 picks a free one), not '${opts.port}'`);
  if (!existsSync(join(SITE, 'index.html'))) throw new UserError(`gradc: error: the playground is not built (no ${join(SITE, 'index.html')}): run \`npm run build:web\``);
  let server: Server;
  try {
    server = await serveStatic(SITE, port);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`gradc: error: cannot listen on 127.0.0.1:${port}${code === 'EADDRINUSE' ? ': the port is in use (pick another with --port)' : `: ${(e as Error).message}`}`);
  }
  const address = server.address();
  const at = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`gradc playground: http://127.0.0.1:${at}/  (Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

export function register(p: Command, setExit: (code: number) => void): void {
  p.command('playground')
    .description('serve the playground (editor, derivative, graph, code, training in the page) on 127.0.0.1')
    .option('--port <port>', 'the port (default 8080; 0 picks a free one)')
    .action(async (opts) => setExit(await playgroundCommand(opts)));
}

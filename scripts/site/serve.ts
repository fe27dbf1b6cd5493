/**
 * A static file server for the built site on 127.0.0.1, for the browser test: files only, no
 * directory listings, nothing outside the site folder.
 *
 * @module
 */
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** A running server: its origin (`http://127.0.0.1:PORT`) and how to stop it. */
export interface SiteServer {
  origin: string;
  stop(): Promise<void>;
}

/**
 * Serves `dir` on a free port of 127.0.0.1 until `stop()` is called.
 *
 * @example
 * ```ts
 * import { serveSite } from "./serve.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/index.html`, "<p>hi</p>");
 * const server = serveSite(dir);
 * const res = await fetch(`${server.origin}/`);
 * console.assert(res.status === 200 && (await res.text()) === "<p>hi</p>");
 * const missing = await fetch(`${server.origin}/../etc/passwd`);
 * await missing.body?.cancel();
 * console.assert(missing.status === 404);
 * await server.stop();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function serveSite(dir: string): SiteServer {
  const base = normalize(dir);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      let path = decodeURIComponent(new URL(req.url).pathname);
      if (path.endsWith("/")) path += "index.html";
      const file = normalize(join(base, path));
      if (!file.startsWith(base + sep)) return new Response("not found", { status: 404 });
      try {
        const body = await Deno.readFile(file);
        const type = TYPES[extname(file)] ?? "application/octet-stream";
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    stop: () => server.shutdown(),
  };
}

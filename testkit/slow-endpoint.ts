// An HTTP relay in front of moto that passes every request on at once but holds the response back for a while,
// so that a test can interrupt a provider after the cloud made an object and before the provider learnt of it.
// `answer` can short-circuit chosen requests with a status of its own (e.g. a 404 for a lookup, as an eventually
// consistent API gives right after a create).
import { createServer, request as httpRequest, type Server } from "node:http";

export interface SlowEndpoint {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSlowEndpoint(
  target: string,
  delayMs: number,
  answer?: (method: string, path: string) => number | undefined,
): Promise<SlowEndpoint> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const status = answer?.(req.method ?? "GET", req.url ?? "/");
    if (status !== undefined) {
      req.resume();
      res.writeHead(status);
      res.end();
      return;
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () =>
          setTimeout(() => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          }, delayMs),
        );
      },
    );
    forward.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

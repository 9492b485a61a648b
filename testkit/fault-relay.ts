// A fault-injecting HTTP relay on 127.0.0.1 in front of moto, for the faults a real cloud produces now and then:
// an API that accepts a request and never answers, a one-off error, an answer lost after the cloud acted on the
// request. Every other request is forwarded as it is. Each rule fires a bounded number of times, held requests
// are let go after `holdMs`, and the relay stops by itself after `lifetimeMs`, so a test that forgets it leaves
// nothing running.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";

/** The AWS operation a request is: X-Amz-Target (JSON APIs), Action= (query APIs), or S3's REST shape. */
export function awsOperation(method: string, path: string, headers: IncomingMessage["headers"], body: string): string {
  const target = headers["x-amz-target"];
  if (typeof target === "string") return target.split(".").pop()!;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  if (action) return action;
  // Path-style S3 (s3_use_path_style): PUT /bucket with no query and no key is CreateBucket.
  const url = new URL(path, "http://relay");
  if (method === "PUT" && /^\/[^/]+\/?$/.test(url.pathname) && url.search === "") return "CreateBucket";
  if (method === "DELETE" && /^\/[^/]+\/?$/.test(url.pathname) && url.search === "") return "DeleteBucket";
  return `${method} ${url.pathname}`;
}

export type Fault =
  /** Never answer (until holdMs, then the connection is closed). */
  | { kind: "hang" }
  /** Answer with this status and body instead of forwarding. */
  | { kind: "answer"; status: number; body?: string; contentType?: string }
  /** Forward, let moto act on it, then close the connection instead of passing the answer on. */
  | { kind: "drop-answer" }
  /** Hold the request this long, then forward it as it is (an API that is slow, not gone). */
  | { kind: "delay"; ms: number };

export interface FaultRule {
  operation: string;
  /** Which matching request the fault starts at (1 = the first). */
  nth?: number;
  /** How many matching requests from the nth on get the fault (default 1). */
  times?: number;
  fault: Fault;
}

export interface FaultRelay {
  endpoint: string;
  /** Operations seen, in order, with the fault applied (if any), and the header `recordHeader` names. */
  seen: { operation: string; fault?: Fault["kind"]; header?: string }[];
  stop(): Promise<void>;
}

export async function startFaultRelay(
  target: string,
  rules: FaultRule[],
  options: { holdMs?: number; lifetimeMs?: number; recordHeader?: string } = {},
): Promise<FaultRelay> {
  const holdMs = options.holdMs ?? 120_000;
  const upstream = new URL(target);
  const counts = new Map<FaultRule, number>();
  const seen: FaultRelay["seen"] = [];
  const held = new Set<ServerResponse>();

  /** The first rule firing for this request; every rule of the operation counts it, fired or not. */
  const faultFor = (operation: string): Fault | undefined => {
    let fault: Fault | undefined;
    for (const rule of rules) {
      if (rule.operation !== operation) continue;
      const n = (counts.get(rule) ?? 0) + 1;
      counts.set(rule, n);
      const first = rule.nth ?? 1;
      if (!fault && n >= first && n < first + (rule.times ?? 1)) fault = rule.fault;
    }
    return fault;
  };

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    onAnswer: (status: number, headers: IncomingMessage["headers"], data: Buffer) => void,
    onError: () => void,
  ) => {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => onAnswer(answer.statusCode ?? 502, answer.headers, Buffer.concat(chunks)));
      },
    );
    out.on("error", onError);
    out.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const operation = awsOperation(req.method ?? "GET", req.url ?? "/", req.headers, body.toString("utf8"));
      const fault = faultFor(operation);
      const header = options.recordHeader ? req.headers[options.recordHeader.toLowerCase()] : undefined;
      seen.push({
        operation,
        ...(fault ? { fault: fault.kind } : {}),
        ...(typeof header === "string" ? { header } : {}),
      });
      if (fault?.kind === "hang") {
        held.add(res);
        const release = setTimeout(() => res.destroy(), holdMs);
        res.on("close", () => {
          clearTimeout(release);
          held.delete(res);
        });
        return;
      }
      if (fault?.kind === "answer") {
        res.writeHead(fault.status, { "content-type": fault.contentType ?? "application/xml" });
        res.end(fault.body ?? "");
        return;
      }
      const pass = () =>
        forward(
          req,
          body,
          (status, headers, data) => {
            if (fault?.kind === "drop-answer") {
              res.socket?.destroy();
              return;
            }
            res.writeHead(status, headers);
            res.end(data);
          },
          () => {
            res.writeHead(502);
            res.end();
          },
        );
      if (fault?.kind === "delay") {
        held.add(res);
        const later = setTimeout(pass, Math.min(fault.ms, holdMs));
        res.on("close", () => {
          clearTimeout(later);
          held.delete(res);
        });
      } else pass();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      for (const res of held) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }));
  const lifetime = setTimeout(() => void stop(), options.lifetimeMs ?? 600_000);
  lifetime.unref();
  return { endpoint: `http://127.0.0.1:${port}`, seen, stop };
}

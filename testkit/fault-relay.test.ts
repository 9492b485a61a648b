// The relay's own contract, against a plain HTTP server standing in for moto: faults fire only as often as the
// rules say, a held request is let go after holdMs, and the relay stops by itself.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsOperation, startFaultRelay } from "./fault-relay.js";

let upstream: Server;
let target = "";
let received = 0;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    received++;
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const address = upstream.address();
  target = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

const createUser = (endpoint: string) =>
  fetch(endpoint, {
    method: "POST",
    body: "Action=CreateUser&UserName=u",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });

describe("startFaultRelay", () => {
  it("applies each fault to the nth..nth+times-1 matching request only, and forwards the rest", async () => {
    const relay = await startFaultRelay(target, [
      { operation: "CreateUser", nth: 2, fault: { kind: "answer", status: 403, body: "denied" } },
      { operation: "CreateUser", nth: 3, fault: { kind: "drop-answer" } },
    ]);
    try {
      received = 0;
      expect((await createUser(relay.endpoint)).status).toBe(200);
      const denied = await createUser(relay.endpoint);
      expect([denied.status, await denied.text()]).toEqual([403, "denied"]);
      await expect(createUser(relay.endpoint)).rejects.toThrow();
      expect((await createUser(relay.endpoint)).status).toBe(200);
      // The dropped answer's request did reach the upstream; the one answered by the relay did not.
      expect(received).toBe(3);
      expect(relay.seen.map((s) => s.fault)).toEqual([undefined, "answer", "drop-answer", undefined]);
    } finally {
      await relay.stop();
    }
  });

  it("lets a held request go after holdMs, and stops by itself after lifetimeMs", async () => {
    const relay = await startFaultRelay(target, [{ operation: "CreateBucket", fault: { kind: "hang" } }], {
      holdMs: 300,
      lifetimeMs: 1_000,
    });
    const started = Date.now();
    await expect(fetch(`${relay.endpoint}/bucket`, { method: "PUT" })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await new Promise((r) => setTimeout(r, 1_200));
    await expect(fetch(`${relay.endpoint}/bucket`, { method: "PUT" })).rejects.toThrow();
  });
});

describe("awsOperation", () => {
  it("reads the operation from the JSON target, the query action, or S3's REST shape", () => {
    expect(awsOperation("POST", "/", { "x-amz-target": "AmazonSSM.PutParameter" }, "{}")).toBe("PutParameter");
    expect(awsOperation("POST", "/", {}, "Action=CreateUser&Version=2010-05-08")).toBe("CreateUser");
    expect(awsOperation("PUT", "/my-bucket", {}, "")).toBe("CreateBucket");
    expect(awsOperation("PUT", "/my-bucket?tagging", {}, "")).toBe("PUT /my-bucket");
    expect(awsOperation("PUT", "/my-bucket/key", {}, "")).toBe("PUT /my-bucket/key");
  });
});

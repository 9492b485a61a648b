// The state provider's protocol loop, on the bridge's own framing (bridge/framing/line-framer.ts): one response
// line per request, in order, until EOF; every failure becomes an errorResponse and the loop goes on. The session
// is closed (its lock released) when the loop ends, however it ends.
import type { Readable, Writable } from "node:stream";
import { stringifyExact } from "../bridge/json/exact-json.js";
import { readLines, writeLine } from "../bridge/framing/line-framer.js";
import { errorMessage } from "../bridge/protocol/serve.js";
import type { StateSession } from "./state-session.js";
import { parseStateRequest } from "./state-requests.js";

export interface ServeStateOptions {
  input: Readable;
  output: Writable;
  session: StateSession;
  log: (line: string) => void;
  /** Checked after each response: true stops the loop (after SIGINT/SIGTERM). */
  shouldStop?: () => boolean;
}

async function answer(text: string, session: StateSession): Promise<object> {
  const request = parseStateRequest(text);
  switch (request.kind) {
    case "create":
      return {
        createResourceResponse: { outputProperties: await session.create(request.type, request.inputProperties) },
      };
    case "read":
      return { stateResourceReadResponse: { state: await session.read(request.resource) } };
    case "event":
      await session.event(request.body);
      return { stateResourceEventResponse: {} };
  }
}

export async function serveState(options: ServeStateOptions): Promise<void> {
  try {
    for await (const line of readLines(options.input)) {
      let response: object;
      try {
        if (!line.ok) throw new Error(`the request line is ${line.reason}`);
        response = await answer(line.text, options.session);
      } catch (error) {
        const message = errorMessage(error);
        options.log(`error: ${message}`);
        response = { errorResponse: { message } };
      }
      await writeLine(options.output, stringifyExact(response));
      if (options.shouldStop?.()) break;
    }
  } finally {
    await options.session.close();
  }
}

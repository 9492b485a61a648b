// The protocol loop: one request line in, exactly one response line out, in order, until EOF. Every failure
// becomes an errorResponse and the loop goes on; nothing else is ever written to the protocol channel. The
// handler learns whether each response was written: a caller that closed our stdout (EPIPE) never got it, so its
// outcome stays recorded for the next operation, and the loop stops (nobody is left to answer).
import type { Readable, Writable } from "node:stream";
import { stringifyExact } from "../json/exact-json.js";
import { parseRequest } from "../requests/parse-request.js";
import { readLines, writeLine } from "../framing/line-framer.js";
import type { Request, ResourceHandler, Response } from "./messages.js";

export interface ServeOptions {
  input: Readable;
  output: Writable;
  /** Resolves the handler lazily, so that a configuration error is answered per request instead of crashing. */
  handler: () => ResourceHandler;
  log: (line: string) => void;
  /** Checked after each response: true stops the loop (e.g. after SIGINT/SIGTERM). */
  shouldStop?: () => boolean;
  /** Also log the stack of each error (NIXOPS4_OPENTOFU_DEBUG). */
  debug?: boolean;
}

async function dispatch(request: Request, handler: ResourceHandler): Promise<Response> {
  switch (request.kind) {
    case "create":
      return { createResourceResponse: { outputProperties: await handler.create(request.body) } };
    case "update":
      return { updateResourceResponse: { outputProperties: await handler.update(request.body) } };
    case "destroy":
      await handler.destroy(request.body);
      return { destroyResourceResponse: {} };
    case "import":
      return { importResourceResponse: { outputProperties: await handler.import(request.body) } };
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export async function serve(options: ServeOptions): Promise<void> {
  for await (const line of readLines(options.input)) {
    let response: Response;
    let handler: ResourceHandler | undefined;
    try {
      if (!line.ok) throw new Error(`the request line is ${line.reason}`);
      handler = options.handler();
      response = await dispatch(parseRequest(line.text), handler);
    } catch (error) {
      const message = errorMessage(error);
      // Also on stderr: NixOps4 builds before errorResponse existed show only what the provider logged.
      options.log(`error: ${message}`);
      if (options.debug && error instanceof Error && error.stack) options.log(error.stack);
      response = { errorResponse: { message } };
    }
    let delivered = true;
    try {
      await writeLine(options.output, stringifyExact(response));
    } catch (error) {
      delivered = false;
      options.log(`the response could not be written (${errorMessage(error)}): the caller is gone`);
    }
    await handler?.settle?.(delivered).catch((error: unknown) => options.log(`error: ${errorMessage(error)}`));
    if (!delivered || options.shouldStop?.()) break;
  }
}
